#include "crypto/digest.h"

#include <cstdlib>

#include "crypto/ossl.h"

namespace aa {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256& Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) std::abort();
  return *this;
}

std::array<uint8_t, 32> Sha256::final() {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1 || len != out.size()) std::abort();
  return out;
}

std::array<uint8_t, 32> sha256(std::string_view data) {
  return Sha256().update(data).final();
}

std::string hex_of(const std::array<uint8_t, 32>& digest) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  return hex_of(sha256(data));
}

}  // namespace aa
