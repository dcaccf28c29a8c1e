// Public keys from their raw parts, as TPM public areas and JWKs carry them.
//
// Contract: each function returns an EVP key (an EC point is checked to lie on the curve), or the
// error `code` naming `field`: ec_public_key() takes a group name ("P-256", "P-384") and the
// uncompressed point 04 || x || y; rsa_public_key() the big-endian modulus and the exponent.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/ossl.h"

namespace aa {

Result<ossl::PKey> ec_public_key(const char* group, ByteView point, const std::string& code,
                                 const std::string& field);
Result<ossl::PKey> rsa_public_key(ByteView modulus, uint32_t exponent, const std::string& code,
                                  const std::string& field);

}  // namespace aa
