// libFuzzer target: TPMT_SIGNATURE parsing and the signature check against a fixed RSA and a
// fixed ECC key; any bytes, no crash.
#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>

#include "tpm/quote.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  static EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  auto s = aa::tpm::parse_signature(aa::ByteView(data, size), "fuzz");
  if (!s.ok()) {
    if (s.error().code.empty() || s.error().field.empty()) std::abort();
    return 0;
  }
  const uint8_t msg[4] = {1, 2, 3, 4};
  for (EVP_PKEY* k : {rsa, ec}) {
    if (aa::tpm::verify_quote_signature(*s, k, msg, "fuzz").ok()) std::abort();  // forged
  }
  return 0;
}
