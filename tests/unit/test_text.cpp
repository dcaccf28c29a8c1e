#include <gtest/gtest.h>

#include "core/text.h"
#include "inventory/pci_device.h"

namespace aa {

TEST(Text, HexExact) {
  EXPECT_EQ(parse_hex_exact("10de", 4), 0x10deu);
  EXPECT_EQ(parse_hex_exact("10DE", 4), 0x10deu);
  EXPECT_FALSE(parse_hex_exact("10d", 4));
  EXPECT_FALSE(parse_hex_exact("10dex", 4));
  EXPECT_FALSE(parse_hex_exact("10dg", 4));
  EXPECT_FALSE(parse_hex_exact("", 4));
  EXPECT_FALSE(parse_hex_exact("123456789", 9));
}

TEST(Text, SysfsHex) {
  EXPECT_EQ(parse_sysfs_hex("0x10de\n", 4), 0x10deu);
  EXPECT_EQ(parse_sysfs_hex("0x10de", 4), 0x10deu);
  EXPECT_EQ(parse_sysfs_hex("0x030200\n", 6), 0x030200u);
  EXPECT_FALSE(parse_sysfs_hex("10de\n", 4));      // no 0x
  EXPECT_FALSE(parse_sysfs_hex("0x10de\n\n", 4));  // two newlines
  EXPECT_FALSE(parse_sysfs_hex("0x10d\n", 4));     // truncated
  EXPECT_FALSE(parse_sysfs_hex("0x 10de\n", 4));   // space
  EXPECT_FALSE(parse_sysfs_hex("0x10dz\n", 4));    // non-hex
  EXPECT_FALSE(parse_sysfs_hex("", 4));
}

TEST(Text, GroupingAndPrintable) {
  EXPECT_EQ(group_thousands(15831), "15,831");
  EXPECT_EQ(group_thousands(128), "128");
  EXPECT_EQ(group_thousands(1000000), "1,000,000");
  EXPECT_EQ(printable(std::string("a\x01\xff", 3)), "a\\x01\\xff");
}

TEST(Text, PciAddress) {
  EXPECT_EQ(normalize_pci_address("0000:C1:00.0"), "0000:c1:00.0");
  EXPECT_FALSE(normalize_pci_address("c1:00.0"));
  EXPECT_FALSE(normalize_pci_address("0000:c1:00.8"));  // function > 7
  EXPECT_FALSE(normalize_pci_address("0000:c1:20.0"));  // device > 0x1f
  EXPECT_FALSE(normalize_pci_address("0000-c1:00.0"));
}

TEST(Text, ReadFileErrorsNameThePath) {
  auto r = read_file("/nonexistent/accel-attest/file", 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.missing-file");
  EXPECT_EQ(r.error().field, "/nonexistent/accel-attest/file");
}

}  // namespace aa
