// libFuzzer target: compact JWS parsing and verification against a fixed JWKS, EAR claim
// reading of the decoded payload, and JWKS parsing; any bytes, no crash, every rejection coded.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json.h"
#include "results/ear.h"
#include "results/jose.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const aa::jose::Jwks keys =
      aa::jose::parse_jwks(R"({"kty":"EC","crv":"P-256",)"
                           R"("x":"usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8",)"
                           R"("y":"IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4"})",
                           "fixed")
          .value();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto v = aa::jose::verify_compact(text, keys, "fuzz");
  if (!v.ok() && v.error().code.empty()) std::abort();
  auto j = aa::jose::parse_jwks(text, "fuzz");
  if (!j.ok() && j.error().code.empty()) std::abort();
  auto claims = aa::parse_json_strict(text, "fuzz");
  if (claims.ok()) {
    aa::ear::ReadOptions o;
    o.allow_float_times = size % 2 == 0;
    auto e = aa::ear::read_ear(*claims, "fuzz", o);
    if (!e.ok() && (e.error().code.empty() || e.error().field.empty())) std::abort();
  }
  return 0;
}
