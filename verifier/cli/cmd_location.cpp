// accel-attest location: what delay measurements prove about where a device is.
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "core/json.h"
#include "core/text.h"
#include "location/boundaries.h"
#include "location/verdict.h"
#include "policy/export_policy.h"

namespace aa::cli {

namespace {

struct BoundOptions {
  std::string landmark;
  double rtt_ms = -1, proc_ms = 0;
  std::vector<std::string> restricted, allowed;
  bool json = false;
};

Result<location::LatLon> parse_lat_lon(const std::string& s, const std::string& field) {
  size_t comma = s.find(',');
  char* end = nullptr;
  location::LatLon p;
  if (comma != std::string::npos) {
    std::string a = s.substr(0, comma), b = s.substr(comma + 1);
    p.lat = std::strtod(a.c_str(), &end);
    bool ok = !a.empty() && *end == '\0';
    p.lon = std::strtod(b.c_str(), &end);
    ok = ok && !b.empty() && *end == '\0';
    if (ok && p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180) return p;
  }
  return make_error("input.bad-value", field, "expected LAT,LON in degrees, got " + printable(s));
}

Result<std::set<std::string>> country_set(const std::vector<std::string>& given,
                                          const location::Boundaries& b, const char* option) {
  std::set<std::string> out;
  for (const auto& c : given) {
    if (!b.find(c)) {
      return make_error("input.bad-value", option,
                        printable(c) + " is not an ISO 3166-1 alpha-2 code with boundary data");
    }
    out.insert(c);
  }
  return out;
}

// The policy's restricted locations as ISO codes (China with HK and Macau, and D:5).
Result<std::set<std::string>> default_restricted(Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return make_error("input.bad-value", "registry", "the registry did not load");
  AA_TRY(policy, load_export_policy(ctx.profiles() + "/policy/export-policy.json", *reg));
  return policy.restricted_locations.members(reg->country_groups());
}

std::string km(double v) {
  return std::isfinite(v) ? fixed(v, 1) : std::string("inf");
}

int run_bound(const BoundOptions& o, Context& ctx) {
  auto p = parse_lat_lon(o.landmark, "--landmark");
  if (!p) return fail(p.error());
  if (o.rtt_ms < 0 || o.proc_ms < 0) {
    return fail(make_error("input.bad-value", "--rtt-ms", "times are non-negative milliseconds"));
  }
  auto b = location::Boundaries::load(ctx.profiles());
  if (!b) return fail(b.error());
  std::set<std::string> restricted;
  if (o.restricted.empty()) {
    auto r = default_restricted(ctx);
    if (!r) return fail(r.error());
    restricted = *r;
  } else {
    auto r = country_set(o.restricted, *b, "--restricted");
    if (!r) return fail(r.error());
    restricted = *r;
  }
  auto allowed = country_set(o.allowed, *b, "--allowed");
  if (!allowed) return fail(allowed.error());
  const double r_c = location::bound_km(o.rtt_ms, o.proc_ms, location::kSpeedOfLightKmPerMs);
  const double r_f = location::bound_km(o.rtt_ms, o.proc_ms, location::kFibreKmPerMs);
  location::Verdict v = location::decide(*b, {{"landmark", *p, r_c}}, restricted, *allowed);
  const auto& c = v.caps[0];
  const double exclude_ms = location::rtt_to_exclude_ms(std::max(0.0, c.restricted_lower_bound_km),
                                                        o.proc_ms, location::kSpeedOfLightKmPerMs);
  if (o.json) {
    Json j = {{"landmark", {{"lat", p->lat}, {"lon", p->lon}, {"country", c.centre_country}}},
              {"rtt_ms", o.rtt_ms},
              {"proc_min_ms", o.proc_ms},
              {"radius_km_at_c", r_c},
              {"radius_km_at_two_thirds_c", r_f},
              {"margin_km", v.margin_km},
              {"nearest_restricted",
               {{"country", c.nearest_restricted.code},
                {"lat", c.nearest_restricted.point.lat},
                {"lon", c.nearest_restricted.point.lon},
                {"km", c.nearest_restricted.km}}},
              {"restricted_distance_lower_bound_km", c.restricted_lower_bound_km},
              {"rtt_to_exclude_restricted_ms", exclude_ms},
              {"touching_restricted", c.touching_restricted},
              {"touching_other", c.touching_other},
              {"verdict", v.verdict},
              {"boundaries", {{"version", b->version()}, {"sha256", b->sha256()}}}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "landmark " << fixed(p->lat, 4) << "," << fixed(p->lon, 4) << " ("
              << (c.centre_country.empty() ? "at sea" : c.centre_country) << "), RTT " << o.rtt_ms
              << " ms, minimum processing " << o.proc_ms << " ms\n"
              << "  radius at c:      " << km(r_c) << " km (bound used for verdicts)\n"
              << "  radius at 2/3 c:  " << km(r_f) << " km (estimate only)\n"
              << "  nearest restricted point: " << c.nearest_restricted.code << " at "
              << fixed(c.nearest_restricted.point.lat, 4) << ","
              << fixed(c.nearest_restricted.point.lon, 4) << ", " << km(c.nearest_restricted.km)
              << " km (boundary distance >= " << km(c.restricted_lower_bound_km) << " km after the "
              << km(v.margin_km) << " km data margin)\n"
              << (c.restricted_lower_bound_km > 0
                      ? "  an RTT under " + fixed(exclude_ms, 2) +
                            " ms from here would exclude every restricted country\n"
                      : std::string("  no RTT from here can exclude the restricted countries: "
                                    "they are within the data margin\n"));
    if (!c.touching_restricted.empty())
      std::cout << "  the cap may reach restricted " << c.touching_restricted << "\n";
    if (!allowed->empty() && !c.touching_other.empty())
      std::cout << "  the cap may reach " << c.touching_other << ", which is not allowed\n";
    std::cout << "verdict: " << v.verdict << "  (boundaries " << b->version() << ", sha256 "
              << b->sha256() << ")\n";
  }
  return v.verdict == "indeterminate" ? 1 : 0;
}

}  // namespace

void add_location(CLI::App& app, Context& ctx) {
  CLI::App* loc = app.add_subcommand("location", "delay-based location of devices");
  loc->require_subcommand(1);
  auto o = std::make_shared<BoundOptions>();
  CLI::App* bound = loc->add_subcommand(
      "bound",
      "What one measurement proves: the radius a round-trip time allows (at c, and at 2/3 c for "
      "estimates), the nearest restricted point, and the verdict (in_allowed, not_in_restricted, "
      "indeterminate). Exit 0: a verdict other than indeterminate; 1: indeterminate; 2: bad "
      "input.");
  bound->add_option("--landmark", o->landmark, "landmark position LAT,LON (degrees)")->required();
  bound->add_option("--rtt-ms", o->rtt_ms, "minimum round-trip time, milliseconds")->required();
  bound->add_option("--proc-ms", o->proc_ms,
                    "minimum processing time of the device, milliseconds (never more than a "
                    "measured minimum; default 0)");
  bound
      ->add_option("--restricted", o->restricted,
                   "restricted countries, ISO 3166-1 alpha-2 (default: the export policy's: "
                   "China, Hong Kong, Macau and D:5)")
      ->delimiter(',');
  bound->add_option("--allowed", o->allowed, "countries the licence allows")->delimiter(',');
  bound->add_flag("--json", o->json, "print JSON");
  bound->callback([o, &ctx] { ctx.exit_code = run_bound(*o, ctx); });
}

}  // namespace aa::cli
