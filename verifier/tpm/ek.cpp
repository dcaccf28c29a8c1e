#include "tpm/ek.h"

#include <openssl/x509v3.h>

#include <algorithm>

#include "core/text.h"
#include "crypto/x509.h"
#include "tpm/quote.h"

namespace aa::tpm {

Result<ossl::X509Ptr> parse_ek_certificate(ByteView der, const std::string& origin,
                                           size_t* padding) {
  if (as_chars(der).find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    if (padding) *padding = 0;
    return x509::parse_cert_any(der, origin);
  }
  const unsigned char* p = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return make_error("crypto.bad-certificate", origin, "not a DER X.509 certificate");
  ByteView rest = der.subspan(static_cast<size_t>(p - der.data()));
  bool fill = std::all_of(rest.begin(), rest.end(), [](uint8_t b) { return b == 0xff; }) ||
              std::all_of(rest.begin(), rest.end(), [](uint8_t b) { return b == 0x00; });
  if (!fill) {
    return make_error("crypto.bad-certificate", origin,
                      std::to_string(rest.size()) + " bytes after the certificate are not NV fill");
  }
  if (padding) *padding = rest.size();
  return cert;
}

EkCheck check_ek_certificate(const X509* cert, const std::optional<TPMT_PUBLIC>& ek,
                             const EkAnchors& anchors, std::time_t at) {
  EkCheck r;
  auto add = [&](const char* code, Severity s, const std::string& msg) {
    r.findings.push_back(Finding{code, msg, "EK certificate " + x509::issuer_text(cert), s});
  };
  ossl::X509Store store(X509_STORE_new());
  for (const auto& c : anchors.roots) X509_STORE_add_cert(store.get(), c.get());
  ossl::X509Stack pool(sk_X509_new_null());
  for (const auto& c : anchors.intermediates) sk_X509_push(pool.get(), c.get());
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), const_cast<X509*>(cert), pool.get());
  X509_STORE_CTX_set_time(ctx.get(), 0, at);
  r.ok = X509_verify_cert(ctx.get()) == 1;
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; built && i < sk_X509_num(built); ++i) {
    X509* c = sk_X509_value(built, i);
    std::string cn = x509::subject_cn(c);
    r.path.push_back(cn.empty() ? x509::subject_text(c) : cn);
  }
  if (!r.ok) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    std::string msg = X509_verify_cert_error_string(err);
    X509* at_fault = built && depth >= 0 && depth < sk_X509_num(built) ? sk_X509_value(built, depth)
                                                                       : const_cast<X509*>(cert);
    if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
        err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
      msg = "no certificate for its issuer \"" + x509::issuer_text(at_fault) +
            "\" in the anchor store (" + msg + ")";
      // A store certificate with the issuer's name that OpenSSL would not use: say why.
      for (const auto* list : {&anchors.roots, &anchors.intermediates}) {
        for (const auto& c : *list) {
          if (X509_NAME_cmp(X509_get_subject_name(c.get()), X509_get_issuer_name(at_fault)) != 0) {
            continue;
          }
          bool key_ok = X509_verify(at_fault, X509_get0_pubkey(c.get())) == 1;
          AUTHORITY_KEYID* ak = static_cast<AUTHORITY_KEYID*>(
              X509_get_ext_d2i(at_fault, NID_authority_key_identifier, nullptr, nullptr));
          std::unique_ptr<AUTHORITY_KEYID, ossl::Deleter<AUTHORITY_KEYID, AUTHORITY_KEYID_free>>
              akid_owner(ak);
          int rc = X509_check_akid(c.get(), ak);
          msg += "; the store has \"" + x509::subject_cn(c.get()) + "\" (serial " +
                 x509::serial_hex(c.get()) + ", issued by \"" + x509::issuer_text(c.get()) +
                 "\") whose key " + (key_ok ? "does" : "does not") + " verify the signature" +
                 (rc == X509_V_OK ? ""
                                  : ", but the AuthorityKeyIdentifier names another issuer "
                                    "serial, so it is not this certificate's issuer");
        }
      }
    } else {
      msg += " at \"" + x509::subject_text(at_fault) + "\"";
    }
    add("tpm.ek-cert-untrusted", Severity::kFail, "no path to a TPM vendor root: " + msg);
  }
  if (ek) {
    auto key = public_key(*ek, "EK");
    if (!key || EVP_PKEY_eq(X509_get0_pubkey(cert), key->get()) != 1) {
      r.ok = false;
      add("tpm.ek-cert-key-mismatch", Severity::kFail,
          "the certificate's key is not the TPM's EK public key");
    }
  }
  ossl::Asn1Object eku_ek(OBJ_txt2obj("2.23.133.8.1", 1));
  std::unique_ptr<EXTENDED_KEY_USAGE, ossl::Deleter<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>>
      eku(static_cast<EXTENDED_KEY_USAGE*>(
          X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  for (int i = 0; eku && i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    r.has_ek_eku = r.has_ek_eku || OBJ_cmp(sk_ASN1_OBJECT_value(eku.get(), i), eku_ek.get()) == 0;
  }
  if (!r.has_ek_eku && X509_check_ca(const_cast<X509*>(cert)) == 0) {
    add("tpm.ek-cert-no-eku", Severity::kWarn, "no EKU 2.23.133.8.1 (tcg-kp-EKCertificate)");
  }
  return r;
}

}  // namespace aa::tpm
