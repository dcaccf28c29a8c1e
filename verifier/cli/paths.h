// Where the command finds its data when the user names none: the only place that reads the
// environment or the executable's location. The library below the CLI takes every directory
// as an argument (docs/architecture.md).
//
// Contract: each function returns, in this order, the directory its environment variable names
// (when set and not empty), else <prefix>/share/accel-attest/<name> next to the running
// executable (/proc/self/exe, ../share/...) when that is a directory, else the source tree's
// (fixed at build time). It does not check that the result exists.
#pragma once

#include <string>

namespace aa {

// $ACCEL_ATTEST_PROFILES, ../share/accel-attest/firmware-profiles, the source tree's.
std::string default_profiles_dir();

// $ACCEL_ATTEST_CERTS, ../share/accel-attest/certs, the source tree's.
std::string default_certs_dir();

}  // namespace aa
