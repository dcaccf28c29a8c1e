// The SQLite result store: one file in WAL mode, no server (docs/stores.md).
//
// Contract: as ResultStore (store/result_store.h). The file is created when missing and
// migrated on open (schema_migrations; the numbered migrations of docs/stores.md), in one
// BEGIN IMMEDIATE transaction, so that processes opening one file at once agree. One
// connection per store, serialised by a mutex; across processes SQLite's locks with a busy
// timeout of 10 s (store.busy after it). append() is one BEGIN IMMEDIATE transaction: the nonce
// is consumed by a conditional UPDATE and the entry inserted at max(position)+1. A database
// whose schema is newer than this build is refused (store.io). An old accel-attest nonce file
// (`challenge --store`) opens as a result store: its nonces table is the same.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/result_store.h"
#include "store/store_options.h"

namespace aa {

Result<std::unique_ptr<ResultStore>> open_sqlite_result_store(const std::string& path,
                                                              const StoreOptions& options = {});

}  // namespace aa
