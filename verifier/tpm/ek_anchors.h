// The TPM vendor anchors EK certificates chain to (certs/tpm/): reference data, loaded here
// (this reads files), used by check_ek_certificate() (tpm/ek.h).
//
// Contract: EkAnchors::load() reads every certificate file of a directory (PEM, possibly
// without a final newline, or DER): self-signed certificates become trust anchors, the others
// only a pool for path building, never anchors. `files` lists what it read, sorted.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "crypto/ossl.h"

namespace aa::tpm {

struct EkAnchors {
  std::vector<ossl::X509Ptr> roots;
  std::vector<ossl::X509Ptr> intermediates;
  std::vector<std::string> files;

  static Result<EkAnchors> load(const std::string& dir);
};

}  // namespace aa::tpm
