#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "cli/commands.h"
#include "cli/paths.h"
#include "core/bytes.h"
#include "core/terminal.h"
#include "core/text.h"
#include "crypto/x509.h"

namespace aa::cli {

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

namespace aa::cli {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

int check_subcommand_names(const CLI::App& app, int argc, char** argv) {
  const CLI::App* level = &app;
  std::string path = "accel-attest";
  for (int i = 1; i < argc && level; ++i) {
    const std::string t = argv[i];
    if (t == "--") return 0;
    if (!t.empty() && t[0] == '-') {
      // An option of this level: skip its value when it takes one and it is not "--x=v".
      const std::string name = t.substr(0, t.find('='));
      const CLI::Option* o = level->get_option_no_throw(name);
      if (o && o->get_items_expected_max() != 0 && t.find('=') == std::string::npos) ++i;
      continue;
    }
    const auto subs = level->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return 0;  // a positional argument of a leaf command
    const auto named =
        std::find_if(subs.begin(), subs.end(), [&](const CLI::App* s) { return s->check_name(t); });
    if (named != subs.end()) {
      level = *named;
      path += " " + t;
      output_state().command = path.substr(std::string("accel-attest ").size());
      continue;
    }
    if (level->get_require_subcommand_min() == 0) return 0;
    std::string best;
    size_t best_d = std::string::npos;
    for (const CLI::App* s : subs) {
      const size_t d = edit_distance(t, s->get_name());
      if (d < best_d) best_d = d, best = s->get_name();
    }
    std::string msg = "'" + t + "' is not a subcommand of " + path;
    if (!best.empty() && best_d <= std::max<size_t>(2, t.size() / 3))
      msg += "; did you mean '" + best + "'?";
    else
      msg += "; run " + path + " --help for the list";
    return fail(make_error("usage.unknown-subcommand", path, msg));
  }
  return 0;
}

}  // namespace aa::cli
