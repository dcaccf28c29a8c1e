// The shipped export policy, loaded once, and small builders for policy tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "policy/export_policy.h"
#include "registry_fixture.h"

namespace aa::test {

inline const ExportPolicy& shipped_policy() {
  static const ExportPolicy* p = [] {
    auto r = load_export_policy(std::string(PROFILES_DIR) + "/policy/export-policy.json",
                                shipped_registry());
    if (!r) {
      ADD_FAILURE() << r.error().to_string();
      std::abort();
    }
    return new ExportPolicy(std::move(r).value());
  }();
  return *p;
}

// A licence for `dest` listing `serials` (no ECCN), valid through 2026.
inline Licence licence(const std::string& dest, std::vector<std::string> serials,
                       const std::string& hq = "AE", const std::string& exception = "") {
  Json devs = Json::array();
  for (const auto& s : serials) devs.push_back({{"serial", s}});
  Json j = {{"schema", "accel-attest/licence/v1"},
            {"licence", "D123456"},
            {"destination", dest},
            {"end_user", {{"name", "Example"}, {"headquarters", hq}}},
            {"valid_from", "2026-01-01T00:00:00Z"},
            {"valid_until", "2027-01-01T00:00:00Z"},
            {"devices", devs}};
  if (!exception.empty()) j["exception"] = exception;
  auto l = parse_licence(j.dump(), "lic.json");
  EXPECT_TRUE(l.ok()) << (l ? "" : l.error().to_string());
  return l ? *l : Licence{};
}

inline std::vector<std::string> codes(const std::vector<Finding>& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(x.code);
  return out;
}

}  // namespace aa::test
