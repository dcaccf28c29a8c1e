// Byte buffers and the hex and base64 forms evidence arrives in.
//
// Contract: decoders accept exactly the documented alphabet and return nullopt on anything
// else (odd hex length, a stray character, bad base64 padding); they never read past the view.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aa {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// The value of one hex digit (either case), or -1.
int hex_value(char c);

// Lower-case hex of every byte.
std::string hex_encode(ByteView b);

// Hex text (either case, even length), optionally with a leading "0x".
std::optional<Bytes> hex_decode(std::string_view s);

// Standard base64 (RFC 4648 section 4) with "=" padding; ASCII whitespace (line breaks of PEM-style
// wrapping) is skipped.
std::optional<Bytes> base64_decode(std::string_view s);

// Base64url (RFC 4648 section 5) without padding, as JOSE uses it. The decoder refuses "=",
// whitespace, the standard alphabet's "+" and "/", and non-canonical trailing bits.
std::string base64url_encode(ByteView b);
std::optional<Bytes> base64url_decode(std::string_view s);

// Little-endian reads; the caller has checked the bounds.
inline uint16_t le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t le24(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16);
}
inline uint32_t le32(const uint8_t* p) {
  return le24(p) | (static_cast<uint32_t>(p[3]) << 24);
}

}  // namespace aa
