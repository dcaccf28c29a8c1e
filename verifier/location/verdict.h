// What delay measurements prove about where a device is: one of in_allowed, not_in_restricted,
// indeterminate. Delay proves proximity to a landmark, never distance from one, so "in country
// X" is never concluded.
//
// Contract: decide() is a pure function of the caps (landmark position and radius, each radius
// computed at c), the boundaries and the country sets. A country "misses" a cap when the cap's
// centre is outside it and the lower bound of its boundary distance exceeds radius + margin
// (boundaries.h). Each cap alone is a sound bound, and so is the feasible region, the
// intersection of all the caps: the device is in every cap at once. Then:
//   in_allowed         some cap, or the region, touches an allowed country and misses every
//                      other country: the only land the device can be on is allowed (sea
//                      counts as nowhere)
//   not_in_restricted  some cap, or the region, misses every restricted country
//   indeterminate      otherwise
// The region (two or more caps) is tested by branch and bound over latitude/longitude cells
// covering the smallest cap: a cell is dropped when some cap cannot reach it (its centre's
// distance from the cap's centre, less the cell's circumradius, exceeds the radius) or when it
// is provably clear of the country (the boundary distance bound from its centre exceeds its
// circumradius + margin); otherwise it is split, down to cells of kMinCellKm, where a cell still
// undecided counts as touching. Past kMaxCells cells a country counts as touching too: the test
// only ever errs towards indeterminate. An empty region (caps that cannot all overlap: the
// appraisal's location.inconsistent) makes the verdict indeterminate: no one device answered
// every landmark, so no cap is relied on.
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

// A cell of the region: a latitude/longitude box (longitudes may run past +-180).
struct Cell {
  double lat0 = 0, lat1 = 0, lon0 = 0, lon1 = 0;
};

struct RegionOutcome {
  bool used = false;   // two or more caps
  bool empty = false;  // no point lies in every cap
  bool misses_restricted = false, inside_allowed = false;
  std::string touching_restricted, touching_other;  // as in CapOutcome
};

inline constexpr double kMinCellKm = 2.5;
inline constexpr long kMaxCells = 40000;

struct Verdict {
  std::string verdict;  // in_allowed | not_in_restricted | indeterminate
  std::vector<CapOutcome> caps;
  RegionOutcome region;
  double margin_km = 0;
};

// Cells that together cover the region (each about 1/64 of the smallest cap's extent, or
// larger where wholly inside every cap); none when the caps cannot all overlap.
std::vector<Cell> feasible_cells(const std::vector<Cap>& caps);

// Whether some point lies in every cap (false only when provably none does).
bool caps_overlap(const std::vector<Cap>& caps);

// What proves the device is not in country `code` (boundaries' margin included): "landmark ID"
// for a cap that misses it, "the intersection of the caps" when only the region (two or more
// caps) misses it, "" when nothing does (or the country has no boundary data). Sound in one
// direction only: "" never means the device is in `code`.
std::string excluded_by(const Boundaries& b, const std::vector<Cap>& caps, const std::string& code);

Verdict decide(const Boundaries& b, const std::vector<Cap>& caps,
               const std::set<std::string>& restricted, const std::set<std::string>& allowed);

}  // namespace aa::location
