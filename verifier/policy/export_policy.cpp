#include "policy/export_policy.h"

#include <algorithm>

#include "core/json.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"

namespace aa {

namespace {

bool is_country(const std::string& c) {
  return c.size() == 2 && std::isupper(static_cast<unsigned char>(c[0])) &&
         std::isupper(static_cast<unsigned char>(c[1]));
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
  AA_CHECK(o.only_fields({"all_except", "groups", "exclude_groups", "countries", "cite"}));
  CountryScope s;
  AA_TRY(ae, string_set(o, "all_except", true, nullptr));
  AA_TRY(g, string_set(o, "groups", false, &groups));
  AA_TRY(xg, string_set(o, "exclude_groups", false, &groups));
  AA_TRY(c, string_set(o, "countries", true, nullptr));
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

Result<ExportPolicy> load_export_policy(const std::string& path, const Registry& registry) {
  AA_TRY(text, read_file(path, 1u << 20));
  AA_TRY(doc, parse_json_strict(text, path));
  JsonAt root(doc, path);
  AA_TRY(o, root.object());
  AA_CHECK(o.only_fields({"schema", "ecfr_date", "source", "paragraphs", "restricted_locations"}));
  AA_CHECK(o.expect_string("schema", "accel-attest/export-policy/v1"));
  ExportPolicy p;
  p.groups = &registry.country_groups();
  p.digest = sha256_hex(text);
  AA_TRY(date_s, o.string_field("ecfr_date"));
  p.ecfr_date = date_s;
  AA_TRY(src_s, o.string_field("source"));
  p.source = src_s;
  AA_TRY(paras, o.field("paragraphs"));
  AA_TRY(po, paras.object());
  for (const auto& [name, _] : po.json().items()) {
    if (name != "3A090.a" && name != "3A090.b") {
      return make_error("input.unknown-field", po.child(name).where(),
                        "paragraphs are 3A090.a and 3A090.b");
    }
    JsonAt pa = po.child(name);
    AA_CHECK(pa.only_fields({"legal_scope", "enforced_scope", "headquarters_rule"}));
    ParagraphPolicy pp;
    AA_TRY(ls, pa.field("legal_scope"));
    AA_TRY(legal, read_scope(ls, *p.groups));
    AA_TRY(es, pa.field("enforced_scope"));
    AA_TRY(enforced, read_scope(es, *p.groups));
    pp.legal = std::move(legal);
    pp.enforced = std::move(enforced);
    if (auto hq = pa.optional_field("headquarters_rule")) {
      AA_TRY(h, read_scope(*hq, *p.groups));
      pp.headquarters = std::move(h);
    }
    p.paragraphs[name] = std::move(pp);
  }
  AA_TRY(rl, o.field("restricted_locations"));
  AA_TRY(restricted, read_scope(rl, *p.groups));
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
  AA_CHECK(o.only_fields(
      {"schema", "licence", "destination", "end_user", "valid_from", "valid_until", "devices"}));
  AA_CHECK(o.expect_string("schema", "accel-attest/licence/v1"));
  Licence l;
  l.digest = sha256_hex(json);
  AA_TRY(num_s, o.string_field("licence"));
  if (num_s.empty())
    return make_error("input.bad-value", o.child("licence").where(), "empty licence number");
  l.number = num_s;
  AA_TRY(dest_s, country_field(o, "destination"));
  l.destination = dest_s;
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
      if (es != "3A090.a" && es != "3A090.b") {
        return make_error("input.bad-value", e->where(), "expected 3A090.a or 3A090.b");
      }
      ld.eccn = es;
    }
    l.devices.push_back(ld);
  }
  return l;
}

std::string paragraph_of(Eccn e) {
  switch (e) {
    case Eccn::kA1:
    case Eccn::kA2:
      return "3A090.a";
    case Eccn::kB1:
    case Eccn::kB2:
      return "3A090.b";
    default:
      return "";
  }
}

namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
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

}  // namespace

PolicyOutcome evaluate_policy(const ExportPolicy& policy, const std::vector<PolicyDevice>& devices,
                              const std::optional<std::string>& site_country,
                              const Licence* licence, std::time_t at) {
  PolicyOutcome out;
  const CountryGroups& g = *policy.groups;
  auto host = [&](std::string code, std::string msg, Severity s) {
    out.host_findings.push_back({std::move(code), std::move(msg), "host", s});
  };
  if (licence) {
    out.destination = licence->destination;
    if (site_country && *site_country != licence->destination) {
      host("policy.licence-destination-mismatch",
           "licence " + licence->number + " is for " + licence->destination +
               " but the host declares its site in " + *site_country,
           Severity::kFail);
    }
    if ((licence->valid_from && at < *licence->valid_from) ||
        (licence->valid_until && at > *licence->valid_until)) {
      host("policy.licence-not-valid",
           "licence " + licence->number + " is not valid at " + x509::rfc3339(at), Severity::kFail);
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
  } else if (site_country) {
    out.destination = site_country;
  } else {
    host("policy.destination-unknown",
         "no licence and no declared site country: the licence rules were not evaluated",
         Severity::kWarn);
  }

  for (const auto& d : devices) {
    auto& f = out.device_findings[d.label];
    auto add = [&](std::string code, std::string msg, Severity s) {
      f.push_back({std::move(code), std::move(msg), d.label, s});
    };
    const bool prc = has(d.flags, "prc-3a090-ic");
    if (prc) {
      add("policy.prc-3a090-part",
          d.name +
              " is a 3A090 IC designed in D:5/Macau: BIS's GP10 guidance (2025-05-13) says "
              "using it anywhere may violate General Prohibition 10",
          Severity::kFail);
    } else if (has(d.flags, "prc-ic-class-undetermined")) {
      add("policy.prc-part-unclassified",
          d.name + " was designed in D:5/Macau and its 3A090 class cannot be computed",
          Severity::kWarn);
    }
    const std::string para = paragraph_of(d.eccn);
    const bool maybe = d.eccn == Eccn::kUndetermined &&
                       std::any_of(d.candidate_classes.begin(), d.candidate_classes.end(),
                                   [](const std::string& c) { return c.rfind("3A090", 0) == 0; });
    if ((!para.empty() || maybe || prc) && d.assurance == "reported") {
      add("policy.identity-reported",
          d.name +
              " is export-controlled but known only from reported PCI IDs: nothing proves "
              "which part it is",
          Severity::kWarn);
    }
    if (!out.destination) continue;
    const std::string& dest = *out.destination;
    if (maybe) {
      add(
          "policy.class-undetermined",
          d.name + " may be 3A090 (" +
              [&] {
                std::string s;
                for (const auto& c : d.candidate_classes) s += (s.empty() ? "" : "|") + c;
                return s;
              }() +
              "); whether " + dest + " needs a licence cannot be decided",
          Severity::kWarn);
      continue;
    }
    if (para.empty()) continue;
    auto pp = policy.paragraphs.find(para);
    if (pp == policy.paragraphs.end()) continue;
    const bool hq_rule = licence && pp->second.headquarters &&
                         pp->second.headquarters->contains(licence->end_user_hq, g) && dest != "US";
    const bool enforced = pp->second.enforced.contains(dest, g) || hq_rule;
    const bool legal = pp->second.legal.contains(dest, g);
    if (!enforced && !legal) continue;
    const LicenceMatch m = licensed(licence, d);
    const LicensedDevice* ld = m.entry;
    if (ld && (ld->eccn.empty() || ld->eccn == para)) {
      if (!m.proven) {
        add("policy.licence-match-unattested",
            d.name + " is covered by licence " + licence->number + " only through the " +
                "host-reported identity " + printable(ld->serial, 128) +
                ": no signed evidence proves this device is the licensed one",
            Severity::kWarn);
      }
      continue;
    }
    std::string why =
        ld ? "licence " + licence->number + " lists it as " + ld->eccn + ", not " + para
           : (licence ? "licence " + licence->number + " does not list it"
                      : std::string("no licence was given"));
    if (!ld && licence && d.attested_identity) {
      for (const auto& e : licence->devices) {
        if (has(d.reported_identities, e.serial)) {
          why += " (the host reports the licensed serial " + printable(e.serial, 128) +
                 ", but the device's attested identity is " + printable(*d.attested_identity, 128) +
                 ")";
          break;
        }
      }
    }
    if (enforced) {
      add("policy.licence-missing",
          d.name + " (" + eccn_name(d.eccn) + ") at " + dest + " needs a licence" +
              (hq_rule ? " (end user headquartered in " + licence->end_user_hq + ")" : "") + ": " +
              why + " [" + pp->second.enforced.cite + "]",
          Severity::kFail);
    } else {
      add("policy.licence-required-by-text",
          d.name + " (" + eccn_name(d.eccn) + ") at " + dest +
              " needs a licence by the text of the EAR, which BIS does not enforce there: " + why +
              " [" + pp->second.legal.cite + "]",
          Severity::kWarn);
    }
  }
  return out;
}

}  // namespace aa
