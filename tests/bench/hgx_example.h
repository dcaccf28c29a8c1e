// The HGX example bundle (docs/examples/bundles/hgx-h100) as the benchmarks use it: its folder,
// the frozen time its certificates and licence are valid at, and the bundle's text, read once.
// Include from a benchmark compiled with EXAMPLES_DIR defined.
#pragma once

#include <ctime>
#include <string>

#include "core/text.h"
#include "crypto/x509.h"

namespace bench {

inline const std::string kHgxDir = std::string(EXAMPLES_DIR) + "/bundles/hgx-h100";
inline const std::time_t kHgxAt = aa::x509::parse_rfc3339("2026-11-27T00:00:00Z").value();

inline const std::string& hgx_bundle_text() {
  static const std::string t = aa::read_file(kHgxDir + "/bundle.json", 32u << 20).value();
  return t;
}

}  // namespace bench
