// libFuzzer target: AK enrolment records (tpm/enrolment.h). The input is read twice: as a record
// against a fixed key (the JOSE layer refuses almost everything), and as a payload that the fixed
// key signs first, so that the record's payload reader itself meets any bytes that parse as a
// JSON object. No crash, no exception; every rejection coded and placed.
#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json.h"
#include "results/jose.h"
#include "tpm/enrolment.h"

namespace {

struct Key {
  aa::ossl::PKey key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  std::string kid = aa::jose::thumbprint(key.get());
  aa::jose::Jwks jwks;
  Key() { jwks.keys.push_back({kid, aa::ossl::PKey(EVP_PKEY_dup(key.get()))}); }
};

void check(const aa::Result<aa::tpm::Enrolment>& r) {
  if (r.ok()) {
    if (r->ak_name.size() < 22 || r->ak_name.size() > 66) std::abort();
    return;
  }
  if (r.error().code.empty() || r.error().field.rfind("fuzz", 0) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Key k;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check(aa::tpm::verify_enrolment(text, k.jwks, "fuzz"));
  aa::JsonLimits limits;
  limits.max_depth = 16;
  limits.max_string = 4096;
  auto payload = aa::parse_json_strict(text, "fuzz", limits);
  if (payload.ok() && payload->is_object()) {
    auto token = aa::jose::sign_es256(k.key.get(), k.kid, *payload);
    if (!token.ok()) std::abort();
    check(aa::tpm::verify_enrolment(*token, k.jwks, "fuzz"));
  }
  return 0;
}
