#include "service/ledger_head.h"

#include "store/ledger.h"

namespace aa::service {

Status sign_ledger_head(ResultStore& store, const accel_attest::Signer& signer, std::time_t now,
                        std::int64_t* signed_length) {
  AA_TRY(st, store.stats(now));
  if (st.ledger_length == 0) return Ok{};  // no entry yet: nothing to sign
  if (signed_length && *signed_length == st.ledger_length) return Ok{};  // nothing new
  AA_CHECK(ledger::sign_head(store, signer.key.get(), signer.kid, now));
  if (signed_length) *signed_length = st.ledger_length;
  return Ok{};
}

}  // namespace aa::service
