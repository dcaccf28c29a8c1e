#include "tpm/credential.h"

#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include <cstring>

#include "crypto/ossl.h"
#include "tpm/quote.h"

namespace aa::tpm {

namespace {

void be32(Bytes& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

Bytes hmac(const EVP_MD* md, ByteView key, ByteView data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), data.data(), data.size(), out, &n);
  return Bytes(out, out + n);
}

// KDFe (TPM 2.0 Part 1, 11.4.10.3): the SP 800-56A concatenation KDF with the TPM's label.
Bytes kdfe(const EVP_MD* md, ByteView z, const char* label, ByteView party_u, ByteView party_v,
           size_t bits) {
  Bytes out;
  size_t want = (bits + 7) / 8;
  for (uint32_t counter = 1; out.size() < want; ++counter) {
    Bytes in;
    be32(in, counter);
    in.insert(in.end(), z.begin(), z.end());
    in.insert(in.end(), label, label + std::strlen(label) + 1);
    in.insert(in.end(), party_u.begin(), party_u.end());
    in.insert(in.end(), party_v.begin(), party_v.end());
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(in.data(), in.size(), d, &n, md, nullptr);
    out.insert(out.end(), d, d + n);
  }
  out.resize(want);
  return out;
}

Result<Bytes> rsa_seed(const TPMT_PUBLIC& ek, const EVP_MD* md, size_t seed_size,
                       TPM2B_ENCRYPTED_SECRET& encrypted) {
  AA_TRY(key, public_key(ek, "EK"));
  Bytes seed(seed_size);
  if (RAND_bytes(seed.data(), static_cast<int>(seed.size())) != 1) {
    return make_error("tpm.bad-key", "EK", "no randomness");
  }
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
    return make_error("tpm.bad-key", "EK", "RSA-OAEP set-up failed");
  }
  static const char kLabel[] = "IDENTITY";  // with its NUL, as the TPM expects
  // set0 takes ownership of the label only when it succeeds.
  ossl::OsslString label(static_cast<char*>(OPENSSL_memdup(kLabel, sizeof kLabel)));
  if (!label || EVP_PKEY_CTX_set0_rsa_oaep_label(
                    ctx.get(), reinterpret_cast<unsigned char*>(label.get()), sizeof kLabel) != 1) {
    return make_error("tpm.bad-key", "EK", "RSA-OAEP label failed");
  }
  label.release();
  size_t outlen = sizeof encrypted.secret;
  if (EVP_PKEY_encrypt(ctx.get(), encrypted.secret, &outlen, seed.data(), seed.size()) != 1) {
    return make_error("tpm.bad-key", "EK", "RSA-OAEP encryption to the EK failed");
  }
  encrypted.size = static_cast<UINT16>(outlen);
  return seed;
}

Result<Bytes> ecc_seed(const TPMT_PUBLIC& ek, const EVP_MD* md, size_t seed_bits,
                       TPM2B_ENCRYPTED_SECRET& encrypted) {
  AA_TRY(peer, public_key(ek, "EK"));
  const char* group = ek.parameters.eccDetail.curveID == TPM2_ECC_NIST_P256 ? "P-256" : "P-384";
  ossl::PKey eph(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group));
  if (!eph) return make_error("tpm.bad-key", "EK", "cannot make an ephemeral key");
  ossl::PkeyCtx dctx(EVP_PKEY_CTX_new(eph.get(), nullptr));
  size_t zlen = 0;
  if (!dctx || EVP_PKEY_derive_init(dctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(dctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(dctx.get(), nullptr, &zlen) != 1) {
    return make_error("tpm.bad-key", "EK", "ECDH with the EK failed");
  }
  Bytes z(zlen);
  if (EVP_PKEY_derive(dctx.get(), z.data(), &zlen) != 1) {
    return make_error("tpm.bad-key", "EK", "ECDH with the EK failed");
  }
  // The ephemeral point, each coordinate padded to the field size.
  size_t field = ek.parameters.eccDetail.curveID == TPM2_ECC_NIST_P256 ? 32 : 48;
  unsigned char point[1 + 2 * 48];
  size_t plen = 0;
  if (EVP_PKEY_get_octet_string_param(eph.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                      &plen) != 1 ||
      plen != 1 + 2 * field) {
    return make_error("tpm.bad-key", "EK", "ephemeral point unusable");
  }
  TPMS_ECC_POINT p{};
  p.x.size = static_cast<UINT16>(field);
  std::memcpy(p.x.buffer, point + 1, field);
  p.y.size = static_cast<UINT16>(field);
  std::memcpy(p.y.buffer, point + 1 + field, field);
  size_t off = 0;
  if (Tss2_MU_TPMS_ECC_POINT_Marshal(&p, encrypted.secret, sizeof encrypted.secret, &off) !=
      TSS2_RC_SUCCESS) {
    return make_error("tpm.bad-key", "EK", "cannot marshal the ephemeral point");
  }
  encrypted.size = static_cast<UINT16>(off);
  ByteView ek_x(ek.unique.ecc.x.buffer, ek.unique.ecc.x.size);
  return kdfe(md, z, "IDENTITY", ByteView(p.x.buffer, p.x.size), ek_x, seed_bits);
}

}  // namespace

Bytes kdfa(TPMI_ALG_HASH alg, ByteView key, const char* label, ByteView context_u,
           ByteView context_v, size_t bits) {
  const EVP_MD* md = digest_for(alg);
  Bytes out;
  size_t want = (bits + 7) / 8;
  for (uint32_t counter = 1; out.size() < want; ++counter) {
    Bytes in;
    be32(in, counter);
    in.insert(in.end(), label, label + std::strlen(label) + 1);
    in.insert(in.end(), context_u.begin(), context_u.end());
    in.insert(in.end(), context_v.begin(), context_v.end());
    be32(in, static_cast<uint32_t>(bits));
    Bytes block = hmac(md, key, in);
    out.insert(out.end(), block.begin(), block.end());
  }
  out.resize(want);
  return out;
}

Result<Credential> make_credential(const TPMT_PUBLIC& ek, ByteView ak_name, ByteView secret) {
  const EVP_MD* md = digest_for(ek.nameAlg);
  if (!md) return make_error("tpm.bad-key", "EK", "unsupported EK nameAlg");
  size_t digest_size = static_cast<size_t>(EVP_MD_get_size(md));
  if (secret.size() > digest_size) {
    return make_error("tpm.bad-key", "secret", "longer than the EK nameAlg digest");
  }
  const TPMT_SYM_DEF_OBJECT& sym = ek.type == TPM2_ALG_RSA ? ek.parameters.rsaDetail.symmetric
                                                           : ek.parameters.eccDetail.symmetric;
  if (sym.algorithm != TPM2_ALG_AES || sym.mode.aes != TPM2_ALG_CFB ||
      (sym.keyBits.aes != 128 && sym.keyBits.aes != 256)) {
    return make_error("tpm.bad-key", "EK", "EK symmetric scheme is not AES-128/256-CFB");
  }
  Credential c;
  Bytes seed;
  if (ek.type == TPM2_ALG_RSA) {
    AA_TRY(s, rsa_seed(ek, md, digest_size, c.secret));
    seed = std::move(s);
  } else if (ek.type == TPM2_ALG_ECC && (ek.parameters.eccDetail.curveID == TPM2_ECC_NIST_P256 ||
                                         ek.parameters.eccDetail.curveID == TPM2_ECC_NIST_P384)) {
    AA_TRY(s, ecc_seed(ek, md, digest_size * 8, c.secret));
    seed = std::move(s);
  } else {
    return make_error("tpm.bad-key", "EK", "EK is neither RSA nor ECC P-256/P-384");
  }
  Bytes sym_key = kdfa(ek.nameAlg, seed, "STORAGE", ak_name, {}, sym.keyBits.aes);
  // TPM2B_DIGEST(secret): big-endian size, then the bytes.
  Bytes plain = {static_cast<uint8_t>(secret.size() >> 8), static_cast<uint8_t>(secret.size())};
  plain.insert(plain.end(), secret.begin(), secret.end());
  Bytes enc(plain.size());
  ossl::CipherCtx cctx(EVP_CIPHER_CTX_new());
  unsigned char iv[16] = {};
  int outl = 0, finl = 0;
  const EVP_CIPHER* cipher = sym.keyBits.aes == 128 ? EVP_aes_128_cfb128() : EVP_aes_256_cfb128();
  if (!cctx || EVP_EncryptInit_ex(cctx.get(), cipher, nullptr, sym_key.data(), iv) != 1 ||
      EVP_EncryptUpdate(cctx.get(), enc.data(), &outl, plain.data(),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(cctx.get(), enc.data() + outl, &finl) != 1) {
    return make_error("tpm.bad-key", "EK", "AES-CFB failed");
  }
  Bytes hmac_key = kdfa(ek.nameAlg, seed, "INTEGRITY", {}, {}, digest_size * 8);
  Bytes mac_in = enc;
  mac_in.insert(mac_in.end(), ak_name.begin(), ak_name.end());
  Bytes integrity = hmac(md, hmac_key, mac_in);
  // TPM2B_ID_OBJECT.credential = TPM2B(integrity) || encIdentity.
  Bytes blob = {static_cast<uint8_t>(integrity.size() >> 8),
                static_cast<uint8_t>(integrity.size())};
  blob.insert(blob.end(), integrity.begin(), integrity.end());
  blob.insert(blob.end(), enc.begin(), enc.end());
  if (blob.size() > sizeof c.blob.credential)
    return make_error("tpm.bad-key", "EK", "blob too big");
  c.blob.size = static_cast<UINT16>(blob.size());
  std::memcpy(c.blob.credential, blob.data(), blob.size());
  return c;
}

}  // namespace aa::tpm
