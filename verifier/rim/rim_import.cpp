#include "rim/rim_import.h"

#include <algorithm>
#include <filesystem>
#include <regex>

#include "core/bytes.h"
#include "core/file_out.h"
#include "core/json.h"
#include "core/text.h"
#include "crypto/chain.h"
#include "crypto/x509.h"
#include "rim/rim_store.h"
#include "rim/swid_rim.h"
#include "rim/xmldsig.h"

namespace aa::rim {

namespace {

constexpr size_t kMaxRim = 4u << 20;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string vbios_form(std::string v) {
  v.erase(std::remove(v.begin(), v.end(), '.'), v.end());
  return upper(v);
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool starts_with(std::string_view s, std::string_view head) {
  return s.substr(0, head.size()) == head;
}

// NVIDIA's RIMs carry a SHA-384-sized hex digest as tagId, not the RIM ID.
bool digest_tag(const std::string& t) {
  return t.size() == 96 &&
         std::all_of(t.begin(), t.end(), [](char c) { return hex_value(c) >= 0; });
}

// A VBIOS version as the RIMs write it: five two-digit hex groups ("96.00.5E.00.01").
bool vbios_version(const std::string& v) {
  static const std::regex re("^[0-9A-Fa-f]{2}(\\.[0-9A-Fa-f]{2}){4}$");
  return std::regex_match(v, re);
}

std::string file_stem(const std::string& file) {
  std::string base = std::filesystem::path(file).filename().string();
  for (const char* ext : {".swidtag", ".xml", ".SWIDTAG", ".XML"}) {
    if (ends_with(base, ext)) return base.substr(0, base.size() - std::string_view(ext).size());
  }
  return base;
}

// The RIM service's JSON answer: the XML and the ID the service filed it under.
struct ServiceAnswer {
  std::string id, xml;
};

Result<ServiceAnswer> read_service_json(std::string_view body, const std::string& file) {
  AA_TRY(doc, parse_json_strict(body, file, JsonLimits{8u << 20, 4, 8u << 20}));
  JsonAt root(doc, file);
  AA_TRY(o, root.object());
  AA_CHECK(o.only_fields({"id", "rim", "sha256", "last_updated", "rim_format", "request_id"}));
  for (const char* k : {"sha256", "last_updated", "request_id"}) {
    if (auto f = o.optional_field(k)) AA_CHECK(f->string());
  }
  if (auto f = o.optional_field("rim_format")) {
    AA_TRY(fmt, f->string());
    if (upper(fmt) != "TCG") {
      return make_error("input.bad-value", f->where(),
                        "rim_format \"" + printable(fmt) +
                            "\": only TCG (SWID) RIMs are read, the format the GPU and "
                            "NVSwitch RIMs are published in");
    }
  }
  ServiceAnswer a;
  AA_TRY(id, o.string_field("id"));
  a.id = id;
  AA_TRY(rim_at, o.field("rim"));
  AA_TRY(b64, rim_at.string());
  auto xml = base64_decode(b64);
  if (!xml) return make_error("input.bad-base64", rim_at.where(), "rim is not base64");
  a.xml.assign(xml->begin(), xml->end());
  return a;
}

Status check_id(const std::string& id, const Rim& rim, const std::string& file,
                const std::string& source) {
  auto bad = [&](const std::string& why) {
    return make_error("rim.import-id", file,
                      "RIM ID " + printable(id, 128) + " (" + source + ") " + why);
  };
  if (!is_storable_rim_id(id)) return bad("is not a RIM ID that can name a file");
  const bool driver = starts_with(id, "NV_GPU_DRIVER_") || starts_with(id, "NV_GPU_CC_DRIVER_");
  const bool vbios = starts_with(id, "NV_GPU_VBIOS_");
  const bool sw = starts_with(id, "NV_SWITCH_BIOS_");
  if (!driver && !vbios && !sw) {
    return bad(
        "is not a GPU driver (NV_GPU_DRIVER_, NV_GPU_CC_DRIVER_), GPU VBIOS (NV_GPU_VBIOS_) "
        "or NVSwitch BIOS (NV_SWITCH_BIOS_) RIM ID");
  }
  const std::string want_edition = sw ? "SWITCH" : "GPU";
  if (rim.edition != want_edition) {
    return bad("names a " + want_edition + " RIM, but the RIM's Meta@edition is \"" +
               printable(rim.edition) + "\"");
  }
  const std::string tail =
      "_" + (driver ? rim.colloquial_version : vbios_form(rim.colloquial_version));
  if (!ends_with(id, tail)) {
    return bad("does not end in \"" + tail + "\", the version the RIM signs (colloquialVersion " +
               printable(rim.colloquial_version) + ")");
  }
  if (!rim.tag_id.empty() && !digest_tag(rim.tag_id) && rim.tag_id != id) {
    return bad("is not the RIM's own tagId " + printable(rim.tag_id, 128));
  }
  return Ok{};
}

// The ID the file itself suggests, and where it came from; "" when none.
std::pair<std::string, std::string> id_from_name(const std::string& file, const Rim& rim) {
  const std::string stem = file_stem(file);
  if (starts_with(stem, "NV_")) return {stem, "file name"};
  static const std::regex sample(
      "^([0-9A-Za-z]{4})_([0-9A-Fa-f]{4})_([0-9A-Za-z]{3})_([0-9A-Fa-f]{10})(_.*)?$");
  std::smatch m;
  if (std::regex_match(stem, m, sample)) {
    const std::string prefix = rim.edition == "SWITCH" ? "NV_SWITCH_BIOS_" : "NV_GPU_VBIOS_";
    return {prefix + upper(m[1]) + "_" + upper(m[2]) + "_" + upper(m[3]) + "_" + upper(m[4]),
            "nvidia sample file name"};
  }
  return {"", ""};
}

Result<std::string> id_from_driver_template(const Rim& rim, const nvidia::NvidiaProfile* profile,
                                            const std::string& file) {
  const std::string no_id =
      "the RIM ID cannot be read: give --id ID, the RIM service's JSON answer, or a file named "
      "after the RIM ID";
  if (!profile || rim.edition != "GPU" || vbios_version(rim.colloquial_version)) {
    return make_error("rim.import-id", file,
                      no_id + (vbios_version(rim.colloquial_version)
                                   ? " (a VBIOS RIM names no PROJECT or SKU, so its ID is not "
                                     "in its signed fields)"
                                   : ""));
  }
  for (const auto& f : profile->families) {
    if (f.driver_rim.empty() || std::find(f.rim_products.begin(), f.rim_products.end(),
                                          rim.product) == f.rim_products.end()) {
      continue;
    }
    auto id = nvidia::expand_rim_id(
        f.driver_rim, {{"DRIVER", rim.colloquial_version}, {"CHIP_INFO", rim.product}}, file);
    if (id) return *id;
  }
  return make_error("rim.import-id", file,
                    no_id +
                        " (no family of firmware-profiles/nvidia/families.json forms a "
                        "driver RIM ID for product \"" +
                        printable(rim.product) + "\")");
}

}  // namespace

Result<ImportedRim> check_rim_file(std::string_view body, const std::string& file,
                                   const ImportOptions& o, std::string* xml_out) {
  ImportedRim r;
  r.file = file;
  std::string xml;
  std::string service_id;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && body[first] == '{') {
    AA_TRY(a, read_service_json(body, file));
    r.form = "rim-service-json";
    service_id = a.id;
    xml = std::move(a.xml);
  } else {
    r.form = "swid-xml";
    xml.assign(body);
  }
  if (xml.size() > kMaxRim) return make_error("input.too-large", file, "RIM larger than 4 MiB");
  AA_TRY(rim, parse_rim(xml, file));
  r.product = rim.product;
  r.edition = rim.edition;
  r.version = rim.colloquial_version;
  r.tag_id = rim.tag_id;
  r.signer = x509::subject_cn(rim.certs.front().get());
  r.signer_not_after = x509::not_after(rim.certs.front().get());

  AA_CHECK(verify_rim_signature(rim, X509_get0_pubkey(rim.certs.front().get())));
  if (!o.rim_root) return make_error("internal.error", file, "no RIM root to check the chain");
  ChainVerifier chains(o.rim_root, o.at);
  ChainOutcome c = chains.verify(rim.certs);
  if (!c.ok && !c.expired) {
    return make_error("rim.chain-invalid", file,
                      "the RIM's KeyInfo certificates do not lead to " +
                          x509::subject_cn(o.rim_root) + ": " + c.reason);
  }
  if (c.ok && c.out_of_order) {
    return make_error("rim.chain-invalid", file,
                      "the KeyInfo certificates are not listed signer first, each followed by its "
                      "issuer");
  }
  r.chain_valid_at_time = c.ok;
  if (!c.ok) r.chain_detail = c.reason;

  if (!o.id.empty()) {
    if (!service_id.empty() && service_id != o.id) {
      return make_error("rim.import-id", file,
                        "--id " + printable(o.id, 128) + " is not the RIM service's id " +
                            printable(service_id, 128));
    }
    r.id = o.id;
    r.id_source = "--id";
  } else if (!service_id.empty()) {
    r.id = service_id;
    r.id_source = "rim service id";
  } else if (auto [id, from] = id_from_name(file, rim); !id.empty()) {
    r.id = id;
    r.id_source = from;
  } else {
    AA_TRY(derived, id_from_driver_template(rim, o.profile, file));
    r.id = derived;
    r.id_source = "driver template";
  }
  AA_CHECK(check_id(r.id, rim, file, r.id_source));
  if (xml_out) *xml_out = std::move(xml);
  return r;
}

Status store_checked_rim(ImportedRim& r, const std::string& xml, const std::string& store_dir,
                         bool force) {
  std::error_code ec;
  std::filesystem::create_directories(store_dir, ec);
  if (ec) {
    return make_error("output.unwritable", store_dir,
                      "cannot create the RIM store directory: " + ec.message());
  }
  r.path = (std::filesystem::path(store_dir) / (r.id + ".xml")).string();
  r.action = "written";
  if (std::filesystem::exists(r.path, ec)) {
    AA_TRY(old, read_file(r.path, kMaxRim + 1));
    if (old == xml) {
      r.action = "unchanged";
      return Ok{};
    }
    if (!force) {
      return make_error("rim.import-conflict", r.path,
                        "the store already holds a different RIM under " + r.id + " (from " +
                            r.file + "); --force replaces it");
    }
    r.action = "replaced";
  }
  return write_file_atomic(r.path, xml);
}

Result<ImportedRim> import_rim(std::string_view body, const std::string& file,
                               const std::string& store_dir, const ImportOptions& o) {
  std::string xml;
  AA_TRY(r, check_rim_file(body, file, o, &xml));
  AA_CHECK(store_checked_rim(r, xml, store_dir, o.force));
  return r;
}

}  // namespace aa::rim
