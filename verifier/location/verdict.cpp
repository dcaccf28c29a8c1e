#include "location/verdict.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace aa::location {

namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

double norm_lon(double lon) {
  while (lon >= 180) lon -= 360;
  while (lon < -180) lon += 360;
  return lon;
}

LatLon centre_of(const Cell& c) {
  return {(c.lat0 + c.lat1) / 2, norm_lon((c.lon0 + c.lon1) / 2)};
}

// A radius around the cell's centre that holds the whole cell. The farthest point of a cell
// (less than 60 degrees across, so it cannot hold p's antipode) lies on its edges; each edge is
// sampled at 9 points, and a point between samples is no farther than the nearer sample plus
// its distance along the edge (distance is 1-Lipschitz), at most half a step: 1/16 of the
// cell's extent at the longest degree (111.7 km). Larger cells get no radius (infinity), so
// they are only ever split.
double circumradius_km(const Cell& c, LatLon p) {
  if (c.lat1 - c.lat0 > 60 || c.lon1 - c.lon0 > 60) return std::numeric_limits<double>::infinity();
  constexpr int kSteps = 8;
  double r = 0;
  for (int i = 0; i <= kSteps; ++i) {
    const double lat = c.lat0 + (c.lat1 - c.lat0) * i / kSteps;
    const double lon = c.lon0 + (c.lon1 - c.lon0) * i / kSteps;
    for (LatLon q :
         {LatLon{lat, c.lon0}, LatLon{lat, c.lon1}, LatLon{c.lat0, lon}, LatLon{c.lat1, lon}})
      r = std::max(r, distance_km(p, {q.lat, norm_lon(q.lon)}));
  }
  constexpr double kMaxKmPerDeg = 111.7;
  return r + std::max(c.lat1 - c.lat0, c.lon1 - c.lon0) / (2 * kSteps) * kMaxKmPerDeg + 0.01;
}

// A cell covering the cap: its latitudes by the shortest degree of latitude, its longitudes by
// the spherical cap's extent with the radius raised 1% (the whole circle when it reaches a pole).
Cell covering(const Cap& cap) {
  constexpr double kMinKmPerDegLat = 110.574;
  const double dlat = cap.radius_km / kMinKmPerDegLat + 0.01;
  Cell c{std::max(-90.0, cap.centre.lat - dlat), std::min(90.0, cap.centre.lat + dlat), -180, 180};
  const double arg = std::sin(std::min(cap.radius_km * 1.01 / 6371.0, 3.14159 / 2)) /
                     std::cos(cap.centre.lat * kDeg);
  if (c.lat0 > -89.9 && c.lat1 < 89.9 && arg < 1) {
    const double dlon = std::asin(arg) / kDeg + 0.05;
    c.lon0 = cap.centre.lon - dlon;
    c.lon1 = cap.centre.lon + dlon;
  }
  return c;
}

enum class Fit { kOut, kPartial, kIn };

Fit fit(const std::vector<Cap>& caps, LatLon p, double rho) {
  Fit f = Fit::kIn;
  for (const auto& cap : caps) {
    const double d = distance_km(p, cap.centre);
    if (d - rho > cap.radius_km) return Fit::kOut;
    if (d + rho > cap.radius_km) f = Fit::kPartial;
  }
  return f;
}

void split(const Cell& c, std::vector<Cell>& out) {
  const double lm = (c.lat0 + c.lat1) / 2, om = (c.lon0 + c.lon1) / 2;
  out.push_back({c.lat0, lm, c.lon0, om});
  out.push_back({c.lat0, lm, om, c.lon1});
  out.push_back({lm, c.lat1, c.lon0, om});
  out.push_back({lm, c.lat1, om, c.lon1});
}

// A cell covering the smallest cap, which covers the region.
Cell root_cell(const std::vector<Cap>& caps) {
  const Cap* smallest = &caps.front();
  for (const auto& cap : caps)
    if (cap.radius_km < smallest->radius_km) smallest = &cap;
  return covering(*smallest);
}

// Visits cells that together cover the region: those wholly inside every cap, and those partly
// inside down to 1/64 of the root's latitude extent; stops early when `visit` returns false.
template <typename Visit>
void cover(const std::vector<Cap>& caps, Visit visit) {
  const Cell root = root_cell(caps);
  std::vector<Cell> stack{root};
  const double min_extent = (root.lat1 - root.lat0) / 64;
  while (!stack.empty()) {
    const Cell c = stack.back();
    stack.pop_back();
    const LatLon p = centre_of(c);
    const Fit f = fit(caps, p, circumradius_km(c, p));
    if (f == Fit::kOut) continue;
    if (f == Fit::kIn || c.lat1 - c.lat0 <= min_extent) {
      if (!visit(c)) return;
    } else {
      split(c, stack);
    }
  }
}

class Region {
 public:
  Region(const Boundaries& b, const std::vector<Cap>& caps)
      : b_(b), caps_(caps), root_(root_cell(caps)) {}

  // Whether some point of every cap may lie within the margin of `code`.
  bool may_touch(const std::string& code) const {
    if (!b_.find(code)) return false;
    std::vector<Cell> stack{root_};
    long budget = kMaxCells;
    while (!stack.empty()) {
      const Cell c = stack.back();
      stack.pop_back();
      const LatLon p = centre_of(c);
      const double rho = circumradius_km(c, p);
      const Fit f = fit(caps_, p, rho);
      if (f == Fit::kOut) continue;
      if (--budget < 0) return true;
      const bool inside = b_.contains(code, p);
      if (inside && f == Fit::kIn) return true;
      if (!inside) {
        const double reach = rho + b_.margin_km();
        if (b_.lower_bound_km(code, p, reach) > reach) continue;
      }
      if (rho <= kMinCellKm) return true;
      split(c, stack);
    }
    return false;
  }

 private:
  const Boundaries& b_;
  const std::vector<Cap>& caps_;
  Cell root_;
};

RegionOutcome decide_region(const Boundaries& b, const std::vector<Cap>& caps,
                            const std::set<std::string>& restricted,
                            const std::set<std::string>& allowed) {
  RegionOutcome o;
  o.used = true;
  // The covering cells over-approximate the region; with none, no point is in every cap.
  o.empty = !caps_overlap(caps);
  if (o.empty) return o;
  Region region(b, caps);
  o.misses_restricted = true;
  for (const auto& code : restricted) {
    if (region.may_touch(code)) {
      o.misses_restricted = false;
      o.touching_restricted = code;
      break;
    }
  }
  if (!allowed.empty()) {
    bool touches = std::any_of(allowed.begin(), allowed.end(),
                               [&](const std::string& code) { return region.may_touch(code); });
    o.inside_allowed = touches;
    for (const auto& c : b.countries()) {
      if (!o.inside_allowed) break;
      if (allowed.count(c.code)) continue;
      if (region.may_touch(c.code)) {
        o.inside_allowed = false;
        o.touching_other = c.code;
      }
    }
  }
  return o;
}

}  // namespace

std::vector<Cell> feasible_cells(const std::vector<Cap>& caps) {
  std::vector<Cell> out;
  if (!caps.empty())
    cover(caps, [&](const Cell& c) {
      out.push_back(c);
      return true;
    });
  return out;
}

bool caps_overlap(const std::vector<Cap>& caps) {
  bool any = false;
  if (!caps.empty())
    cover(caps, [&](const Cell&) {
      any = true;
      return false;  // one cell is enough
    });
  return any;
}

std::string excluded_by(const Boundaries& b, const std::vector<Cap>& caps,
                        const std::string& code) {
  if (!b.find(code)) return "";
  for (const auto& cap : caps) {
    const double reach = cap.radius_km + b.margin_km();
    if (!b.contains(code, cap.centre) && b.lower_bound_km(code, cap.centre, reach) > reach)
      return "landmark " + cap.landmark;
  }
  if (caps.size() >= 2 && caps_overlap(caps) && !Region(b, caps).may_touch(code))
    return "the intersection of the caps";
  return "";
}

Verdict decide(const Boundaries& b, const std::vector<Cap>& caps,
               const std::set<std::string>& restricted, const std::set<std::string>& allowed) {
  Verdict v;
  v.margin_km = b.margin_km();
  bool any_allowed = false, any_excluding = false;
  for (const auto& cap : caps) {
    CapOutcome o;
    o.cap = cap;
    o.centre_country = b.country_at(cap.centre);
    const double reach = cap.radius_km + b.margin_km();
    auto misses = [&](const std::string& code) {
      return !b.contains(code, cap.centre) && b.lower_bound_km(code, cap.centre, reach) > reach;
    };
    // Restricted: the nearest vertex for the report, then the sound test.
    o.misses_restricted = true;
    o.restricted_lower_bound_km = std::numeric_limits<double>::infinity();
    for (const auto& code : restricted) {
      if (!b.find(code)) continue;
      NearestPoint n = b.nearest_vertex(code, cap.centre);
      if (n.km < o.nearest_restricted.km) o.nearest_restricted = n;
      // One full boundary pass per country: the bound is reported and decides the miss.
      const bool inside = b.contains(code, cap.centre);
      const double lb = inside ? 0.0 : b.lower_bound_km(code, cap.centre);
      o.restricted_lower_bound_km = std::min(o.restricted_lower_bound_km, lb - b.margin_km());
      if (o.misses_restricted && (inside || lb <= reach)) {
        o.misses_restricted = false;
        o.touching_restricted = code;
      }
    }
    if (!allowed.empty()) {
      bool touches = false;
      for (const auto& code : allowed) {
        touches = touches || b.contains(code, cap.centre) ||
                  b.lower_bound_km(code, cap.centre, reach) <= reach;
      }
      bool others_missed = touches;
      for (const auto& c : b.countries()) {
        if (!others_missed) break;
        if (allowed.count(c.code)) continue;
        if (!misses(c.code)) {
          others_missed = false;
          o.touching_other = c.code;
        }
      }
      o.inside_allowed = others_missed;
    }
    any_allowed = any_allowed || o.inside_allowed;
    any_excluding = any_excluding || o.misses_restricted;
    v.caps.push_back(std::move(o));
  }
  // The region can only strengthen the verdict; it is reported whenever there are two caps.
  if (caps.size() >= 2) {
    v.region = decide_region(b, caps, restricted, allowed);
    if (!v.region.empty) {
      any_allowed = any_allowed || v.region.inside_allowed;
      any_excluding = any_excluding || v.region.misses_restricted;
    }
  }
  v.verdict = any_allowed ? "in_allowed" : (any_excluding ? "not_in_restricted" : "indeterminate");
  // Caps that share no point cannot all hold: some measurement is false, so none is relied on.
  if (caps.size() >= 2 && v.region.empty) v.verdict = "indeterminate";
  return v;
}

}  // namespace aa::location
