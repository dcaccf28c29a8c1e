#include "core/text.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/bytes.h"
#include "core/result.h"
#include "core/terminal.h"

namespace aa {

std::optional<uint32_t> parse_hex_exact(std::string_view s, size_t digits) {
  if (digits == 0 || digits > 8 || s.size() != digits) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    int d = hex_value(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  return v;
}

std::optional<uint32_t> parse_sysfs_hex(std::string_view body, size_t digits) {
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (body.size() < 2 || body[0] != '0' || (body[1] != 'x' && body[1] != 'X')) return std::nullopt;
  return parse_hex_exact(body.substr(2), digits);
}

std::string to_hex(uint32_t value, size_t digits) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(digits, '0');
  for (size_t i = 0; i < digits; ++i) {
    out[digits - 1 - i] = kDigits[value & 0xf];
    value >>= 4;
  }
  return out;
}

Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    return make_error("input.missing-file", path, "no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return make_error("input.unreadable", path, "is a directory, expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("input.unreadable", path, "cannot open for reading");
  std::string out;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<size_t>(in.gcount()));
    if (out.size() > max_bytes) {
      return make_error("input.too-large", path,
                        "larger than the limit of " + std::to_string(max_bytes) + " bytes");
    }
  }
  if (in.bad()) return make_error("input.unreadable", path, "read error");
  return out;
}

std::string printable(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    }
  }
  return out;
}

namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: shortest form, no surrogates, at most
// U+10FFFF), or 0 if the bytes there are not one.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = 0;
  uint32_t cp = 0;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

void append_escaped(std::string& out, unsigned char c) {
  char b[8];
  std::snprintf(b, sizeof b, "\\x%02x", c);
  out += b;
}

}  // namespace

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      ++i;
    } else if (size_t n = c >= 0x80 ? utf8_sequence(s, i) : 0; n > 0) {
      // U+0080..U+009F (C1 controls, CSI among them) are 0xc2 0x80..0x9f.
      if (c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) {
        append_escaped(out, c);
        append_escaped(out, static_cast<unsigned char>(s[i + 1]));
      } else {
        out.append(s.substr(i, n));
      }
      i += n;
    } else {
      append_escaped(out, c);
      ++i;
    }
  }
  return out;
}

std::string group_thousands(long long v) {
  bool neg = v < 0;
  std::string digits = std::to_string(neg ? -v : v);
  std::string out;
  int n = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (n > 0 && n % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++n;
  }
  return neg ? "-" + out : out;
}

std::string fixed(double v, int decimals) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

}  // namespace aa
