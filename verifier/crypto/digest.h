// Message digests through OpenSSL EVP.
//
// Contract: sha256() returns the 32-byte digest of `data`; sha256_hex() its lower-case hex.
// Both abort only if OpenSSL itself cannot allocate (never on input).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace aa {

std::array<uint8_t, 32> sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

}  // namespace aa
