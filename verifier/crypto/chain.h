// Certificate-path validation to one pinned trust anchor at one fixed time.
//
// Contract: verify() builds and checks the path from chain[0] (the leaf) through the given
// certificates to the anchor: every signature, every validity period at `at`, CA basic
// constraints and path lengths, as OpenSSL's X509_verify_cert does. Certificates that came
// with the evidence are never trust anchors, even a self-signed one equal in name to the
// anchor. The verifier remembers intermediates it has verified up to the anchor and accepts a
// later path that reaches one of them without re-checking what lies above it: sound because
// the time and the anchor are fixed for the verifier's life. Revocation is not checked here
// (crypto/revocation.h).
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "crypto/ossl.h"

namespace aa {

struct ChainOutcome {
  bool ok = false;
  int error = 0;              // X509_V_ERR_* when !ok
  int error_depth = -1;       // index into the chain of the certificate at fault
  std::string reason;         // OpenSSL's words for `error`
  bool expired = false;       // the failure is a validity period (expired or not yet valid)
  bool out_of_order = false;  // verified, but the evidence did not list the path leaf-first
  // The whole path, leaf first, ending at the anchor (also when verification stopped at a
  // cached intermediate). The pointers stay valid while the verified chain and this verifier
  // live.
  std::vector<X509*> path;
  bool used_cache = false;  // stopped at a cached intermediate
};

class ChainVerifier {
 public:
  ChainVerifier(const X509* anchor, std::time_t at);

  ChainOutcome verify(const std::vector<ossl::X509Ptr>& chain);

  const X509* anchor() const { return anchor_.get(); }
  std::time_t time() const { return at_; }

 private:
  ossl::X509Ptr anchor_;
  std::time_t at_;
  ossl::X509Store store_;
  // Verified intermediates by SHA-256 fingerprint: the certificate, then the rest of its path
  // up to the anchor, so a path cut short at a cached certificate can be completed (revocation
  // needs every certificate).
  std::map<std::string, std::vector<ossl::X509Ptr>> cached_;
};

}  // namespace aa
