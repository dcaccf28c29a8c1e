// The location appraisal's reference data and its loaders (these read files; the appraisal in
// location/appraise.h takes what they return): the trusted landmarks and the minimum processing
// time per chip family.
//
// Contract: load_landmarks() and load_processing_times() are strict (unknown members, values
// out of range and duplicates are errors naming the file and JSON pointer); they read only the
// directory or file they are given.
#pragma once

#include <map>
#include <string>

#include "core/result.h"
#include "location/geo.h"
#include "results/jose.h"

namespace aa::location {

struct TrustedLandmark {
  std::string id;
  LatLon position;
  jose::Jwks key;  // one key; its kid must be the record's kid
};

// Loads every <id>.json in `dir`: {"id", "lat", "lon", "jwk": {EC P-256 public JWK}}.
Result<std::map<std::string, TrustedLandmark>> load_landmarks(const std::string& dir);

// firmware-profiles/location/processing.json: the minimum processing time per chip family
// ("simulated" for the tests' devices), in ms; 0 for a family it does not name.
struct ProcessingTimes {
  std::map<std::string, double> by_family;
  double for_family(const std::string& family) const;
};
Result<ProcessingTimes> load_processing_times(const std::string& profiles_dir);

}  // namespace aa::location
