#include "results/token.h"

#include <algorithm>

#include "location/attestation.h"
#include "results/ear_writer.h"

namespace aa::ear {

Result<VerifiedToken> verify_result_token(std::string_view token, const jose::Jwks& keys,
                                          const std::string& origin, const TokenPolicy& policy) {
  AA_TRY(v, jose::verify_compact(token, keys, origin));
  AA_TRY(claims, read_ear(v.payload, origin, policy.read));
  if (!policy.profiles.empty()) {
    auto pinned = [&](const std::string& p) {
      return std::find(policy.profiles.begin(), policy.profiles.end(), p) != policy.profiles.end();
    };
    // The token's profile, or the one profile every appraisal names.
    const std::string each = appraisal_profile(claims);
    if (!pinned(claims.profile) && (each.empty() || !pinned(each))) {
      return make_error("ear.unexpected-profile", origin + "#/eat_profile",
                        "profile " + claims.profile +
                            (each.empty() ? std::string() : " (appraisals: " + each + ")") +
                            " is not one of those pinned by --profile");
    }
  }
  if (is_ours(v.payload)) AA_CHECK(check_accel_attest_claims(v.payload, origin));
  if (claims.profile == location::kProfileLocation) {
    AA_CHECK(location::check_location_claims(v.payload, origin));
  }
  if (policy.require) AA_CHECK(meets(claims, *policy.require, origin));
  const jose::Jwk* key = keys.find(v.kid);
  if (!key) return make_error("jose.unknown-key", origin, "no key \"" + v.kid + "\" in the JWKS");
  VerifiedToken out;
  out.thumbprint = jose::thumbprint(key->key.get());
  out.jwk = jose::public_jwk(key->key.get(), key->kid);
  out.jws = std::move(v);
  out.claims = std::move(claims);
  return out;
}

std::string appraisal_profile(const Claims& c) {
  std::string p;
  for (const auto& a : c.submods) {
    if (!a.profile || (!p.empty() && *a.profile != p)) return "";
    p = *a.profile;
  }
  return p;
}

std::string profile_summary(const Claims& c) {
  if (c.profile == kProfileAccelAttestV1) {
    return c.profile + " (accel-attest's profile before draft-03; still accepted)";
  }
  const std::string each = appraisal_profile(c);
  return each.empty() ? c.profile : c.profile + " (appraisals " + each + ")";
}

std::string shell_word(std::string_view s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '.' || c == '_' || c == '-' || c == ':' || c == '=' || c == '+' || c == ',' ||
           c == '@';
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace aa::ear
