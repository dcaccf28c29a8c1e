#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/text.h"
#include "identify/identify.h"
#include "identify/render.h"
#include "inventory/inventory_json.h"
#include "inventory/lspci.h"
#include "inventory/sysfs.h"
#include "unit/registry_fixture.h"

namespace aa {
namespace {

using test::shipped_registry;

IdentifyReport identify_host(const std::string& host) {
  auto devs = read_sysfs_pci(std::string(EXAMPLES_DIR) + "/hosts/" + host + "/sys");
  EXPECT_TRUE(devs.ok()) << devs.error().to_string();
  return identify(*devs, std::vector<bool>(devs->size(), true), shipped_registry());
}

std::multiset<std::string> codes(const IdentifyReport& r) {
  std::multiset<std::string> out;
  for (const auto& f : r.findings) out.insert(f.code);
  return out;
}

TEST(Identify, HgxHostHasEightH100AndNoFinding) {
  auto r = identify_host("hgx-h100");
  ASSERT_EQ(r.devices.size(), 8u);  // NICs, NVMe, NVSwitches, BMC VGA and bridges ignored
  for (const auto& d : r.devices) {
    ASSERT_EQ(d.candidates.size(), 1u);
    EXPECT_EQ(d.candidates[0]->id, "nvidia-h100-sxm5-80gb");
    EXPECT_EQ(d.eccn, Eccn::kA1);
    EXPECT_EQ(std::lround(d.tpp->lo), 15831);
    EXPECT_EQ(d.attestation, "nvidia-spdm");
    EXPECT_EQ(d.assurance, Assurance::kReported);
    EXPECT_TRUE(std::any_of(d.flags.begin(), d.flags.end(),
                            [](const Flag& f) { return f.id == "us-origin-controlled"; }));
  }
  EXPECT_TRUE(r.findings.empty());
}

TEST(Identify, AscendHostFlagsEveryNpuAndIgnoresHuaweiNicAndBmc) {
  auto r = identify_host("ascend-910b");
  ASSERT_EQ(r.devices.size(), 8u);  // Huawei NIC (a222), BMC VGA (1711), bridge, CX-6 ignored
  for (const auto& d : r.devices) {
    EXPECT_EQ(d.pci.device, 0xd802);
    EXPECT_EQ(d.candidates.size(), 4u);      // 910B1..B4: npu-smi would say which
    EXPECT_EQ(d.eccn, Eccn::kUndetermined);  // a.1, a.2 or b.1 depending on the variant
    ASSERT_EQ(d.flags.size(), 1u);           // every variant is a PRC 3A090 IC
    EXPECT_EQ(d.flags[0].id, "prc-3a090-ic");
  }
  ASSERT_EQ(r.findings.size(), 8u);
  for (const auto& f : r.findings) EXPECT_EQ(f.code, "identify.ascend-part");
}

TEST(Identify, ReportedNamePicksTheAscendVariant) {
  auto inv = parse_inventory_json(R"({"schema":"accel-attest/inventory/v1","devices":[
      {"address":"0000:c1:00.0","vendor_id":"19e5","device_id":"d802","class":"120000","reported_name":"910B3"},
      {"address":"0000:c2:00.0","vendor_id":"19e5","device_id":"d802","class":"120000","reported_name":"910B4-1"}]})",
                                  "inv.json");
  ASSERT_TRUE(inv.ok());
  auto r = identify(inv->devices, inv->class_known, shipped_registry());
  ASSERT_EQ(r.devices.size(), 2u);
  EXPECT_EQ(r.devices[0].candidates[0]->id, "huawei-ascend-910b3");
  EXPECT_EQ(r.devices[0].eccn, Eccn::kA2);
  EXPECT_EQ(r.devices[1].candidates[0]->id, "huawei-ascend-910b4");
  EXPECT_EQ(r.devices[1].eccn, Eccn::kB1);
}

TEST(Identify, MixedHost) {
  auto r = identify_host("mixed");
  std::map<std::string, const IdentifiedDevice*> by;
  for (const auto& d : r.devices) by[d.pci.address] = &d;
  ASSERT_EQ(r.devices.size(), 9u);  // audio functions, NIC, BMC VGA and host bridge ignored
  EXPECT_EQ(by["0000:11:00.0"]->candidates[0]->id, "nvidia-h20");
  EXPECT_EQ(by["0000:11:00.0"]->eccn, Eccn::kNot3A090);
  EXPECT_EQ(by["0000:12:00.0"]->candidates[0]->id, "nvidia-l20");
  EXPECT_EQ(by["0000:21:00.0"]->eccn, Eccn::kUndetermined);  // MI308X
  EXPECT_EQ(by["0000:31:00.0"]->attestation, "habana-sec-attest");
  EXPECT_EQ(by["0000:51:00.0"]->possible_ascend, true);
  EXPECT_TRUE(by["0000:61:00.0"]->candidates.empty());   // unknown AMD GPU, listed not dropped
  EXPECT_EQ(by["0000:71:00.0"]->eccn, Eccn::kNot3A090);  // 4090 D, carve-out
  EXPECT_EQ(codes(r), (std::multiset<std::string>{
                          "identify.ascend-part", "identify.possible-ascend-part",
                          "identify.unknown-accelerator", "identify.prc-ic-unclassified"}));
}

TEST(Identify, ProcessingAcceleratorClassOfUnknownVendorIsListed) {
  PciDevice d;
  d.address = "0000:01:00.0";
  d.vendor = 0x1234;
  d.device = 0x5678;
  d.class_code = 0x120000;
  auto r = identify({d}, {true}, shipped_registry());
  ASSERT_EQ(r.devices.size(), 1u);
  EXPECT_EQ(r.findings[0].code, "identify.unknown-accelerator");
  // The same device as a network controller is not an accelerator.
  d.class_code = 0x020000;
  EXPECT_TRUE(identify({d}, {true}, shipped_registry()).devices.empty());
}

TEST(Identify, JsonCarriesTheSameFacts) {
  auto r = identify_host("mixed");
  Json j = identify_to_json(r);
  EXPECT_EQ(j["devices"].size(), 9u);
  EXPECT_EQ(j["devices"][0]["eccn_3a090"], "not-3A090");
  EXPECT_EQ(j["devices"][0]["tpp"], 2368.0);
  EXPECT_EQ(j["devices"][0]["assurance"], "reported");
  EXPECT_EQ(j["findings"].size(), 4u);
  EXPECT_EQ(j["registry_digest"], "sha256:" + shipped_registry().digest());
}

}  // namespace
}  // namespace aa

namespace aa {

TEST(IdentifyRender, TextTableEscapesHostSuppliedStrings) {
  IdentifyReport r;
  IdentifiedDevice d;
  d.pci.address = "0000:01:00.0";
  d.vendor = "NVIDIA";
  d.family = "Hopper";
  d.name = "H100\x1b[2J\nfake row";  // a reported name, as a host could give it
  r.devices.push_back(d);
  r.findings.push_back({"identify.unknown-accelerator", "reported \x1b]0;title\x07 name",
                        "0000:01:00.0\r", Severity::kWarn});
  const std::string out = render_identify_table(r);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\x07'), std::string::npos);
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_NE(out.find("H100\\x1b[2J\\x0afake row"), std::string::npos) << out;
  EXPECT_NE(out.find("0000:01:00.0\\x0d: reported \\x1b]0;title\\x07 name"), std::string::npos)
      << out;
}

}  // namespace aa
