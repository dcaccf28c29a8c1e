#include "location/landmarks.h"

#include <filesystem>

#include "core/json.h"
#include "core/text.h"

namespace aa::location {

Result<std::map<std::string, TrustedLandmark>> load_landmarks(const std::string& dir) {
  namespace fs = std::filesystem;
  std::map<std::string, TrustedLandmark> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error("input.missing-directory", dir, "no such directory");
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    const std::string path = e.path().string();
    AA_TRY(text, read_file(path, 1u << 16));
    AA_TRY(doc, parse_json_strict(text, path));
    JsonAt o(doc, path);
    AA_CHECK(o.only_fields({"id", "lat", "lon", "jwk", "note"}));
    TrustedLandmark t;
    AA_TRY(id_s, o.string_field("id"));
    t.id = id_s;
    AA_TRY(lat_v, o.number_field("lat"));
    AA_TRY(lon_v, o.number_field("lon"));
    if (lat_v < -90 || lat_v > 90 || lon_v < -180 || lon_v > 180) {
      return make_error("input.bad-value", o.child("lat").where(),
                        "not a position (latitude -90..90, longitude -180..180)");
    }
    t.position = {lat_v, lon_v};
    AA_TRY(jwk, o.field("jwk"));
    AA_TRY(keys, jose::parse_jwks(jwk.json().dump(), jwk.where()));
    t.key = std::move(keys);
    if (!out.emplace(t.id, std::move(t)).second) {
      return make_error("input.bad-value", o.child("id").where(),
                        "landmark " + id_s + " defined twice");
    }
  }
  return out;
}

Result<ProcessingTimes> load_processing_times(const std::string& profiles_dir) {
  const std::string path = profiles_dir + "/location/processing.json";
  AA_TRY(text, read_file(path, 1u << 16));
  AA_TRY(doc, parse_json_strict(text, path));
  JsonAt o(doc, path);
  AA_CHECK(o.only_fields({"schema", "note", "default_ms", "families"}));
  ProcessingTimes t;
  AA_TRY(def_v, o.number_field("default_ms"));
  if (def_v != 0)
    return make_error("profile.bad-value", o.child("default_ms").where(), "the default must be 0");
  AA_TRY(fam, o.field("families"));
  AA_TRY(fo, fam.object());
  for (const auto& [name, _] : fo.json().items()) {
    AA_TRY(m, fo.child(name).field("min_ms"));
    AA_TRY(v, m.number());
    if (v < 0) return make_error("profile.bad-value", m.where(), "negative");
    t.by_family[name] = v;
  }
  return t;
}

double ProcessingTimes::for_family(const std::string& family) const {
  auto it = by_family.find(family);
  return it == by_family.end() ? 0.0 : it->second;
}

}  // namespace aa::location
