// How a result store is opened (store/sqlite_result_store.h, store/pg_result_store.h): options
// for tests and tools; a service passes none.
#pragma once

#include <functional>

namespace aa {

struct StoreOptions {
  // 0: migrate to the latest schema this build knows; n > 0: apply migrations up to n only
  // (to make an old database in a test of the migrations).
  int migrate_to = 0;
  // Called inside append()'s transaction after the entry is written, just before COMMIT (a test
  // kills the process there to prove that no half entry survives). Empty in production.
  std::function<void()> before_commit;
};

// The schema version this build migrates to (the numbered migrations of docs/stores.md).
inline constexpr int kSchemaVersion = 2;

}  // namespace aa
