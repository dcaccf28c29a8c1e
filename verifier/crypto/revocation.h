// Offline revocation: CRL files and stored OCSP responses, never the network.
//
// Contract: RevocationStore::load() reads every file of the CRL directory (DER or PEM CRLs)
// and of the OCSP directory (DER OCSPResponse) once; a file that does not parse is an error
// naming it. check() answers, for each certificate of a verified path except the trust
// anchor, from the CRLs and responses that its issuer (path[i+1]) vouches for:
//   - a CRL counts only if its issuer name matches and its signature verifies with the
//     issuer's key; an OCSP response only if signed by the issuer itself or by a responder
//     certificate the issuer issued for id-kp-OCSPSigning, valid at `at`;
//   - a CRL or response not current at `at` (thisUpdate in the future, nextUpdate passed)
//     does not answer: the status stays unknown and the detail says it was stale;
//   - revoked (by either source) wins over good; no answering source means kNotChecked,
//     never kGood.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "core/result.h"
#include "crypto/ossl.h"

namespace aa {

enum class Revocation { kGood, kRevoked, kUnknown, kNotChecked };
const char* revocation_name(Revocation r);  // "good", "revoked", "unknown", "not-checked"

struct CertRevocation {
  size_t index = 0;  // position in the path (0 = leaf)
  std::string subject;
  Revocation status = Revocation::kNotChecked;
  std::string source;  // the file that answered
  std::string detail;  // reason code, staleness, or why a source was not used
};

class RevocationStore {
 public:
  static Result<RevocationStore> load(const std::string& crl_dir, const std::string& ocsp_dir);

  bool empty() const { return crls_.empty() && ocsp_.empty(); }
  size_t crl_count() const { return crls_.size(); }
  size_t ocsp_count() const { return ocsp_.size(); }

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
};

}  // namespace aa
