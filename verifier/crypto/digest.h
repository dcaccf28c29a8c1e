// Message digests through OpenSSL EVP.
//
// Contract: sha256() returns the 32-byte digest of `data`; sha256_hex() its lower-case hex.
// Sha256 digests data given in parts, as sha256() of their concatenation, without building it.
// All abort only if OpenSSL itself cannot allocate (never on input).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/ossl.h"

namespace aa {

std::array<uint8_t, 32> sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string hex_of(const std::array<uint8_t, 32>& digest);  // lower-case

class Sha256 {
 public:
  Sha256();
  Sha256& update(std::string_view data);
  std::array<uint8_t, 32> final();  // once

 private:
  ossl::MdCtx ctx_;
};

}  // namespace aa
