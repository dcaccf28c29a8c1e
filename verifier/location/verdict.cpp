#include "location/verdict.h"

namespace aa::location {

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
  v.verdict = any_allowed ? "in_allowed" : (any_excluding ? "not_in_restricted" : "indeterminate");
  return v;
}

}  // namespace aa::location
