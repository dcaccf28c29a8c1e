// The test fixtures' ledger results, as `serve` records them (verifier/service/server.cpp):
// sign_as_serve() gives `r` (its id, verified_at, host, devices, status and bundle_sha256 set)
// the nonce, an ES256 token over {iat = verified_at, ear_status = status, eat_nonce = the nonce
// when there is one}, and the document `ledger verify` checks against both (no findings;
// `extra` members added). Used by tests/store/store_tool.cpp and tests/unit/test_result_store.cpp.
#pragma once

#include <string>

#include <openssl/evp.h>

#include "core/bytes.h"
#include "core/json.h"
#include "core/result.h"
#include "crypto/x509.h"
#include "results/jose.h"
#include "store/result_store.h"

namespace aa::testing {

inline Status sign_as_serve(NewResult& r, EVP_PKEY* key, const std::string& kid,
                            const std::string& nonce, const Json& extra = Json::object()) {
  r.nonce_hex = nonce;
  Json claims{{"iat", static_cast<long long>(r.verified_at)}, {"ear_status", r.status}};
  if (!nonce.empty()) {
    auto raw = hex_decode(nonce);
    if (!raw) return make_error("input.bad-value", "nonce", "not hex");
    claims["eat_nonce"] = base64url_encode(*raw);
  }
  AA_TRY(token, jose::sign_es256(key, kid, claims));
  r.token = token;
  Json doc{{"id", r.id},
           {"status", r.status},
           {"host", r.host},
           {"devices", r.devices},
           {"token", r.token},
           {"bundle_sha256", r.bundle_sha256},
           {"verified_at", x509::rfc3339(r.verified_at)},
           {"nonce", nonce},
           {"nonce_accepted", !nonce.empty()},
           {"kid", kid},
           {"findings", Json::array()}};
  for (const auto& [k, v] : extra.items()) doc[k] = v;
  r.document = doc.dump();
  return Ok{};
}

}  // namespace aa::testing
