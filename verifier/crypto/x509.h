// X.509 certificates: parsing untrusted PEM/DER, the fields verifiers read, and the ECDSA
// check of raw r||s signatures that SPDM responders produce.
//
// Contract: parsers take attacker-controlled bytes and return an error naming `field` for
// anything that is not exactly what is documented; accessors never fail (absent values are
// empty). Time values are seconds since the Unix epoch, UTC.
#pragma once

#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/ossl.h"

namespace aa::x509 {

// Parsed certificates by their DER bytes, so that a certificate met many times (the CAs every
// GPU chain shares, the same hosts verified again) is decoded once: OpenSSL 3 decodes each
// public key through its provider decoders, the costliest step of reading a chain. The same
// bytes always parse to the same certificate, so a hit is exactly what parsing would give; only
// certificates that parsed are kept. Whole PEM chains are remembered the same way, by their
// exact text, with what every verifier reads of them (ParsedChain). Internally synchronised (one
// cache may serve several threads). Hosts choose what is remembered, so it is bounded twice: at
// most `max_entries` certificates and as many chains, and at most `max_bytes` of certificate
// encodings and chain texts together; beyond either it stops adding (parsing still works).
struct ParsedChain {
  std::vector<ossl::X509Ptr> certs;      // in the order of the text
  std::string der_digest;                // chain_digest(certs); "" when one cannot be encoded
  std::vector<std::string> subject_cns;  // subject_cn() of each
  std::string leaf_sha256;               // fingerprint_sha256(certs[0])
};

// SHA-256 (32 raw bytes) over each certificate's DER encoding preceded by its 4-byte length, so
// that no two different lists of certificates digest alike; "" when one cannot be encoded.
// `der_bytes`, when given, receives the encodings' total size.
std::string chain_digest(const std::vector<ossl::X509Ptr>& certs, size_t* der_bytes = nullptr);

class ParsedCertCache {
 public:
  explicit ParsedCertCache(size_t max_entries = 8192, size_t max_bytes = 32u << 20)
      : max_(max_entries), max_bytes_(max_bytes) {}
  ParsedCertCache(const ParsedCertCache&) = delete;
  ParsedCertCache& operator=(const ParsedCertCache&) = delete;
  // The certificate of `der` (parse_der()), from the cache or parsed and remembered.
  Result<ossl::X509Ptr> parse(ByteView der, const std::string& field);
  // parse_pem_chain(pem, field, max_certs, this), remembered by the exact text when it parsed.
  // A remembered chain is immutable and shared: the certificates stay alive while it is held.
  Result<std::shared_ptr<const ParsedChain>> parse_chain(std::string_view pem,
                                                         const std::string& field,
                                                         size_t max_certs);

 private:
  size_t max_;
  size_t max_bytes_;
  size_t bytes_ = 0;  // held: certificate encodings, chain texts and their encodings
  std::mutex mu_;
  std::map<std::string, ossl::X509Ptr, std::less<>> certs_;
  std::map<std::string, std::shared_ptr<const ParsedChain>, std::less<>> chains_;
};

// Every "-----BEGIN CERTIFICATE-----" block of `pem`, in order. Text outside the blocks is
// ignored; a block that does not decode to one DER certificate with nothing after it is an
// error (crypto.bad-certificate). At most `max_certs` blocks (input.too-large); none is an error.
// With a cache, each block's certificate comes from it (ParsedCertCache).
Result<std::vector<ossl::X509Ptr>> parse_pem_chain(std::string_view pem, const std::string& field,
                                                   size_t max_certs = 16,
                                                   ParsedCertCache* cache = nullptr);

// Exactly one DER certificate, no trailing bytes.
Result<ossl::X509Ptr> parse_der(ByteView der, const std::string& field);

// One certificate given either as PEM (exactly one block) or as DER (no trailing bytes).
Result<ossl::X509Ptr> parse_cert_any(ByteView bytes, const std::string& field);

// Reads a PEM file that holds exactly one certificate.
Result<ossl::X509Ptr> load_pem_file(const std::string& path);

std::string subject_cn(const X509* cert);    // first CN of the subject, "" when none
std::string subject_text(const X509* cert);  // one-line RFC 2253 form
std::string issuer_text(const X509* cert);
std::string serial_hex(const X509* cert);          // lower-case, no leading zeros beyond one byte
std::string serial_decimal(const X509* cert);      // the EAT `ueid` form NVIDIA uses
std::string fingerprint_sha256(const X509* cert);  // hex of SHA-256 over the DER
Bytes der(const X509* cert);
bool same_cert(const X509* a, const X509* b);  // byte-identical DER
bool self_signed(const X509* cert);            // issuer == subject and its own key verifies it
std::time_t not_before(const X509* cert);
std::time_t not_after(const X509* cert);

// The contents of the extension's OCTET STRING (the DER the extension carries), or nullopt
// when the certificate has no extension with that dotted OID.
std::optional<Bytes> extension_value(const X509* cert, const char* oid);

// UTF8String values of SubjectAltName otherName entries with type `oid`.
std::vector<std::string> san_other_names(const X509* cert, const char* oid);

// ECDSA over SHA-384 with a raw big-endian r||s signature (96 bytes for P-384), as SPDM
// responders send it. Returns false for a bad signature, a key of the wrong type or a
// malformed r||s; never errors.
bool verify_ecdsa_sha384_raw(EVP_PKEY* key, ByteView data, ByteView signature_rs);
// The same with any digest (ES256 is SHA-256 with a 64-byte r||s).
bool verify_ecdsa_raw(EVP_PKEY* key, const EVP_MD* md, ByteView data, ByteView signature_rs);
// An ECDSA signature over `data` with `md`, as raw r||s of 2 x `half` bytes; empty on failure.
Bytes sign_ecdsa_raw(EVP_PKEY* private_key, const EVP_MD* md, ByteView data, size_t half);

// RFC 3339 in UTC ("2026-11-27T00:00:00Z").
std::string rfc3339(std::time_t t);
// Parses RFC 3339 with "Z" or a numeric offset; seconds fraction allowed and dropped.
std::optional<std::time_t> parse_rfc3339(std::string_view s);

}  // namespace aa::x509
