#include "core/bytes.h"

#include <array>

namespace aa {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

}  // namespace

std::string hex_encode(ByteView b) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(b.size() * 2);
  for (uint8_t v : b) {
    out += kHex[v >> 4];
    out += kHex[v & 0xf];
  }
  return out;
}

std::optional<Bytes> hex_decode(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.size() % 2 != 0) return std::nullopt;
  Bytes out(s.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view s) {
  // One table lookup a character: the value of a symbol, or kSpace / kPad / kBad.
  static constexpr int8_t kSpace = -2, kPad = -3, kBad = -1;
  static const auto kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(kBad);
    for (int c = 0; c < 256; ++c) {
      const int v = b64_value(static_cast<char>(c));
      if (v >= 0) t[static_cast<size_t>(c)] = static_cast<int8_t>(v);
      if (is_space(static_cast<char>(c))) t[static_cast<size_t>(c)] = kSpace;
    }
    t[static_cast<unsigned char>('=')] = kPad;
    return t;
  }();
  Bytes out(s.size() / 4 * 3 + 3);
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  size_t symbols = 0, padding = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    // Four symbols at a quantum boundary (the common case): three bytes at once.
    if (bits == 0 && padding == 0 && i + 4 <= n) {
      const int8_t a = kTable[p[i]], b = kTable[p[i + 1]], c = kTable[p[i + 2]],
                   d = kTable[p[i + 3]];
      if ((a | b | c | d) >= 0) {
        const uint32_t v =
            (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
        out[o] = static_cast<uint8_t>(v >> 16);
        out[o + 1] = static_cast<uint8_t>(v >> 8);
        out[o + 2] = static_cast<uint8_t>(v);
        o += 3;
        symbols += 4;
        i += 4;
        continue;
      }
    }
    const int8_t v = kTable[p[i++]];
    if (v >= 0) {
      if (padding > 0) return std::nullopt;  // data after padding
      ++symbols;
      acc = (acc << 6) | static_cast<uint32_t>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = static_cast<uint8_t>((acc >> bits) & 0xff);
      }
    } else if (v == kSpace) {
      continue;
    } else if (v == kPad) {
      ++padding;
      ++symbols;
    } else {
      return std::nullopt;
    }
  }
  out.resize(o);
  if (symbols % 4 != 0 || padding > 2) return std::nullopt;
  // Leftover bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string base64url_encode(ByteView b) {
  static const char* kAlpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const size_t full = b.size() / 3, rest = b.size() % 3;
  std::string out(full * 4 + (rest == 0 ? 0 : rest + 1), '\0');
  char* o = out.data();
  size_t i = 0;
  for (size_t q = 0; q < full; ++q, i += 3, o += 4) {
    const uint32_t v = (uint32_t{b[i]} << 16) | (uint32_t{b[i + 1]} << 8) | b[i + 2];
    o[0] = kAlpha[(v >> 18) & 63];
    o[1] = kAlpha[(v >> 12) & 63];
    o[2] = kAlpha[(v >> 6) & 63];
    o[3] = kAlpha[v & 63];
  }
  if (rest > 0) {
    const uint32_t v = (uint32_t{b[i]} << 16) | (rest == 2 ? uint32_t{b[i + 1]} << 8 : 0u);
    o[0] = kAlpha[(v >> 18) & 63];
    o[1] = kAlpha[(v >> 12) & 63];
    if (rest == 2) o[2] = kAlpha[(v >> 6) & 63];
  }
  return out;
}

std::optional<Bytes> base64url_decode(std::string_view s) {
  if (s.size() % 4 == 1) return std::nullopt;
  Bytes out;
  out.reserve(s.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace aa
