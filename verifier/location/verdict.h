// What delay measurements prove about where a device is: one of in_allowed, not_in_restricted,
// indeterminate. Delay proves proximity to a landmark, never distance from one, so "in country
// X" is never concluded.
//
// Contract: decide() is a pure function of the caps (landmark position and radius, each radius
// computed at c), the boundaries and the country sets. A country "misses" a cap when the cap's
// centre is outside it and the lower bound of its boundary distance exceeds radius + margin
// (boundaries.h). Then, over the caps (each one alone is a sound bound; their intersection is
// not used to strengthen the verdict):
//   in_allowed         some cap touches an allowed country and misses every other country:
//                      the only land the device can be on is allowed (sea counts as nowhere)
//   not_in_restricted  some cap misses every restricted country
//   indeterminate      otherwise
// With every cap also: the nearest restricted point (a boundary vertex) and its distance, the
// RTT that would have excluded it, and which country blocks each verdict.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "location/boundaries.h"

namespace aa::location {

struct Cap {
  std::string landmark;  // landmark ID
  LatLon centre;
  double radius_km = 0;  // at c
};

struct CapOutcome {
  Cap cap;
  std::string centre_country;  // "" at sea
  NearestPoint nearest_restricted;
  double restricted_lower_bound_km = 0;  // with the margin subtracted
  bool misses_restricted = false, inside_allowed = false;
  std::string touching_restricted;  // a restricted country the cap may reach ("" when none)
  std::string touching_other;       // a non-allowed country the cap may reach ("" when none)
};

struct Verdict {
  std::string verdict;  // in_allowed | not_in_restricted | indeterminate
  std::vector<CapOutcome> caps;
  double margin_km = 0;
};

Verdict decide(const Boundaries& b, const std::vector<Cap>& caps,
               const std::set<std::string>& restricted, const std::set<std::string>& allowed);

}  // namespace aa::location
