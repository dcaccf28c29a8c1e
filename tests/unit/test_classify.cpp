// Reproduces the research's classifications (export-control-and-location.md A.5 as corrected
// by verification-specs.md section 6) from the shipped registry.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "registry/classify.h"
#include "unit/registry_fixture.h"

namespace aa {
namespace {

using test::part;
using test::shipped_registry;

Classification cls(const std::string& id) {
  return classify(part(id), shipped_registry().country_groups());
}

bool has_flag(const Classification& c, const std::string& id) {
  return std::any_of(c.flags.begin(), c.flags.end(), [&](const Flag& f) { return f.id == id; });
}

double tpp(const Classification& c) {
  EXPECT_TRUE(c.tpp && c.tpp->exact());
  return c.tpp ? c.tpp->lo : -1;
}

TEST(Classify, A100IsA1At4992) {
  for (auto id : {"nvidia-a100-sxm4-40gb", "nvidia-a100-pcie-40gb", "nvidia-a100-sxm4-80gb",
                  "nvidia-a100-pcie-80gb", "nvidia-a800-sxm4-80gb"}) {
    auto c = cls(id);
    EXPECT_EQ(std::lround(tpp(c)), 4992) << id;
    EXPECT_EQ(c.eccn, Eccn::kA1) << id;
    EXPECT_NEAR(c.pd->lo, 6.04, 0.005) << id;
    EXPECT_TRUE(has_flag(c, "us-origin-controlled")) << id;
  }
}

TEST(Classify, H100SxmIsA1At15831) {
  auto c = cls("nvidia-h100-sxm5-80gb");
  EXPECT_EQ(std::lround(tpp(c)), 15831);
  EXPECT_EQ(c.basis->precision, "fp8");
  EXPECT_EQ(c.eccn, Eccn::kA1);
  EXPECT_NEAR(c.pd->lo, 19.45, 0.005);
  EXPECT_TRUE(has_flag(c, "cn-case-by-case-2026"));  // H200-class ceiling: TPP < 21,000
}

TEST(Classify, H20IsNot3A090WithBothReadingsKept) {
  auto c = cls("nvidia-h20");
  EXPECT_EQ(std::lround(tpp(c)), 2368);
  EXPECT_NEAR(c.pd->lo, 2.91, 0.005);
  EXPECT_EQ(c.eccn, Eccn::kNot3A090);
  EXPECT_FALSE(has_flag(c, "us-origin-controlled"));
  // 4.0 TB/s HBM and 900 GB/s NVLink: caught by the April 2025 letter, flagged unverified.
  ASSERT_TRUE(has_flag(c, "bandwidth-letter-2025"));
  for (const auto& f : c.flags) {
    if (f.id == "bandwidth-letter-2025") {
      EXPECT_FALSE(f.verified);
    }
  }
  // Vector units aggregated (verification-specs 6.3 C1) would make it 3A090.b.1.
  EXPECT_TRUE(c.depends_on_reading);
  ASSERT_GE(c.readings.size(), 2u);
  EXPECT_EQ(c.readings[0].reading, "dense-tensor-peak");
  EXPECT_EQ(c.readings[0].eccn, Eccn::kNot3A090);
  EXPECT_EQ(c.readings[1].reading, "vector-units-aggregated");
  EXPECT_EQ(c.readings[1].eccn, Eccn::kB1);
  EXPECT_TRUE(has_flag(c, "class-depends-on-reading"));
}

TEST(Classify, L20AndL2AreNot3A090) {
  auto l20 = cls("nvidia-l20");
  EXPECT_EQ(std::lround(tpp(l20)), 1912);
  EXPECT_EQ(l20.eccn, Eccn::kNot3A090);
  EXPECT_NEAR(l20.pd->lo, 3.14, 0.005);  // just under b.2's 3.2
  EXPECT_TRUE(l20.depends_on_reading);
  auto l2 = cls("nvidia-l2");
  EXPECT_EQ(std::lround(tpp(l2)), 1544);
  EXPECT_EQ(l2.eccn, Eccn::kNot3A090);  // TPP < 1600
}

TEST(Classify, Rtx4090IsA1EvenThoughConsumer) {
  auto c = cls("nvidia-rtx-4090");
  EXPECT_EQ(std::lround(tpp(c)), 5285);
  EXPECT_EQ(c.datacenter, false);
  EXPECT_EQ(c.eccn, Eccn::kA1);
  EXPECT_FALSE(c.carve_out_applied);
}

TEST(Classify, Rtx4090DIsOutOnlyThroughTheCarveOut) {
  auto c = cls("nvidia-rtx-4090d");
  EXPECT_NEAR(tpp(c), 4707, 1.0);  // "about 4,707": 588.3 x 8
  EXPECT_EQ(c.eccn, Eccn::kNot3A090);
  EXPECT_TRUE(c.carve_out_applied);
  EXPECT_EQ(c.eccn_without_carve_out, Eccn::kA2);
  EXPECT_TRUE(has_flag(c, "non-datacenter-carve-out"));
  // The same numbers on a datacenter part give 3A090.a.2.
  Part dc = part("nvidia-rtx-4090d");
  dc.datacenter.value = true;
  auto d = classify(dc, shipped_registry().country_groups());
  EXPECT_EQ(d.eccn, Eccn::kA2);
  EXPECT_FALSE(d.carve_out_applied);
}

TEST(Classify, Mi210IsB1AndAlsoB2) {
  auto c = cls("amd-mi210");
  // The research computes 181 x 16 = 2,896. The registry also carries AMD's FP64 matrix peak
  // (45.3 x 64 = 2,899.2), and the technical note takes the highest TPP over bit lengths.
  auto fp16 = std::find_if(c.terms.begin(), c.terms.end(),
                           [](const TppTerm& t) { return t.precision == "fp16"; });
  ASSERT_NE(fp16, c.terms.end());
  EXPECT_EQ(std::lround(fp16->tpp.lo), 2896);
  EXPECT_NEAR(tpp(c), 2899.2, 0.01);
  EXPECT_EQ(c.eccn, Eccn::kB1);
  EXPECT_EQ(c.also_met, std::vector<std::string>{"3A090.b.2"});
  // The die area is an estimate range (530-790 mm2); the class holds over all of it.
  ASSERT_TRUE(c.area);
  EXPECT_LT(c.area->lo, c.area->hi);
}

TEST(Classify, Ascend910B3IsA2And910B4IsB1BothPrc) {
  auto b3 = cls("huawei-ascend-910b3");
  EXPECT_EQ(std::lround(tpp(b3)), 4719);
  EXPECT_EQ(b3.eccn, Eccn::kA2);
  EXPECT_NEAR(b3.pd->lo, 7.09, 0.005);
  EXPECT_TRUE(has_flag(b3, "prc-3a090-ic"));
  EXPECT_FALSE(has_flag(b3, "us-origin-controlled"));
  auto b4 = cls("huawei-ascend-910b4");
  EXPECT_EQ(std::lround(tpp(b4)), 3932);
  EXPECT_NEAR(b4.pd->lo, 5.9076, 0.0001);  // 0.2% under 5.92
  EXPECT_EQ(b4.eccn, Eccn::kB1);
  EXPECT_EQ(b4.also_met, std::vector<std::string>{"3A090.b.2"});
  EXPECT_TRUE(has_flag(b4, "prc-3a090-ic"));
  // Vector units aggregated would make the 910B4 a.2: the class depends on the reading.
  EXPECT_TRUE(b4.depends_on_reading);
}

TEST(Classify, Mi308XIsUndetermined) {
  auto c = cls("amd-mi308x");
  EXPECT_FALSE(c.tpp);
  EXPECT_EQ(c.eccn, Eccn::kUndetermined);
  EXPECT_NE(c.reason.find("TPP is unknown"), std::string::npos);
  // Its published bounds disagree: 1,840 (undetermined too, since the die area is unknown
  // and a.2 could apply) vs 5,505 (a.1 whatever the area).
  ASSERT_EQ(c.readings.size(), 3u);
  EXPECT_EQ(c.readings[1].eccn, Eccn::kUndetermined);
  EXPECT_EQ(c.readings[2].eccn, Eccn::kA1);
}

TEST(Classify, CorrectedFiguresFromTheVerificationNotes) {
  EXPECT_EQ(std::lround(tpp(cls("amd-mi355x"))), 60398);  // MXFP6 x 6, not 40,266
  auto b300 = cls("nvidia-b300");
  ASSERT_TRUE(b300.tpp);
  EXPECT_EQ(std::lround(b300.tpp->lo), 52500);
  EXPECT_EQ(std::lround(b300.tpp->hi), 56000);
  EXPECT_EQ(b300.eccn, Eccn::kA1);  // area unknown (estimate range) does not matter at a.1
  EXPECT_EQ(std::lround(tpp(cls("huawei-ascend-910c-9391"))), 11639);
  EXPECT_EQ(std::lround(tpp(cls("huawei-ascend-950-36c"))), 8493);
  EXPECT_EQ(cls("cambricon-mlu370-x8").eccn, Eccn::kNot3A090);  // per IC, about 1,024
  EXPECT_TRUE(has_flag(cls("nvidia-b200"), "cn-above-2026-ceiling"));
}

TEST(Classify, ParagraphBoundsAreInclusiveBelowExclusiveAbove) {
  auto at = [](double t, double pd, bool dc = true) {
    return classify_values(Interval{t, t}, Interval{pd, pd}, dc);
  };
  EXPECT_EQ(at(4800, 1.0), Eccn::kA1);
  EXPECT_EQ(at(4799.9, 5.92), Eccn::kA2);
  EXPECT_EQ(at(1600, 5.92), Eccn::kA2);
  EXPECT_EQ(at(1599.9, 9.0), Eccn::kNot3A090);
  EXPECT_EQ(at(2400, 1.6), Eccn::kB1);
  EXPECT_EQ(at(2399.9, 1.6), Eccn::kNot3A090);
  EXPECT_EQ(at(1600, 3.2), Eccn::kB2);
  EXPECT_EQ(at(1600, 3.19), Eccn::kNot3A090);
  EXPECT_EQ(at(4799, 9.0, false), Eccn::kNot3A090);  // carve-out
  EXPECT_EQ(at(4800, 9.0, false), Eccn::kA1);        // non-DC at 4800 stays
  // Unknown datacenter status with TPP below 4800 and a density prong met: undetermined.
  EXPECT_EQ(classify_values(Interval{3000, 3000}, Interval{7, 7}, std::nullopt),
            Eccn::kUndetermined);
  // A range that crosses a boundary: undetermined; one that does not: decided.
  EXPECT_EQ(classify_values(Interval{4000, 5000}, Interval{1, 1}, true), Eccn::kUndetermined);
  EXPECT_EQ(classify_values(Interval{5000, 9000}, std::nullopt, true), Eccn::kA1);
}

TEST(Classify, NoClassIsStoredAndEveryPartClassifies) {
  // Every part in the shipped registry gets a class from its facts; parts without peaks
  // are undetermined, never guessed.
  for (const Part& p : shipped_registry().parts()) {
    auto c = classify(p, shipped_registry().country_groups());
    if (p.dense_peak.empty()) {
      EXPECT_EQ(c.eccn, Eccn::kUndetermined) << p.id;
      EXPECT_FALSE(c.tpp) << p.id;
    }
    for (const auto& f : c.flags) EXPECT_FALSE(f.source.empty()) << p.id << " " << f.id;
  }
}

}  // namespace
}  // namespace aa
