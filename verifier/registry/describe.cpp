#include "registry/describe.h"

#include <cmath>
#include <set>

#include "core/text.h"

namespace aa {

std::string format_interval(const std::optional<Interval>& v, int decimals) {
  if (!v) return "?";
  auto one = [&](double x) {
    if (std::isinf(x)) return std::string("?");
    if (decimals == 0) return group_thousands(std::llround(x));
    return fixed(x, decimals);
  };
  std::string lo = one(v->lo), hi = one(v->hi);
  return lo == hi ? lo : lo + "-" + hi;
}

Json interval_json(const std::optional<Interval>& v) {
  if (!v) return nullptr;
  if (v->exact()) return v->lo;
  return Json{{"min", v->lo}, {"max", v->hi}};
}

Json flag_json(const Flag& f) {
  return Json{{"id", f.id}, {"source", f.source}, {"verified", f.verified}, {"note", f.note}};
}

namespace {

std::string fact_text(const Fact& f, const char* unit, int decimals = -1) {
  if (!f.known()) return "unknown";
  auto num = [&](double v) {
    if (decimals >= 0) return fixed(v, decimals);
    std::string s = fixed(v, 3);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  std::string s = f.exact() ? num(*f.lo) : num(*f.lo) + "-" + num(*f.hi);
  s += std::string(unit) + " [" + f.conf + " " + f.source + "]";
  if (!f.note.empty()) s += " (" + f.note + ")";
  return s;
}

Json fact_json(const Fact& f) {
  if (!f.known()) return nullptr;
  Json j = f.exact() ? Json{{"value", *f.lo}} : Json{{"min", *f.lo}, {"max", *f.hi}};
  j["conf"] = f.conf;
  j["source"] = f.source;
  if (!f.note.empty()) j["note"] = f.note;
  return j;
}

const char* tri_text(Tri t) {
  switch (t) {
    case Tri::kYes:
      return "met";
    case Tri::kNo:
      return "not met";
    case Tri::kDepends:
      return "depends on unknown or ranged values";
  }
  return "?";
}

std::string pci_text(const Part& p) {
  std::string s;
  for (const auto& id : p.pci) {
    if (!s.empty()) s += ", ";
    s += to_hex(p.vendor_id, 4) + ":" + to_hex(id.device, 4);
    if (!id.subsystems.empty()) {
      s += " (subsystems";
      for (const auto& [v, d] : id.subsystems) s += " " + to_hex(v, 4) + ":" + to_hex(d, 4);
      s += ")";
    }
  }
  return s.empty() ? "none known" : s;
}

}  // namespace

std::string describe_part(const Part& p, const Registry& reg) {
  std::string o;
  o += p.id + ": " + p.name + "\n";
  o += "  vendor            " + p.vendor + " (" +
       (p.vendor_id_known ? to_hex(p.vendor_id, 4) : std::string("no public PCI vendor ID")) +
       "); designer " + p.designer + ", HQ " + p.designer_hq + "; designed in " +
       p.country_of_design + "\n";
  o += "  PCI IDs           " + pci_text(p) + " [" + p.pci_source + "]\n";
  if (!p.variant_names.empty()) {
    o += "  reported names   ";
    for (const auto& v : p.variant_names) o += " " + v;
    o += "\n";
  }
  o += "  die / family      " + p.die + " / " + p.family + "; dies per IC " +
       std::to_string(p.dies_per_ic) + ", ICs per board " + std::to_string(p.ics_per_board) + "\n";
  o += "  datacenter        " +
       std::string(!p.datacenter.value ? "unknown" : (*p.datacenter.value ? "yes" : "no")) + " [" +
       p.datacenter.conf + " " + p.datacenter.source + "]\n";
  o += "  dense peaks\n";
  for (const auto& pr : kPrecisions) {
    auto it = p.dense_peak.find(pr.name);
    if (it != p.dense_peak.end()) {
      o += "    " + std::string(pr.name) + std::string(6 - std::string(pr.name).size(), ' ') +
           fact_text(it->second, " T(FL)OPS") + "\n";
    }
  }
  if (p.dense_peak.empty()) o += "    none known\n";
  o += "  logic die area    " + fact_text(p.die_area, " mm2") +
       (p.die_area_kind.empty() ? "" : " kind " + p.die_area_kind) + "\n";
  o += "  memory            " + p.memory_type.value.value_or("unknown type") + ", size " +
       fact_text(p.memory_size_gb, " GB") + ", bandwidth " +
       fact_text(p.memory_bandwidth_gbps, " GB/s") + "\n";
  o += "  scale-up I/O      " + fact_text(p.scale_up_gbps, " GB/s") + "\n";
  o += "  attestation       " + p.attestation.value.value_or("unknown") + " [" +
       p.attestation.conf + " " + p.attestation.source + "]" +
       (p.attestation.note.empty() ? "" : " (" + p.attestation.note + ")") + "\n";
  for (const auto& a : p.alt_readings) {
    o += "  alt reading       " + a.id + ": " + a.description + ", TPP " + fact_text(a.tpp, "") +
         "\n";
  }
  if (!p.notes.empty()) o += "  notes             " + p.notes + "\n";
  o += "  sources:\n";
  std::set<std::string> used = {p.pci_source, p.datacenter.source, p.attestation.source,
                                p.die_area.source, p.memory_bandwidth_gbps.source};
  for (const auto& [k, f] : p.dense_peak) used.insert(f.source);
  for (const auto& k : used) {
    auto it = reg.sources().find(k);
    if (it != reg.sources().end()) o += "    " + k + ": " + it->second + "\n";
  }
  return o;
}

Json part_to_json(const Part& p) {
  Json pci = Json::array();
  for (const auto& id : p.pci) {
    Json subs = Json::array();
    for (const auto& [v, d] : id.subsystems) subs.push_back(to_hex(v, 4) + ":" + to_hex(d, 4));
    pci.push_back(Json{{"device", to_hex(id.device, 4)}, {"subsystems", subs}});
  }
  Json dense = Json::object();
  for (const auto& [k, f] : p.dense_peak) dense[k] = fact_json(f);
  return Json{{"id", p.id},
              {"name", p.name},
              {"vendor", p.vendor},
              {"vendor_id", p.vendor_id_known ? Json(to_hex(p.vendor_id, 4)) : Json(nullptr)},
              {"pci", pci},
              {"die", p.die},
              {"family", p.family},
              {"variant_names", p.variant_names},
              {"datacenter", p.datacenter.value ? Json(*p.datacenter.value) : Json(nullptr)},
              {"designer_hq", p.designer_hq},
              {"country_of_design", p.country_of_design},
              {"dense_peak", dense},
              {"logic_die_area_mm2", fact_json(p.die_area)},
              {"memory_bandwidth_gbps", fact_json(p.memory_bandwidth_gbps)},
              {"scale_up_io_gbps", fact_json(p.scale_up_gbps)},
              {"attestation", p.attestation.value.value_or("unknown")}};
}

std::string describe_classification(const Part& p, const Classification& c) {
  std::string o = p.id + ": " + p.name + "\n\n";
  o += "TPP = max over precisions of dense peak x bit length (3A090 technical note 2)\n";
  if (c.terms.empty()) o += "  no dense peak rate is known\n";
  for (const auto& t : c.terms) {
    bool is_basis = c.basis && c.basis->precision == t.precision;
    o += "  " + t.precision + std::string(6 - t.precision.size(), ' ') +
         format_interval(Interval{t.peak.lo, t.peak.hi}, 3) + " x " + std::to_string(t.bits) +
         " = " + format_interval(Interval{t.tpp.lo, t.tpp.hi}, 1) + "  [" + t.conf + " " +
         t.source + "]" + (is_basis ? "  <- maximum" : "") + "\n";
  }
  o += "TPP = " + format_interval(c.tpp, 0) + "\n";
  o += "Applicable die area = " + format_interval(c.area, 2) + " mm2" +
       (p.die_area_kind.empty() ? "" : " (" + p.die_area_kind + ")") + "\n";
  o += "PD = TPP / area = " + format_interval(c.pd, 2) + "\n";
  o += "Designed or marketed for datacenters: " +
       std::string(!c.datacenter ? "unknown" : (*c.datacenter ? "yes" : "no")) + "\n\n";
  o += "3A090 paragraphs (15 CFR 774 Supp. 1, eCFR 2026-07-23):\n";
  for (const auto& t : c.tests) {
    o += "  " + t.paragraph + "  " + t.rule + ": " + tri_text(t.met) + "\n";
  }
  o += "\nClass: " + std::string(eccn_name(c.eccn)) + "\n  decided by: " + c.reason + "\n";
  if (!c.secondary.empty()) {
    o += "Outside 3A090: " + c.secondary + "\n  " + c.secondary_rule +
         "\n  (a computer holding it: 4A994.l when 3A991.p; 15 CFR 774 Supp. 1, eCFR 2026-07-23)\n";
  }
  for (const auto& a : c.also_met) o += "  also met: " + a + "\n";
  if (c.readings.size() > 1) {
    o += "\nReadings of the rule (the default decides the class):\n";
    for (const auto& r : c.readings) {
      o += "  " + r.reading + ": TPP " + format_interval(r.tpp, 0) + ", PD " +
           format_interval(r.pd, 2) + " -> " + eccn_name(r.eccn) + "  (" + r.description + ")\n";
    }
  }
  o += "\nFlags:\n";
  if (c.flags.empty()) o += "  none\n";
  for (const auto& f : c.flags) {
    o += "  " + f.id + (f.verified ? "" : " (unverified source)") + "\n    source: " + f.source +
         "\n    " + f.note + "\n";
  }
  return o;
}

Json classification_to_json(const Part& p, const Classification& c) {
  Json terms = Json::array();
  for (const auto& t : c.terms) {
    terms.push_back(Json{{"precision", t.precision},
                         {"bits", t.bits},
                         {"peak", interval_json(Interval{t.peak.lo, t.peak.hi})},
                         {"tpp", interval_json(Interval{t.tpp.lo, t.tpp.hi})},
                         {"conf", t.conf},
                         {"source", t.source}});
  }
  Json tests = Json::array();
  for (const auto& t : c.tests)
    tests.push_back(
        Json{{"paragraph", t.paragraph}, {"rule", t.rule}, {"result", tri_text(t.met)}});
  Json readings = Json::array();
  for (const auto& r : c.readings) {
    readings.push_back(Json{{"reading", r.reading},
                            {"description", r.description},
                            {"tpp", interval_json(r.tpp)},
                            {"performance_density", interval_json(r.pd)},
                            {"eccn_3a090", eccn_name(r.eccn)}});
  }
  Json flags = Json::array();
  for (const auto& f : c.flags) flags.push_back(flag_json(f));
  return Json{{"id", p.id},
              {"name", p.name},
              {"terms", terms},
              {"basis", c.basis ? Json(c.basis->precision) : Json(nullptr)},
              {"tpp", interval_json(c.tpp)},
              {"die_area_mm2", interval_json(c.area)},
              {"performance_density", interval_json(c.pd)},
              {"datacenter", c.datacenter ? Json(*c.datacenter) : Json(nullptr)},
              {"tests", tests},
              {"eccn_3a090", eccn_name(c.eccn)},
              {"outside_3a090", c.secondary.empty() ? Json(nullptr) : Json(c.secondary)},
              {"outside_3a090_rule", c.secondary.empty() ? Json(nullptr) : Json(c.secondary_rule)},
              {"eccn_without_carve_out", eccn_name(c.eccn_without_carve_out)},
              {"carve_out_applied", c.carve_out_applied},
              {"also_met", c.also_met},
              {"decided_by", c.reason},
              {"readings", readings},
              {"depends_on_reading", c.depends_on_reading},
              {"flags", flags}};
}

}  // namespace aa
