// The signed chain head the service writes at intervals (--head-interval).
//
// TODO(merge): the lead wires this to store/ledger.h sign_head(). Until the store branch lands
// this is the service's own stand-in: it signs {position, entry_hash, iat} of the last ledger
// entry with the result key (ES256 compact JWS) and stores it with ResultStore::put_head(). An
// empty ledger has no head (Ok, nothing written).
#pragma once

#include <ctime>

#include "accel_attest/verify.h"
#include "store/result_store.h"

namespace aa::service {

Status sign_ledger_head(ResultStore& store, const accel_attest::Signer& signer, std::time_t now);

}  // namespace aa::service
