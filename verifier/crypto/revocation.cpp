#include "crypto/revocation.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <filesystem>

#include "core/text.h"
#include "crypto/x509.h"

namespace aa {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxFile = 4u << 20;

std::time_t asn1_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

Result<std::vector<std::string>> list_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error("input.missing-directory", dir, "not a directory");
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) out.push_back(e.path().string());
  }
  if (ec) return make_error("input.unreadable", dir, ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

// Signed by the issuer itself, or by a responder certificate the issuer issued for OCSP
// signing and valid at `at`.
bool ocsp_signer_authorised(OCSP_BASICRESP* basic, X509* issuer, std::time_t at, std::string& why) {
  ossl::X509Stack extra(sk_X509_new_null());
  sk_X509_push(extra.get(), issuer);
  X509* signer = nullptr;
  if (OCSP_resp_get0_signer(basic, &signer, extra.get()) != 1 || !signer) {
    why = "responder certificate not found";
    return false;
  }
  ossl::X509Store none(X509_STORE_new());
  if (OCSP_basic_verify(basic, extra.get(), none.get(), OCSP_NOVERIFY) != 1) {
    why = "response signature does not verify";
    return false;
  }
  if (x509::same_cert(signer, issuer)) return true;
  if (X509_check_issued(issuer, signer) != X509_V_OK ||
      X509_verify(signer, X509_get0_pubkey(issuer)) != 1) {
    why = "responder certificate not issued by the certificate's issuer";
    return false;
  }
  if (!(X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN)) {
    why = "responder certificate lacks id-kp-OCSPSigning";
    return false;
  }
  if (x509::not_before(signer) > at || x509::not_after(signer) < at) {
    why = "responder certificate not valid at the verification time";
    return false;
  }
  return true;
}

// Precedence of answers: a better-ranked answer replaces a worse one.
int rank(Revocation r) {
  switch (r) {
    case Revocation::kNotChecked:
      return 0;
    case Revocation::kUnknown:
      return 1;
    case Revocation::kStale:
      return 2;
    case Revocation::kGood:
      return 3;
    case Revocation::kRevoked:
      return 4;
  }
  return 0;
}

enum class Freshness { kCurrent, kStale, kFuture };

// thisUpdate / nextUpdate against the time and the limits; `why` says what was wrong.
Freshness freshness(std::time_t this_update, const ASN1_TIME* next, std::time_t at,
                    const RevocationLimits& lim, std::string& why) {
  if (this_update > at + lim.skew) {
    why = "thisUpdate " + x509::rfc3339(this_update) + " is after the verification time " +
          x509::rfc3339(at) + ": invalid, not used";
    return Freshness::kFuture;
  }
  if (next) {
    std::time_t n = asn1_time(next);
    if (n < at) {
      why = "stale: nextUpdate " + x509::rfc3339(n) + " has passed";
      return Freshness::kStale;
    }
    return Freshness::kCurrent;
  }
  if (at - this_update > lim.max_age) {
    why = "stale: no nextUpdate, and thisUpdate " + x509::rfc3339(this_update) +
          " is older than the maximum age of " + std::to_string(lim.max_age) + " s";
    return Freshness::kStale;
  }
  return Freshness::kCurrent;
}

}  // namespace

const char* revocation_name(Revocation r) {
  switch (r) {
    case Revocation::kGood:
      return "good";
    case Revocation::kRevoked:
      return "revoked";
    case Revocation::kStale:
      return "stale";
    case Revocation::kUnknown:
      return "unknown";
    case Revocation::kNotChecked:
      return "not-checked";
  }
  return "not-checked";
}

Result<RevocationStore> RevocationStore::load(const std::string& crl_dir,
                                              const std::string& ocsp_dir,
                                              RevocationLimits limits) {
  if (limits.max_age <= 0 || limits.skew < 0) {
    return make_error("input.bad-value", "--max-revocation-age",
                      "the maximum age of revocation data is a positive number of seconds");
  }
  RevocationStore store;
  store.limits_ = limits;
  if (!crl_dir.empty()) {
    AA_TRY(files, list_files(crl_dir));
    for (const auto& f : files) {
      AA_TRY(body, read_file(f, kMaxFile));
      ossl::X509Crl crl;
      if (body.rfind("-----BEGIN X509 CRL-----", 0) == 0) {
        ossl::Bio bio(BIO_new_mem_buf(body.data(), static_cast<int>(body.size())));
        crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
      } else {
        const unsigned char* p = reinterpret_cast<const unsigned char*>(body.data());
        crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(body.size())));
        if (crl && p != reinterpret_cast<const unsigned char*>(body.data()) + body.size()) {
          crl.reset();
        }
      }
      if (!crl) return make_error("crypto.bad-crl", f, "not a DER or PEM X.509 CRL");
      store.crls_.push_back({f, std::move(crl)});
    }
  }
  if (!ocsp_dir.empty()) {
    AA_TRY(files, list_files(ocsp_dir));
    for (const auto& f : files) {
      AA_TRY(body, read_file(f, kMaxFile));
      const unsigned char* p = reinterpret_cast<const unsigned char*>(body.data());
      ossl::OcspResponse resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(body.size())));
      if (!resp || p != reinterpret_cast<const unsigned char*>(body.data()) + body.size()) {
        return make_error("crypto.bad-ocsp", f, "not a DER OCSPResponse");
      }
      if (OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        return make_error("crypto.bad-ocsp", f,
                          std::string("responder status ") +
                              OCSP_response_status_str(OCSP_response_status(resp.get())));
      }
      ossl::OcspBasic basic(OCSP_response_get1_basic(resp.get()));
      if (!basic) return make_error("crypto.bad-ocsp", f, "no basic OCSP response");
      store.ocsp_.push_back({f, std::move(basic)});
    }
  }
  return store;
}

CertRevocation RevocationStore::check_one(X509* cert, X509* issuer, std::time_t at) const {
  CertRevocation r;
  r.subject = x509::subject_cn(cert);
  auto note = [&](const std::string& s) {
    if (!r.detail.empty()) r.detail += "; ";
    r.detail += s;
  };
  auto answer = [&](Revocation status, const std::string& file, const std::string& why) {
    if (!why.empty()) note(file + ": " + why);
    if (rank(status) > rank(r.status)) {
      r.status = status;
      r.source = file;
    }
  };
  // What a source of the given freshness says: revoked stays revoked, good becomes stale.
  auto judged = [&](Freshness f, Revocation said) {
    if (f == Freshness::kStale && said == Revocation::kGood) return Revocation::kStale;
    return said;
  };
  for (const auto& c : crls_) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(c.crl.get()), X509_get_issuer_name(cert)) != 0) {
      continue;
    }
    if (X509_CRL_verify(c.crl.get(), X509_get0_pubkey(issuer)) != 1) {
      note(c.file + ": CRL signature does not verify with the issuer's key");
      continue;
    }
    std::string why;
    Freshness f = freshness(asn1_time(X509_CRL_get0_lastUpdate(c.crl.get())),
                            X509_CRL_get0_nextUpdate(c.crl.get()), at, limits_, why);
    if (f == Freshness::kFuture) {
      r.future = true;
      answer(Revocation::kUnknown, c.file, "CRL " + why);
      continue;
    }
    if (f == Freshness::kStale) {
      r.stale = true;
      why = "CRL " + why;
    }
    X509_REVOKED* rev = nullptr;
    if (X509_CRL_get0_by_cert(c.crl.get(), &rev, cert) == 1 &&
        asn1_time(X509_REVOKED_get0_revocationDate(rev)) <= at) {
      answer(Revocation::kRevoked, c.file, why.empty() ? "listed on CRL" : "listed on " + why);
    } else {
      answer(judged(f, Revocation::kGood), c.file, why);
    }
  }
  for (const auto& o : ocsp_) {
    for (const EVP_MD* md : {EVP_sha1(), EVP_sha256(), EVP_sha384()}) {
      ossl::OcspCertId id(OCSP_cert_to_id(md, cert, issuer));
      int status = -1, reason = -1;
      ASN1_GENERALIZEDTIME *revtime = nullptr, *thisupd = nullptr, *nextupd = nullptr;
      if (!id || OCSP_resp_find_status(o.basic.get(), id.get(), &status, &reason, &revtime,
                                       &thisupd, &nextupd) != 1) {
        continue;
      }
      std::string why;
      if (!ocsp_signer_authorised(o.basic.get(), issuer, at, why)) {
        note(o.file + ": " + why);
        break;
      }
      Freshness f = freshness(asn1_time(thisupd), nextupd, at, limits_, why);
      if (f == Freshness::kFuture) {
        r.future = true;
        answer(Revocation::kUnknown, o.file, "OCSP response " + why);
        break;
      }
      if (f == Freshness::kStale) {
        r.stale = true;
        why = "OCSP response " + why;
      }
      if (status == V_OCSP_CERTSTATUS_GOOD) {
        answer(judged(f, Revocation::kGood), o.file, why);
      } else if (status == V_OCSP_CERTSTATUS_REVOKED) {
        answer(Revocation::kRevoked, o.file,
               std::string("OCSP revoked, reason ") +
                   (reason >= 0 ? OCSP_crl_reason_str(reason) : "unspecified") +
                   (why.empty() ? "" : " (" + why + ")"));
      } else {
        answer(Revocation::kUnknown, o.file,
               "OCSP status unknown" + (why.empty() ? "" : " (" + why + ")"));
      }
      break;
    }
  }
  return r;
}

std::vector<CertRevocation> RevocationStore::check(const std::vector<X509*>& path,
                                                   std::time_t at) const {
  std::vector<CertRevocation> out;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    CertRevocation r = check_one(path[i], path[i + 1], at);
    r.index = i;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace aa
