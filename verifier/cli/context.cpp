#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "core/bytes.h"
#include "core/terminal.h"
#include "core/text.h"
#include "crypto/x509.h"

namespace aa::cli {

int fail(const Error& e) {
  // Messages quote input (names, paths, values): escaped for a terminal.
  std::cerr << "accel-attest: error: " << terminal_safe(e.to_string()) << "\n";
  return 2;
}

CLI::Validator finite_number() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        errno = 0;
        char* end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (s.empty() || end == s.c_str() || *end != '\0') return "not a number: " + printable(s);
        if (!std::isfinite(d)) {
          return "input.not-finite: " + printable(s) + " is not a finite number";
        }
        return {};
      },
      "FINITE");
}

std::string Context::profiles() const {
  return profiles_dir.empty() ? default_profiles_dir() : profiles_dir;
}

Result<ossl::X509Ptr> read_cert(const std::string& path) {
  AA_TRY(s, read_file(path, 1u << 20));
  return x509::parse_cert_any(as_bytes(s), path);
}

Result<std::time_t> verification_time(const std::string& option) {
  if (option.empty()) return std::time(nullptr);
  auto t = x509::parse_rfc3339(option);
  if (!t) return make_error("input.bad-value", "--time", "not an RFC 3339 time: " + option);
  return *t;
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
