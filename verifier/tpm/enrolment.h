// AK enrolment records: what a verifier signs when a host's attestation key passed credential
// activation (`tpm check-answer --record`), so that later quotes by that AK can be trusted
// without an AK certificate from a CA. The host keeps the record and sends it with its quotes
// (`collect --ak-enrolment`, the bundle's host.tpm.ak_enrolment); a verifier trusts it only when
// it verifies with one of the enrolment keys it was given (`verify --enrolment-key`).
//
// Contract: a record is a compact JWS, ES256 (results/jose.h), whose payload is
//   {"schema": "accel-attest/ak-enrolment/v1", "ak_name": hex of the AK's TPM Name (nameAlg ||
//    digest of its public area), "ek_certificate_sha256": hex SHA-256 of the EK certificate's
//    DER or null, "iat": the enrolment time (seconds since the epoch)}.
// sign_enrolment() writes one; verify_enrolment() checks the signature against `keys`
// (jose.* codes) and then the payload (tpm.enrolment-malformed, naming the member): the schema,
// an ak_name of 2 + 20..64 bytes of hex, an integer iat, nothing else. Whether the record's AK is
// the quote's, and whether it was enrolled before the time of verification, is the appraiser's
// to judge (tpm/appraise.h).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "results/jose.h"

namespace aa::tpm {

inline constexpr char kEnrolmentSchema[] = "accel-attest/ak-enrolment/v1";

struct Enrolment {
  Bytes ak_name;
  std::optional<std::string> ek_certificate_sha256;
  std::time_t enrolled_at = 0;
  std::string kid;  // the key that signed it
};

Result<std::string> sign_enrolment(EVP_PKEY* private_key, const std::string& kid, ByteView ak_name,
                                   const std::optional<std::string>& ek_certificate_sha256,
                                   std::time_t enrolled_at);

Result<Enrolment> verify_enrolment(std::string_view record, const jose::Jwks& keys,
                                   const std::string& origin);

// Enrolment keys as a verifier is given them: a JWKS (or one JWK), or a PEM EC P-256 key,
// public or private (its public half only is kept).
Result<jose::Jwks> enrolment_keys(std::string_view text, const std::string& origin);

}  // namespace aa::tpm
