#include "identify/identify.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/text.h"

namespace aa {

namespace {

constexpr uint16_t kAscendDiversityVendor = 0xffff;
constexpr uint16_t kHuawei = 0x19e5;
// Server management (BMC) display controllers: display-class functions with no compute, named
// in pci.ids (pciutils/pciids, tests/data/pci.ids). They are known non-accelerators, like a
// NIC; every other display-class function is an accelerator candidate, whatever its vendor.
struct KnownDisplay {
  uint16_t vendor, device;
};
constexpr KnownDisplay kBmcDisplays[] = {
    {0x1a03, 0x2000},                                      // ASPEED Graphics Family
    {0x102b, 0x0522}, {0x102b, 0x0530}, {0x102b, 0x0532},  // Matrox G200e, G200EV, G200eW
    {0x102b, 0x0533}, {0x102b, 0x0534}, {0x102b, 0x0536},  // G200EH, G200eR2, G200eW3
    {0x102b, 0x0538},                                      // G200eH3
    {0x19e5, 0x1711},                                      // Huawei Hi171x iBMC VGA
};

bool is_bmc_display(uint16_t vendor, uint16_t device) {
  return std::any_of(std::begin(kBmcDisplays), std::end(kBmcDisplays), [&](const KnownDisplay& k) {
    return k.vendor == vendor && k.device == device;
  });
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reported names pick a variant: "910B3", "Ascend910B3" and "ascend 910b3" all match 910B3.
std::string name_key(const std::string& s) {
  std::string k;
  for (char c : lower(s)) {
    if (c != ' ' && c != '-' && c != '_') k += c;
  }
  if (k.rfind("ascend", 0) == 0) k = k.substr(6);
  return k;
}

std::vector<const Part*> pick_by_name(const std::vector<const Part*>& parts,
                                      const std::optional<std::string>& name) {
  if (!name || parts.size() < 2) return parts;
  std::vector<const Part*> out;
  std::string key = name_key(*name);
  for (const Part* p : parts) {
    for (const auto& v : p->variant_names) {
      if (name_key(v) == key) {
        out.push_back(p);
        break;
      }
    }
  }
  return out.empty() ? parts : out;
}

std::optional<Interval> hull(const std::optional<Interval>& a, const std::optional<Interval>& b) {
  if (!a || !b) return std::nullopt;
  return Interval{std::min(a->lo, b->lo), std::max(a->hi, b->hi)};
}

void summarize(IdentifiedDevice& d) {
  const auto& c = d.candidates;
  if (c.empty()) return;
  auto common = [&](auto get) {
    auto v = get(*c[0]);
    for (const Part* p : c) {
      if (get(*p) != v) return decltype(v){};
    }
    return v;
  };
  d.vendor = c[0]->vendor;
  d.family = common([](const Part& p) { return p.die; });
  if (d.family.empty()) d.family = c[0]->family;
  d.attestation = common([](const Part& p) { return p.attestation.value.value_or("unknown"); });
  if (d.attestation.empty()) d.attestation = "unknown";
  if (c.size() == 1) {
    d.name = c[0]->name;
  } else {
    d.name = d.family + " (variant not reported:";
    for (size_t i = 0; i < c.size(); ++i) {
      const Part& p = *c[i];
      d.name += (i ? "/" : " ") + (p.variant_names.empty() ? p.id : p.variant_names[0]);
    }
    d.name += ")";
  }
  d.tpp = d.classifications[0].tpp;
  d.pd = d.classifications[0].pd;
  d.eccn = d.classifications[0].eccn;
  for (size_t i = 1; i < c.size(); ++i) {
    d.tpp = hull(d.tpp, d.classifications[i].tpp);
    d.pd = hull(d.pd, d.classifications[i].pd);
    if (d.classifications[i].eccn != d.eccn) d.eccn = Eccn::kUndetermined;
  }
  for (const Flag& f : d.classifications[0].flags) {
    bool everywhere = true;
    for (size_t i = 1; i < c.size(); ++i) {
      const auto& fl = d.classifications[i].flags;
      everywhere = everywhere &&
                   std::any_of(fl.begin(), fl.end(), [&](const Flag& g) { return g.id == f.id; });
    }
    if (everywhere) d.flags.push_back(f);
  }
}

bool has_flag(const IdentifiedDevice& d, const std::string& id) {
  return std::any_of(d.flags.begin(), d.flags.end(), [&](const Flag& f) { return f.id == id; });
}

}  // namespace

std::string class_text(const IdentifiedDevice& d) {
  if (d.eccn != Eccn::kUndetermined || d.classifications.size() < 2) return eccn_name(d.eccn);
  std::set<std::string> classes;
  for (const auto& c : d.classifications) classes.insert(eccn_name(c.eccn));
  std::string out = "undetermined (";
  for (const auto& c : classes) out += (out.back() == '(' ? "" : "|") + c;
  return out + ")";
}

Eccn more_controlled(Eccn a, Eccn b) {
  auto rank = [](Eccn e) {
    switch (e) {
      case Eccn::kA1:
        return 9;
      case Eccn::kUndetermined:
        return 8;
      case Eccn::kA:
        return 7;
      case Eccn::kA2:
        return 6;
      case Eccn::kB1:
        return 5;
      case Eccn::kB:
        return 4;
      case Eccn::kB2:
        return 3;
      case Eccn::kNot3A090:
        return 1;
    }
    return 8;
  };
  return rank(a) >= rank(b) ? a : b;
}

IdentifiedDevice identify_signed(const PciDevice& pci, const Part* part,
                                 const std::vector<std::string>& dies, const Registry& registry) {
  IdentifiedDevice d;
  d.pci = pci;
  if (part) {
    d.candidates = {part};
  } else {
    for (const Part& p : registry.parts())
      if (std::find(dies.begin(), dies.end(), p.die) != dies.end()) d.candidates.push_back(&p);
  }
  for (const Part* p : d.candidates) {
    d.classifications.push_back(classify(*p, registry.country_groups()));
  }
  summarize(d);
  if (part) return d;
  const std::string die = dies.empty() ? std::string("unknown") : dies[0];
  d.eccn = d.classifications.empty() ? Eccn::kUndetermined : d.classifications[0].eccn;
  for (const auto& c : d.classifications) d.eccn = more_controlled(d.eccn, c.eccn);
  if (d.candidates.empty()) {
    d.vendor = registry.vendor_name(pci.vendor);
    d.family = die;
    d.attestation = "unknown";
  }
  d.family = die;
  d.name = die + " (die attested, product reported)";
  return d;
}

IdentifyReport identify(const std::vector<PciDevice>& devices, const std::vector<bool>& class_known,
                        const Registry& registry) {
  IdentifyReport report;
  report.registry_digest = registry.digest();
  for (size_t i = 0; i < devices.size(); ++i) {
    const PciDevice& pci = devices[i];
    const bool cls_known = i < class_known.size() ? class_known[i] : true;
    const uint8_t base = static_cast<uint8_t>(pci.class_code >> 16);
    const uint16_t base_sub = static_cast<uint16_t>(pci.class_code >> 8);

    IdentifiedDevice d;
    d.pci = pci;
    d.candidates =
        registry.match(pci.vendor, pci.device, pci.subsystem_vendor, pci.subsystem_device);
    if (d.candidates.empty() && pci.vendor == kAscendDiversityVendor) {
      d.candidates = registry.match_ascend_device(pci.device);
      d.possible_ascend = !d.candidates.empty();
    }
    const bool accel_class = cls_known && (base == 0x12 || base_sub == 0x0b40);
    const bool gpu_class = cls_known && base == 0x03 && !is_bmc_display(pci.vendor, pci.device);
    const bool vendor_unknown_class = !cls_known && registry.is_accelerator_vendor(pci.vendor);
    if (d.candidates.empty() && !accel_class && !gpu_class && !vendor_unknown_class) continue;

    d.candidates = pick_by_name(d.candidates, pci.reported_name);
    for (const Part* p : d.candidates) {
      d.classifications.push_back(classify(*p, registry.country_groups()));
    }
    summarize(d);

    if (d.candidates.empty()) {
      d.vendor = registry.vendor_name(pci.vendor);
      d.family = "unknown";
      d.name = "unknown accelerator " + to_hex(pci.vendor, 4) + ":" + to_hex(pci.device, 4);
      d.attestation = "unknown";
      d.findings.push_back(
          {"identify.unknown-accelerator",
           "accelerator " + to_hex(pci.vendor, 4) + ":" + to_hex(pci.device, 4) + " (class " +
               (cls_known ? to_hex(pci.class_code, 6) : std::string("unknown")) +
               ") is not in the registry: its export-control class cannot be computed",
           pci.address});
    } else if (d.possible_ascend) {
      d.vendor = "ffff (possibly huawei)";
      d.findings.push_back({"identify.possible-ascend-part",
                            "vendor ffff with Ascend device ID " + to_hex(pci.device, 4) +
                                " (the Ascend driver's diversity vendor): possibly a Huawei " +
                                d.family + ", " + class_text(d) + "; confirm the part before use",
                            pci.address});
    } else if (pci.vendor == kHuawei) {
      d.findings.push_back(
          {"identify.ascend-part",
           (d.candidates.size() == 1 ? d.name : "Huawei " + d.name) + " (" + class_text(d) + ")" +
               (has_flag(d, "prc-3a090-ic")
                    ? ": a PRC 3A090 IC; BIS's GP10 guidance (2025-05-13) presumes General "
                      "Prohibition 10 (15 CFR 736.2(b)(10)) applies: a presumption of risk, not a "
                      "finding of violation"
                    : ": not 3A090 by the registry's figures; project policy (not a rule of the "
                      "EAR) flags every Ascend part for review"),
           pci.address});
    } else if (has_flag(d, "prc-3a090-ic")) {
      d.findings.push_back({"identify.prc-3a090-ic",
                            d.name + " meets 3A090 parameters and was designed in D:5/Macau: "
                                     "BIS's GP10 guidance (2025-05-13) presumes a GP10 risk (a "
                                     "presumption, not a finding of violation)",
                            pci.address});
    } else if (has_flag(d, "prc-ic-class-undetermined")) {
      d.findings.push_back({"identify.prc-ic-unclassified",
                            d.name + " was designed in D:5/Macau and its 3A090 status cannot be "
                                     "computed: project policy treats it as a possible GP10 risk "
                                     "until classified",
                            pci.address});
    }
    for (const auto& f : d.findings) report.findings.push_back(f);
    report.devices.push_back(std::move(d));
  }
  std::sort(report.devices.begin(), report.devices.end(),
            [](const IdentifiedDevice& a, const IdentifiedDevice& b) {
              return a.pci.address < b.pci.address;
            });
  return report;
}

}  // namespace aa
