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
      pci("0000:01:00.0", 0x1e3e, 0x0001, 0x030200),  // Iluvatar: vendor known, device not
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

TEST(RegistryGaps, Item7PartsGetTheirClass) {
  const auto& g = test::shipped_registry().country_groups();
  struct Want {
    const char* id;
    Eccn eccn;
    double tpp;  // 0: TPP unknown
  };
  for (const Want& w : std::vector<Want>{
           {"nvidia-gh200", Eccn::kA1, 990 * 16},        // datasheet dense BF16 (FP8 gives 15832)
           {"nvidia-gh200-144gb", Eccn::kA1, 990 * 16},  // same GPU, HBM3e
           {"nvidia-h800-nvl", Eccn::kA1, 835.5 * 16},   // H100 NVL figures, conf E
           {"intel-max-1550", Eccn::kA1, 1678 * 8},      // Hot Chips 34, no sparsity
           {"intel-max-1350", Eccn::kA1, 711.1 * 16},    // computed per XMX engine
           {"intel-max-1100", Eccn::kA1, 711.1 * 8},     // computed, at the maximum clock
           {"biren-br100", Eccn::kA1, 2048 * 8},
           {"biren-br104", Eccn::kA1, 1024 * 8},
           {"moorethreads-mtt-s4000", Eccn::kUndetermined, 1600},  // density decides, area unknown
           {"iluvatar-bi-v100", Eccn::kUndetermined, 2360},        // density decides, area unknown
           {"nvidia-gh100-unnamed", Eccn::kUndetermined, 0},
           {"intel-max-1450", Eccn::kUndetermined, 0},
           {"intel-max-other", Eccn::kUndetermined, 0},
       }) {
    Classification c = classify(test::part(w.id), g);
    EXPECT_EQ(c.eccn, w.eccn) << w.id << ": " << eccn_name(c.eccn);
    if (w.tpp == 0) {
      EXPECT_FALSE(c.tpp) << w.id;
      continue;
    }
    ASSERT_TRUE(c.tpp) << w.id;
    EXPECT_NEAR(c.tpp->lo, w.tpp, 0.01) << w.id;
    EXPECT_NEAR(c.tpp->hi, w.tpp, 0.01) << w.id;
  }
  // MTT S4000 sits exactly on the 1600 bound: a.2 and b.2 turn on the unknown die area.
  Classification s4000 = classify(test::part("moorethreads-mtt-s4000"), g);
  EXPECT_FALSE(s4000.pd);
  EXPECT_NE(s4000.reason.find("die area is unknown"), std::string::npos) << s4000.reason;
  // The PRC parts carry the GP10 flags.
  auto has = [](const Classification& c, const std::string& code) {
    for (const auto& f : c.flags)
      if (f.id == code) return true;
    return false;
  };
  EXPECT_TRUE(has(classify(test::part("biren-br100"), g), "prc-3a090-ic"));
  EXPECT_TRUE(has(s4000, "prc-ic-class-undetermined"));
  EXPECT_TRUE(has(classify(test::part("iluvatar-bi-v100"), g), "prc-ic-class-undetermined"));
  // BR100: 16384 / 1072 mm2.
  Classification br100 = classify(test::part("biren-br100"), g);
  ASSERT_TRUE(br100.pd);
  EXPECT_NEAR(br100.pd->lo, 16384.0 / 1072, 1e-9);
  // GH200's memory differs by device ID.
  EXPECT_EQ(*test::part("nvidia-gh200").memory_bandwidth_gbps.lo, 4000);
  EXPECT_EQ(*test::part("nvidia-gh200-144gb").memory_bandwidth_gbps.lo, 4900);
}

TEST(RegistryGaps, DiesPerPackage) {
  for (const char* id :
       {"nvidia-b100", "nvidia-b200", "nvidia-gb200", "nvidia-b300", "nvidia-gb300",
        "nvidia-gb300-maxq", "biren-br100", "intel-max-1550", "intel-max-1350", "intel-gaudi3",
        "amd-mi250x", "huawei-ascend-910c-9391"}) {
    EXPECT_EQ(test::part(id).dies_per_ic, 2) << id;
  }
  for (const char* id : {"amd-mi300x", "amd-mi325x", "amd-mi350x", "amd-mi355x"}) {
    EXPECT_EQ(test::part(id).dies_per_ic, 8) << id;
  }
  // Informational: the die area is the package's, so classify gives the same class either way.
  const auto& g = test::shipped_registry().country_groups();
  Part one = test::part("amd-mi300x");
  one.dies_per_ic = 1;
  EXPECT_EQ(classify(one, g).eccn, classify(test::part("amd-mi300x"), g).eccn);
}

TEST(RegistryGaps, NoPublicVendorIdNeverMatches) {
  const Part& br = test::part("biren-br100");
  EXPECT_FALSE(br.vendor_id_known);
  EXPECT_TRUE(br.pci.empty());
  // Vendor 0000 is not made an accelerator vendor by a part without a vendor ID.
  EXPECT_FALSE(test::shipped_registry().is_accelerator_vendor(0x0000));
  EXPECT_TRUE(test::shipped_registry().match(0x0000, 0x0000, 0, 0).empty());
}

TEST(RegistryGaps, NewIdsIdentify) {
  std::vector<PciDevice> devs = {
      pci("0000:01:00.0", 0x10de, 0x237f, 0x030200),  // GH100 'Skinny Joe', no product name
      pci("0000:02:00.0", 0x10de, 0x2348, 0x030200),  // GH200 144 GB
      pci("0000:03:00.0", 0x8086, 0x0bd5, 0x038000),  // Max 1550
      pci("0000:04:00.0", 0x1ed5, 0x0323, 0x030000),  // MTT S4000
      pci("0000:05:00.0", 0x10de, 0x22a3, 0x068000),  // H100 NVSwitch: a bridge, not listed
  };
  IdentifyReport r = identify(devs, {}, test::shipped_registry());
  ASSERT_EQ(r.devices.size(), 4u);
  EXPECT_EQ(r.devices[0].family, "GH100");
  ASSERT_EQ(r.devices[0].candidates.size(), 1u);
  EXPECT_EQ(r.devices[0].candidates[0]->die, "GH100");
  EXPECT_EQ(r.devices[0].eccn, Eccn::kUndetermined);
  for (const auto& f : r.devices[0].findings) EXPECT_NE(f.code, "identify.unknown-accelerator");
  EXPECT_EQ(r.devices[1].candidates[0]->id, "nvidia-gh200-144gb");
  EXPECT_EQ(r.devices[1].eccn, Eccn::kA1);
  EXPECT_EQ(r.devices[2].candidates[0]->id, "intel-max-1550");
  EXPECT_EQ(r.devices[2].eccn, Eccn::kA1);
  EXPECT_EQ(r.devices[3].candidates[0]->id, "moorethreads-mtt-s4000");
  EXPECT_EQ(r.devices[3].eccn, Eccn::kUndetermined);
}

TEST(RegistryGaps, EveryFactNamesAKnownSource) {
  const auto& reg = test::shipped_registry();
  auto check = [&](const Part& p, const std::string& what, const std::string& source,
                   bool present) {
    if (!present) return;
    EXPECT_TRUE(reg.sources().count(source)) << p.id << " " << what << ": " << source;
  };
  for (const auto& p : reg.parts()) {
    for (const auto& [k, f] : p.dense_peak) check(p, k, f.source, f.known());
    check(p, "die area", p.die_area.source, p.die_area.known());
    check(p, "memory size", p.memory_size_gb.source, p.memory_size_gb.known());
    check(p, "memory bandwidth", p.memory_bandwidth_gbps.source, p.memory_bandwidth_gbps.known());
    check(p, "scale-up", p.scale_up_gbps.source, p.scale_up_gbps.known());
    check(p, "memory type", p.memory_type.source, p.memory_type.value.has_value());
    check(p, "datacenter", p.datacenter.source, p.datacenter.value.has_value());
    check(p, "attestation", p.attestation.source, p.attestation.value.has_value());
    for (const auto& a : p.alt_readings) check(p, a.id, a.tpp.source, a.tpp.known());
  }
  for (const char* key : {"NV-GH200-DS", "BIREN-2022", "MTT-S4000", "INTEL-PVC", "INTEL-PVC-CALC",
                          "ILUVATAR-BIV100"}) {
    ASSERT_TRUE(reg.sources().count(key)) << key;
    EXPECT_GT(reg.sources().at(key).size(), 40u) << key;
  }
  // An estimate says so: every E figure of the new parts carries a note.
  for (const char* id : {"nvidia-h800-nvl", "intel-max-1350", "intel-max-1100", "biren-br104"}) {
    const Part& p = test::part(id);
    for (const auto& [k, f] : p.dense_peak) {
      if (f.conf == "E") {
        EXPECT_FALSE(f.note.empty()) << id << " " << k;
      }
    }
    if (p.die_area.conf == "E") {
      EXPECT_FALSE(p.die_area.note.empty()) << id;
    }
  }
}

}  // namespace
}  // namespace aa
