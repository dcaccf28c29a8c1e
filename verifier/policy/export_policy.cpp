#include "policy/export_policy.h"

#include <algorithm>

#include "core/country.h"
#include "core/json.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "identify/identify.h"

namespace aa {

namespace {

bool is_country(const std::string& c) {
  return is_country_code(c);
}

Result<std::string> country_field(const JsonAt& o, std::string_view key) {
  AA_TRY(c, o.string_field(key));
  if (!is_country(c)) {
    return make_error("input.bad-value", o.child(key).where(), "not an ISO 3166-1 alpha-2 code");
  }
  return c;
}

Result<std::set<std::string>> string_set(const JsonAt& parent, std::string_view key, bool countries,
                                         const CountryGroups* groups) {
  std::set<std::string> out;
  auto f = parent.optional_field(key);
  if (!f) return out;
  AA_TRY(a, f->array());
  for (size_t i = 0; i < a.json().size(); ++i) {
    AA_TRY(s, a.at(i).string());
    if (countries && !is_country(s)) {
      return make_error("input.bad-value", a.at(i).where(), "not an ISO 3166-1 alpha-2 code");
    }
    if (!countries && groups && groups->groups.count(s) == 0) {
      return make_error("input.bad-value", a.at(i).where(),
                        "country group " + printable(s) + " is not in country-groups.json");
    }
    out.insert(s);
  }
  return out;
}

Result<CountryScope> read_scope(const JsonAt& at, const CountryGroups& groups) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields(
      {"all_except", "groups", "exclude_groups", "countries", "exclude_countries", "cite"}));
  CountryScope s;
  AA_TRY(ae, string_set(o, "all_except", true, nullptr));
  AA_TRY(g, string_set(o, "groups", false, &groups));
  AA_TRY(xg, string_set(o, "exclude_groups", false, &groups));
  AA_TRY(c, string_set(o, "countries", true, nullptr));
  AA_TRY(xc, string_set(o, "exclude_countries", true, nullptr));
  s.exclude_countries = std::move(xc);
  s.all_except = std::move(ae);
  s.groups = std::move(g);
  s.exclude_groups = std::move(xg);
  s.countries = std::move(c);
  AA_TRY(cs, o.string_field("cite"));
  s.cite = cs;
  return s;
}

std::string alias(const std::string& c, const CountryGroups& g) {
  auto a = g.aliases.find(c);
  return a == g.aliases.end() ? c : a->second;
}

}  // namespace

bool CountryScope::contains(const std::string& country, const CountryGroups& g) const {
  const std::string c = alias(country, g);
  if (!all_except.empty()) return all_except.count(c) == 0 && all_except.count(country) == 0;
  if (exclude_countries.count(country) || exclude_countries.count(c)) return false;
  if (countries.count(country) || countries.count(c)) return true;
  bool in_group = std::any_of(groups.begin(), groups.end(),
                              [&](const std::string& grp) { return g.in(grp, c); });
  bool excluded = std::any_of(exclude_groups.begin(), exclude_groups.end(),
                              [&](const std::string& grp) { return g.in(grp, c); });
  return in_group && !excluded;
}

std::set<std::string> CountryScope::members(const CountryGroups& g) const {
  std::set<std::string> out(countries.begin(), countries.end());
  for (const auto& grp : groups) {
    auto it = g.groups.find(grp);
    if (it == g.groups.end()) continue;
    for (const auto& c : it->second)
      if (contains(c, g)) out.insert(c);
  }
  return out;
}

const ExceptionRule* ExportPolicy::exception(const std::string& id) const {
  for (const auto& e : exceptions)
    if (e.id == id) return &e;
  return nullptr;
}

namespace {

Result<bool> verified_field(const JsonAt& o) {
  AA_TRY(v, o.field("verified"));
  return v.boolean();
}

Result<std::vector<std::string>> string_list(const JsonAt& o, std::string_view key) {
  std::vector<std::string> out;
  AA_TRY(f, o.field(key));
  AA_TRY(a, f.array());
  for (size_t i = 0; i < a.json().size(); ++i) {
    AA_TRY(s, a.at(i).string());
    out.push_back(s);
  }
  return out;
}

Result<std::set<std::string>> paragraph_set(const JsonAt& o, std::string_view key) {
  AA_TRY(list, string_list(o, key));
  std::set<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] != "3A090.a" && list[i] != "3A090.b") {
      return make_error("input.bad-value", o.child(key).at(i).where(),
                        "expected 3A090.a or 3A090.b");
    }
    out.insert(list[i]);
  }
  return out;
}

Result<HeadquartersRule> read_headquarters(const JsonAt& hq, const CountryGroups& g) {
  AA_TRY(ho, hq.object());
  AA_CHECK(ho.only_fields({"scope", "reading", "source", "verified"}));
  HeadquartersRule h;
  AA_TRY(sc, ho.field("scope"));
  AA_TRY(scope, read_scope(sc, g));
  h.scope = std::move(scope);
  AA_TRY(reading, ho.string_field("reading"));
  h.reading = reading;
  AA_TRY(source, ho.string_field("source"));
  h.source = source;
  AA_TRY(v, verified_field(ho));
  h.verified = v;
  return h;
}

Result<ParagraphPolicy> read_paragraph(const JsonAt& pa, const CountryGroups& g) {
  AA_CHECK(pa.only_fields(
      {"legal_scope", "enforced_scope", "headquarters_rule", "headquarters_open_question"}));
  ParagraphPolicy pp;
  AA_TRY(ls, pa.field("legal_scope"));
  AA_TRY(legal, read_scope(ls, g));
  AA_TRY(es, pa.field("enforced_scope"));
  AA_TRY(enforced, read_scope(es, g));
  pp.legal = std::move(legal);
  pp.enforced = std::move(enforced);
  if (auto hq = pa.optional_field("headquarters_rule")) {
    AA_TRY(h, read_headquarters(*hq, g));
    pp.headquarters = std::move(h);
  }
  if (auto hq = pa.optional_field("headquarters_open_question")) {
    AA_TRY(h, read_headquarters(*hq, g));
    pp.headquarters_open = std::move(h);
  }
  return pp;
}

Result<EmbargoRule> read_embargo(const JsonAt& at, const CountryGroups& g) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields(
      {"id", "name", "scope", "reaches", "regions", "region_country", "fallback", "verified"}));
  EmbargoRule e;
  AA_TRY(id, o.string_field("id"));
  e.id = id;
  AA_TRY(name, o.string_field("name"));
  e.name = name;
  AA_TRY(reaches, o.string_field("reaches"));
  e.reaches = reaches;
  if (auto fb = o.optional_field("fallback")) {
    AA_TRY(fbv, fb->boolean());
    e.fallback = fbv;
  }
  AA_TRY(sc, o.field("scope"));
  AA_TRY(scope, read_scope(sc, g));
  e.scope = std::move(scope);
  if (o.optional_field("regions")) {
    AA_TRY(regions, string_list(o, "regions"));
    AA_TRY(rc, country_field(o, "region_country"));
    for (size_t i = 0; i < regions.size(); ++i) {
      if (regions[i].rfind(rc + "-", 0) != 0 || regions[i].size() < 4 || regions[i].size() > 6) {
        return make_error("input.bad-value", o.child("regions").at(i).where(),
                          "not an ISO 3166-2 code of " + rc);
      }
      e.regions.insert(regions[i]);
    }
    e.region_country = rc;
  }
  AA_TRY(v, verified_field(o));
  e.verified = v;
  return e;
}

Result<LetterRule> read_letter(const JsonAt& at, const CountryGroups& g) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields(
      {"id", "recipient", "vendor", "parts", "reaching", "destinations", "source", "verified"}));
  LetterRule l;
  AA_TRY(id, o.string_field("id"));
  l.id = id;
  AA_TRY(rec, o.string_field("recipient"));
  l.recipient = rec;
  AA_TRY(vendor, o.string_field("vendor"));
  l.vendor = vendor;
  AA_TRY(parts, string_list(o, "parts"));
  l.parts.insert(parts.begin(), parts.end());
  if (auto r = o.optional_field("reaching")) {
    AA_TRY(ro, r->object());
    AA_CHECK(ro.only_fields({"memory_bandwidth_gbps", "scale_up_gbps"}));
    if (ro.optional_field("memory_bandwidth_gbps")) {
      AA_TRY(m, ro.number_field("memory_bandwidth_gbps"));
      l.memory_bandwidth_gbps = m;
    }
    if (ro.optional_field("scale_up_gbps")) {
      AA_TRY(s, ro.number_field("scale_up_gbps"));
      l.scale_up_gbps = s;
    }
  }
  AA_TRY(ds, o.field("destinations"));
  AA_TRY(dest, read_scope(ds, g));
  l.destinations = std::move(dest);
  AA_TRY(src, o.string_field("source"));
  l.source = src;
  AA_TRY(v, verified_field(o));
  l.verified = v;
  return l;
}

Result<ExceptionRule> read_exception(const JsonAt& at, const CountryGroups& g) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields({"id", "name", "cite", "paragraphs", "not_datacenter_a", "destinations",
                          "headquarters", "end_user_hq_excluded", "max_items", "conditions",
                          "verified"}));
  ExceptionRule e;
  AA_TRY(id, o.string_field("id"));
  e.id = id;
  AA_TRY(name, o.string_field("name"));
  e.name = name;
  AA_TRY(cite, o.string_field("cite"));
  e.cite = cite;
  AA_TRY(paras, paragraph_set(o, "paragraphs"));
  e.paragraphs = std::move(paras);
  if (auto nd = o.optional_field("not_datacenter_a")) {
    AA_TRY(b, nd->boolean());
    e.not_datacenter_a = b;
  }
  AA_TRY(ds, o.field("destinations"));
  AA_TRY(dest, read_scope(ds, g));
  e.destinations = std::move(dest);
  if (auto h = o.optional_field("headquarters")) {
    AA_TRY(hs, read_scope(*h, g));
    e.headquarters = std::move(hs);
  }
  if (auto h = o.optional_field("end_user_hq_excluded")) {
    AA_TRY(hs, read_scope(*h, g));
    e.end_user_hq_excluded = std::move(hs);
  }
  if (o.optional_field("max_items")) {
    AA_TRY(mi, o.number_field("max_items"));
    if (mi < 1 || mi != static_cast<double>(static_cast<int>(mi))) {
      return make_error("input.bad-value", o.child("max_items").where(),
                        "expected a positive whole number of items");
    }
    e.max_items = static_cast<int>(mi);
  }
  AA_TRY(conds, string_list(o, "conditions"));
  e.conditions = std::move(conds);
  AA_TRY(v, verified_field(o));
  e.verified = v;
  return e;
}

}  // namespace

Result<ExportPolicy> load_export_policy(const std::string& path, const Registry& registry) {
  // The one file read left in an appraiser file: the known exception of docs/architecture.md.
  AA_TRY(text, read_file(path, 1u << 20));
  return parse_export_policy(text, path, registry);
}

Result<ExportPolicy> parse_export_policy(const std::string& text, const std::string& path,
                                         const Registry& registry) {
  AA_TRY(doc, parse_json_strict(text, path));
  JsonAt root(doc, path);
  AA_TRY(o, root.object());
  AA_CHECK(o.only_fields({"schema", "ecfr_date", "stale_after_days", "source", "disclaimer",
                          "paragraphs", "embargoes", "letters", "exceptions", "country_notes",
                          "gp10", "restricted_locations"}));
  AA_CHECK(o.expect_string("schema", "accel-attest/export-policy/v2"));
  ExportPolicy p;
  p.groups = &registry.country_groups();
  const CountryGroups& g = *p.groups;
  p.digest = sha256_hex(text);
  AA_TRY(date_s, o.string_field("ecfr_date"));
  if (!x509::parse_rfc3339(date_s + "T00:00:00Z")) {
    return make_error("input.bad-value", o.child("ecfr_date").where(), "not a date (YYYY-MM-DD)");
  }
  p.ecfr_date = date_s;
  AA_TRY(stale, o.number_field("stale_after_days"));
  if (stale < 1 || stale > 3650 || stale != static_cast<int>(stale)) {
    return make_error("input.bad-value", o.child("stale_after_days").where(),
                      "a whole number of days from 1 to 3650");
  }
  p.stale_after_days = static_cast<int>(stale);
  AA_TRY(src_s, o.string_field("source"));
  p.source = src_s;
  AA_TRY(disc, o.string_field("disclaimer"));
  p.disclaimer = disc;
  AA_TRY(paras, o.field("paragraphs"));
  AA_TRY(po, paras.object());
  for (const auto& [name, _] : po.json().items()) {
    if (name != "3A090.a" && name != "3A090.b") {
      return make_error("input.unknown-field", po.child(name).where(),
                        "paragraphs are 3A090.a and 3A090.b");
    }
    AA_TRY(pp, read_paragraph(po.child(name), g));
    p.paragraphs[name] = std::move(pp);
  }
  auto each = [&](std::string_view key, auto read, auto& into) -> Status {
    AA_TRY(f, o.field(key));
    AA_TRY(a, f.array());
    for (size_t i = 0; i < a.json().size(); ++i) {
      AA_TRY(r, read(a.at(i), g));
      into.push_back(std::move(r));
    }
    return Ok{};
  };
  AA_CHECK(each("embargoes", read_embargo, p.embargoes));
  AA_CHECK(each("letters", read_letter, p.letters));
  AA_CHECK(each("exceptions", read_exception, p.exceptions));
  AA_TRY(cn, o.field("country_notes"));
  AA_TRY(cno, cn.object());
  for (const auto& [country, _] : cno.json().items()) {
    JsonAt c = cno.child(country);
    if (!is_country(country)) {
      return make_error("input.bad-value", c.where(), "not an ISO 3166-1 alpha-2 code");
    }
    AA_CHECK(c.only_fields({"text", "cite", "verified"}));
    CountryNote note;
    AA_TRY(t, c.string_field("text"));
    note.text = t;
    AA_TRY(ci, c.string_field("cite"));
    note.cite = ci;
    AA_TRY(v, verified_field(c));
    note.verified = v;
    p.country_notes[country] = std::move(note);
  }
  AA_TRY(gp, o.field("gp10"));
  AA_CHECK(gp.only_fields({"cite", "text", "verified"}));
  AA_TRY(gc, gp.string_field("cite"));
  p.gp10_cite = gc;
  AA_TRY(gt, gp.string_field("text"));
  p.gp10_text = gt;
  AA_TRY(rl, o.field("restricted_locations"));
  AA_TRY(restricted, read_scope(rl, g));
  p.restricted_locations = std::move(restricted);
  return p;
}

Result<Licence> parse_licence(std::string_view json, const std::string& origin) {
  JsonLimits lim;
  lim.max_bytes = 4u << 20;
  lim.max_depth = 8;
  lim.max_string = 4096;
  AA_TRY(doc, parse_json_strict(json, origin, lim));
  JsonAt root(doc, origin);
  AA_TRY(o, root.object());
  AA_CHECK(o.only_fields({"schema", "licence", "destination", "end_user", "exception", "valid_from",
                          "valid_until", "devices"}));
  AA_CHECK(o.expect_string("schema", "accel-attest/licence/v1"));
  Licence l;
  l.digest = sha256_hex(json);
  AA_TRY(num_s, o.string_field("licence"));
  if (num_s.empty())
    return make_error("input.bad-value", o.child("licence").where(), "empty licence number");
  l.number = num_s;
  // The destination: ISO 3166-1 alpha-2, or ISO 3166-2 ("UA-43") where the region matters.
  AA_TRY(dest_s, o.string_field("destination"));
  const auto dash = dest_s.find('-');
  const std::string country = dest_s.substr(0, dash);
  const bool region_ok = dash == std::string::npos ||
                         (dest_s.size() > dash + 1 && dest_s.size() <= dash + 4 &&
                          std::all_of(dest_s.begin() + dash + 1, dest_s.end(), [](char c) {
                            return std::isupper(static_cast<unsigned char>(c)) ||
                                   std::isdigit(static_cast<unsigned char>(c));
                          }));
  if (!is_country(country) || !region_ok) {
    return make_error("input.bad-value", o.child("destination").where(),
                      "not an ISO 3166-1 alpha-2 or ISO 3166-2 code");
  }
  l.destination = country;
  if (dash != std::string::npos) l.destination_region = dest_s;
  if (auto ex = o.optional_field("exception")) {
    AA_TRY(es, ex->string());
    if (es != "NAC" && es != "ACA" && es != "AIA") {
      return make_error("input.bad-value", ex->where(), "expected NAC, ACA or AIA");
    }
    l.exception = es;
  }
  AA_TRY(eu, o.field("end_user"));
  AA_TRY(euo, eu.object());
  AA_CHECK(euo.only_fields({"name", "headquarters"}));
  AA_TRY(eun_s, euo.string_field("name"));
  l.end_user = eun_s;
  AA_TRY(hq_s, country_field(euo, "headquarters"));
  l.end_user_hq = hq_s;
  for (const char* k : {"valid_from", "valid_until"}) {
    if (auto t = o.optional_field(k)) {
      AA_TRY(ts, t->string());
      auto parsed = x509::parse_rfc3339(ts);
      if (!parsed) return make_error("input.bad-value", t->where(), "not an RFC 3339 time");
      (std::string_view(k) == "valid_from" ? l.valid_from : l.valid_until) = *parsed;
    }
  }
  AA_TRY(devs, o.field("devices"));
  AA_TRY(da, devs.array());
  if (da.json().size() > 4096) {
    return make_error("input.too-large", da.where(), "more than 4096 licensed devices");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < da.json().size(); ++i) {
    AA_TRY(d, da.at(i).object());
    AA_CHECK(d.only_fields({"serial", "eccn"}));
    AA_TRY(ss, d.string_field("serial"));
    if (ss.empty()) return make_error("input.bad-value", d.child("serial").where(), "empty serial");
    if (!seen.insert(ss).second) {
      return make_error("input.bad-value", d.child("serial").where(),
                        "serial " + printable(ss) + " listed twice");
    }
    LicensedDevice ld{ss, ""};
    if (auto e = d.optional_field("eccn")) {
      AA_TRY(es, e->string());
      if (std::none_of(std::begin(kLicenceEccns), std::end(kLicenceEccns),
                       [&](const char* k) { return es == k; })) {
        return make_error("input.bad-value", e->where(),
                          "expected one of 3A090.a, 3A090.b, 4A090.a, 4A090.b, 3A991.p, "
                          "4A994.l, EAR99");
      }
      ld.eccn = es;
    }
    l.devices.push_back(ld);
  }
  return l;
}

std::string paragraph_of(Eccn e) {
  return paragraph_of_name(eccn_name(e));
}

std::string paragraph_of_name(const std::string& name) {
  for (const char* p : {"3A090.a", "3A090.b"}) {
    if (name.rfind(p, 0) == 0) return p;
  }
  return "";
}

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string joined(const std::set<std::string>& s, const char* sep = ", ") {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::string joined(const std::vector<std::string>& v, const char* sep = "; ") {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::string unverified(bool verified) {
  return verified ? "" : " [source not verified in primary text]";
}

// What the policy knows of a device's class: the 3A090 paragraphs it may be in, whether it
// may be outside 3A090, and the ECCNs a licence entry may name for it.
struct ClassView {
  std::set<std::string> paragraphs;
  bool maybe_free = false;  // some candidate is not 3A090
  bool unknown = false;     // nothing is known of its class
  bool uncertain() const {
    return unknown || paragraphs.size() > 1 || (maybe_free && !paragraphs.empty());
  }
  std::set<std::string> licence_eccns() const {
    std::set<std::string> out;
    for (const auto& p : paragraphs) {
      out.insert(p);
      out.insert("4A090" + p.substr(5));  // a computer or assembly holding it
    }
    if (maybe_free) out.insert({"3A991.p", "4A994.l", "EAR99"});
    return out;
  }
};

ClassView class_view(const PolicyDevice& d) {
  ClassView v;
  const std::string p = paragraph_of(d.eccn);
  if (!p.empty()) {
    v.paragraphs.insert(p);
  } else if (d.eccn == Eccn::kNot3A090) {
    v.maybe_free = true;
  } else if (d.candidate_classes.empty()) {
    v.unknown = v.maybe_free = true;
    v.paragraphs = {"3A090.a", "3A090.b"};
  } else {
    for (const auto& c : d.candidate_classes) {
      const std::string cp = paragraph_of_name(c);
      if (!cp.empty()) {
        v.paragraphs.insert(cp);
      } else if (c == eccn_name(Eccn::kUndetermined)) {
        v.unknown = v.maybe_free = true;
        v.paragraphs.insert({"3A090.a", "3A090.b"});
      } else {
        v.maybe_free = true;
      }
    }
  }
  return v;
}

// A licence entry that names the device: by its attested identity (proven), or, for a device
// with none, by a reported one (claimed). A device whose identity is attested is that identity
// alone: its host-reported serial never matches.
struct LicenceMatch {
  const LicensedDevice* entry = nullptr;
  bool proven = false;
};

LicenceMatch licensed(const Licence* l, const PolicyDevice& d) {
  if (!l) return {};
  for (const auto& ld : l->devices) {
    if (d.attested_identity) {
      if (*d.attested_identity == ld.serial) return {&ld, true};
    } else if (has(d.reported_identities, ld.serial)) {
      return {&ld, false};
    }
  }
  return {};
}

// Why a device needs a licence at the destination.
struct Need {
  enum Kind { kEmbargo, kParagraph, kLetter } kind;
  std::string paragraph;  // kParagraph
  bool enforced = false;  // kParagraph: BIS enforces it here (else the text alone needs it)
  bool by_headquarters = false;
  std::string cite;
  const EmbargoRule* embargo = nullptr;
  const LetterRule* letter = nullptr;
  bool maybe = false;  // kLetter: a figure the letter reads is not known for this part
};

// Whether letter `l` reaches device `d`: one of the parts it names, or a part of its recipient
// reaching a figure it names. kMaybe: the recipient's part, but a figure the letter reads is
// not in the registry, so whether it reaches the threshold is not known.
enum class Reach { kNo, kYes, kMaybe };
Reach letter_reaches(const LetterRule& l, const PolicyDevice& d) {
  if (d.vendor != l.vendor) return Reach::kNo;
  if (std::any_of(d.part_ids.begin(), d.part_ids.end(),
                  [&](const std::string& id) { return l.parts.count(id) > 0; }))
    return Reach::kYes;
  if ((l.memory_bandwidth_gbps && d.memory_bandwidth_gbps &&
       *d.memory_bandwidth_gbps >= *l.memory_bandwidth_gbps) ||
      (l.scale_up_gbps && d.scale_up_gbps && *d.scale_up_gbps >= *l.scale_up_gbps))
    return Reach::kYes;
  if ((l.memory_bandwidth_gbps && !d.memory_bandwidth_gbps) ||
      (l.scale_up_gbps && !d.scale_up_gbps))
    return Reach::kMaybe;
  return Reach::kNo;
}

// Whether licence exception `e` may authorize paragraph `para` of device `d` at `dest`: the
// checks the verifier can make (item, destination, headquarters). `unmet` says why not;
// `open` lists the conditions that the verifier cannot check (always the rule's conditions).
bool exception_fits(const ExceptionRule& e, const std::string& para, const PolicyDevice& d,
                    const std::string& dest, const std::optional<std::string>& hq,
                    const CountryGroups& g, std::string* unmet) {
  if (e.paragraphs.count(para) == 0) {
    *unmet = e.id + " does not cover " + para;
    return false;
  }
  if (e.not_datacenter_a && para == "3A090.a" && d.datacenter != false) {
    *unmet = e.id + " excludes datacenter items meeting 3A090.a" +
             std::string(d.datacenter ? "" : " (whether this part is one is not known)");
    return false;
  }
  const bool by_dest = e.destinations.contains(dest, g);
  const bool by_hq = e.headquarters && hq && e.headquarters->contains(*hq, g);
  if (!by_dest && !by_hq) {
    *unmet = e.id + " does not reach " + dest;
    return false;
  }
  if (e.end_user_hq_excluded && hq && e.end_user_hq_excluded->contains(*hq, g)) {
    *unmet = e.id + " does not reach an end user headquartered in " + *hq;
    return false;
  }
  return true;
}

// What another accelerator would need at `dest`: a 3A090.a part (by the enforced scope, the
// headquarters rule, or the text alone), else a letter recipient's part; else, and with no
// destination, a PRC 3A090 IC, which the project's GP10 policy fails everywhere.
struct ControlledNeed {
  std::string what, cite;
};
// Everywhere: a PRC 3A090 IC fails under the project's GP10 policy whatever the destination.
ControlledNeed gp10_need(const ExportPolicy& policy) {
  return {
      "a PRC 3A090 IC (an Ascend part, say) fails under the project's GP10 policy "
      "wherever it goes",
      policy.gp10_cite};
}
ControlledNeed licence_needed_for_controlled(const ExportPolicy& policy,
                                             const std::optional<std::string>& where,
                                             const std::optional<std::string>& hq,
                                             const CountryGroups& g) {
  if (!where) return gp10_need(policy);
  const std::string& dest = *where;
  auto pp = policy.paragraphs.find("3A090.a");
  if (pp != policy.paragraphs.end()) {
    const ParagraphPolicy& a = pp->second;
    if (a.enforced.contains(dest, g))
      return ControlledNeed{"a 3A090.a accelerator needs a licence", a.enforced.cite};
    const auto& hr = a.headquarters;
    if (hr && hq && hr->scope.contains(*hq, g) && dest != "US")
      return ControlledNeed{
          "a 3A090.a accelerator needs a licence for an end user "
          "headquartered in " +
              *hq,
          hr->scope.cite};
  }
  for (const auto& l : policy.letters) {
    if (l.destinations.contains(dest, g))
      return ControlledNeed{
          "a part of " + l.recipient + " that its is-informed letter names " + "needs a licence",
          l.destinations.cite + "; " + l.source};
  }
  if (pp != policy.paragraphs.end() && pp->second.legal.contains(dest, g))
    return ControlledNeed{"a 3A090.a accelerator needs a licence by the text",
                          pp->second.legal.cite};
  return gp10_need(policy);
}

}  // namespace

// (export_policy.h) What the export policy reads of an identified device: its class (with every
// class a candidate part or an alternative reading of the rule gives, when the class is not
// definite), and, for letters and licence exceptions, the candidates' vendor, ids, datacenter
// design and highest memory and scale-up bandwidth.
void fill_policy_device(const IdentifiedDevice& id, PolicyDevice& pd) {
  pd.eccn = id.eccn;
  // Where a part outside 3A090 falls, when every candidate says the same.
  pd.secondary.clear();
  for (size_t i = 0; i < id.classifications.size(); ++i) {
    const std::string& sec = id.classifications[i].secondary;
    if (i == 0) pd.secondary = sec;
    if (sec != pd.secondary) pd.secondary = "EAR99 or other: not computed";
  }
  if (id.eccn != Eccn::kNot3A090) pd.secondary.clear();
  pd.vendor = id.candidates.empty() ? std::string() : id.candidates.front()->vendor;
  std::set<std::string> classes;
  bool same = true;
  for (size_t i = 0; i < id.classifications.size(); ++i) {
    const Classification& c = id.classifications[i];
    classes.insert(eccn_name(c.eccn));
    for (const auto& r : c.readings) {
      classes.insert(eccn_name(r.eccn));
      same = same && r.eccn == id.eccn;
    }
  }
  // A definite class that an alternative reading contradicts is not definite for the policy.
  if (id.eccn == Eccn::kUndetermined || !same) {
    pd.eccn = Eccn::kUndetermined;
    pd.candidate_classes = classes;
  }
  // Datacenter design: known only when every candidate says the same.
  int dc_yes = 0, dc_no = 0;
  for (const Part* part : id.candidates) {
    const Part& p = *part;
    pd.part_ids.push_back(p.id);
    if (p.vendor != pd.vendor) pd.vendor.clear();
    if (p.datacenter.value == true) ++dc_yes;
    if (p.datacenter.value == false) ++dc_no;
    if (p.memory_bandwidth_gbps.known())
      pd.memory_bandwidth_gbps =
          std::max(pd.memory_bandwidth_gbps.value_or(0), *p.memory_bandwidth_gbps.hi);
    if (p.scale_up_gbps.known())
      pd.scale_up_gbps = std::max(pd.scale_up_gbps.value_or(0), *p.scale_up_gbps.hi);
  }
  const int n = static_cast<int>(id.candidates.size());
  if (n > 0 && dc_yes == n) pd.datacenter = true;
  if (n > 0 && dc_no == n) pd.datacenter = false;
}

PolicyOutcome evaluate_policy(const ExportPolicy& policy, const std::vector<PolicyDevice>& devices,
                              const PolicyInputs& in) {
  PolicyOutcome out;
  const CountryGroups& g = *policy.groups;
  const Licence* licence = in.licence;
  auto host = [&](std::string code, std::string msg, Severity s) {
    out.host_findings.push_back({std::move(code), std::move(msg), "host", s});
  };
  // The eCFR issue the policy encodes, against the verification time.
  if (auto issued = x509::parse_rfc3339(policy.ecfr_date + "T00:00:00Z")) {
    const long days = static_cast<long>((in.at - *issued) / 86400);
    if (days > policy.stale_after_days) {
      host("policy.stale",
           "the export policy encodes the eCFR issue of " + policy.ecfr_date +
               "; this verification is " + std::to_string(days) + " days later (more than " +
               std::to_string(policy.stale_after_days) +
               "): rules published since are not applied; check the current eCFR",
           Severity::kWarn);
    }
  }
  out.end_user_hq = licence ? std::optional<std::string>(licence->end_user_hq) : in.end_user_hq;
  std::optional<std::string> region;
  // A licence outside its validity covers nothing: its devices are judged as unlicensed.
  const bool licence_valid = !licence || !((licence->valid_from && in.at < *licence->valid_from) ||
                                           (licence->valid_until && in.at > *licence->valid_until));
  if (licence) {
    out.destination = licence->destination;
    region = licence->destination_region;
    if (in.site_country && *in.site_country != licence->destination) {
      host("policy.licence-destination-mismatch",
           "licence " + licence->number + " is for " + licence->destination +
               " but the host declares its site in " + *in.site_country,
           Severity::kFail);
    }
    if (!licence_valid) {
      host("policy.licence-not-valid",
           "licence " + licence->number + " is not valid at " + x509::rfc3339(in.at),
           Severity::kFail);
    }
    for (const auto& ld : licence->devices) {
      bool proven = false;
      const PolicyDevice* claimed = nullptr;
      for (const auto& d : devices) {
        if (d.attested_identity) {
          proven = proven || *d.attested_identity == ld.serial;
        } else if (!claimed && has(d.reported_identities, ld.serial)) {
          claimed = &d;
        }
      }
      if (!proven && claimed) {
        host("policy.licensed-device-unattested",
             "licence " + licence->number + " covers device " + printable(ld.serial, 128) +
                 ", which only the host-reported identity of " + claimed->label +
                 " claims: nothing proves the licensed device is present",
             Severity::kWarn);
      } else if (!proven) {
        host("policy.licensed-device-absent",
             "licence " + licence->number + " covers device " + printable(ld.serial, 128) +
                 ", which this host does not hold: diverted, replaced or misreported",
             Severity::kFail);
      }
    }
  } else if (in.site_country) {
    out.destination = in.site_country;
    host("policy.destination-declared",
         "no licence names the destination: the licence rules ran for " + *in.site_country +
             ", the site the host declares, which nothing here verifies (give the licence, or "
             "check the site with location evidence)",
         Severity::kWarn);
  } else {
    host("policy.destination-unknown",
         "no licence and no declared site country: the licence rules were not evaluated",
         Severity::kWarn);
  }
  const std::optional<std::string>& hq = out.end_user_hq;
  // What must be true for licence exception `e`, in words, with what the verifier cannot see.
  auto conditions_of = [&](const ExceptionRule& e) {
    std::vector<std::string> conds = e.conditions;
    if (!hq && e.end_user_hq_excluded)
      conds.push_back("the end user's headquarters are not known to the verifier");
    return joined(conds) + unverified(e.verified);
  };
  bool hq_unchecked = false, region_unchecked = false;
  // Part 746 reaches the host itself and all it holds, whatever its inventory says it holds.
  std::vector<const EmbargoRule*> embargoes;
  if (out.destination) {
    const std::string& dest = *out.destination;
    for (const auto& e : policy.embargoes) {
      if (e.fallback && !embargoes.empty()) continue;  // a group rule backs up the sections only
      if (!e.regions.empty() && dest == e.region_country) {
        if (!region) {
          region_unchecked = true;
        } else if (e.regions.count(*region)) {
          embargoes.push_back(&e);
        }
      } else if (e.scope.contains(dest, g)) {
        embargoes.push_back(&e);
      }
    }
    for (const EmbargoRule* e : embargoes) {
      host("policy.embargoed-destination",
           "the host at " + (region ? *region : dest) + ": " + e->name +
               ": a licence is required for " + e->reaches +
               ", so for this computer and everything in it, whatever its inventory reports" +
               (licence ? ": licence " + licence->number + " must cover the host itself"
                        : ": no licence was given") +
               " [" + e->scope.cite + "]" + unverified(e->verified),
           licence ? Severity::kWarn : Severity::kFail);
    }
  }
  // How many of this host's devices each licence entry matches: an entry licenses one device,
  // so a serial the host repeats cannot stretch it; and how many a licence exception covers.
  std::map<const LicensedDevice*, int> entry_uses;
  std::map<std::string, LicenceMatch> matches;  // by device label
  int exception_items = 0;
  for (const auto& d : devices) {
    const LicenceMatch m = licensed(licence, d);
    matches[d.label] = m;
    if (m.entry) ++entry_uses[m.entry];
    if (m.entry && licence->exception) ++exception_items;
  }

  for (const auto& d : devices) {
    auto& f = out.device_findings[d.label];
    auto add = [&](std::string code, std::string msg, Severity s) {
      f.push_back({std::move(code), std::move(msg), d.label, s});
    };
    const ClassView cv = class_view(d);
    const bool prc = has(d.flags, "prc-3a090-ic");
    if (prc) {
      add("policy.prc-3a090-part",
          d.name + ": " + policy.gp10_text + " Project policy fails the device on this " +
              "presumption; the legal question is one of knowledge. [" + policy.gp10_cite + "]",
          Severity::kFail);
    } else if (has(d.flags, "prc-ic-class-undetermined")) {
      add("policy.prc-part-unclassified",
          d.name +
              " was designed in D:5/Macau and its 3A090 class cannot be computed: if it meets "
              "the 3A090 parameters, BIS's GP10 guidance presumes a risk (project policy: a "
              "warning until classified) [" +
              policy.gp10_cite + "]",
          Severity::kWarn);
    }
    const bool controlled = !cv.paragraphs.empty() || prc;
    // Reported or bound by a quote, the part is what the host's software says it is: a quote
    // proves the list reached the TPM, not which chips are in it (docs/threat-model.md).
    const bool claimed = d.assurance != Assurance::kAttested;
    const std::string claim_source = d.assurance == Assurance::kPlatformBound
                                         ? "the host's inventory (bound by its TPM quote)"
                                         : "reported PCI IDs";
    // The verdict rests on the host's claim where another part would fare worse: say so once.
    auto claim_warning = [&](const std::optional<std::string>& where) {
      const ControlledNeed n = licence_needed_for_controlled(policy, where, hq, g);
      add("policy.identity-reported",
          d.name + " is known only from " + claim_source + ", and " +
              (where ? "at " + *where + " " : std::string()) + n.what + " [" + n.cite +
              "]: nothing proves this device is not one",
          Severity::kWarn);
    };
    if (controlled && claimed) {
      add("policy.identity-reported",
          d.name + (cv.uncertain() ? " may be export-controlled" : " is export-controlled") +
              " but known only from " + claim_source + ": nothing proves which part it is",
          Severity::kWarn);
    }
    if (!out.destination) {
      // Nowhere to judge the licence rules against: a controlled device is not cleared by a
      // host leaving its site out. The headquarters rule needs a licence anywhere but the US.
      if (!controlled) {
        if (claimed) claim_warning(std::nullopt);
        continue;
      }
      bool hq_bites = false;
      std::string cite;
      for (const auto& para : cv.paragraphs) {
        auto pp = policy.paragraphs.find(para);
        if (pp == policy.paragraphs.end() || !pp->second.headquarters) continue;
        if (hq && pp->second.headquarters->scope.contains(*hq, g)) {
          hq_bites = true;
          cite = pp->second.headquarters->scope.cite;
        }
      }
      if (hq_bites) {
        add("policy.destination-unknown",
            d.name + " is for an end user headquartered in " + *hq +
                ", which needs a licence at any destination outside the US, and the destination "
                "is not known: no licence covers it [" +
                cite + "]",
            Severity::kFail);
      } else {
        add("policy.destination-unknown",
            d.name +
                " may need a licence, but no licence and no declared site names its "
                "destination: the licence rules were not evaluated for it",
            Severity::kWarn);
      }
      continue;
    }
    const std::string& dest = *out.destination;

    std::vector<Need> needs;
    for (const EmbargoRule* e : embargoes)
      needs.push_back({Need::kEmbargo, "", true, false, e->scope.cite, e, nullptr});
    for (const auto& para : cv.paragraphs) {
      auto pp = policy.paragraphs.find(para);
      if (pp == policy.paragraphs.end()) continue;
      const auto& hr = pp->second.headquarters;
      const bool hq_rule = hr && hq && hr->scope.contains(*hq, g) && dest != "US";
      const bool enforced = pp->second.enforced.contains(dest, g);
      if (hr && !hq && dest != "US" && !enforced) hq_unchecked = true;
      const auto& open = pp->second.headquarters_open;
      if (open && hq && open->scope.contains(*hq, g) && dest != "US" && !enforced &&
          !pp->second.legal.contains(dest, g)) {
        add("policy.headquarters-open-question",
            d.name + " (" + para + ") is for an end user headquartered in " + *hq +
                ": whether a licence is required is not settled. " + open->reading + " [" +
                open->scope.cite + "]" + unverified(open->verified),
            Severity::kWarn);
      }
      if (enforced || hq_rule) {
        needs.push_back({Need::kParagraph, para, true, hq_rule && !enforced,
                         enforced ? pp->second.enforced.cite : hr->scope.cite, nullptr, nullptr});
      } else if (pp->second.legal.contains(dest, g)) {
        needs.push_back(
            {Need::kParagraph, para, false, false, pp->second.legal.cite, nullptr, nullptr});
      }
    }
    for (const auto& l : policy.letters) {
      const Reach reach = letter_reaches(l, d);
      if (reach != Reach::kNo && l.destinations.contains(dest, g)) {
        needs.push_back({Need::kLetter, "", true, false, l.destinations.cite, nullptr, &l,
                         reach == Reach::kMaybe});
      }
    }
    // A device known only from the PCI IDs the host reports is whatever the host says. Where
    // its reported part needs nothing here but another accelerator would (a 3A090.a part, or
    // a letter recipient's part), the verdict rests on that unproven claim: say so.
    const bool embargoed_any = std::any_of(needs.begin(), needs.end(),
                                           [](const Need& n) { return n.kind == Need::kEmbargo; });
    if (claimed && !controlled && !embargoed_any) claim_warning(out.destination);
    if (needs.empty()) continue;

    const std::set<std::string> eccns = cv.licence_eccns();
    const LicenceMatch& m = matches[d.label];
    const bool eccn_ok =
        licence_valid && m.entry && (m.entry->eccn.empty() || eccns.count(m.entry->eccn));
    const auto note = policy.country_notes.find(dest);
    const std::string note_text =
        note == policy.country_notes.end()
            ? ""
            : " " + dest + ": " + note->second.text + " [" + note->second.cite + "]";
    if (m.entry && entry_uses[m.entry] > 1) {
      add("policy.licence-entry-shared",
          d.name + " matches licence " + licence->number + " entry " +
              printable(m.entry->serial, 128) + ", which " + std::to_string(entry_uses[m.entry]) +
              " devices of this host match: one entry licenses one device, so the licence "
              "covers at most one of them and the host's identities cannot say which",
          Severity::kFail);
      continue;
    }
    if (eccn_ok) {
      if (licence->exception) {
        // An authorization by licence exception covers only what the exception can reach.
        const ExceptionRule* ex = policy.exception(*licence->exception);
        bool fits_all = true;
        for (const auto& n : needs) {
          std::string unmet;
          if (ex && ex->max_items && exception_items > *ex->max_items) {
            unmet = "this host holds " + std::to_string(exception_items) + " items under it, " +
                    "more than the " + std::to_string(*ex->max_items) + " it allows";
          } else if (n.kind != Need::kParagraph) {
            unmet = *licence->exception + " does not authorize what " +
                    (n.kind == Need::kEmbargo ? "part 746 (" + n.embargo->name + ")"
                                              : "the " + n.letter->recipient + " letter") +
                    " requires a licence for";
          } else if (prc) {
            unmet = "no licence exception applies under General Prohibition 10 (740.2(a)(2))";
          } else if (!ex || !exception_fits(*ex, n.paragraph, d, dest, hq, g, &unmet)) {
            if (!ex) unmet = *licence->exception + " is not in the policy";
          } else {
            continue;
          }
          fits_all = false;
          add("policy.exception-ineligible",
              d.name + " is listed under licence exception " + *licence->exception + " (" +
                  licence->number + ") but " + unmet,
              Severity::kFail);
        }
        if (fits_all && ex) {
          // What the verifier checked, and what only the exporter's records can show.
          add("policy.exception-declared",
              d.name + " is exported under licence exception " + ex->id + " (" + ex->cite + ", " +
                  licence->number + "): the item, destination and headquarters fit; " +
                  "the verifier cannot see whether " + conditions_of(*ex),
              Severity::kWarn);
        }
      }
      if (!m.proven) {
        add("policy.licence-match-unattested",
            d.name + " is covered by licence " + licence->number + " only through the " +
                "host-reported identity " + printable(m.entry->serial, 128) +
                ": no signed evidence proves this device is the licensed one",
            Severity::kWarn);
      }
      continue;
    }
    std::string why =
        m.entry && !licence_valid
            ? "licence " + licence->number + " lists it but is not valid at " + x509::rfc3339(in.at)
        : m.entry ? "licence " + licence->number + " lists it as " + m.entry->eccn + ", not " +
                        joined(eccns, " or ")
                  : (licence ? "licence " + licence->number + " does not list it"
                             : std::string("no licence was given"));
    if (!m.entry && licence && d.attested_identity) {
      for (const auto& e : licence->devices) {
        if (has(d.reported_identities, e.serial)) {
          why += " (the host reports the licensed serial " + printable(e.serial, 128) +
                 ", but the device's attested identity is " + printable(*d.attested_identity, 128) +
                 ")";
          break;
        }
      }
    }
    std::set<std::string> shown;
    for (const auto& c : d.candidate_classes)
      shown.insert(c == eccn_name(Eccn::kUndetermined) ? "not computed" : c);
    if (shown.empty()) shown.insert("not computed");
    const std::string klass =
        cv.uncertain() ? "undetermined: " + joined(shown, "|")
                       : (cv.paragraphs.empty() ? (d.secondary.empty() ? "not 3A090" : d.secondary)
                                                : eccn_name(d.eccn));
    std::set<std::string> enforced_paras, text_paras;
    for (const auto& n : needs) {
      if (n.kind == Need::kParagraph)
        (n.enforced ? enforced_paras : text_paras).insert(n.paragraph);
    }
    for (const auto& n : needs) {
      if (n.kind == Need::kEmbargo) {
        add("policy.embargoed-destination",
            d.name + " (" + klass + ") at " + (region ? *region : dest) + ": " + n.embargo->name +
                ": a licence is required for " + n.embargo->reaches + ", whatever the 3A090 " +
                "class: " + why + " [" + n.cite + "]" + unverified(n.embargo->verified),
            Severity::kFail);
      } else if (n.kind == Need::kLetter) {
        const LetterRule& l = *n.letter;
        std::string figures;
        if (l.memory_bandwidth_gbps)
          figures = fixed(*l.memory_bandwidth_gbps, 0) + " GB/s memory bandwidth";
        if (l.scale_up_gbps)
          figures += (figures.empty() ? "" : " or ") + fixed(*l.scale_up_gbps, 0) +
                     " GB/s interconnect bandwidth";
        add("policy.is-informed-letter",
            d.name + " (" + klass + ") at " + dest + ": BIS's is-informed letter to " +
                l.recipient +
                (n.maybe ? " may require a licence for this part here (it reaches " + l.recipient +
                               "'s parts with " + figures +
                               ", and the registry does not know this part's figure)"
                         : " requires a licence for this part here") +
                ": " + why + " [" + n.cite + "; " + l.source + "]" + unverified(l.verified),
            Severity::kFail);
      }
    }
    if (cv.uncertain() && (!enforced_paras.empty() || !text_paras.empty())) {
      const bool enf = !enforced_paras.empty();
      std::set<std::string> cites;
      for (const auto& n : needs)
        if (n.kind == Need::kParagraph && n.enforced == enf) cites.insert(n.cite);
      add("policy.class-undetermined",
          d.name + " (" + klass + ") may be " + joined(enf ? enforced_paras : text_paras, " or ") +
              ", which at " + dest +
              (enf ? " needs a licence that BIS enforces" : " needs a licence by the text only") +
              ": " + why + "; classify the part to decide [" + joined(cites, "; ") + "]" +
              note_text,
          enf ? Severity::kFail : Severity::kWarn);
      continue;
    }
    for (const auto& n : needs) {
      if (n.kind != Need::kParagraph) continue;
      const std::string head = d.name + " (" + klass + ") at " + dest;
      if (n.enforced) {
        // A licence exception that may apply instead, with what must be true.
        std::vector<std::string> fits;
        if (!prc && !embargoed_any) {
          for (const auto& e : policy.exceptions) {
            std::string unmet;
            if (!exception_fits(e, n.paragraph, d, dest, hq, g, &unmet)) continue;
            fits.push_back("licence exception " + e.id + " (" + e.name + ", " + e.cite +
                           ") may apply if: " + conditions_of(e));
          }
        }
        const std::string base =
            head + " needs a licence" +
            (n.by_headquarters ? " (end user headquartered in " + *hq + ")" : "") + ": " + why +
            " [" + n.cite + "]";
        if (!fits.empty()) {
          add("policy.exception-may-apply",
              base + ". No licence covers it, but " + joined(fits, "; or ") +
                  ". The verifier cannot see an exception's use: declare it in the licence file "
                  "(\"exception\") to have its checkable conditions verified" +
                  note_text,
              Severity::kFail);
        } else {
          add("policy.licence-missing",
              base +
                  (prc ? "; no licence exception is available under General Prohibition 10" : "") +
                  note_text,
              Severity::kFail);
        }
      } else {
        std::string aia;
        for (const auto& e : policy.exceptions) {
          std::string unmet;
          if (!prc && exception_fits(e, n.paragraph, d, dest, hq, g, &unmet)) {
            aia += "; licence exception " + e.id + " (" + e.cite +
                   ") may apply if: " + conditions_of(e);
          }
        }
        add("policy.licence-required-by-text",
            head + " needs a licence by the text of the EAR: " + why + " [" + n.cite + "]" +
                (note_text.empty()
                     ? "; BIS's guidance of 2026-05-31 says it enforces the pre-2025 scope "
                       "(D:1, D:4, D:5 excluding A:5 and A:6, and Macau), which does not hold " +
                           dest
                     : note_text) +
                aia,
            Severity::kWarn);
      }
    }
  }
  if (hq_unchecked) {
    host("policy.headquarters-unchecked",
         "the end user's headquarters are not known (no licence, no --end-user-hq): the "
         "headquarters rule (a licence for 3A090.a items at any destination outside the US for "
         "an end user headquartered in D:5 or Macau, 742.6(a)(6)(iii)(A)) could not be checked",
         Severity::kWarn);
  }
  if (region_unchecked) {
    host("policy.region-unchecked",
         "the destination is Ukraine but its region is not known: part 746.6 needs a licence "
         "for every item to Crimea and the covered regions (Donetsk, Luhansk); give the "
         "licence destination as ISO 3166-2 (e.g. UA-43) to check it",
         Severity::kWarn);
  }
  return out;
}

}  // namespace aa
