// Writing the pipeline's result as an EAR claims set (draft-ietf-rats-ear-03 names), to be
// signed with jose::sign_es256(); and checking that a token carries this project's profile.
//
// Contract: ear_claims() is a pure function of the result, the verifier identity and the
// times. The claims are (docs/results.md):
//   eat_profile      kProfileAccelAttest (pinned)
//   iat, exp         integers: `iat` = the verification time, exp = iat + ttl
//   eat_nonce        the bundle nonce, base64url without padding
//   ear_verifier_id  {developer, build}; build names the version and git revision
//   ear_status       the worst submod
//   submods          "host" and one per device (label: PCI address), each with ear_status,
//                    ear_trustworthiness_vector (AR4SI names) and one extension map
//   extensions       collision-resistant names under kExtPrefix: "verification" (top level:
//                    schema, bundle/registry/policy/licence digests, eCFR date, destination,
//                    times), "host" and "device" (per submod: chip family, marketing name, TPP,
//                    density, 3A090 class, flags, identity assurance, identity, checks,
//                    findings with code, severity, message and pointer)
// check_accel_attest_claims() is what verify-token adds for tokens of our profile: the
// extension schema, the digests, every submod's extension map and its required members; errors
// are ear.bad-claim / ear.missing-claim naming the claim.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "pipeline/pipeline.h"

namespace aa::ear {

inline constexpr const char* kProfileAccelAttest = "tag:accel-attest.example,2026:ear#1";
inline constexpr const char* kExtPrefix = "https://accel-attest.example/ear/";
inline constexpr const char* kExtSchema = "accel-attest/ear-extensions/v1";

struct VerifierIdentity {
  std::string developer = "https://accel-attest.example";
  std::string build;  // "accel-attest 0.1.0+<git revision>"
};

Json ear_claims(const PipelineResult& r, const VerifierIdentity& id, std::time_t iat, long ttl);

std::string ext(const char* name);  // kExtPrefix + name

// Findings as the extension maps carry them: [{code, severity, message, pointer}].
Json findings_json(const std::vector<Finding>& findings);

Status check_accel_attest_claims(const Json& claims, const std::string& origin);

}  // namespace aa::ear
