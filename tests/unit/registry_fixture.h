// Loads the shipped registry once for all tests (the real reference data, not a copy).
#pragma once

#include <gtest/gtest.h>

#include "registry/registry.h"

namespace aa::test {

inline const Registry& shipped_registry() {
  static const Registry* reg = [] {
    auto r = Registry::load(PROFILES_DIR);
    if (!r) {
      ADD_FAILURE() << r.error().to_string();
      std::abort();
    }
    return new Registry(std::move(r).value());
  }();
  return *reg;
}

inline const Part& part(const std::string& id) {
  const Part* p = shipped_registry().find(id);
  if (!p) {
    ADD_FAILURE() << "no part " << id;
    std::abort();
  }
  return *p;
}

}  // namespace aa::test
