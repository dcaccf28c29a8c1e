// The signed chain head the service writes at intervals (--head-interval).
//
// Signs the current tip with the result key through store/ledger.h sign_head() ({position,
// entry_hash, iat}, ES256 compact JWS, stored with ResultStore::put_head()). An empty ledger has
// no head (Ok, nothing written).
#pragma once

#include <ctime>

#include "accel_attest/verify.h"
#include "store/result_store.h"

namespace aa::service {

Status sign_ledger_head(ResultStore& store, const accel_attest::Signer& signer, std::time_t now);

}  // namespace aa::service
