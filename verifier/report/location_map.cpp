#include "report/location_map.h"

#include <GeographicLib/Geodesic.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/text.h"
#include "report/html_report.h"

namespace aa {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<location::LatLon> circle(const location::Cap& c) {
  std::vector<location::LatLon> pts;
  const auto& g = GeographicLib::Geodesic::WGS84();
  for (int i = 0; i < 72; ++i) {
    double lat = 0, lon = 0;
    g.Direct(c.centre.lat, c.centre.lon, i * 5.0, c.radius_km * 1000.0, lat, lon);
    pts.push_back({lat, lon});
  }
  return pts;
}

}  // namespace

std::string svg_map(const std::vector<location::Cap>& caps, const location::Boundaries& b,
                    const std::set<std::string>& restricted, const std::set<std::string>& allowed,
                    int width) {
  double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
  std::vector<std::vector<location::LatLon>> circles;
  for (const auto& c : caps) {
    circles.push_back(circle(c));
    for (const auto& p : circles.back()) {
      min_lat = std::min(min_lat, p.lat);
      max_lat = std::max(max_lat, p.lat);
      min_lon = std::min(min_lon, p.lon);
      max_lon = std::max(max_lon, p.lon);
    }
    min_lat = std::min(min_lat, c.centre.lat);
    max_lat = std::max(max_lat, c.centre.lat);
    min_lon = std::min(min_lon, c.centre.lon);
    max_lon = std::max(max_lon, c.centre.lon);
  }
  if (caps.empty()) return "";
  // Frame: the caps plus 30 %, at least 3 degrees, within the projection's sane range.
  double span = std::max({max_lat - min_lat, max_lon - min_lon, 3.0}) * 1.3;
  double mid_lat = (min_lat + max_lat) / 2, mid_lon = (min_lon + max_lon) / 2;
  double lat0 = std::max(-85.0, mid_lat - span / 2), lat1 = std::min(85.0, mid_lat + span / 2);
  double k = std::cos(mid_lat * kPi / 180.0);
  double lon_half = span / 2 / std::max(k, 0.2);
  double lon0 = std::max(-180.0, mid_lon - lon_half), lon1 = std::min(180.0, mid_lon + lon_half);
  const double sx = width / ((lon1 - lon0) * k);
  const int height = static_cast<int>((lat1 - lat0) * sx);
  // Outlines are clamped to a box well outside the frame, so the clamped edges are never seen.
  const double pad_lat = lat1 - lat0, pad_lon = lon1 - lon0;
  auto px = [&](location::LatLon p) {
    double lon = std::clamp(p.lon, lon0 - pad_lon, lon1 + pad_lon);
    double lat = std::clamp(p.lat, lat0 - pad_lat, lat1 + pad_lat);
    return std::pair<double, double>{(lon - lon0) * k * sx, (lat1 - lat) * sx};
  };
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"location-map\" viewBox=\"0 0 " << width
    << " " << height
    << "\" width=\"100%\" overflow=\"hidden\" role=\"img\" aria-label=\"landmarks and distance "
       "caps\">"
    << "<rect width=\"" << width << "\" height=\"" << height << "\" fill=\"#eef4fa\"/>";
  for (const auto& c : b.countries()) {
    std::string fill = restricted.count(c.code) ? "#f3c6c2"
                       : allowed.count(c.code)  ? "#cfe8d3"
                                                : "#f6f6f4";
    std::string d;
    for (const auto& poly : c.polygons) {
      for (const auto& ring : poly.rings) {
        if (ring.max_lat < lat0 || ring.min_lat > lat1 || ring.max_lon < lon0 ||
            ring.min_lon > lon1)
          continue;
        double lx = -10, ly = -10, last_lon = 0;
        bool first = true;
        for (const auto& p : ring.points) {
          auto [x, y] = px(p);
          // An edge across the antimeridian is not drawn across the map.
          const bool jump = !first && std::fabs(p.lon - last_lon) > 180;
          last_lon = p.lon;
          if (!first && !jump && std::fabs(x - lx) < 1 && std::fabs(y - ly) < 1) continue;
          d += (first || jump ? "M" : "L") + fixed(x, 1) + "," + fixed(y, 1);
          first = false;
          lx = x;
          ly = y;
        }
        d += "Z";
      }
    }
    if (!d.empty()) {
      o << "<path class=\"country\" data-code=\"" << html_escape(c.code) << "\" d=\"" << d
        << "\" fill=\"" << fill << "\" stroke=\"#8a8f98\" stroke-width=\"0.6\"><title>"
        << html_escape(c.name) << " (" << html_escape(c.code) << ")</title></path>";
    }
  }
  for (size_t i = 0; i < caps.size(); ++i) {
    std::string d;
    for (const auto& p : circles[i]) {
      auto [x, y] = px(p);
      d += (d.empty() ? "M" : "L") + fixed(x, 1) + "," + fixed(y, 1);
    }
    o << "<path class=\"cap\" d=\"" << d << "Z\" fill=\"#1f6feb\" fill-opacity=\"0.15\" "
      << "stroke=\"#1f6feb\" stroke-width=\"1.5\"><title>" << html_escape(caps[i].landmark)
      << ": within " << fixed(caps[i].radius_km, 1) << " km (at c)</title></path>";
  }
  // The feasible region: cells that may lie in every cap at once (location/verdict.h).
  if (caps.size() >= 2) {
    std::string d;
    for (const auto& cell : location::feasible_cells(caps)) {
      auto [x0, y0] = px({cell.lat1, cell.lon0});
      auto [x1, y1] = px({cell.lat0, cell.lon1});
      d += "M" + fixed(x0, 1) + "," + fixed(y0, 1) + "H" + fixed(x1, 1) + "V" + fixed(y1, 1) + "H" +
           fixed(x0, 1) + "Z";
    }
    if (!d.empty()) {
      o << "<path class=\"region\" d=\"" << d
        << "\" fill=\"#0b3d91\" fill-opacity=\"0.35\" stroke=\"none\"><title>feasible "
           "region: within every cap at once</title></path>";
    }
  }
  for (const auto& c : caps) {
    auto [x, y] = px(c.centre);
    o << "<circle class=\"landmark\" cx=\"" << fixed(x, 1) << "\" cy=\"" << fixed(y, 1)
      << "\" r=\"4\" fill=\"#0b3d91\"/><text x=\"" << fixed(x + 6, 1) << "\" y=\""
      << fixed(y - 6, 1) << "\" font-size=\"12\" fill=\"#0b3d91\">" << html_escape(c.landmark)
      << " (" << fixed(c.radius_km, 0) << " km)</text>";
  }
  o << "</svg>";
  return o.str();
}

}  // namespace aa
