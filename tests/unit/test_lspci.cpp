#include <gtest/gtest.h>

#include "core/text.h"
#include "inventory/lspci.h"
#include "inventory/sysfs.h"

namespace aa {
namespace {

TEST(Lspci, ParsesNumericMachineReadableLines) {
  auto r = parse_lspci_nmm(
      "0000:18:00.0 \"0302\" \"10de\" \"2330\" -ra1 \"10de\" \"16c1\"\n"
      "0000:6a:00.0 \"0108\" \"144d\" \"a824\" -p02 \"144d\" \"a801\"\n"
      "\n"
      "0000:00:00.0 \"0604\" \"19e5\" \"a120\" -r21 \"\" \"\"\n",
      "x.txt");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].class_code, 0x030200u);
  EXPECT_EQ((*r)[0].subsystem_device, 0x16c1);
  EXPECT_EQ((*r)[1].class_code, 0x010802u);  // -p02 completes the class code
  EXPECT_EQ((*r)[2].subsystem_vendor, 0);
  EXPECT_EQ((*r)[2].origin, "x.txt:4");
}

TEST(Lspci, MatchesSysfsForEveryExampleHost) {
  for (const char* host : {"hgx-h100", "ascend-910b", "mixed"}) {
    std::string dir = std::string(EXAMPLES_DIR) + "/hosts/" + host;
    auto text = read_file(dir + "/lspci.txt", 1 << 20);
    ASSERT_TRUE(text.ok());
    auto a = parse_lspci_nmm(*text, "lspci.txt");
    auto b = read_sysfs_pci(dir + "/sys");
    ASSERT_TRUE(a.ok() && b.ok()) << host;
    ASSERT_EQ(a->size(), b->size()) << host;
    std::sort(a->begin(), a->end(), [](auto& x, auto& y) { return x.address < y.address; });
    for (size_t i = 0; i < a->size(); ++i) {
      EXPECT_EQ((*a)[i].address, (*b)[i].address);
      EXPECT_EQ((*a)[i].vendor, (*b)[i].vendor);
      EXPECT_EQ((*a)[i].device, (*b)[i].device);
      EXPECT_EQ((*a)[i].subsystem_vendor, (*b)[i].subsystem_vendor);
      EXPECT_EQ((*a)[i].subsystem_device, (*b)[i].subsystem_device);
      EXPECT_EQ((*a)[i].class_code, (*b)[i].class_code);
    }
  }
}

struct BadLine {
  const char* line;
  const char* field;
};

class LspciBad : public ::testing::TestWithParam<BadLine> {};

TEST_P(LspciBad, NamesLineAndField) {
  std::string text = std::string("0000:18:00.0 \"0302\" \"10de\" \"2330\" \"10de\" \"16c1\"\n") +
                     GetParam().line + "\n";
  auto r = parse_lspci_nmm(text, "host.txt");
  ASSERT_FALSE(r.ok()) << GetParam().line;
  EXPECT_EQ(r.error().code, "input.bad-lspci-line");
  EXPECT_EQ(r.error().field, "host.txt:2");
  EXPECT_EQ(r.error().message.rfind(GetParam().field, 0), 0u) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LspciBad,
    ::testing::Values(
        BadLine{"18:00.0 \"0302\" \"10de\" \"2330\" \"10de\" \"16c1\"", "slot"},
        BadLine{"0000:18:00.0 \"3D controller\" \"NVIDIA\" \"GH100\" \"\" \"\"", "class"},
        BadLine{"0000:18:00.0 \"0302\" \"10dx\" \"2330\"", "vendor"},
        BadLine{"0000:18:00.0 \"0302\" \"10de\" \"233\"", "device"},
        BadLine{"0000:18:00.0 \"0302\" \"10de\" \"2330\" \"zz\" \"16c1\"", "subsystem vendor"},
        BadLine{"0000:18:00.0 \"0302\" \"10de\" \"2330\" \"10de\" \"16c\"", "subsystem device"},
        BadLine{"0000:18:00.0 \"0302\" \"10de\"", "line"},
        BadLine{"0000:18:00.0 \"0302\" \"10de\" \"2330", "line"},
        BadLine{"0000:18:00.0 \"0302\" \"10de\" \"2330\" -x1", "option"},
        BadLine{"0000:18:00.0 \"0302\"\"10de\" \"2330\"", "line"}, BadLine{"garbage", "slot"}));

TEST(Lspci, RejectsOversizedInput) {
  std::string big(2 << 20, ' ');
  auto r = parse_lspci_nmm(big, "big.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.too-large");
}

}  // namespace
}  // namespace aa
