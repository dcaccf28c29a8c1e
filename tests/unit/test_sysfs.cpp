#include <gtest/gtest.h>

#include <filesystem>

#include "inventory/sysfs.h"
#include "unit/temp_tree.h"

namespace aa {
namespace {

using test::TempTree;

TEST(Sysfs, ReadsTheHgxExampleHost) {
  auto r = read_sysfs_pci(std::string(EXAMPLES_DIR) + "/hosts/hgx-h100/sys");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 24u);
  const PciDevice& gpu = (*r)[2];
  EXPECT_EQ(gpu.address, "0000:18:00.0");
  EXPECT_EQ(gpu.vendor, 0x10de);
  EXPECT_EQ(gpu.device, 0x2330);
  EXPECT_EQ(gpu.subsystem_vendor, 0x10de);
  EXPECT_EQ(gpu.subsystem_device, 0x16c1);
  EXPECT_EQ(gpu.class_code, 0x030200u);
}

TEST(Sysfs, MissingDirectoryIsNamed) {
  TempTree t;
  auto r = read_sysfs_pci(t.path("nothing-here"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.missing-directory");
  EXPECT_NE(r.error().field.find("nothing-here/bus/pci/devices"), std::string::npos);
}

struct BadFile {
  const char* file;
  const char* body;
};

class SysfsBadFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(SysfsBadFile, IsRejectedNamingTheFile) {
  TempTree t;
  t.device("0000:18:00.0", "0x10de\n", "0x2330\n", "0x030200\n");
  t.write(std::string("bus/pci/devices/0000:18:00.0/") + GetParam().file, GetParam().body);
  auto r = read_sysfs_pci(t.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.bad-hex");
  EXPECT_NE(r.error().field.find(std::string("0000:18:00.0/") + GetParam().file), std::string::npos)
      << r.error().field;
}

INSTANTIATE_TEST_SUITE_P(Cases, SysfsBadFile,
                         ::testing::Values(BadFile{"vendor", "0x10d\n"},
                                           BadFile{"vendor", "10de\n"},
                                           BadFile{"device", "0xzz30\n"}, BadFile{"device", ""},
                                           BadFile{"class", "0x0302\n"},
                                           BadFile{"class", "0x03020000\n"},
                                           BadFile{"subsystem_vendor", "0x10de\n\n"},
                                           BadFile{"subsystem_device", "\xff\xfe"}));

TEST(Sysfs, MissingIdFileIsNamed) {
  TempTree t;
  t.write("bus/pci/devices/0000:18:00.0/vendor", "0x10de\n");
  auto r = read_sysfs_pci(t.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.missing-file");
  EXPECT_NE(r.error().field.find("0000:18:00.0/device"), std::string::npos);
}

TEST(Sysfs, OversizedIdFileIsRejected) {
  TempTree t;
  t.device("0000:18:00.0", std::string(1000, 'x'), "0x2330\n", "0x030200\n");
  auto r = read_sysfs_pci(t.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.too-large");
}

TEST(Sysfs, NonAddressDirectoryIsRejected) {
  TempTree t;
  t.device("not-an-address", "0x10de\n", "0x2330\n", "0x030200\n");
  auto r = read_sysfs_pci(t.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.bad-address");
}

}  // namespace
}  // namespace aa
