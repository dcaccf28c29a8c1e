// Offline revocation: CRL files and stored OCSP responses, never the network.
//
// Contract: RevocationStore::load() reads every file of the CRL directory (DER or PEM CRLs)
// and of the OCSP directory (DER OCSPResponse) once; a file that does not parse is an error
// naming it. check() answers, for each certificate of a verified path except the trust
// anchor, from the CRLs and responses that its issuer (path[i+1]) vouches for:
//   - a CRL counts only if its issuer name matches and its signature verifies with the
//     issuer's key; an OCSP response only if signed by the issuer itself or by a responder
//     certificate the issuer issued for id-kp-OCSPSigning, valid at `at`;
//   - freshness (RevocationLimits): a source whose thisUpdate is later than `at` + skew is
//     invalid and never answers (`future` is set, the status stays unknown at best); one
//     past its nextUpdate, or, when it has no nextUpdate, older (thisUpdate) than max_age
//     at `at`, is stale: its "good" is kStale, never kGood (`stale` is set); its "revoked"
//     still counts (revocation is not undone by age);
//   - precedence: revoked > good (current) > stale > unknown > not checked; no answering
//     source means kNotChecked, never kGood.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/result.h"
#include "crypto/ossl.h"

namespace aa {

enum class Revocation { kGood, kRevoked, kStale, kUnknown, kNotChecked };
// "good", "revoked", "stale", "unknown", "not-checked"
const char* revocation_name(Revocation r);

// How old revocation data may be. The defaults are documented in docs/findings.md
// (nvidia.revocation.stale) and settable with `--max-revocation-age`.
struct RevocationLimits {
  static constexpr std::time_t kDefaultMaxAge = 7 * 24 * 3600;  // 7 days
  static constexpr std::time_t kDefaultSkew = 5 * 60;           // 5 minutes
  std::time_t max_age = kDefaultMaxAge;  // for a CRL or response without nextUpdate
  std::time_t skew = kDefaultSkew;       // thisUpdate may be this far after the time
};

struct CertRevocation {
  size_t index = 0;  // position in the path (0 = leaf)
  std::string subject;
  Revocation status = Revocation::kNotChecked;
  std::string source;   // the file that answered
  std::string detail;   // reason code, staleness, or why a source was not used
  bool stale = false;   // some source for this certificate was stale
  bool future = false;  // some source had a thisUpdate after the time (+ skew): invalid
};

class RevocationStore {
 public:
  static Result<RevocationStore> load(const std::string& crl_dir, const std::string& ocsp_dir,
                                      RevocationLimits limits = {});

  bool empty() const { return crls_.empty() && ocsp_.empty(); }
  size_t crl_count() const { return crls_.size(); }
  size_t ocsp_count() const { return ocsp_.size(); }
  const RevocationLimits& limits() const { return limits_; }

  std::vector<CertRevocation> check(const std::vector<X509*>& path, std::time_t at) const;

 private:
  struct Crl {
    std::string file;
    ossl::X509Crl crl;
  };
  struct Ocsp {
    std::string file;
    ossl::OcspBasic basic;
  };
  CertRevocation check_one(X509* cert, X509* issuer, std::time_t at) const;

  std::vector<Crl> crls_;
  std::vector<Ocsp> ocsp_;
  RevocationLimits limits_;
};

}  // namespace aa
