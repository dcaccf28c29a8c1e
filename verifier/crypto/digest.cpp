#include "crypto/digest.h"

#include <cstdlib>

#include "crypto/ossl.h"

namespace aa {

std::array<uint8_t, 32> sha256(std::string_view data) {
  std::array<uint8_t, 32> out{};
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    std::abort();
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  static const char* kHex = "0123456789abcdef";
  auto d = sha256(data);
  std::string out;
  out.reserve(64);
  for (uint8_t b : d) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

}  // namespace aa
