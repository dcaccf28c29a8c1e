#include "rim/swid_rim.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <set>

#include "core/init.h"
#include "crypto/x509.h"

namespace aa::rim {

namespace {

constexpr const char* kSwidNs = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
constexpr const char* kRimimNs =
    "https://trustedcomputinggroup.org/resource/tcg-reference-integrity-manifest-rim-information-"
    "model/";
constexpr const char* kSha384Ns = "http://www.w3.org/2001/04/xmlenc#sha384";
constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
constexpr size_t kMaxRim = 4u << 20;

const char* cs(const xmlChar* s) {
  return reinterpret_cast<const char*>(s);
}
const xmlChar* xs(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}

bool is(const xmlNode* n, const char* ns, const char* name) {
  return n && n->type == XML_ELEMENT_NODE && n->ns && std::strcmp(cs(n->ns->href), ns) == 0 &&
         std::strcmp(cs(n->name), name) == 0;
}

// An attribute value (no namespace when ns is null), or nullopt when absent.
std::optional<std::string> attr(const xmlNode* n, const char* name, const char* ns = nullptr) {
  xmlChar* v = ns ? xmlGetNsProp(n, xs(name), xs(ns)) : xmlGetNoNsProp(n, xs(name));
  if (!v) return std::nullopt;
  std::string s = cs(v);
  xmlFree(v);
  return s;
}

std::string text_of(const xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  if (!v) return "";
  std::string s = cs(v);
  xmlFree(v);
  return s;
}

std::optional<unsigned> small_uint(const std::string& s, unsigned max) {
  if (s.empty() || s.size() > 3) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

}  // namespace

void XmlDocDeleter::operator()(xmlDoc* d) const {
  xmlFreeDoc(d);
}

const Measurement* Rim::find(unsigned index) const {
  for (const auto& m : measurements) {
    if (m.index == index) return &m;
  }
  return nullptr;
}

Result<Rim> parse_rim(std::string_view xml, const std::string& origin) {
  init_libraries();
  if (xml.size() > kMaxRim) {
    return make_error("input.too-large", origin, "a RIM is at most 4 MiB");
  }
  auto bad = [&](const xmlNode* n, const std::string& what, const std::string& msg) {
    std::string where = origin + ":" + std::to_string(n ? xmlGetLineNo(n) : 0) + " " + what;
    return make_error("rim.malformed", where, msg);
  };
  Rim rim;
  rim.origin = origin;
  rim.doc.reset(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), origin.c_str(), nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!rim.doc) {
    const xmlError* e = xmlGetLastError();
    std::string msg = e && e->message ? e->message : "not well-formed XML";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return make_error("rim.malformed", origin + ":" + std::to_string(e ? e->line : 0), msg);
  }
  if (rim.doc->intSubset || rim.doc->extSubset) {
    return bad(nullptr, "DOCTYPE", "a RIM must not carry a DTD");
  }
  const xmlNode* root = xmlDocGetRootElement(rim.doc.get());
  if (!is(root, kSwidNs, "SoftwareIdentity")) {
    return bad(root, "SoftwareIdentity", "root element is not a SWID 2015 SoftwareIdentity");
  }
  rim.name = attr(root, "name").value_or("");
  rim.tag_id = attr(root, "tagId").value_or("");
  const xmlNode* meta = nullptr;
  const xmlNode* payload = nullptr;
  const xmlNode* signature = nullptr;
  for (const xmlNode* c = root->children; c; c = c->next) {
    if (is(c, kSwidNs, "Meta")) {
      if (meta) return bad(c, "Meta", "more than one Meta element");
      meta = c;
    } else if (is(c, kSwidNs, "Payload")) {
      if (payload) return bad(c, "Payload", "more than one Payload element");
      payload = c;
    } else if (is(c, kDsigNs, "Signature")) {
      if (signature) return bad(c, "Signature", "more than one Signature element");
      signature = c;
    }
  }
  if (!meta) return bad(root, "Meta", "no Meta element");
  auto ver = attr(meta, "colloquialVersion");
  if (!ver || ver->empty()) return bad(meta, "Meta@colloquialVersion", "missing");
  rim.colloquial_version = *ver;
  rim.product = attr(meta, "product").value_or("");
  rim.edition = attr(meta, "edition").value_or("");
  rim.firmware_manufacturer_id = attr(meta, "FirmwareManufacturerId", kRimimNs).value_or("");
  if (!payload) return bad(root, "Payload", "no Payload element");
  std::set<unsigned> seen;
  for (const xmlNode* r = payload->children; r; r = r->next) {
    if (r->type != XML_ELEMENT_NODE) continue;
    if (!is(r, kSwidNs, "Resource")) continue;
    if (attr(r, "type").value_or("") != "Measurement") continue;
    Measurement m;
    m.line = xmlGetLineNo(r);
    auto idx = small_uint(attr(r, "index").value_or(""), 255);
    if (!idx) return bad(r, "Resource@index", "not an integer 0..255");
    m.index = *idx;
    std::string field = "Resource[index=" + std::to_string(m.index) + "]";
    if (!seen.insert(m.index).second) return bad(r, field, "index appears twice");
    auto active = attr(r, "active").value_or("");
    if (active != "True" && active != "False") {
      return bad(r, field + "@active", "must be True or False");
    }
    m.active = active == "True";
    auto alts = small_uint(attr(r, "alternatives").value_or(""), 16);
    if (!alts || *alts == 0) return bad(r, field + "@alternatives", "not an integer 1..16");
    auto size = small_uint(attr(r, "size").value_or(""), 64);
    if (!size || *size == 0) return bad(r, field + "@size", "not an integer 1..64");
    m.size = *size;
    m.name = attr(r, "name").value_or("");
    for (unsigned k = 0; k < *alts; ++k) {
      std::string an = "Hash" + std::to_string(k);
      auto h = attr(r, an.c_str(), kSha384Ns);
      if (!h)
        return bad(r, field + "@" + an, "missing (alternatives=" + std::to_string(*alts) + ")");
      auto bytes = hex_decode(*h);
      if (!bytes || bytes->size() != m.size) {
        return bad(r, field + "@" + an, "not hex of " + std::to_string(m.size) + " bytes");
      }
      m.alternatives.push_back(std::move(*bytes));
    }
    rim.measurements.push_back(std::move(m));
  }
  if (rim.measurements.empty()) return bad(payload, "Payload", "no Measurement resources");
  if (!signature) return bad(root, "Signature", "the RIM is not signed");
  for (const xmlNode* k = signature->children; k; k = k->next) {
    if (!is(k, kDsigNs, "KeyInfo")) continue;
    for (const xmlNode* d = k->children; d; d = d->next) {
      if (!is(d, kDsigNs, "X509Data")) continue;
      for (const xmlNode* c = d->children; c; c = c->next) {
        if (!is(c, kDsigNs, "X509Certificate")) continue;
        std::string where = origin + ":" + std::to_string(xmlGetLineNo(c)) + " X509Certificate";
        auto der = base64_decode(text_of(c));
        if (!der) return make_error("rim.malformed", where, "not base64");
        AA_TRY(cert, x509::parse_der(*der, where));
        if (rim.certs.size() == 8) return make_error("rim.malformed", where, "over 8 certificates");
        rim.certs.push_back(std::move(cert));
      }
    }
  }
  if (rim.certs.empty()) return bad(signature, "KeyInfo", "no X509Certificate");
  return rim;
}

}  // namespace aa::rim
