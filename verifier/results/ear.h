// Reading EAR attestation results (draft-ietf-rats-ear-03, and the older dotted claim names
// deployed verifiers still emit), after the JWS signature is verified (results/jose.h).
//
// Contract: read_ear() requires eat_profile (a string), an integer iat (a float is refused,
// code ear.float-time, unless `allow_float_times`, for 2023-era Veraison tokens), an integer
// exp when present, the verifier id {developer, build} as `ear_verifier_id` or
// `ear.verifier-id`, and a non-empty submods object whose every appraisal has a status
// (`ear_status` / `ear.status`: none, affirming, warning, contraindicated) no better than the
// worst entry of its trustworthiness vector; a top-level status must be no better than the
// worst submod. The naming style is taken from the claims present; mixing both is refused.
// Per appraisal, draft-03's optional `eat_profile` (a string) and `ear_appraisal_policy_ids`
// (a non-empty array of strings; the dotted `ear.appraisal-policy-id` is one string) are read
// into Appraisal::profile and Appraisal::policy_ids (a profile that is no string is
// input.wrong-type, as for the top-level one; mistyped policy ids are ear.bad-claim).
// Errors name the claim: ear.missing-claim, ear.bad-claim, ear.float-time, ear.status-too-good,
// ear.expired, ear.nonce-mismatch.
//
// Times, when ReadOptions::now is given (RFC 7519 section 4.1, as relying parties read them):
// the result is refused at and after `exp` (ear.expired: no skew, so that a clock behind the
// issuer's never extends a result's life), before `nbf` less the skew (token.nbf), and when
// `iat` lies more than the skew in the future (token.iat-future: issued by a clock ahead of ours,
// or forged to look fresh). The skew defaults to kDefaultSkew (300 s). nbf is an integer time
// like iat. Trust-vector values must be integers -128..127 (token.vector-range otherwise: a
// float, a boolean, or a number out of range, which a wider integer type would wrap).
//
// meets() is the relying party's gate: every status (the top-level one and every submod's) is
// affirming, or affirming or warning when `required` is "warning"; "none" and contraindicated
// never meet it (token.status-below-required, naming the first status that does not). Nor does
// a submod with a trustworthiness claim of 1 or -1 (no verdict) or one in the contraindicated
// tier, AR4SI 99 (cryptographic validation of the Evidence failed) included, whatever its
// status says.
#pragma once

#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/finding.h"
#include "core/json.h"
#include "core/result.h"
#include "core/status.h"

namespace aa::ear {

// draft-ietf-rats-ear-03's profile (its ear.cddl pins the top-level eat_profile to it) and the
// 2023 Veraison one.
inline constexpr const char* kProfileIetf03 = "tag:ietf.org,2026:rats/ear#03";
inline constexpr const char* kProfileVeraison = "tag:github.com,2023:veraison/ear";

// AR4SI section 2.3.4: "cryptographic validation of the Evidence has failed", a standard
// contraindicated value every trustworthiness claim defines.
inline constexpr int kCryptoValidationFailed = 99;

struct Appraisal {
  std::string label;
  TrustTier status = TrustTier::kNone;
  std::map<std::string, int> trust_vector;
  std::optional<std::string> profile;   // the appraisal's own eat_profile (draft-03)
  std::vector<std::string> policy_ids;  // ear_appraisal_policy_ids, in cascade order
};

struct Claims {
  std::string profile;
  bool dotted_names = false;
  int64_t iat = 0;
  std::optional<int64_t> exp, nbf;
  std::optional<std::string> nonce;
  std::string developer, build;
  std::optional<TrustTier> status;
  std::vector<Appraisal> submods;
};

inline constexpr long kDefaultSkew = 300;  // seconds

// The nonce as bytes, compared as bytes (never as text alone): what a relying party's spelling
// of a nonce means. Exactly one reading, by its form: all hex digits of even length is hex
// (either case); anything else is base64url or standard base64 (RFC 4648 sections 5 and 4),
// "=" padding optional. nullopt when it is neither.
std::optional<Bytes> nonce_spelling_bytes(std::string_view spelled);

// Whether a token's eat_nonce is the nonce `expected` spells: the same text, or the same bytes
// when eat_nonce is read as base64url (what accel-attest's results carry, results/ear_writer.h)
// and `expected` as nonce_spelling_bytes() reads it. So "0a1b..." and "0A1B..." (hex) and the
// base64url and base64 spellings of those bytes all match a result of ours.
bool eat_nonce_matches(std::string_view eat_nonce, std::string_view expected);

struct ReadOptions {
  bool allow_float_times = false;
  std::optional<std::string> expected_nonce;  // compared with eat_nonce: eat_nonce_matches()
  std::optional<std::time_t> now;             // exp, nbf and iat are checked against it when given
  long skew = kDefaultSkew;                   // seconds allowed for nbf and a future iat
};

// The tier of an AR4SI trustworthiness value (-128..127): none for -1..1, affirming to 31,
// warning to 95, contraindicated above. A status name's tier is from_string<TrustTier>().
TrustTier tier_of_value(int v);

Result<Claims> read_ear(const Json& claims, const std::string& origin, const ReadOptions& o);

// The statuses a relying party may require of a result.
inline constexpr const char* kRequireChoices[] = {"affirming", "warning"};
Status meets(const Claims& c, const std::string& required, const std::string& origin);

// The pieces every signed result of this project shares (results/ear_writer.h for the
// pipeline's result, location/attestation.h for the location attestation): the verifier's
// identity, the extension names under kExtPrefix, the findings as the extension maps carry them
// ([{code, severity, message, pointer}]), and the failed cryptographic checks among findings
// (each finding code of a failed signature or chain check, docs/results.md "Trust-vector
// values", and the AR4SI claims it voids).
inline constexpr const char* kExtPrefix = "https://accel-attest.example/ear/";

struct VerifierIdentity {
  std::string developer = "https://accel-attest.example";
  std::string build;  // "accel-attest 0.1.0+<git revision>"
};

std::string ext(const char* name);  // kExtPrefix + name

Json findings_json(const std::vector<Finding>& findings);

// One failed cryptographic check: the finding code and the claims it voids.
struct CryptoFailure {
  std::string code;
  std::vector<std::string> claims;
};
std::vector<CryptoFailure> crypto_failures(const std::vector<Finding>& findings);

}  // namespace aa::ear
