// The PostgreSQL result store: the database several `serve` replicas share (docs/stores.md).
//
// Contract: as ResultStore (store/result_store.h), through libpq. `url` is a libpq connection
// URI (postgresql://user@host:port/db?...); errors name the store "postgresql store", never the
// URL (which may hold a password).
// On open the schema is migrated under pg_advisory_lock (replicas starting at once: one
// migrates, the others wait and find it done); the schema and migrations are those of the
// SQLite store (docs/stores.md). Connections: a pool, one connection per concurrent caller
// (created on demand, kept for reuse, at most 16 idle). Every statement is parameterised
// (PQexecParams). append() is one transaction: LOCK TABLE ledger IN SHARE ROW EXCLUSIVE MODE
// (appends are serialised, readers are not blocked), the conditional nonce UPDATE (two replicas
// racing on one nonce: the second waits for the first's row lock and then matches no row), the
// insert at max(position)+1. A broken connection is dropped from the pool (store.io); a lock
// not had within lock_timeout (10 s) is store.busy.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "store/result_store.h"
#include "store/store_options.h"

namespace aa {

Result<std::unique_ptr<ResultStore>> open_pg_result_store(const std::string& url,
                                                          const StoreOptions& options = {});

}  // namespace aa
