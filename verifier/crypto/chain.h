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
//
// A CertificateCache carries verified chains from one ChainVerifier to later ones (the warm
// path: the same hosts verified again). It answers only for the same anchor and a byte-identical
// chain, presented at a time inside the validity window of every certificate on the stored
// path; the outcome is then the stored one (path, order), without any signature check. It keeps
// only chains that verified. It is internally synchronised: one cache may serve verifiers on
// several threads at once. It holds at most `max_entries` chains, dropping the oldest.
#pragma once

#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/ossl.h"
#include "crypto/x509.h"

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
  bool used_cache = false;           // stopped at a cached intermediate
  bool warm = false;                 // answered by a CertificateCache, no signature checked
  std::shared_ptr<const void> hold;  // keeps a cached path alive (warm)
};

class CertificateCache {
 public:
  explicit CertificateCache(size_t max_entries = 4096) : max_(max_entries) {}
  CertificateCache(const CertificateCache&) = delete;
  CertificateCache& operator=(const CertificateCache&) = delete;

  struct Entry {
    std::vector<ossl::X509Ptr> path;  // leaf first, ending at the anchor
    bool out_of_order = false;
    std::time_t not_before = 0, not_after = 0;  // the window every path certificate is valid in
  };
  // The chain's key: the hex SHA-256 of the anchor's chain_digest() and the chain's
  // (x509::chain_digest(): each certificate's DER encoding preceded by its length); "" (never
  // cached) when one cannot be encoded.
  static std::string key(const X509* anchor, const std::vector<ossl::X509Ptr>& chain);
  static std::string key(const std::string& anchor_digest, const std::string& chain_digest);
  static std::string anchor_digest(const X509* anchor);  // x509::chain_digest({anchor})
  std::shared_ptr<const Entry> find(const std::string& key, std::time_t at) const;
  void insert(std::string key, std::shared_ptr<const Entry> entry);
  size_t size() const;
  // The certificates parsed for these chains (crypto/x509.h), shared the same way.
  x509::ParsedCertCache& parsed() { return parsed_; }
  // Held while a chain not yet cached is verified: OpenSSL fills in derived fields of the
  // certificates it verifies (under each certificate's own lock, but read elsewhere without
  // it), and the certificates of parsed() are shared between threads.
  std::mutex& verify_mutex() { return verify_mu_; }

 private:
  size_t max_;
  x509::ParsedCertCache parsed_;
  std::mutex verify_mu_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Entry>> entries_;
  std::deque<std::string> order_;
};

class ChainVerifier {
 public:
  // `cache` (optional) must outlive the verifier.
  ChainVerifier(const X509* anchor, std::time_t at, CertificateCache* cache = nullptr);

  // `chain_digest`, when given, is x509::chain_digest(chain) computed before (ParsedChain).
  ChainOutcome verify(const std::vector<ossl::X509Ptr>& chain,
                      const std::string* chain_digest = nullptr);

  const X509* anchor() const { return anchor_.get(); }
  std::time_t time() const { return at_; }

 private:
  ossl::X509Ptr anchor_;
  std::time_t at_;
  ossl::X509Store store_;
  CertificateCache* shared_ = nullptr;
  std::string anchor_digest_;  // CertificateCache::anchor_digest(anchor), with a cache
  // Verified intermediates by SHA-256 fingerprint: the certificate, then the rest of its path
  // up to the anchor, so a path cut short at a cached certificate can be completed (revocation
  // needs every certificate).
  std::map<std::string, std::vector<ossl::X509Ptr>> cached_;
};

}  // namespace aa
