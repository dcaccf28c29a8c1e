// Small, strict helpers for text that comes from untrusted sources.
//
// Contract: every parser here accepts exactly the documented form and nothing else; none
// throws; none reads past the given view.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace aa {

// Parses exactly `digits` hexadecimal characters (either case), nothing else.
std::optional<uint32_t> parse_hex_exact(std::string_view s, size_t digits);

// Parses a sysfs PCI ID file body: "0x" followed by exactly `digits` hex digits and an
// optional single trailing newline (the kernel writes "0x10de\n"; class files hold 6 digits).
std::optional<uint32_t> parse_sysfs_hex(std::string_view body, size_t digits);

// Lower-case hex of `value`, zero-padded to `digits`.
std::string to_hex(uint32_t value, size_t digits);

// Reads a whole file, refusing files larger than `max_bytes`. Errors: input.missing-file,
// input.unreadable, input.too-large, each naming the path.
Result<std::string> read_file(const std::string& path, size_t max_bytes);

// Printable form of untrusted bytes for error messages: at most `max` characters, control and
// non-ASCII bytes as \xNN.
std::string printable(std::string_view s, size_t max = 40);

// "15,831" style grouping of a non-negative integer.
std::string group_thousands(long long v);

// Fixed-point formatting with `decimals` places; trailing zeros kept.
std::string fixed(double v, int decimals);

}  // namespace aa
