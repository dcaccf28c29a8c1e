// accel-attest public API: verify an evidence bundle, sign the result, verify a signed result.
//
// Contract:
//   - verify() is a function of the references, the bundle bytes and the options: it opens no
//     network connection, reads no file and no clock (the times are in the options) and keeps
//     no state between calls except what the caller passes in (the nonce store, the
//     certificate cache). It is safe to call from any number of threads at once with the same
//     References; a NonceStore and a CertificateCache may be shared by those calls (both are
//     internally synchronised).
//   - verify() checks its options and parses the bundle BEFORE it consumes the nonce, so a
//     refused call never costs the caller the evidence's nonce. An error (Result holds an
//     Error) means no verdict: bad input (input.*, bundle.*, policy.bad-licence, ...) or a nonce
//     store that cannot be used (store.io). A refused nonce is not an error: the result then
//     carries the store's finding and every device report is pipeline.evidence-replayed --
//     unless VerifyOptions::appraise_refused_nonce is false, when the store's refusal is
//     returned as the Error and nothing is appraised.
//   - The Verification it returns owns everything it refers to and outlives the references.
//   - sign_result() / location_result() build the EAR claims (results/ear_writer.h,
//     location/attestation.h) with strings that are not UTF-8 replaced (U+FFFD) and sign them
//     ES256 with the signer's key; verify_result() is what `verify-token` does.
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "accel_attest/nonce_store.h"
#include "accel_attest/references.h"
#include "core/json.h"
#include "crypto/chain.h"
#include "crypto/ossl.h"
#include "pipeline/pipeline.h"
#include "policy/export_policy.h"
#include "results/ear_writer.h"
#include "results/token.h"

namespace accel_attest {

using aa::PipelineResult;
using aa::Submod;

// The one nonce rule (docs/cli.md, input.bad-nonce): hex, 16 to 64 bytes. `field` names the
// option or member it came from; `min`/`max` narrow the range only where a format forces it
// (docs/cli.md lists each exception).
Result<aa::Bytes> parse_nonce(std::string_view hex, const std::string& field, size_t min = 16,
                              size_t max = 64);

struct VerifyOptions {
  // The verification time: certificates, RIM signers and the licence are checked at it.
  std::time_t at = 0;
  // Freshness, one of: the nonce the caller issued (hex-decoded, parse_nonce()); or a nonce
  // store that issued it, in which the bundle's nonce is consumed at `now`; or neither, and
  // the result says the nonce was not checked (pipeline.nonce-unchecked, warn).
  std::optional<aa::Bytes> expected_nonce;
  NonceStore* nonce_store = nullptr;
  std::time_t now = 0;  // the wall-clock time the store judges expiry by
  // What a nonce the store refuses (store.nonce-*) gives: true, a signed-able result that says
  // the evidence was replayed; false, that Error, before any evidence is appraised (a service
  // that answers replays with 409 pays for the parse only, not for the appraisal).
  bool appraise_refused_nonce = true;
  // The licence, parsed (parse_licence()); null: no licence.
  std::shared_ptr<const aa::Licence> licence;
  // The end user's headquarters when no licence gives it (ISO 3166-1 alpha-2); must agree
  // with the licence's when both are given.
  std::optional<std::string> end_user_hq;
  bool allow_debug_modes = false;  // NVIDIA devtools / debug mode is a warning, not a failure
  // Countries a device may be located in (location appraisal); empty: the licence's
  // destination. Each must have boundary data.
  std::set<std::string> allowed_locations;
  // Certificates already verified by earlier calls (the warm path); null: none kept.
  aa::CertificateCache* certificate_cache = nullptr;
  // Where the bundle came from, for error fields ("bundle.json"); default "bundle".
  std::string origin = "bundle";
};

struct Verification {
  PipelineResult result;
  std::string bundle_sha256;
  std::string host_name;
};

Result<Verification> verify(const References& refs, std::string_view bundle_json,
                            const VerifyOptions& options);

// A licence file's bytes, parsed (policy.* errors name `origin`).
Result<std::shared_ptr<const aa::Licence>> parse_licence(std::string_view json,
                                                         const std::string& origin);

// "accel-attest <version>+<git revision>": the build this library is, as results name it.
std::string build_identity();

// The key results are signed with: a PEM EC P-256 private key, with its RFC 7638 thumbprint as
// the kid, and the verifier identity the claims name.
struct Signer {
  aa::ossl::PKey key;
  std::string kid;
  aa::ear::VerifierIdentity identity;
};
Result<Signer> load_signer(std::string_view pem, const std::string& origin,
                           const std::string& build = build_identity());

// The EAR claims of a verification, issued at `iat`, valid `ttl` seconds (UTF-8 safe).
aa::Json result_claims(const Verification& v, const Signer& s, std::time_t iat, long ttl);
// The host's location attestation claims (needs references that locate()).
Result<aa::Json> location_claims(const References& refs, const Verification& v, const Signer& s,
                                 std::time_t iat, long ttl);
// Claims signed ES256 as a compact JWS.
Result<std::string> sign_claims(const Signer& s, const aa::Json& claims);

// A signed result verified as a relying party does (`verify-token`).
Result<aa::ear::VerifiedToken> verify_result(std::string_view token, const aa::jose::Jwks& keys,
                                             const std::string& origin,
                                             const aa::ear::TokenPolicy& policy);

}  // namespace accel_attest
