// libFuzzer target: compact JWS parsing and verification against a fixed JWKS, the relying
// party's checks (results/token.h), decoding without a key (report --unverified) and rendering
// the report of whatever decodes, EAR claim reading of the decoded payload, JWKS and PEM key
// parsing; any bytes, no crash, no exception, every rejection coded and placed.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json.h"
#include "report/html_report.h"
#include "results/ear.h"
#include "results/jose.h"
#include "results/token.h"

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
  aa::ear::TokenPolicy policy;
  policy.read.now = 1700000000;
  policy.require = "warning";
  auto t = aa::ear::verify_result_token(text, keys, "fuzz", policy);
  if (!t.ok() && (t.error().code.empty() || t.error().field.empty())) std::abort();
  auto d = aa::jose::decode_unverified(text, "fuzz");
  if (!d.ok() && (d.error().code.empty() || d.error().field.empty())) std::abort();
  if (d.ok()) {
    // Any object renders, and the unverified page never carries a verdict.
    aa::ReportSignature sig;
    std::string html = aa::render_html_report(d->payload, sig);
    if (html.find("<b>UNVERIFIED</b>") == std::string::npos) std::abort();
  }
  auto pem = aa::jose::jwks_from_pem(text, "fuzz");
  if (!pem.ok() && pem.error().code.empty()) std::abort();
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
