// The signed location attestation: one JWT per host, made with the result signing key
// (results/jose.h), EAR-shaped so that `verify-token` and any JOSE library check it.
//
// Contract: location_claims() is a pure function of the per-device results. Claims:
// eat_profile kProfileLocation, integer iat/exp, ear_verifier_id, ear_status (worst device), and
// per device a submod whose ear_status is affirming for in_allowed / not_in_restricted, warning
// for indeterminate or a warning finding (location.nonce-unchecked), contraindicated when a
// finding fails (identity-unbound, site-contradicted...), with trust
// vector {"sourced-data": 2 | 32 | 96}, and the extension map
// "https://accel-attest.example/ear/location": the verdict, the device identity it is bound to,
// per landmark its ID, position, RTTs, minimum RTT and radii, per cap and for the caps'
// intersection (`region`, region_json()) what they miss or reach, `site_contradicted` (the
// diversion signal: the caps put the device outside its declared site), the speed assumed (c,
// km/ms) and the margin, the boundary data version and SHA-256, and the findings.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "location/appraise.h"
#include "results/ear.h"

namespace aa::location {

inline constexpr const char* kProfileLocation = "tag:accel-attest.example,2026:location#1";

// The feasible region's outcome: empty, misses_restricted, inside_allowed and the countries
// that block them; null when it was not used (fewer than two caps).
Json region_json(const RegionOutcome& r);

Json location_claims(const std::vector<LocationResult>& devices, const Boundaries& b,
                     const std::string& host, const ear::VerifierIdentity& id, std::time_t iat,
                     long ttl);

// What verify-token adds for this profile: every submod has the location extension with a
// verdict of the three names, the boundary digest and the landmarks.
Status check_location_claims(const Json& claims, const std::string& origin);

}  // namespace aa::location
