// Country boundaries for location verdicts: Natural Earth admin-0 at 1:10m (world-atlas 2.0.2
// TopoJSON), shipped in firmware-profiles/geo/ with its licence and SHA-256.
//
// Contract: Boundaries::load() reads firmware-profiles/geo/boundaries.json (the manifest), checks
// the data file's SHA-256 against it (location.boundary-digest otherwise), decodes the TopoJSON
// (quantised, delta-encoded arcs; a negative arc index is the reversed arc) into rings, and maps
// each feature to an ISO 3166-1 alpha-2 code by its numeric id (or its name, for the few features
// without one). Hong Kong (HK) and Macau (MO) are their own features at this scale.
//   contains(code, p): p lies inside one of the country's polygons (even-odd rule on lon/lat).
//   lower_bound_km(code, p): a lower bound of the geodesic distance from p to the country's
//     boundary: over each edge AB, (d(p,A) + d(p,B) - d(A,B)) / 2 (triangle inequality), the
//     minimum over edges; rings and runs of edges whose bounding box (less half their longest
//     edge) is provably farther than `beyond` are skipped (the result is then only known to
//     exceed `beyond`).
//   nearest_vertex(code, p): the boundary vertex nearest p (a real point of the country's
//     boundary, so its distance is an upper bound).
// The manifest's margin_km (2 km at 1:10m) is what callers add for the data's error.
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "location/geo.h"

namespace aa::location {

// A run of a ring's edges, points [first, last], with its bounding box.
struct Box {
  size_t first = 0, last = 0;
  double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
  double max_edge_km = 0;  // an upper bound of the longest edge among the points it covers
};

struct Ring {
  std::vector<LatLon> points;  // closed: last == first
  double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
  double max_edge_km = 0;
  // Runs of kChunk edges with their boxes, so that a distance bound skips the parts of a long
  // ring that are provably far.
  static constexpr size_t kChunk = 32;
  std::vector<Box> chunks;
};

struct Polygon {
  std::vector<Ring> rings;  // [0] outer, then holes
};

struct Country {
  std::string code, name;
  std::vector<Polygon> polygons;
};

struct NearestPoint {
  std::string code;
  LatLon point;
  double km = std::numeric_limits<double>::infinity();
};

class Boundaries {
 public:
  static Result<Boundaries> load(const std::string& profiles_dir);

  const Country* find(const std::string& code) const;
  const std::vector<Country>& countries() const { return countries_; }
  bool contains(const std::string& code, LatLon p) const;
  // The country containing p, or "" (sea, or a place the data lacks).
  std::string country_at(LatLon p) const;
  double lower_bound_km(const std::string& code, LatLon p,
                        double beyond = std::numeric_limits<double>::infinity()) const;
  NearestPoint nearest_vertex(const std::string& code, LatLon p) const;

  const std::string& version() const { return version_; }
  const std::string& sha256() const { return sha256_; }
  double margin_km() const { return margin_km_; }

 private:
  std::vector<Country> countries_;
  std::map<std::string, size_t> index_;
  std::string version_, sha256_;
  double margin_km_ = 5;
};

}  // namespace aa::location
