#include <iostream>

#include "cli/commands.h"

namespace aa::cli {

int fail(const Error& e) {
  std::cerr << "accel-attest: error: " << e.to_string() << "\n";
  return 2;
}

std::string Context::profiles() const {
  return profiles_dir.empty() ? default_profiles_dir() : profiles_dir;
}

const Registry* Context::registry() {
  if (registry_) return &*registry_;
  auto r = Registry::load(profiles());
  if (!r) {
    fail(r.error());
    return nullptr;
  }
  registry_ = std::move(r).value();
  return &*registry_;
}

}  // namespace aa::cli
