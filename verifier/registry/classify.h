// ECCN 3A090 classification of a registry part, computed from its facts.
//
// Contract: classify() is a pure function of the part and the country groups. It never reads
// a stored class. Rules (15 CFR 774 Supp. 1, ECCN 3A090, eCFR issue 2026-07-23):
//   TPP = max over precisions of dense peak x bit length (technical note 2: highest TPP over
//         bit lengths; dense values; TF32 inputs are 19 bits).
//   PD  = TPP / applicable logic die area.
//   a.1 TPP >= 4800;  a.2 TPP >= 1600 and PD >= 5.92;
//   b.1 2400 <= TPP < 4800 and 1.6 <= PD < 5.92;  b.2 TPP >= 1600 and 3.2 <= PD < 5.92.
//   Datacenter note: 3A090.a and .b do not apply to items not designed or marketed for
//   datacenters whose TPP is below 4800.
// Where a fact is a range (a published spread or an estimate), every value in the range is
// tried: the class is `undetermined` unless all agree, or all land in one paragraph (3A090.a
// with a.1 for some values and a.2 for others: the definite paragraph `3A090.a`; likewise .b). An
// unknown value that a test needs also gives `undetermined`. Alternative readings of the rule
// (vector units aggregated, firmware limiters removed) are classified too and reported beside the
// default one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "registry/part.h"
#include "registry/registry.h"

namespace aa {

// kA / kB: certainly 3A090.a (or .b), the sub-paragraph depending on a value in a range.
enum class Eccn { kA1, kA2, kB1, kB2, kNot3A090, kUndetermined, kA, kB };
const char* eccn_name(
    Eccn c);                 // "3A090.a.1", ..., "3A090.a", "3A090.b", "not-3A090", "undetermined"
bool eccn_is_3a090(Eccn c);  // a.1, a.2, b.1, b.2, a or b

struct Interval {
  double lo = 0, hi = 0;
  bool exact() const { return lo == hi; }
};

// One precision's contribution: peak x bits.
struct TppTerm {
  std::string precision;
  int bits = 0;
  Interval peak, tpp;
  std::string conf, source;
};

enum class Tri { kNo, kYes, kDepends };  // for every value in the ranges: never, always, some

struct ParagraphTest {
  std::string paragraph;  // "a.1", "a.2", "b.1", "b.2"
  std::string rule;       // the condition in words
  Tri met = Tri::kNo;
};

struct Flag {
  std::string id;        // stable flag id, documented in docs/classification.md
  std::string source;    // the rule or guidance it comes from
  bool verified = true;  // false where the research marks the source unverified ([S]/[U])
  std::string note;
};

struct ReadingResult {
  std::string reading;  // "dense-tensor-peak" or an AltReading id
  std::string description;
  std::optional<Interval> tpp, pd;
  Eccn eccn = Eccn::kUndetermined;
};

struct Classification {
  std::vector<TppTerm> terms;
  std::optional<TppTerm> basis;  // the term that gives the maximum
  std::optional<Interval> tpp;   // unknown when no peak is known
  std::optional<Interval> area;
  std::optional<Interval> pd;
  std::optional<bool> datacenter;
  std::vector<ParagraphTest> tests;  // before the datacenter note
  bool carve_out_applied = false;    // the non-datacenter note removed the part from .a/.b
  Eccn eccn_without_carve_out = Eccn::kUndetermined;
  Eccn eccn = Eccn::kUndetermined;
  std::vector<std::string> also_met;    // further paragraphs met besides the deciding one
  std::string reason;                   // why this class (which prong, or what is unknown)
  std::vector<ReadingResult> readings;  // [0] is the default reading, then the alternatives
  bool depends_on_reading = false;
  std::vector<Flag> flags;
  // Where a part outside 3A090 falls (15 CFR 774 Supp. 1, eCFR 2026-07-23): "3A991.p" (an IC
  // n.e.s. with a processing performance of 8 TOPS or more, TOPS = 2 x MacTOPS, p.1; or an
  // aggregate bidirectional I/O rate of 150 Gbyte/s or more to non-volatile-memory ICs, p.2),
  // or "EAR99 or other: not computed" when neither can be shown. Empty for a 3A090 or
  // undetermined class. A computer or assembly holding such an IC is 4A994.l (host_class()).
  std::string secondary, secondary_rule;
};

// The class of a host (a computer containing the ICs): 4A090.a / 4A090.b for 3A090.a / .b ICs
// ("Computers, electronic assemblies and components containing integrated circuits, any of
// which meets or exceeds the limits in 3A090.a", likewise .b), 4A994.l for 3A991.p ICs,
// "undetermined" when an IC's class is, "" for none of these. The most controlled IC decides.
std::string host_class(const std::vector<Eccn>& ics, const std::vector<std::string>& secondary);

Classification classify(const Part& part, const CountryGroups& groups);

// The class a part would have with the given TPP/PD/datacenter values (used for readings and
// by tests for the "same numbers on a datacenter part" check).
Eccn classify_values(const std::optional<Interval>& tpp, const std::optional<Interval>& pd,
                     std::optional<bool> datacenter, std::vector<ParagraphTest>* tests = nullptr,
                     std::vector<std::string>* also_met = nullptr, bool* carve_out = nullptr);

}  // namespace aa
