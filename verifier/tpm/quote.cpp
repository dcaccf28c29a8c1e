#include "tpm/quote.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>

#include <cstring>

#include "crypto/keys.h"

namespace aa::tpm {

namespace {

std::string hex4(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%04x", v);
  return b;
}

Error mu_error(const std::string& what, const std::string& origin, TSS2_RC rc) {
  return make_error("tpm.malformed", origin, what + " does not unmarshal: " + Tss2_RC_Decode(rc));
}

Error trailing(const std::string& what, const std::string& origin, size_t used, size_t size) {
  return make_error("tpm.trailing-bytes", origin,
                    std::to_string(size - used) + " bytes after the " + what + " (" +
                        std::to_string(used) + " of " + std::to_string(size) + " used)");
}

}  // namespace

const EVP_MD* digest_for(TPMI_ALG_HASH alg) {
  switch (alg) {
    case TPM2_ALG_SHA1:
      return EVP_sha1();
    case TPM2_ALG_SHA256:
      return EVP_sha256();
    case TPM2_ALG_SHA384:
      return EVP_sha384();
    case TPM2_ALG_SHA512:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

const char* hash_name(TPMI_ALG_HASH alg) {
  switch (alg) {
    case TPM2_ALG_SHA1:
      return "sha1";
    case TPM2_ALG_SHA256:
      return "sha256";
    case TPM2_ALG_SHA384:
      return "sha384";
    case TPM2_ALG_SHA512:
      return "sha512";
    default:
      return "unknown";
  }
}

std::vector<unsigned> selected_pcrs(const TPMS_PCR_SELECTION& s) {
  std::vector<unsigned> out;
  for (unsigned byte = 0; byte < s.sizeofSelect && byte < sizeof s.pcrSelect; ++byte) {
    for (unsigned bit = 0; bit < 8; ++bit) {
      if (s.pcrSelect[byte] & (1u << bit)) out.push_back(byte * 8 + bit);
    }
  }
  return out;
}

Result<Quote> parse_attest(ByteView bytes, const std::string& origin) {
  Quote q;
  q.message.assign(bytes.begin(), bytes.end());
  size_t off = 0;
  TSS2_RC rc = Tss2_MU_TPMS_ATTEST_Unmarshal(bytes.data(), bytes.size(), &off, &q.attest);
  if (rc != TSS2_RC_SUCCESS) return mu_error("TPMS_ATTEST", origin, rc);
  if (q.attest.magic != TPM2_GENERATED_VALUE) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", q.attest.magic);
    return make_error("tpm.bad-magic", origin + "#magic",
                      std::string(b) + ", expected 0xff544347 (TPM_GENERATED): not made by a TPM");
  }
  if (q.attest.type != TPM2_ST_ATTEST_QUOTE) {
    return make_error("tpm.wrong-type", origin + "#type",
                      hex4(q.attest.type) + ", expected 0x8018 (TPM_ST_ATTEST_QUOTE)");
  }
  if (off != bytes.size()) return trailing("TPMS_ATTEST", origin, off, bytes.size());
  for (uint32_t i = 0; i < q.selection().count; ++i) {
    if (q.selection().pcrSelections[i].sizeofSelect >
        sizeof q.selection().pcrSelections[i].pcrSelect) {
      return make_error("tpm.malformed", origin + "#attested.quote.pcrSelect",
                        "sizeofSelect above 4");
    }
  }
  return q;
}

Result<TPMT_SIGNATURE> parse_signature(ByteView bytes, const std::string& origin) {
  TPMT_SIGNATURE sig{};
  size_t off = 0;
  TSS2_RC rc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(bytes.data(), bytes.size(), &off, &sig);
  if (rc != TSS2_RC_SUCCESS) return mu_error("TPMT_SIGNATURE", origin, rc);
  if (off != bytes.size()) return trailing("TPMT_SIGNATURE", origin, off, bytes.size());
  return sig;
}

Bytes ak_name(const TPMT_PUBLIC& area) {
  uint8_t buf[sizeof(TPMT_PUBLIC)];
  size_t off = 0;
  if (Tss2_MU_TPMT_PUBLIC_Marshal(&area, buf, sizeof buf, &off) != TSS2_RC_SUCCESS) return {};
  const EVP_MD* md = digest_for(area.nameAlg);
  if (!md) return {};
  Bytes name = {static_cast<uint8_t>(area.nameAlg >> 8), static_cast<uint8_t>(area.nameAlg)};
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(buf, off, d, &n, md, nullptr);
  name.insert(name.end(), d, d + n);
  return name;
}

Result<ossl::PKey> public_key(const TPMT_PUBLIC& area, const std::string& origin) {
  if (area.type == TPM2_ALG_RSA) {
    const auto& u = area.unique.rsa;
    uint32_t e = area.parameters.rsaDetail.exponent ? area.parameters.rsaDetail.exponent : 65537;
    return rsa_public_key(ByteView(u.buffer, u.size), e, "tpm.bad-key", origin);
  }
  if (area.type == TPM2_ALG_ECC) {
    const char* curve = area.parameters.eccDetail.curveID == TPM2_ECC_NIST_P256   ? "P-256"
                        : area.parameters.eccDetail.curveID == TPM2_ECC_NIST_P384 ? "P-384"
                                                                                  : nullptr;
    if (!curve) {
      return make_error(
          "tpm.bad-key", origin,
          "ECC curve " + hex4(area.parameters.eccDetail.curveID) + " is not P-256 or P-384");
    }
    const auto& x = area.unique.ecc.x;
    const auto& y = area.unique.ecc.y;
    Bytes point = {0x04};
    point.insert(point.end(), x.buffer, x.buffer + x.size);
    point.insert(point.end(), y.buffer, y.buffer + y.size);
    return ec_public_key(curve, point, "tpm.bad-key", origin);
  }
  return make_error("tpm.bad-key", origin, "key type " + hex4(area.type) + " is not RSA or ECC");
}

Result<Public> parse_public(ByteView bytes, const std::string& origin) {
  Public p;
  std::string_view text = as_chars(bytes);
  if (text.find("-----BEGIN PUBLIC KEY-----") != std::string_view::npos) {
    ossl::Bio bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    p.key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!p.key) return make_error("tpm.bad-key", origin, "PEM public key does not parse");
  } else {
    TPM2B_PUBLIC pub{};
    size_t off = 0;
    TPMT_PUBLIC area{};
    if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(bytes.data(), bytes.size(), &off, &pub) == TSS2_RC_SUCCESS &&
        off == bytes.size()) {
      area = pub.publicArea;
    } else {
      off = 0;
      TSS2_RC rc = Tss2_MU_TPMT_PUBLIC_Unmarshal(bytes.data(), bytes.size(), &off, &area);
      if (rc != TSS2_RC_SUCCESS) return mu_error("TPM2B_PUBLIC or TPMT_PUBLIC", origin, rc);
      if (off != bytes.size()) return trailing("TPMT_PUBLIC", origin, off, bytes.size());
    }
    AA_TRY(key, public_key(area, origin));
    p.key = std::move(key);
    p.name = ak_name(area);
    p.area = area;
  }
  int bits = EVP_PKEY_get_bits(p.key.get());
  p.description = EVP_PKEY_get_base_id(p.key.get()) == EVP_PKEY_RSA
                      ? "RSA-" + std::to_string(bits)
                      : "ECC P-" + std::to_string(bits);
  return p;
}

Status verify_quote_signature(const TPMT_SIGNATURE& sig, EVP_PKEY* key, ByteView message,
                              const std::string& origin) {
  bool rsa_key = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
  bool ec_key = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
  TPMI_ALG_HASH hash = 0;
  Bytes der;
  int padding = 0;
  switch (sig.sigAlg) {
    case TPM2_ALG_RSASSA:
    case TPM2_ALG_RSAPSS: {
      const TPMS_SIGNATURE_RSA& r =
          sig.sigAlg == TPM2_ALG_RSASSA ? sig.signature.rsassa : sig.signature.rsapss;
      if (!rsa_key) break;
      hash = r.hash;
      der.assign(r.sig.buffer, r.sig.buffer + r.sig.size);
      padding = sig.sigAlg == TPM2_ALG_RSASSA ? RSA_PKCS1_PADDING : RSA_PKCS1_PSS_PADDING;
      break;
    }
    case TPM2_ALG_ECDSA: {
      if (!ec_key) break;
      const TPMS_SIGNATURE_ECC& e = sig.signature.ecdsa;
      hash = e.hash;
      ossl::BigNum r(BN_bin2bn(e.signatureR.buffer, e.signatureR.size, nullptr));
      ossl::BigNum s(BN_bin2bn(e.signatureS.buffer, e.signatureS.size, nullptr));
      ossl::EcdsaSig es(ECDSA_SIG_new());
      if (!r || !s || !es || ECDSA_SIG_set0(es.get(), r.get(), s.get()) != 1) {
        return make_error("tpm.signature-invalid", origin, "ECDSA r/s unusable");
      }
      r.release();
      s.release();
      unsigned char* p = nullptr;
      int n = i2d_ECDSA_SIG(es.get(), &p);
      if (n <= 0) return make_error("tpm.signature-invalid", origin, "ECDSA r/s unusable");
      der.assign(p, p + n);
      OPENSSL_free(p);
      break;
    }
    default:
      return make_error("tpm.signature-scheme", origin + "#sigAlg",
                        "signature scheme " + hex4(sig.sigAlg) +
                            " is not allowed (RSASSA, RSAPSS and ECDSA only)");
  }
  if (der.empty()) {
    return make_error("tpm.signature-scheme", origin + "#sigAlg",
                      "signature scheme " + hex4(sig.sigAlg) + " does not fit the " +
                          (rsa_key  ? "RSA"
                           : ec_key ? "ECC"
                                    : "unknown") +
                          " key");
  }
  const EVP_MD* md = digest_for(hash);
  if (!md) {
    return make_error("tpm.signature-scheme", origin + "#hash",
                      "hash " + hex4(hash) + " is not SHA-1/256/384/512");
  }
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key) != 1) {
    return make_error("tpm.signature-invalid", origin, "cannot set up verification");
  }
  if (padding != 0) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, padding);
    if (padding == RSA_PKCS1_PSS_PADDING) {
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO);
    }
  }
  if (EVP_DigestVerify(ctx.get(), der.data(), der.size(), message.data(), message.size()) != 1) {
    return make_error(
        "tpm.signature-invalid", origin,
        std::string("the ") + hash_name(hash) + " signature does not verify with the AK");
  }
  return Ok{};
}

}  // namespace aa::tpm
