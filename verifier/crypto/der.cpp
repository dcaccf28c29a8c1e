#include "crypto/der.h"

namespace aa::der {

std::optional<Tlv> read(ByteView in, size_t& pos) {
  if (pos >= in.size() || in.size() - pos < 2) return std::nullopt;
  Tlv t;
  t.tag = in[pos];
  if ((t.tag & 0x1f) == 0x1f) return std::nullopt;  // multi-byte tags are not used here
  size_t p = pos + 1;
  size_t len = in[p++];
  if (len & 0x80) {
    size_t n = len & 0x7f;
    if (n == 0 || n > 4 || in.size() - p < n) return std::nullopt;
    len = 0;
    for (size_t i = 0; i < n; ++i) len = (len << 8) | in[p++];
  }
  if (len > in.size() - p) return std::nullopt;
  t.content = in.subspan(p, len);
  pos = p + len;
  return t;
}

std::optional<std::vector<Tlv>> children(ByteView constructed) {
  std::vector<Tlv> out;
  size_t pos = 0;
  while (pos < constructed.size()) {
    auto t = read(constructed, pos);
    if (!t) return std::nullopt;
    out.push_back(*t);
  }
  return out;
}

}  // namespace aa::der
