#include "registry/classify.h"

#include "core/text.h"

#include <algorithm>
#include <limits>

namespace aa {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Paragraph thresholds of ECCN 3A090 (lower bounds inclusive, upper bounds exclusive).
constexpr double kA1Tpp = 4800, kA2Tpp = 1600, kA2Pd = 5.92;
constexpr double kB1TppLo = 2400, kB1TppHi = 4800, kB1PdLo = 1.6, kB1PdHi = 5.92;
constexpr double kB2Tpp = 1600, kB2PdLo = 3.2, kB2PdHi = 5.92;
// April 2025 is-informed letters (Intel's parameters as reported by Reuters).
constexpr double kLetterDram = 1400, kLetterIo = 1100, kLetterSum = 1700;
// 91 FR 1684 (2026-01-15): case-by-case review for China/Macau below both bounds.
constexpr double kCeilingTpp = 21000, kCeilingDram = 6500;

Tri ge(const Interval& v, double t) {
  if (v.lo >= t) return Tri::kYes;
  if (v.hi < t) return Tri::kNo;
  return Tri::kDepends;
}
Tri lt(const Interval& v, double t) {
  if (v.hi < t) return Tri::kYes;
  if (v.lo >= t) return Tri::kNo;
  return Tri::kDepends;
}
Tri gt(const Interval& v, double t) {
  if (v.lo > t) return Tri::kYes;
  if (v.hi <= t) return Tri::kNo;
  return Tri::kDepends;
}
Tri both(std::initializer_list<Tri> ts) {
  Tri r = Tri::kYes;
  for (Tri t : ts) {
    if (t == Tri::kNo) return Tri::kNo;
    if (t == Tri::kDepends) r = Tri::kDepends;
  }
  return r;
}
Tri either(std::initializer_list<Tri> ts) {
  Tri r = Tri::kNo;
  for (Tri t : ts) {
    if (t == Tri::kYes) return Tri::kYes;
    if (t == Tri::kDepends) r = Tri::kDepends;
  }
  return r;
}

Interval known_or_open(const std::optional<Interval>& v) {
  return v ? *v : Interval{0, kInf};
}

std::optional<Interval> interval(const Fact& f) {
  if (!f.known()) return std::nullopt;
  return Interval{*f.lo, *f.hi};
}

std::optional<Interval> divide(const std::optional<Interval>& tpp,
                               const std::optional<Interval>& area) {
  if (!tpp || !area || area->lo <= 0) return std::nullopt;
  return Interval{tpp->lo / area->hi, tpp->hi / area->lo};
}

const char* kParagraphs[] = {"a.1", "a.2", "b.1", "b.2"};
const Eccn kClasses[] = {Eccn::kA1, Eccn::kA2, Eccn::kB1, Eccn::kB2};

}  // namespace

const char* eccn_name(Eccn c) {
  switch (c) {
    case Eccn::kA1:
      return "3A090.a.1";
    case Eccn::kA2:
      return "3A090.a.2";
    case Eccn::kB1:
      return "3A090.b.1";
    case Eccn::kB2:
      return "3A090.b.2";
    case Eccn::kNot3A090:
      return "not-3A090";
    case Eccn::kUndetermined:
      return "undetermined";
    case Eccn::kA:
      return "3A090.a";
    case Eccn::kB:
      return "3A090.b";
  }
  return "undetermined";
}

bool eccn_is_3a090(Eccn c) {
  return c == Eccn::kA1 || c == Eccn::kA2 || c == Eccn::kB1 || c == Eccn::kB2 || c == Eccn::kA ||
         c == Eccn::kB;
}

Eccn classify_values(const std::optional<Interval>& tpp_in, const std::optional<Interval>& pd_in,
                     std::optional<bool> datacenter, std::vector<ParagraphTest>* tests,
                     std::vector<std::string>* also_met, bool* carve_out) {
  Interval tpp = known_or_open(tpp_in), pd = known_or_open(pd_in);
  Tri met[4] = {
      ge(tpp, kA1Tpp),
      both({ge(tpp, kA2Tpp), ge(pd, kA2Pd)}),
      both({ge(tpp, kB1TppLo), lt(tpp, kB1TppHi), ge(pd, kB1PdLo), lt(pd, kB1PdHi)}),
      both({ge(tpp, kB2Tpp), ge(pd, kB2PdLo), lt(pd, kB2PdHi)}),
  };
  static const char* kRules[] = {"TPP >= 4800", "TPP >= 1600 and PD >= 5.92",
                                 "2400 <= TPP < 4800 and 1.6 <= PD < 5.92",
                                 "TPP >= 1600 and 3.2 <= PD < 5.92"};
  if (tests) {
    tests->clear();
    for (int i = 0; i < 4; ++i) tests->push_back({kParagraphs[i], kRules[i], met[i]});
  }
  Eccn cls = Eccn::kNot3A090;
  int decided = -1;
  for (int i = 0; i < 4; ++i) {
    if (met[i] == Tri::kYes) {
      cls = kClasses[i];
      decided = i;
      break;
    }
    if (met[i] == Tri::kDepends) {
      // An earlier sub-paragraph of the same paragraph that depends on the value, and a later
      // one that is met for every value: the paragraph is certain (a.1 depends, a.2 met: .a).
      const int last = i < 2 ? 2 : 4;
      bool later_met = false;
      for (int k = i + 1; k < last; ++k) later_met = later_met || met[k] == Tri::kYes;
      cls = later_met ? (i < 2 ? Eccn::kA : Eccn::kB) : Eccn::kUndetermined;
      break;
    }
  }
  if (also_met) {
    also_met->clear();
    for (int i = 0; i < 4; ++i) {
      if (i != decided && met[i] == Tri::kYes && decided >= 0) {
        also_met->push_back(std::string("3A090.") + kParagraphs[i]);
      }
    }
  }
  // Datacenter note: not designed/marketed for datacenters and TPP below 4800 -> outside .a/.b.
  Tri not_dc = !datacenter ? Tri::kDepends : (*datacenter ? Tri::kNo : Tri::kYes);
  Tri excluded = both({not_dc, lt(tpp, kA1Tpp)});
  if (carve_out) *carve_out = excluded == Tri::kYes && cls != Eccn::kNot3A090;
  if (excluded == Tri::kYes) return Eccn::kNot3A090;
  if (excluded == Tri::kDepends && cls != Eccn::kNot3A090) return Eccn::kUndetermined;
  return cls;
}

Classification classify(const Part& part, const CountryGroups& groups) {
  Classification c;
  for (const auto& pr : kPrecisions) {
    auto it = part.dense_peak.find(pr.name);
    if (it == part.dense_peak.end() || !it->second.known()) continue;
    const Fact& f = it->second;
    TppTerm t{pr.name, pr.bits, Interval{*f.lo, *f.hi}, Interval{*f.lo * pr.bits, *f.hi * pr.bits},
              f.conf,  f.source};
    c.terms.push_back(t);
  }
  for (const auto& t : c.terms) {
    if (!c.tpp) {
      c.tpp = t.tpp;
      c.basis = t;
      continue;
    }
    if (t.tpp.hi > c.tpp->hi || (t.tpp.hi == c.tpp->hi && t.tpp.lo > c.tpp->lo)) c.basis = t;
    c.tpp->lo = std::max(c.tpp->lo, t.tpp.lo);
    c.tpp->hi = std::max(c.tpp->hi, t.tpp.hi);
  }
  c.area = interval(part.die_area);
  c.pd = divide(c.tpp, c.area);
  c.datacenter = part.datacenter.value;

  c.eccn = classify_values(c.tpp, c.pd, c.datacenter, &c.tests, &c.also_met, &c.carve_out_applied);
  c.eccn_without_carve_out = classify_values(c.tpp, c.pd, true);

  // Why.
  if (c.eccn == Eccn::kUndetermined) {
    if (!c.tpp) {
      c.reason = "no dense peak rate is known for this part, so TPP is unknown";
    } else if (!c.datacenter && c.eccn_without_carve_out != Eccn::kNot3A090 && c.tpp->lo < kA1Tpp) {
      c.reason =
          "whether the part is designed or marketed for datacenters is unknown, and "
          "TPP is below 4800";
    } else if (!c.pd) {
      c.reason = "the logic die area is unknown, and the density prongs decide the class";
    } else {
      c.reason = "the published values span a paragraph boundary";
    }
  } else if (c.carve_out_applied) {
    c.reason = std::string(
                   "not designed or marketed for datacenters and TPP < 4800: the "
                   "datacenter note takes it out of 3A090.a and .b (it would otherwise "
                   "be ") +
               eccn_name(c.eccn_without_carve_out) + ")";
  } else if (c.eccn == Eccn::kNot3A090) {
    c.reason = "no 3A090 paragraph is met";
  } else if (c.eccn == Eccn::kA || c.eccn == Eccn::kB) {
    c.reason = std::string(eccn_name(c.eccn)) +
               " for every published value: which sub-paragraph decides depends on the value, "
               "the paragraph does not";
  } else {
    for (const auto& t : c.tests) {
      if (std::string("3A090.") + t.paragraph == eccn_name(c.eccn)) {
        c.reason = "3A090." + t.paragraph + ": " + t.rule;
      }
    }
  }

  // Readings: the default dense tensor peak first, then each alternative.
  c.readings.push_back({"dense-tensor-peak",
                        "highest dense tensor/matrix peak x bit length (industry practice)", c.tpp,
                        c.pd, c.eccn});
  for (const auto& alt : part.alt_readings) {
    auto tpp = interval(alt.tpp);
    auto pd = divide(tpp, c.area);
    Eccn e = classify_values(tpp, pd, c.datacenter);
    c.readings.push_back({alt.id, alt.description, tpp, pd, e});
    if (e != c.eccn) c.depends_on_reading = true;
  }

  // Flags.
  const bool prc =
      groups.d5_or_macau(part.designer_hq) || groups.d5_or_macau(part.country_of_design);
  const bool us = part.designer_hq == "US";
  if (prc && eccn_is_3a090(c.eccn)) {
    c.flags.push_back(
        {"prc-3a090-ic",
         "BIS guidance on General Prohibition 10 and PRC advanced-computing ICs, 2025-05-13 "
         "(names Ascend 910B/910C/910D; scope: ICs meeting 3A090 parameters developed or "
         "produced by entities in or headquartered in D:5 or Macau)",
         false,
         "GP10 presumption (risk), not a finding of violation; the guidance was read through "
         "secondary sources only"});
  } else if (prc && c.eccn == Eccn::kUndetermined) {
    c.flags.push_back({"prc-ic-class-undetermined",
                       "BIS GP10 guidance, 2025-05-13 (scope: ICs meeting 3A090 parameters)", false,
                       "a D:5/Macau-designed accelerator whose 3A090 status cannot be computed "
                       "from the registry: treat as a GP10 risk until classified"});
  }
  if (us && eccn_is_3a090(c.eccn)) {
    c.flags.push_back({"us-origin-controlled",
                       "15 CFR 774 Supp. 1 ECCN 3A090 (eCFR 2026-07-23); licence scope per "
                       "paragraph in 15 CFR 742.6(a)(6)",
                       true,
                       "designer headquartered in the US; US origin of a foreign-made part "
                       "(direct-product rules) is for counsel"});
  }
  if (c.carve_out_applied) {
    c.flags.push_back({"non-datacenter-carve-out",
                       "3A090 note: .a and .b do not apply to items not designed or marketed "
                       "for datacenters with TPP < 4800",
                       true,
                       std::string("would be ") + eccn_name(c.eccn_without_carve_out) +
                           " if designed or marketed for datacenters"});
  }
  if (c.depends_on_reading) {
    std::string note = "default reading gives " + std::string(eccn_name(c.eccn));
    for (size_t i = 1; i < c.readings.size(); ++i) {
      note += "; " + c.readings[i].reading + " gives " + eccn_name(c.readings[i].eccn);
    }
    c.flags.push_back({"class-depends-on-reading",
                       "3A090 technical note 1 ('aggregated over all processing units') and 2 "
                       "(maximum theoretically possible rate); verification-specs.md 6.3",
                       true, note});
  }
  bool letter = false;
  if (us) {
    Interval dram = known_or_open(interval(part.memory_bandwidth_gbps));
    Interval io = known_or_open(interval(part.scale_up_gbps));
    Interval sum{dram.lo + io.lo, dram.hi + io.hi};
    Tri t = either({gt(dram, kLetterDram), gt(io, kLetterIo), gt(sum, kLetterSum)});
    const char* src =
        "April 2025 is-informed letters (NVIDIA 8-K 2025-04-15 for the H20; parameters DRAM > "
        "1,400 GB/s, I/O > 1,100 GB/s or both > 1,700 GB/s as reported by Reuters)";
    if (t == Tri::kYes) {
      letter = true;
      c.flags.push_back({"bandwidth-letter-2025", src, false,
                         "a licence is required for China (incl. HK, Macau) and D:5 whatever "
                         "the 3A090 class"});
    } else if (t == Tri::kDepends) {
      c.flags.push_back(
          {"bandwidth-letter-2025-undetermined", src, false, "memory or I/O bandwidth unknown"});
    }
    if (letter || eccn_is_3a090(c.eccn)) {
      Interval tpp = known_or_open(c.tpp);
      Tri under = both({lt(tpp, kCeilingTpp), lt(dram, kCeilingDram)});
      const char* csrc =
          "91 FR 1684 (2026-01-15), 15 CFR 742.6(b)(10): TPP < 21,000 and total DRAM bandwidth "
          "< 6,500 GB/s (thresholds read in secondary sources)";
      if (under == Tri::kYes) {
        c.flags.push_back({"cn-case-by-case-2026", csrc, false,
                           "exports from the US to China/Macau reviewed case by case, under "
                           "conditions hardware cannot show (US testing, volume cap, KYC)"});
      } else if (under == Tri::kNo) {
        c.flags.push_back({"cn-above-2026-ceiling", csrc, false,
                           "above the case-by-case ceiling: presumption of denial for "
                           "China/Macau"});
      } else {
        c.flags.push_back(
            {"cn-2026-ceiling-undetermined", csrc, false, "TPP or DRAM bandwidth unknown"});
      }
    }
  }
  if (c.eccn == Eccn::kNot3A090) {
    // 3A991.p.1: 8 TOPS or more (the highest dense rate at any precision); p.2: 150 Gbyte/s
    // or more of aggregate bidirectional I/O to ICs other than volatile memories (the scale-up
    // figure; memory bandwidth does not count).
    double peak = 0;
    bool peak_known = false;
    for (const auto& [prec, f] : part.dense_peak) {
      if (!f.known()) continue;
      peak_known = true;
      peak = std::max(peak, *f.lo);
    }
    const Fact& io = part.scale_up_gbps;
    if (peak_known && peak >= 8) {
      c.secondary = "3A991.p";
      c.secondary_rule = "3A991.p.1: processing performance " + fixed(peak, 1) +
                         " TOPS >= 8 (the lowest published dense rate at its best precision)";
    } else if (io.known() && *io.lo >= 150) {
      c.secondary = "3A991.p";
      c.secondary_rule = "3A991.p.2: aggregate I/O " + fixed(*io.lo, 0) + " Gbyte/s >= 150";
    } else {
      c.secondary = "EAR99 or other: not computed";
      c.secondary_rule = peak_known ? "below 8 TOPS, and 3A991.p.2 (I/O) is not shown"
                                    : "no dense rate is known, so 3A991.p cannot be shown";
    }
  }
  return c;
}

}  // namespace aa

namespace aa {

std::string host_class(const std::vector<Eccn>& ics, const std::vector<std::string>& secondary) {
  bool a = false, b = false, undetermined = false, p = false;
  for (Eccn e : ics) {
    a = a || e == Eccn::kA1 || e == Eccn::kA2 || e == Eccn::kA;
    b = b || e == Eccn::kB1 || e == Eccn::kB2 || e == Eccn::kB;
    undetermined = undetermined || e == Eccn::kUndetermined;
  }
  for (const auto& s : secondary) p = p || s == "3A991.p";
  if (a) return "4A090.a";
  if (undetermined) return "undetermined";
  if (b) return "4A090.b";
  if (p) return "4A994.l";
  return "";
}

}  // namespace aa
