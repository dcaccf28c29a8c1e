// Issue 13 items 2, 7 and 8: the definite paragraph, where a part outside 3A090 falls (3A991.p,
// 4A994.l, 4A090 for a host), the registry figures added, and no accelerator dropped.
#include <gtest/gtest.h>

#include "identify/identify.h"
#include "registry/classify.h"
#include "registry_fixture.h"

namespace aa {
namespace {

TEST(DefiniteParagraph, AllValuesInOneParagraphIsThatParagraph) {
  // TPP 4000..5000 with PD 6..7: a.1 for some values, a.2 for all: certainly 3A090.a.
  EXPECT_EQ(classify_values(Interval{4000, 5000}, Interval{6, 7}, true), Eccn::kA);
  EXPECT_STREQ(eccn_name(Eccn::kA), "3A090.a");
  EXPECT_TRUE(eccn_is_3a090(Eccn::kA));
  // TPP 2400..4700, PD 3.5..5: b.1 for some, b.2 for all: 3A090.b.
  EXPECT_EQ(classify_values(Interval{1700, 4700}, Interval{3.5, 5}, true), Eccn::kB);
  EXPECT_STREQ(eccn_name(Eccn::kB), "3A090.b");
  // Across a paragraph boundary (a.2 or b.1): still undetermined.
  EXPECT_EQ(classify_values(Interval{3000, 3500}, Interval{5, 6.5}, true), Eccn::kUndetermined);
  // Exact values are unchanged.
  EXPECT_EQ(classify_values(Interval{5000, 5000}, Interval{7, 7}, true), Eccn::kA1);
  // more_controlled: a.1 > undetermined > 3A090.a > a.2 > b.1 > 3A090.b > b.2.
  EXPECT_EQ(more_controlled(Eccn::kA, Eccn::kA2), Eccn::kA);
  EXPECT_EQ(more_controlled(Eccn::kA, Eccn::kA1), Eccn::kA1);
  EXPECT_EQ(more_controlled(Eccn::kB, Eccn::kB2), Eccn::kB);
  EXPECT_EQ(more_controlled(Eccn::kB, Eccn::kB1), Eccn::kB1);
}

TEST(OutsideThreeA090, NamesThreeA991pOrSaysNotComputed) {
  const auto& g = test::shipped_registry().country_groups();
  // H20: TPP 2368, not 3A090; 296 dense TOPS >= 8: 3A991.p.1.
  Classification h20 = classify(test::part("nvidia-h20"), g);
  EXPECT_EQ(h20.eccn, Eccn::kNot3A090);
  EXPECT_EQ(h20.secondary, "3A991.p");
  EXPECT_NE(h20.secondary_rule.find("3A991.p.1"), std::string::npos);
  // RTX 4090 D: not 3A090 (datacenter note), 3A991.p.
  EXPECT_EQ(classify(test::part("nvidia-rtx-4090d"), g).secondary, "3A991.p");
  // A 3A090 part has no secondary class.
  EXPECT_TRUE(classify(test::part("nvidia-h100-sxm5-80gb"), g).secondary.empty());
  // A part with no known rate: not computed, never EAR99 by default.
  Part blank = test::part("nvidia-h20");
  blank.dense_peak.clear();
  blank.scale_up_gbps = Fact{};
  blank.alt_readings.clear();
  Classification none = classify(blank, g);
  if (none.eccn == Eccn::kNot3A090) {
    EXPECT_EQ(none.secondary, "EAR99 or other: not computed");
  } else {
    EXPECT_TRUE(none.secondary.empty());
  }
  // 3A991.p.2: 150 Gbyte/s of I/O, even below 8 TOPS.
  Part slow = test::part("nvidia-h20");
  for (auto& [k, f] : slow.dense_peak) f.lo = f.hi = 1.0;
  slow.scale_up_gbps.lo = slow.scale_up_gbps.hi = 150.0;
  Classification s150 = classify(slow, g);
  EXPECT_EQ(s150.secondary, "3A991.p");
  EXPECT_NE(s150.secondary_rule.find("3A991.p.2"), std::string::npos);
  slow.scale_up_gbps.lo = slow.scale_up_gbps.hi = 149.0;
  EXPECT_EQ(classify(slow, g).secondary, "EAR99 or other: not computed");
}

TEST(OutsideThreeA090, HostClass) {
  EXPECT_EQ(host_class({Eccn::kA1, Eccn::kNot3A090}, {"", "3A991.p"}), "4A090.a");
  EXPECT_EQ(host_class({Eccn::kA, Eccn::kB1}, {"", ""}), "4A090.a");
  EXPECT_EQ(host_class({Eccn::kB2}, {""}), "4A090.b");
  EXPECT_EQ(host_class({Eccn::kUndetermined, Eccn::kB1}, {"", ""}), "undetermined");
  EXPECT_EQ(host_class({Eccn::kNot3A090}, {"3A991.p"}), "4A994.l");
  EXPECT_EQ(host_class({Eccn::kNot3A090}, {"EAR99 or other: not computed"}), "");
  EXPECT_EQ(host_class({}, {}), "");
}

TEST(RegistryGaps, NewFiguresClassify) {
  const auto& g = test::shipped_registry().country_groups();
  // RTX 5090: 3352 sparse FP4 TOPS -> 1676 dense x 4 = 6704 >= 4800: 3A090.a.1 although a
  // consumer part (the datacenter note needs TPP < 4800).
  Classification r5090 = classify(test::part("nvidia-rtx-5090"), g);
  EXPECT_EQ(r5090.eccn, Eccn::kA1);
  ASSERT_TRUE(r5090.tpp);
  EXPECT_DOUBLE_EQ(r5090.tpp->lo, 6704);
  // RTX 5090 D: 2375 / 2 x 4 = 4750 < 4800 and not datacenter: outside 3A090.
  Classification r5090d = classify(test::part("nvidia-rtx-5090d"), g);
  EXPECT_EQ(r5090d.eccn, Eccn::kNot3A090);
  EXPECT_TRUE(r5090d.carve_out_applied);
  // Ascend 910B3 and 910B4: the maker's press figure is an alternative reading, not the default.
  for (const char* id : {"huawei-ascend-910b3", "huawei-ascend-910b4"}) {
    Classification c = classify(test::part(id), g);
    bool press = false;
    for (const auto& r : c.readings) press = press || r.reading == "maker-press-figure";
    EXPECT_TRUE(press) << id;
    EXPECT_EQ(c.readings.front().reading, "dense-tensor-peak") << id;
  }
  EXPECT_EQ(classify(test::part("huawei-ascend-910b3"), g).eccn, Eccn::kA2);
  // Every figure names a source the registry knows.
  for (const auto& p : test::shipped_registry().parts()) {
    for (const auto& [k, f] : p.dense_peak) {
      if (f.known()) {
        EXPECT_TRUE(test::shipped_registry().sources().count(f.source)) << p.id;
      }
    }
  }
}

PciDevice pci(const char* addr, uint16_t v, uint16_t d, uint32_t cls) {
  PciDevice p;
  p.address = addr;
  p.vendor = v;
  p.device = d;
  p.class_code = cls;
  return p;
}

TEST(NoAcceleratorDropped, DisplayAndAcceleratorClassesOfAnyVendor) {
  std::vector<PciDevice> devs = {
      pci("0000:01:00.0", 0x1e3e, 0x0001, 0x030200),  // unknown vendor, 3D controller
      pci("0000:02:00.0", 0x1bb1, 0x0002, 0x120000),  // unknown vendor, processing accelerator
      pci("0000:03:00.0", 0x8086, 0x1234, 0x030000),  // Intel VGA not in the registry
      pci("0000:04:00.0", 0x1a03, 0x2000, 0x030000),  // ASPEED BMC VGA: a known non-accelerator
      pci("0000:05:00.0", 0x102b, 0x0536, 0x030000),  // Matrox G200eW3 BMC VGA
      pci("0000:06:00.0", 0x15b3, 0x1021, 0x020000),  // a NIC
  };
  IdentifyReport r = identify(devs, {}, test::shipped_registry());
  std::vector<std::string> listed;
  for (const auto& d : r.devices) listed.push_back(d.pci.address);
  EXPECT_EQ(listed, (std::vector<std::string>{"0000:01:00.0", "0000:02:00.0", "0000:03:00.0"}));
  for (const auto& d : r.devices) {
    ASSERT_FALSE(d.findings.empty()) << d.pci.address;
    EXPECT_EQ(d.findings.front().code, "identify.unknown-accelerator") << d.pci.address;
    EXPECT_EQ(d.eccn, Eccn::kUndetermined);
  }
}

}  // namespace
}  // namespace aa
