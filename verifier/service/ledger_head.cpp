#include "service/ledger_head.h"

namespace aa::service {

// TODO(merge): replace the body with store/ledger.h sign_head().
Status sign_ledger_head(ResultStore& store, const accel_attest::Signer& signer, std::time_t now) {
  AA_TRY(st, store.stats(now));
  if (st.ledger_length == 0) return Ok{};
  AA_TRY(last, store.entries(st.ledger_length, 1));
  if (last.empty()) return make_error("store.io", "ledger", "the last entry cannot be read");
  SignedHead h;
  h.position = last.back().position;
  h.entry_hash = last.back().entry_hash;
  h.signed_at = now;
  Json claims = {{"position", h.position},
                 {"entry_hash", h.entry_hash},
                 {"iat", static_cast<std::int64_t>(now)}};
  AA_TRY(jws, accel_attest::sign_claims(signer, claims));
  h.jws = std::move(jws);
  return store.put_head(h);
}

}  // namespace aa::service
