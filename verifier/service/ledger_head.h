// The signed chain head the service writes at intervals (--head-interval).
//
// Signs the current tip with the result key through store/ledger.h sign_head() ({position,
// entry_hash, iat}, ES256 compact JWS, stored with ResultStore::put_head()). An empty ledger has
// no head (Ok, nothing written); nor has a ledger whose length is still `*signed_length` (the
// length this caller signed last: nothing new to cover), which is updated when a head is signed.
#pragma once

#include <cstdint>
#include <ctime>

#include "accel_attest/verify.h"
#include "store/result_store.h"

namespace aa::service {

Status sign_ledger_head(ResultStore& store, const accel_attest::Signer& signer, std::time_t now,
                        std::int64_t* signed_length = nullptr);

}  // namespace aa::service
