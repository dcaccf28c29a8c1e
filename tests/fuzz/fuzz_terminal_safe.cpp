// libFuzzer target: terminal_safe() on any bytes. Properties: the output holds no C0 control,
// no DEL, no C1 control (as a raw byte or as U+0080..U+009F in UTF-8) and is valid UTF-8; a
// string that needs no escaping comes back unchanged; escaping is idempotent.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/terminal.h"

namespace {

// True if `s` is valid UTF-8 with no control characters (C0, DEL, C1).
bool clean(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (n == 0 || c > 0xf4 || i + n > s.size()) return false;
    uint32_t cp = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (size_t k = 1; k < n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if ((t & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3f);
    }
    // Shortest form only, no surrogates, nothing past U+10FFFF, no C1 controls.
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return false;
    if ((cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0)) return false;
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string out = aa::terminal_safe(in);
  if (!clean(out)) std::abort();
  if (clean(in) && out != in) std::abort();
  if (aa::terminal_safe(out) != out) std::abort();
  return 0;
}
