// Geodesy for delay-based location: WGS84 geodesic distances (GeographicLib) and the distance
// bound a round-trip time proves.
//
// Contract: distance_km() is the WGS84 geodesic distance. bound_km() is
// v x max(0, RTT - t_proc_min) / 2 with v in km per ms: kSpeedOfLightKmPerMs for exclusion (no
// signal is faster), 2/3 of it only for estimates (fibre). Times are in milliseconds.
#pragma once

namespace aa::location {

struct LatLon {
  double lat = 0, lon = 0;  // degrees, WGS84
};

inline constexpr double kSpeedOfLightKmPerMs = 299.792458;  // c = 299,792.458 km/s
inline constexpr double kFibreKmPerMs = kSpeedOfLightKmPerMs * 2.0 / 3.0;

double distance_km(LatLon a, LatLon b);

inline double bound_km(double rtt_ms, double proc_min_ms, double km_per_ms) {
  double t = rtt_ms - proc_min_ms;
  return t > 0 ? km_per_ms * t / 2.0 : 0.0;
}

// The RTT under which a landmark at `distance` excludes a place, at speed km_per_ms.
inline double rtt_to_exclude_ms(double distance, double proc_min_ms, double km_per_ms) {
  return 2.0 * distance / km_per_ms + proc_min_ms;
}

}  // namespace aa::location
