// TODO(merge): DELETE THIS FILE when the store branch lands. A weak placeholder for
// aa::open_result_store() (store/result_store.h), so that the service branch links before the
// SQLite and PostgreSQL stores exist: every URL is refused with store.io. The real definition
// (verifier/store/) overrides it at link time.
#include "store/result_store.h"

namespace aa {

__attribute__((weak)) Result<std::unique_ptr<ResultStore>> open_result_store(
    const std::string& url) {
  return make_error("store.io", url, "the SQLite and PostgreSQL stores are not built yet");
}

}  // namespace aa
