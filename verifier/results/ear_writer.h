// Writing the pipeline's result as an EAR claims set (draft-ietf-rats-ear-03), to be signed
// with jose::sign_es256(); and checking that a token carries this project's profile.
//
// Contract: ear_claims() is a pure function of the result, the verifier identity and the
// times. The claims are (docs/results.md):
//   eat_profile      kProfileIetf03 (draft-03's ear.cddl pins it); this project's extensions
//                    are named by each appraisal's own eat_profile, kProfileAccelAttest
//   iat, exp         integers: `iat` = the verification time, exp = iat + ttl
//   eat_nonce        the bundle nonce, base64url without padding
//   ear_verifier_id  {developer, build}; build names the version and git revision
//   ear_status       the worst submod
//   submods          "host" and one per device (label: PCI address), each with eat_profile
//                    (kProfileAccelAttest), ear_status, ear_trustworthiness_vector (AR4SI
//                    names: the pipeline's vector with appraisal_vector()'s 99s),
//                    ear_appraisal_policy_ids ([appraisal_policy_id()]) and one extension map
//   extensions       collision-resistant names under kExtPrefix: "verification" (top level:
//                    schema, bundle/registry/policy/licence digests, eCFR date, destination,
//                    times), "host" and "device" (per submod: chip family, marketing name, TPP,
//                    density, 3A090 class, flags, identity assurance, identity, checks,
//                    findings as core/output_json.h writes them: code, severity, subject,
//                    field, message)
// check_accel_attest_claims() is what verify-token adds for tokens of our profile (is_ours()):
// the extension schema, the digests, every submod's extension map and its required members, and
// for draft-03 tokens each submod's eat_profile and policy ids; errors are ear.bad-claim /
// ear.missing-claim naming the claim.
//
// Failed cryptographic checks (AR4SI 99, docs/results.md "Trust-vector values"): a submod's
// findings name each failed signature or chain check by its stable code; crypto_failures()
// maps them to the claims the check underwrites, and appraisal_vector() sets those to 99. Every
// such finding is a fail, so the submod is already contraindicated; ear_claims() still takes
// the worse of its status and its vector's tier.
//
// Appraisal policy id (draft-03 ear_appraisal_policy_ids), defined only by
// appraisal_policy_id(): "tag:accel-attest.example,2026:policy/<kind>/v1#<16 hex>", where kind
// is the submod's kind (host, nvidia-gpu, nvidia-switch, pci-device), v1 the version of the
// appraisal rules (the trust-vector derivation and this 99 mapping), and the 16 hex digits the
// first 64 bits of SHA-256("<policy_sha256>:<registry_sha256>"), the digests of the export
// policy file and of the registry (with its country groups) as the verification extension
// carries them in full.
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "pipeline/pipeline.h"
#include "results/ear.h"

namespace aa::ear {

// This project's profile of EAR draft-03, carried by every appraisal's eat_profile; and the
// top-level profile of the tokens issued before (same extension claims, dotted nowhere), which
// verify-token still accepts.
inline constexpr const char* kProfileAccelAttest = "tag:accel-attest.example,2026:ear#2";
inline constexpr const char* kProfileAccelAttestV1 = "tag:accel-attest.example,2026:ear#1";
inline constexpr const char* kPolicyIdPrefix = "tag:accel-attest.example,2026:policy/";
// v2: findings {code, severity, subject, field, message} (core/output_json.h) and devices
// `address`; v1 (findings {code, severity, message, pointer}, `pci_address`) is still read.
inline constexpr const char* kExtSchema = "accel-attest/ear-extensions/v2";
inline constexpr const char* kExtSchemaV1 = "accel-attest/ear-extensions/v1";

Json ear_claims(const PipelineResult& r, const VerifierIdentity& id, std::time_t iat, long ttl);

// crypto_failures() of a submod's findings (results/ear.h).
std::vector<CryptoFailure> crypto_failures(const Submod& s);
std::map<std::string, int> appraisal_vector(const Submod& s);  // trust_vector with the 99s

std::string appraisal_policy_id(DeviceKind kind, const PipelineResult& r);

// Whether a verified claims set is one of ours: the old top-level profile, an appraisal of our
// profile, or our verification extension.
bool is_ours(const Json& claims);

Status check_accel_attest_claims(const Json& claims, const std::string& origin);

}  // namespace aa::ear
