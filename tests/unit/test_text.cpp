#include <gtest/gtest.h>

#include "core/terminal.h"
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

namespace aa {

TEST(Text, TerminalSafeEscapesControlsAndKeepsUtf8) {
  EXPECT_EQ(terminal_safe("gpu-01 H100"), "gpu-01 H100");
  // ESC[2J (clear screen), newline, carriage return, tab, BEL, DEL.
  EXPECT_EQ(terminal_safe("a\x1b[2J\nb\r\t\a\x7f"), "a\\x1b[2J\\x0ab\\x0d\\x09\\x07\\x7f");
  // C1 controls in UTF-8 (U+009B CSI, U+0085 NEL) and a raw 8-bit CSI byte.
  EXPECT_EQ(terminal_safe("\xc2\x9b"
                          "2J\xc2\x85"),
            "\\xc2\\x9b2J\\xc2\\x85");
  EXPECT_EQ(terminal_safe("\x9b"
                          "2J"),
            "\\x9b2J");
  // Valid printable UTF-8 stays: U+00E9, U+4E2D, U+1F600.
  EXPECT_EQ(terminal_safe("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80");
  // Overlong, surrogate, truncated and out-of-range sequences are bytes, escaped one by one.
  EXPECT_EQ(terminal_safe("\xc0\x80"), "\\xc0\\x80");
  EXPECT_EQ(terminal_safe("\xed\xa0\x80"), "\\xed\\xa0\\x80");
  EXPECT_EQ(terminal_safe("\xe4\xb8"), "\\xe4\\xb8");
  EXPECT_EQ(terminal_safe("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
  // Escaping is idempotent: text already escaped (by printable() or this) comes back unchanged.
  EXPECT_EQ(terminal_safe("\\x1b"), "\\x1b");
  const std::string once = terminal_safe("a\x1b[2J\xc2\x9b\xff");
  EXPECT_EQ(terminal_safe(once), once);
  EXPECT_EQ(terminal_safe(std::string("a\0b", 3)), "a\\x00b");
}

}  // namespace aa

#include "core/country.h"

namespace aa {
namespace {

TEST(CountryCode, AssignedAlpha2CodesOnly) {
  for (const char* c : {"US", "CN", "HK", "MO", "AE", "UA", "XK", "ZW", "AD"})
    EXPECT_TRUE(is_country_code(c)) << c;
  for (const char* c : {"XX", "ZZ", "AA", "QQ", "EU", "UK", "cn", "C", "CHN", "", "XS"})
    EXPECT_FALSE(is_country_code(c)) << c;
}

}  // namespace
}  // namespace aa
