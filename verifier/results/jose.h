// JOSE for attestation results: ES256 keys as JWK/JWKS, compact JWS signing and verification.
// A small module on OpenSSL EVP instead of a JWT library (DESIGN.md: libjwt accepted HS256
// keyed with a public PEM).
//
// Contract:
//   - parse_jwks() reads a JWKS ({"keys": [...]}) or one JWK. Only EC P-256 keys ("kty":"EC",
//     "crv":"P-256", base64url x and y of 32 bytes); an "alg" member, when present, must be
//     ES256, a "use" member sig; a "d" member (a private key) is refused. Keys without "kid" get
//     their RFC 7638 thumbprint as kid.
//   - verify_compact() accepts exactly three base64url segments, a protected header that is a
//     JSON object with "alg":"ES256" (the algorithm is pinned by the key type: "none", HS*, RS*
//     are refused) and a "kid" naming a JWKS key (or no kid when the JWKS holds one key); a
//     "jwk", "jku" or "x5c" header is never used to find a key. The signature is 64 bytes r||s.
//     The payload must be a JSON object. Error codes: jose.bad-format, jose.bad-header,
//     jose.unknown-key, jose.bad-signature, jose.bad-payload. Both forms of an ECDSA signature
//     verify: s and n - s (other EAR signers emit "high-S" signatures; ES256 does not forbid
//     them, and a relying party gains nothing from refusing them).
//   - decode_unverified() splits and decodes a compact JWS without checking anything but its
//     form: three segments, a header and a payload that are JSON objects (jose.bad-format,
//     jose.bad-header, jose.bad-payload). Only for showing a token that is marked unverified.
//   - jwks_from_pem() makes a one-key JWKS from a PEM EC P-256 public key, or from the public
//     half of a PEM private key; its kid is the RFC 7638 thumbprint (jose.bad-key otherwise).
//   - sign_es256() produces header {"alg":"ES256","typ":"JWT","kid":kid} || payload, signed
//     with s normalised to the low half (s <= n/2), so that every token we write has the one
//     form strict verifiers accept. A signing failure is jose.sign-failed, never a short token;
//     a token that would exceed kMaxTokenBytes is input.too-large (field "result").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/json.h"
#include "core/result.h"
#include "crypto/ossl.h"

namespace aa::jose {

// The largest compact JWS read or written: every token sign_es256() writes is readable by
// verify_compact() and decode_unverified() (a result that would be larger is not signed), and a
// ledger document holding one stays within what the ledger export reader takes (16 MiB a
// string).
inline constexpr size_t kMaxTokenBytes = 4u << 20;

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

struct DecodedJws {
  Json header;   // a JSON object
  Json payload;  // a JSON object
};
Result<DecodedJws> decode_unverified(std::string_view token, const std::string& origin);

Result<Jwks> jwks_from_pem(std::string_view pem, const std::string& origin);

Result<std::string> sign_es256(EVP_PKEY* private_key, const std::string& kid, const Json& payload);

// ES256 signatures as r||s (64 bytes): whether s <= n/2 (n the P-256 group order), and the same
// signature with s replaced by n - s. Both return false / empty for anything but 64 bytes
// with 0 < s < n.
bool es256_low_s(ByteView rs);
Bytes es256_flip_s(ByteView rs);

}  // namespace aa::jose
