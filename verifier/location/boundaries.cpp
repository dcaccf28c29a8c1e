#include "location/boundaries.h"

#include <GeographicLib/Geodesic.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/json.h"
#include "core/text.h"
#include "crypto/digest.h"

namespace aa::location {

double distance_km(LatLon a, LatLon b) {
  double s12 = 0;
  GeographicLib::Geodesic::WGS84().Inverse(a.lat, a.lon, b.lat, b.lon, s12);
  return s12 / 1000.0;
}

namespace {

constexpr double kMinKmPerDegLat = 110.574;  // a degree of latitude is never shorter (WGS84)
constexpr double kPi = 3.14159265358979323846;

// An upper bound of the geodesic length of a boundary edge, cheaply: the great-circle distance
// on a sphere of the equatorial radius, plus 1% (WGS84 geodesics are never that much longer).
double edge_upper_km(LatLon a, LatLon b) {
  const double r = kPi / 180.0;
  const double dlat = (b.lat - a.lat) * r, dlon = (b.lon - a.lon) * r;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(a.lat * r) * std::cos(b.lat * r) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6378.137 * std::asin(std::min(1.0, std::sqrt(h))) * 1.01;
}

// A lower bound of the distance from p to any point of a bounding box (a Ring or a Box).
template <typename B>
double box_lower_bound_km(const B& r, LatLon p) {
  double dlat = 0;
  if (p.lat < r.min_lat) dlat = r.min_lat - p.lat;
  if (p.lat > r.max_lat) dlat = p.lat - r.max_lat;
  double dlon = 0;
  if (p.lon < r.min_lon) dlon = r.min_lon - p.lon;
  if (p.lon > r.max_lon) dlon = p.lon - r.max_lon;
  dlon = std::min(dlon, 360.0 - dlon);
  // A degree of longitude is shortest at the highest latitude the box or p reaches.
  double max_abs_lat = std::max({std::fabs(r.min_lat), std::fabs(r.max_lat), std::fabs(p.lat)});
  double lon_km = dlon * 111.0 * std::cos(std::min(max_abs_lat, 90.0) * kPi / 180.0) * 0.99;
  return std::max(dlat * kMinKmPerDegLat, lon_km);
}

bool ring_contains(const Ring& r, LatLon p) {
  if (r.points.size() < 4 || p.lat < r.min_lat || p.lat > r.max_lat || p.lon < r.min_lon ||
      p.lon > r.max_lon)
    return false;
  bool in = false;
  const auto& v = r.points;
  for (size_t i = 0, j = v.size() - 1; i < v.size(); j = i++) {
    if ((v[i].lat > p.lat) != (v[j].lat > p.lat) &&
        p.lon < (v[j].lon - v[i].lon) * (p.lat - v[i].lat) / (v[j].lat - v[i].lat) + v[i].lon) {
      in = !in;
    }
  }
  return in;
}

Result<std::vector<std::vector<LatLon>>> decode_arcs(const JsonAt& topo) {
  AA_TRY(tf, topo.field("transform"));
  AA_TRY(scale, tf.field("scale"));
  AA_TRY(translate, tf.field("translate"));
  const double sx = scale.json().at(0).get<double>(), sy = scale.json().at(1).get<double>();
  const double tx = translate.json().at(0).get<double>(), ty = translate.json().at(1).get<double>();
  AA_TRY(arcs, topo.field("arcs"));
  AA_TRY(arr, arcs.array());
  std::vector<std::vector<LatLon>> out;
  out.reserve(arr.json().size());
  for (const auto& arc : arr.json()) {
    std::vector<LatLon> pts;
    long x = 0, y = 0;
    for (const auto& d : arc) {
      if (!d.is_array() || d.size() < 2 || !d[0].is_number_integer() || !d[1].is_number_integer()) {
        return make_error("location.bad-boundaries", arcs.where(),
                          "an arc position is not [dx, dy]");
      }
      x += d[0].get<long>();
      y += d[1].get<long>();
      pts.push_back({static_cast<double>(y) * sy + ty, static_cast<double>(x) * sx + tx});
    }
    out.push_back(std::move(pts));
  }
  return out;
}

Result<Ring> make_ring(const Json& indices, const std::vector<std::vector<LatLon>>& arcs,
                       const std::string& where) {
  Ring r;
  for (const auto& idx : indices) {
    if (!idx.is_number_integer()) return make_error("location.bad-boundaries", where, "arc index");
    long i = idx.get<long>();
    const bool reversed = i < 0;
    size_t k = static_cast<size_t>(reversed ? ~i : i);
    if (k >= arcs.size())
      return make_error("location.bad-boundaries", where, "arc index out of range");
    std::vector<LatLon> a = arcs[k];
    if (reversed) std::reverse(a.begin(), a.end());
    for (size_t j = r.points.empty() ? 0 : 1; j < a.size(); ++j) r.points.push_back(a[j]);
  }
  // Islands smaller than the quantisation collapse to fewer than 4 points: kept, for distances.
  if (r.points.empty()) return make_error("location.bad-boundaries", where, "an empty ring");
  for (size_t start = 0; start < r.points.size(); start += Ring::kChunk) {
    Box b;
    b.first = start;
    b.last = std::min(start + Ring::kChunk, r.points.size() - 1);
    for (size_t i = b.first; i <= b.last; ++i) {
      const LatLon& p = r.points[i];
      b.min_lat = std::min(b.min_lat, p.lat);
      b.max_lat = std::max(b.max_lat, p.lat);
      b.min_lon = std::min(b.min_lon, p.lon);
      b.max_lon = std::max(b.max_lon, p.lon);
      if (i > start) b.max_edge_km = std::max(b.max_edge_km, edge_upper_km(r.points[i - 1], p));
    }
    r.min_lat = std::min(r.min_lat, b.min_lat);
    r.max_lat = std::max(r.max_lat, b.max_lat);
    r.min_lon = std::min(r.min_lon, b.min_lon);
    r.max_lon = std::max(r.max_lon, b.max_lon);
    r.max_edge_km = std::max(r.max_edge_km, b.max_edge_km);
    r.chunks.push_back(b);
    if (b.last + 1 >= r.points.size()) break;
  }
  return r;
}

}  // namespace

Result<Boundaries> Boundaries::load(const std::string& profiles_dir) {
  namespace fs = std::filesystem;
  const std::string dir = (fs::path(profiles_dir) / "geo").string();
  const std::string mpath = dir + "/boundaries.json";
  AA_TRY(mtext, read_file(mpath, 1u << 20));
  AA_TRY(mdoc, parse_json_strict(mtext, mpath));
  JsonAt m(mdoc, mpath);
  AA_TRY(file_s, m.string_field("file"));
  if (file_s.find('/') != std::string::npos) {
    return make_error("location.bad-boundaries", m.child("file").where(),
                      "a file name, not a path");
  }
  AA_TRY(sha_s, m.string_field("sha256"));
  AA_TRY(ver_s, m.string_field("version"));
  AA_TRY(margin_v, m.number_field("margin_km"));
  const std::string dpath = dir + "/" + file_s;
  AA_TRY(data, read_file(dpath, 16u << 20));
  Boundaries b;
  b.sha256_ = sha256_hex(data);
  if (b.sha256_ != sha_s) {
    return make_error("location.boundary-digest", dpath,
                      "SHA-256 " + b.sha256_ + " is not the manifest's " + sha_s);
  }
  b.version_ = ver_s;
  b.margin_km_ = margin_v;
  JsonLimits lim;
  lim.max_bytes = 16u << 20;
  lim.max_depth = 16;
  lim.max_values = 8u << 20;  // the 1:10m atlas has 1.5 million; the file is pinned by SHA-256
  AA_TRY(doc, parse_json_strict(data, dpath, lim));
  JsonAt topo(doc, dpath);
  AA_TRY(arcs, decode_arcs(topo));
  AA_TRY(codes, m.field("iso_numeric_to_alpha2"));
  AA_TRY(names, m.field("alpha2_by_name"));
  const Json& geoms = doc.at("objects").at("countries").at("geometries");
  for (size_t gi = 0; gi < geoms.size(); ++gi) {
    const Json& g = geoms[gi];
    const std::string where = dpath + "#/objects/countries/geometries/" + std::to_string(gi);
    std::string name = g.at("properties").value("name", "");
    std::string code;
    if (g.contains("id") && codes.json().contains(g["id"].get<std::string>())) {
      code = codes.json()[g["id"].get<std::string>()].get<std::string>();
    } else if (names.json().contains(name)) {
      code = names.json()[name].get<std::string>();
    } else {
      return make_error("location.bad-boundaries", where, "no ISO code for " + printable(name));
    }
    auto [it, fresh] = b.index_.emplace(code, b.countries_.size());
    if (fresh) b.countries_.push_back(Country{code, name, {}});
    Country& c = b.countries_[it->second];
    const std::string type = g.at("type").get<std::string>();
    std::vector<const Json*> polys;
    if (type == "Polygon") {
      polys.push_back(&g.at("arcs"));
    } else if (type == "MultiPolygon") {
      for (const auto& p : g.at("arcs")) polys.push_back(&p);
    } else {
      return make_error("location.bad-boundaries", where, "geometry type " + printable(type));
    }
    for (const Json* pj : polys) {
      Polygon poly;
      for (const auto& ring : *pj) {
        AA_TRY(r, make_ring(ring, arcs, where));
        poly.rings.push_back(std::move(r));
      }
      c.polygons.push_back(std::move(poly));
    }
  }
  return b;
}

const Country* Boundaries::find(const std::string& code) const {
  auto it = index_.find(code);
  return it == index_.end() ? nullptr : &countries_[it->second];
}

bool Boundaries::contains(const std::string& code, LatLon p) const {
  const Country* c = find(code);
  if (!c) return false;
  for (const auto& poly : c->polygons) {
    if (!ring_contains(poly.rings[0], p)) continue;
    bool in_hole = false;
    for (size_t h = 1; h < poly.rings.size() && !in_hole; ++h)
      in_hole = ring_contains(poly.rings[h], p);
    if (!in_hole) return true;
  }
  return false;
}

std::string Boundaries::country_at(LatLon p) const {
  for (const auto& c : countries_)
    if (contains(c.code, p)) return c.code;
  return "";
}

double Boundaries::lower_bound_km(const std::string& code, LatLon p, double beyond) const {
  const Country* c = find(code);
  double best = std::numeric_limits<double>::infinity();
  if (!c) return best;
  // An edge AB whose ends both lie in a box at least L from p gives (d(p,A) + d(p,B) - |AB|) / 2
  // >= L - |AB| / 2: a box is skipped when that already exceeds what is sought.
  for (const auto& poly : c->polygons) {
    for (const auto& ring : poly.rings) {
      if (box_lower_bound_km(ring, p) - ring.max_edge_km / 2 > std::min(beyond, best)) continue;
      for (const Box& box : ring.chunks) {
        if (box_lower_bound_km(box, p) - box.max_edge_km / 2 > std::min(beyond, best)) continue;
        double da = distance_km(p, ring.points[box.first]);
        for (size_t i = box.first + 1; i <= box.last; ++i) {
          double db = distance_km(p, ring.points[i]);
          double len = distance_km(ring.points[i - 1], ring.points[i]);
          best = std::min(best, std::max(0.0, (da + db - len) / 2.0));
          da = db;
        }
      }
    }
  }
  return best;
}

NearestPoint Boundaries::nearest_vertex(const std::string& code, LatLon p) const {
  NearestPoint n;
  n.code = code;
  const Country* c = find(code);
  if (!c) return n;
  for (const auto& poly : c->polygons) {
    for (const auto& ring : poly.rings) {
      if (box_lower_bound_km(ring, p) > n.km) continue;
      for (const auto& q : ring.points) {
        double d = distance_km(p, q);
        if (d < n.km) {
          n.km = d;
          n.point = q;
        }
      }
    }
  }
  return n;
}

}  // namespace aa::location
