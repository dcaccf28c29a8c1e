#include "crypto/x509.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>

#include "core/text.h"
#include "crypto/digest.h"

namespace aa::x509 {

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";

std::string name_text(const X509_NAME* name) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::time_t asn1_to_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

}  // namespace

Result<ossl::X509Ptr> parse_der(ByteView der, const std::string& field) {
  const unsigned char* p = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return make_error("crypto.bad-certificate", field, "not a DER X.509 certificate");
  if (p != der.data() + der.size()) {
    return make_error("crypto.bad-certificate", field,
                      std::to_string(der.data() + der.size() - p) + " bytes after the certificate");
  }
  return cert;
}

Result<ossl::X509Ptr> ParsedCertCache::parse(ByteView der, const std::string& field) {
  const std::string_view key = as_chars(der);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = certs_.find(key); it != certs_.end()) {
      X509_up_ref(it->second.get());
      return ossl::X509Ptr(it->second.get());
    }
  }
  AA_TRY(cert, parse_der(der, field));
  // OpenSSL computes some of a certificate's derived fields on first use; done here, before the
  // certificate is shared, so that threads using it later only read it.
  X509_check_purpose(cert.get(), -1, 0);
  std::lock_guard<std::mutex> lock(mu_);
  // Held twice: the key and the certificate's own copy of its encoding.
  // (Another thread may have added the same bytes meanwhile.)
  if (certs_.size() < max_ && bytes_ + 2 * der.size() <= max_bytes_ && !certs_.count(key)) {
    X509_up_ref(cert.get());
    certs_.emplace(std::string(key), ossl::X509Ptr(cert.get()));
    bytes_ += 2 * der.size();
  }
  return cert;
}

std::string chain_digest(const std::vector<ossl::X509Ptr>& certs, size_t* der_bytes) {
  Sha256 h;
  size_t total = 0;
  std::vector<unsigned char> der;
  for (const auto& c : certs) {
    const int n = i2d_X509(c.get(), nullptr);
    if (n <= 0) return "";
    const auto len = static_cast<uint32_t>(n);
    const char prefix[4] = {static_cast<char>(len >> 24), static_cast<char>((len >> 16) & 0xff),
                            static_cast<char>((len >> 8) & 0xff), static_cast<char>(len & 0xff)};
    der.resize(len);
    unsigned char* p = der.data();
    if (i2d_X509(c.get(), &p) != n) return "";
    h.update(std::string_view(prefix, 4))
        .update(std::string_view(reinterpret_cast<const char*>(der.data()), len));
    total += len;
  }
  if (der_bytes) *der_bytes = total;
  const auto d = h.final();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

Result<std::shared_ptr<const ParsedChain>> ParsedCertCache::parse_chain(std::string_view pem,
                                                                        const std::string& field,
                                                                        size_t max_certs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = chains_.find(pem); it != chains_.end() && it->second->certs.size() <= max_certs) {
      return it->second;
    }
  }
  AA_TRY(certs, parse_pem_chain(pem, field, max_certs, this));
  auto chain = std::make_shared<ParsedChain>();
  size_t der_bytes = 0;
  chain->der_digest = chain_digest(certs, &der_bytes);
  for (const auto& c : certs) chain->subject_cns.push_back(subject_cn(c.get()));
  chain->leaf_sha256 = fingerprint_sha256(certs.front().get());
  chain->certs = std::move(certs);
  // The text, and the certificates' encodings in case parse() could not keep them.
  const size_t held = pem.size() + der_bytes;
  std::lock_guard<std::mutex> lock(mu_);
  if (chains_.size() < max_ && bytes_ + held <= max_bytes_ &&
      chains_.emplace(std::string(pem), chain).second) {
    bytes_ += held;
  }
  return std::shared_ptr<const ParsedChain>(std::move(chain));
}

Result<std::vector<ossl::X509Ptr>> parse_pem_chain(std::string_view pem, const std::string& field,
                                                   size_t max_certs, ParsedCertCache* cache) {
  std::vector<ossl::X509Ptr> out;
  size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != std::string_view::npos) {
    size_t body = pos + kBegin.size();
    size_t end = pem.find(kEnd, body);
    std::string where = field + "#cert[" + std::to_string(out.size()) + "]";
    if (end == std::string_view::npos) {
      return make_error("crypto.bad-certificate", where, "PEM block has no END line");
    }
    if (out.size() == max_certs) {
      return make_error("input.too-large", field,
                        "more than " + std::to_string(max_certs) + " certificates");
    }
    auto der = base64_decode(pem.substr(body, end - body));
    if (!der) return make_error("crypto.bad-certificate", where, "PEM body is not base64");
    AA_TRY(cert, cache ? cache->parse(*der, where) : parse_der(*der, where));
    out.push_back(std::move(cert));
    pos = end + kEnd.size();
  }
  if (out.empty()) return make_error("crypto.bad-certificate", field, "no PEM certificate");
  return out;
}

Result<ossl::X509Ptr> parse_cert_any(ByteView bytes, const std::string& field) {
  std::string_view text = as_chars(bytes);
  if (text.find(kBegin) == std::string_view::npos) return parse_der(bytes, field);
  AA_TRY(certs, parse_pem_chain(text, field, 1));
  return std::move(certs.front());
}

Result<ossl::X509Ptr> load_pem_file(const std::string& path) {
  AA_TRY(text, read_file(path, 1u << 20));
  AA_TRY(certs, parse_pem_chain(text, path, 1));
  return std::move(certs.front());
}

std::string subject_cn(const X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return "";
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

std::string subject_text(const X509* cert) {
  return name_text(X509_get_subject_name(cert));
}
std::string issuer_text(const X509* cert) {
  return name_text(X509_get_issuer_name(cert));
}

std::string serial_hex(const X509* cert) {
  ossl::BigNum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return "";
  ossl::OsslString hex(BN_bn2hex(bn.get()));
  std::string s = hex ? hex.get() : "";
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string serial_decimal(const X509* cert) {
  ossl::BigNum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return "";
  ossl::OsslString dec(BN_bn2dec(bn.get()));
  return dec ? dec.get() : "";
}

Bytes der(const X509* cert) {
  int n = i2d_X509(cert, nullptr);
  if (n <= 0) return {};
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(cert, &p);
  return out;
}

std::string fingerprint_sha256(const X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return "";
  return hex_encode(ByteView(md, n));
}

// X509_cmp compares the cached hash and then the whole DER encoding.
bool same_cert(const X509* a, const X509* b) {
  return X509_cmp(a, b) == 0;
}

bool self_signed(const X509* cert) {
  return X509_check_issued(const_cast<X509*>(cert), const_cast<X509*>(cert)) == X509_V_OK &&
         X509_verify(const_cast<X509*>(cert), X509_get0_pubkey(cert)) == 1;
}

std::time_t not_before(const X509* cert) {
  return asn1_to_time(X509_get0_notBefore(cert));
}
std::time_t not_after(const X509* cert) {
  return asn1_to_time(X509_get0_notAfter(cert));
}

std::optional<Bytes> extension_value(const X509* cert, const char* oid) {
  ossl::Asn1Object obj(OBJ_txt2obj(oid, 1));
  if (!obj) return std::nullopt;
  int idx = X509_get_ext_by_OBJ(cert, obj.get(), -1);
  if (idx < 0) return std::nullopt;
  const ASN1_OCTET_STRING* v = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
  const unsigned char* p = ASN1_STRING_get0_data(v);
  return Bytes(p, p + ASN1_STRING_length(v));
}

std::vector<std::string> san_other_names(const X509* cert, const char* oid) {
  std::vector<std::string> out;
  ossl::GeneralNames names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  ossl::Asn1Object want(OBJ_txt2obj(oid, 1));
  if (!names || !want) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type != GEN_OTHERNAME) continue;
    if (OBJ_cmp(gn->d.otherName->type_id, want.get()) != 0) continue;
    const ASN1_TYPE* v = gn->d.otherName->value;
    if (v->type != V_ASN1_UTF8STRING) continue;
    const ASN1_STRING* s = v->value.utf8string;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  }
  return out;
}

bool verify_ecdsa_sha384_raw(EVP_PKEY* key, ByteView data, ByteView signature_rs) {
  return verify_ecdsa_raw(key, EVP_sha384(), data, signature_rs);
}

Bytes sign_ecdsa_raw(EVP_PKEY* private_key, const EVP_MD* md, ByteView data, size_t half) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, private_key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return {};
  }
  Bytes der(len);
  if (EVP_DigestSign(ctx.get(), der.data(), &len, data.data(), data.size()) != 1) return {};
  const unsigned char* p = der.data();
  ossl::EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  if (!sig) return {};
  const BIGNUM *r = nullptr, *s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes raw(2 * half);
  if (BN_bn2binpad(r, raw.data(), static_cast<int>(half)) < 0 ||
      BN_bn2binpad(s, raw.data() + half, static_cast<int>(half)) < 0) {
    return {};
  }
  return raw;
}

bool verify_ecdsa_raw(EVP_PKEY* key, const EVP_MD* md, ByteView data, ByteView signature_rs) {
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  if (signature_rs.empty() || signature_rs.size() % 2 != 0) return false;
  size_t half = signature_rs.size() / 2;
  ossl::BigNum r(BN_bin2bn(signature_rs.data(), static_cast<int>(half), nullptr));
  ossl::BigNum s(BN_bin2bn(signature_rs.data() + half, static_cast<int>(half), nullptr));
  ossl::EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return false;
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return false;
  ossl::OsslString der_owner(reinterpret_cast<char*>(der));
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_len), data.data(), data.size()) ==
         1;
}

std::string rfc3339(std::time_t t) {
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<std::time_t> parse_rfc3339(std::string_view s) {
  auto num = [&](size_t pos, size_t len) -> int {
    if (pos + len > s.size()) return -1;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  struct tm tm {};
  int year = num(0, 4), mon = num(5, 2), day = num(8, 2), hh = num(11, 2), mm = num(14, 2),
      ss = num(17, 2);
  if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 ||
      mm > 59 || ss < 0 || ss > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos, ++digits;
    if (digits == 0) return std::nullopt;
  }
  long offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (oh < 0 || om < 0 || pos + 3 >= s.size() || s[pos + 3] != ':' || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 3600L + om * 60L) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  std::time_t t = timegm(&tm);
  // Reject dates timegm normalised (e.g. 2026-02-30).
  struct tm back {};
  gmtime_r(&t, &back);
  if (back.tm_mday != day || back.tm_mon != mon - 1) return std::nullopt;
  return t - offset;
}

}  // namespace aa::x509
