#include "cli/paths.h"

#include <cstdlib>
#include <filesystem>

namespace aa {

namespace {

namespace fs = std::filesystem;

// $env, else <prefix>/share/accel-attest/<name> next to the installed binary, else the source.
std::string data_dir(const char* env_name, const char* name, const char* source) {
  if (const char* env = std::getenv(env_name); env && *env) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "accel-attest" / name;
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return source;
}

}  // namespace

std::string default_profiles_dir() {
  return data_dir("ACCEL_ATTEST_PROFILES", "firmware-profiles", ACCEL_ATTEST_SOURCE_PROFILES);
}

std::string default_certs_dir() {
  return data_dir("ACCEL_ATTEST_CERTS", "certs", ACCEL_ATTEST_SOURCE_CERTS);
}

}  // namespace aa
