#include "crypto/keys.h"

#include <openssl/core_names.h>

namespace aa {

namespace {

Result<ossl::PKey> from_params(const char* type, OSSL_PARAM_BLD* bld, const std::string& code,
                               const std::string& field) {
  ossl::Params params(OSSL_PARAM_BLD_to_param(bld));
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return make_error(code, field, std::string("not a usable ") + type + " public key");
  }
  // No EVP_PKEY_public_check: decoding an EC point already checks it is on the curve (P-256
  // and P-384 have cofactor 1), and the RSA check (SP 800-56B) costs milliseconds on the
  // per-quote path while a bad modulus can only make signatures fail.
  return ossl::PKey(raw);
}

}  // namespace

Result<ossl::PKey> ec_public_key(const char* group, ByteView point, const std::string& code,
                                 const std::string& field) {
  ossl::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return make_error(code, field, "unusable point");
  }
  return from_params("EC", bld.get(), code, field);
}

Result<ossl::PKey> rsa_public_key(ByteView modulus, uint32_t exponent, const std::string& code,
                                  const std::string& field) {
  ossl::ParamBld bld(OSSL_PARAM_BLD_new());
  ossl::BigNum n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  ossl::BigNum e(BN_new());
  if (!bld || !n || !e || BN_set_word(e.get(), exponent) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return make_error(code, field, "RSA modulus or exponent unusable");
  }
  return from_params("RSA", bld.get(), code, field);
}

}  // namespace aa
