// JOSE for attestation results: ES256 keys as JWK/JWKS, compact JWS signing and verification.
// A small module on OpenSSL EVP instead of a JWT library (DESIGN.md: libjwt accepted HS256
// keyed with a public PEM).
//
// Contract:
//   - parse_jwks() reads a JWKS ({"keys": [...]}) or one JWK. Only EC P-256 keys ("kty":"EC",
//     "crv":"P-256", base64url x and y of 32 bytes); an "alg" member, when present, must be
//     ES256; a "d" member (a private key) is refused. Keys without "kid" get their RFC 7638
//     thumbprint as kid.
//   - verify_compact() accepts exactly three base64url segments, a protected header that is a
//     JSON object with "alg":"ES256" (the algorithm is pinned by the key type: "none", HS*, RS*
//     are refused) and a "kid" naming a JWKS key (or no kid when the JWKS holds one key); a
//     "jwk", "jku" or "x5c" header is never used to find a key. The signature is 64 bytes r||s.
//     The payload must be a JSON object. Error codes: jose.bad-format, jose.bad-header,
//     jose.unknown-key, jose.bad-signature, jose.bad-payload.
//   - sign_es256() produces header {"alg":"ES256","typ":"JWT","kid":kid} || payload.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "crypto/ossl.h"

namespace aa::jose {

struct Jwk {
  std::string kid;
  ossl::PKey key;
};

struct Jwks {
  std::vector<Jwk> keys;
  const Jwk* find(const std::string& kid) const;
};

Result<Jwks> parse_jwks(std::string_view json, const std::string& origin);

// RFC 7638 thumbprint (SHA-256, base64url) of an EC P-256 public key.
std::string thumbprint(EVP_PKEY* key);
// The public JWK of an EC P-256 key, with kid and "alg":"ES256","use":"sig".
Json public_jwk(EVP_PKEY* key, const std::string& kid);

struct VerifiedJws {
  Json header;
  Json payload;
  std::string kid;
};

Result<VerifiedJws> verify_compact(std::string_view token, const Jwks& keys,
                                   const std::string& origin);

std::string sign_es256(EVP_PKEY* private_key, const std::string& kid, const Json& payload);

}  // namespace aa::jose
