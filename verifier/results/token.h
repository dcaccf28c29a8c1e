// Verifying a signed result as a relying party does: the one function behind `verify-token` and
// `report`, so that the report never shows a result the relying party would refuse.
//
// Contract: verify_result_token() is jose::verify_compact() (ES256 pinned, the kid in the JWKS,
// the signature), then ear::read_ear() with the times, skew and nonce of `policy.read`, then
// the pinned profiles (ear.unexpected-profile: `profiles` names the token's eat_profile or the
// one eat_profile all its appraisals carry), then the extension schema of this project's
// profiles (ear_writer.h is_ours(): draft-03 tokens and those of the old top-level profile
// kProfileAccelAttestV1, both accepted; location/attestation.h), and last, when `policy.require` is
// set, ear::meets() (token.status-below-required). The first failing check is the error; its code
// is one of docs/findings.md "Result-token errors". On success it also returns the verifying
// key's public JWK and RFC 7638 thumbprint, for the report to name the key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "results/ear.h"
#include "results/jose.h"

namespace aa::ear {

struct TokenPolicy {
  ReadOptions read;                    // now, skew, expected nonce, float times
  std::vector<std::string> profiles;   // accepted eat_profile values; empty: any
  std::optional<std::string> require;  // "affirming" or "warning"; unset: any status
};

struct VerifiedToken {
  jose::VerifiedJws jws;
  Claims claims;
  Json jwk;                // the verifying key, public JWK with its kid
  std::string thumbprint;  // RFC 7638 thumbprint of that key
};

Result<VerifiedToken> verify_result_token(std::string_view token, const jose::Jwks& keys,
                                          const std::string& origin, const TokenPolicy& policy);

// The eat_profile every appraisal of `c` carries; empty when one has none or they differ.
std::string appraisal_profile(const Claims& c);
// For people: the token's profile, with its appraisals' profile, or marked as accel-attest's
// profile before draft-03.
std::string profile_summary(const Claims& c);

// A word for a shell command line: as is when it holds only safe characters, else in single
// quotes (a quote inside becomes '\'').
std::string shell_word(std::string_view s);

}  // namespace aa::ear
