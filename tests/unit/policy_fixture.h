// The shipped export policy, loaded once, and small builders for policy tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
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

inline std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// docs/policy.md's destination x class table: rows keyed by (destination, end-user HQ or "-"),
// cells by registry part id (and "host"), each the set of findings without "policy.", a
// "(warn)" suffix marking warnings.
struct PolicyTable {
  std::vector<std::string> part_ids;
  std::vector<std::pair<std::string, std::string>> rows;
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::set<std::string>>> cells;
};

inline PolicyTable policy_table() {
  PolicyTable t;
  std::ifstream in(std::string(DOCS_DIR) + "/policy.md");
  EXPECT_TRUE(in.good());
  std::string line;
  bool inside = false;
  auto split = [](const std::string& row) {
    std::vector<std::string> cells;
    std::stringstream ss(row.substr(1));
    std::string c;
    while (std::getline(ss, c, '|')) cells.push_back(trim(c));
    return cells;
  };
  while (std::getline(in, line)) {
    if (line.find("<!-- policy-table:begin -->") != std::string::npos) {
      inside = true;
      continue;
    }
    if (line.find("<!-- policy-table:end -->") != std::string::npos) break;
    if (!inside || line.rfind("|", 0) != 0 || line.find("---") != std::string::npos) continue;
    auto cells = split(line);
    if (t.part_ids.empty()) {
      const std::regex id("`([a-z0-9-]+)`");
      for (size_t i = 2; i + 1 < cells.size(); ++i) {
        std::smatch m;
        EXPECT_TRUE(std::regex_search(cells[i], m, id)) << cells[i];
        t.part_ids.push_back(m[1]);
      }
      continue;
    }
    EXPECT_EQ(cells.size(), t.part_ids.size() + 3) << line;
    if (cells.size() != t.part_ids.size() + 3) continue;
    auto key = std::make_pair(cells[0], cells[1]);
    t.rows.push_back(key);
    for (size_t i = 0; i + 2 < cells.size(); ++i) {
      const std::string col = i < t.part_ids.size() ? t.part_ids[i] : "host";
      std::set<std::string> set;
      if (cells[i + 2] != "-") {
        std::stringstream ss(cells[i + 2]);
        std::string c;
        while (std::getline(ss, c, ',')) set.insert(trim(c));
      }
      t.cells[key][col] = set;
    }
  }
  return t;
}

inline std::set<std::string> cell_of(const std::vector<Finding>& f) {
  std::set<std::string> out;
  for (const auto& x : f) {
    if (x.code.rfind("policy.", 0) != 0) continue;
    std::string c = x.code.substr(7);
    if (x.severity == Severity::kWarn) c += " (warn)";
    if (x.severity == Severity::kInfo) c += " (info)";
    out.insert(c);
  }
  return out;
}

}  // namespace aa::test
