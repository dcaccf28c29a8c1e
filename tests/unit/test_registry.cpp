#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <unistd.h>

#include "core/text.h"
#include "registry/registry.h"
#include "unit/registry_fixture.h"

namespace aa {
namespace {

namespace fs = std::filesystem;
using test::shipped_registry;

// vendor -> device IDs listed in pci.ids.
std::map<std::string, std::set<std::string>> load_pci_ids() {
  std::map<std::string, std::set<std::string>> ids;
  std::ifstream in(std::string(TEST_DATA_DIR) + "/pci.ids");
  std::string line, vendor;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("C ", 0) == 0) break;  // device classes follow the vendor list
    if (line[0] != '\t') {
      vendor = line.substr(0, 4);
      ids[vendor];
    } else if (line.size() > 5 && line[1] != '\t') {
      ids[vendor].insert(line.substr(1, 4));
    }
  }
  return ids;
}

TEST(Registry, EveryNonAscendDeviceIdIsInPciIds) {
  auto ids = load_pci_ids();
  ASSERT_GT(ids.size(), 2000u);  // the real database, not an empty file
  int checked = 0;
  for (const Part& p : shipped_registry().parts()) {
    if (p.vendor_id == 0x19e5) continue;  // Ascend IDs are absent from pci.ids by design
    if (!p.vendor_id_known) {             // no public vendor ID (Biren): no device IDs either
      EXPECT_TRUE(p.pci.empty()) << p.id;
      continue;
    }
    std::string v = to_hex(p.vendor_id, 4);
    ASSERT_TRUE(ids.count(v)) << p.id << ": vendor " << v << " not in pci.ids";
    for (const auto& id : p.pci) {
      EXPECT_TRUE(ids[v].count(to_hex(id.device, 4)))
          << p.id << ": " << v << ":" << to_hex(id.device, 4) << " not in pci.ids";
      ++checked;
    }
  }
  EXPECT_GE(checked, 90);
}

TEST(Registry, AscendIdsAreTheDriverIdsAndAbsentFromPciIds) {
  auto ids = load_pci_ids();
  for (const char* dev :
       {"d100", "d105", "d500", "d501", "d801", "d802", "d803", "d804", "d805", "d806", "d807"}) {
    auto d = static_cast<uint16_t>(*parse_hex_exact(dev, 4));
    EXPECT_FALSE(shipped_registry().match(0x19e5, d, 0, 0).empty()) << dev;
    EXPECT_FALSE(ids["19e5"].count(dev)) << dev;
  }
}

TEST(Registry, HasThePartsTheIssueLists) {
  for (const char* id : {"nvidia-a100-sxm4-40gb",
                         "nvidia-a800-sxm4-80gb",
                         "nvidia-h100-sxm5-80gb",
                         "nvidia-h100-pcie",
                         "nvidia-h100-nvl",
                         "nvidia-h100-other",
                         "nvidia-h800-sxm",
                         "nvidia-h20",
                         "nvidia-h20-hbm3e",
                         "nvidia-h20-nvl16",
                         "nvidia-h200-sxm",
                         "nvidia-gh200",
                         "nvidia-b100",
                         "nvidia-b200",
                         "nvidia-gb200",
                         "nvidia-b300",
                         "nvidia-gb300",
                         "nvidia-l40s",
                         "nvidia-l20",
                         "nvidia-l2",
                         "nvidia-rtx-4090",
                         "nvidia-rtx-4090d",
                         "nvidia-rtx-5090",
                         "nvidia-rtx-5090d",
                         "nvidia-rtx-pro-6000-server",
                         "nvidia-rtx-pro-6000d",
                         "amd-mi210",
                         "amd-mi250x",
                         "amd-mi300a",
                         "amd-mi300x",
                         "amd-mi308x",
                         "amd-mi325x",
                         "amd-mi350x",
                         "amd-mi355x",
                         "intel-gaudi",
                         "intel-gaudi2",
                         "intel-gaudi3",
                         "huawei-ascend-310",
                         "huawei-ascend-310b",
                         "huawei-ascend-310p",
                         "huawei-ascend-910a",
                         "huawei-ascend-910b3",
                         "huawei-ascend-910c-9391",
                         "huawei-ascend-950-36c",
                         "huawei-ascend-d807",
                         "cambricon-mlu370-s4",
                         "aws-trainium2",
                         "moorethreads-mtt-s4000",
                         "hygon-dcu-k100-ai",
                         "metax-c500",
                         "enflame-s60",
                         "tenstorrent-blackhole",
                         "baidu-kunlun",
                         "groq-tsp"}) {
    EXPECT_NE(shipped_registry().find(id), nullptr) << id;
  }
}

TEST(Registry, MatchUsesSubsystemsToSeparateSkusAndSharedIdsGiveCandidates) {
  const auto& reg = shipped_registry();
  auto h100 = reg.match(0x10de, 0x2330, 0x10de, 0x16c1);
  ASSERT_EQ(h100.size(), 1u);
  EXPECT_EQ(h100[0]->id, "nvidia-h100-sxm5-80gb");
  auto b = reg.match(0x19e5, 0xd802, 0, 0);
  EXPECT_EQ(b.size(), 4u);  // 910B1..B4 share d802
  auto mi250 = reg.match(0x1002, 0x740c, 0, 0);
  EXPECT_EQ(mi250.size(), 2u);                           // pci.ids: "MI250X/MI250"
  EXPECT_TRUE(reg.match(0x10de, 0x22a3, 0, 0).empty());  // NVSwitch is not an accelerator part
}

TEST(Registry, FactsCarrySourcesAndUnknownsStayNull) {
  const Part& h20 = test::part("nvidia-h20");
  const Fact& fp16 = h20.dense_peak.at("fp16");
  EXPECT_EQ(*fp16.lo, 148);
  EXPECT_EQ(fp16.conf, "V");
  EXPECT_TRUE(shipped_registry().sources().count(fp16.source));
  const Part& mi308 = test::part("amd-mi308x");
  EXPECT_TRUE(mi308.dense_peak.empty());
  EXPECT_FALSE(mi308.die_area.known());
  const Part& b200 = test::part("nvidia-b200");
  EXPECT_EQ(b200.die_area_kind, "estimate");
  EXPECT_EQ(*b200.die_area.lo, 1060);
  EXPECT_EQ(*b200.die_area.hi, 1716);
}

TEST(Registry, DigestIsStableAndCoversTheData) {
  auto a = Registry::load(PROFILES_DIR);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->digest(), shipped_registry().digest());
  EXPECT_EQ(a->digest().size(), 64u);
}

class BadProfile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("aa-profiles-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::copy(PROFILES_DIR, dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  fs::path dir_;
};

TEST_F(BadProfile, BadFactIsNamedByFileAndPointer) {
  write(
      "registry/zz-bad.json",
      R"({"schema":"accel-attest/registry-parts/v1","about":"x","parts":[{"id":"x","vendor":"x",)"
      R"("vendor_id":"10de","pci":[],"pci_source":"pciids","die":"x","family":"x","name":"x",)"
      R"("datacenter":{"value":true,"conf":"Q","source":"VS-1"},"designer":{"name":"x","hq_country":"US"},)"
      R"("country_of_design":"US","dense_peak":{},"memory":{},"attestation":{"value":"none","conf":"V","source":"VS-1"}}]})");
  auto r = Registry::load(dir_.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "profile.bad-value");
  EXPECT_NE(r.error().field.find("zz-bad.json#/parts/0/datacenter/conf"), std::string::npos)
      << r.error().field;
}

TEST_F(BadProfile, NullVendorIdNeedsAnEmptyPciList) {
  write("registry/zz-bad.json",
        R"({"schema":"accel-attest/registry-parts/v1","about":"x","parts":[{"id":"x","vendor":"x",)"
        R"("vendor_id":null,"pci":[{"device":"0001"}],"pci_source":"none","die":"x","family":"x",)"
        R"("name":"x","datacenter":{"value":true,"conf":"V","source":"VS-1"},)"
        R"("designer":{"name":"x","hq_country":"US"},"country_of_design":"US","dense_peak":{},)"
        R"("memory":{},"attestation":{"value":"none","conf":"V","source":"VS-1"}}]})");
  auto r = Registry::load(dir_.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "profile.bad-value");
  EXPECT_NE(r.error().field.find("zz-bad.json#/parts/0/vendor_id"), std::string::npos)
      << r.error().field;
}

TEST_F(BadProfile, DuplicateIdIsRejected) {
  std::ifstream in(dir_ / "registry" / "intel.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write("registry/zz-dup.json", text);
  auto r = Registry::load(dir_.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "profile.duplicate-id");
}

TEST_F(BadProfile, MissingDirectory) {
  auto r = Registry::load((dir_ / "nope").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.missing-directory");
}

}  // namespace
}  // namespace aa
