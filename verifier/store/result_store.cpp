#include "store/result_store.h"

#include "store/pg_result_store.h"
#include "store/sqlite_result_store.h"

namespace aa {

Result<std::unique_ptr<ResultStore>> open_result_store(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    const std::string path = url.substr(kSqlite.size());
    if (path.empty()) return make_error("input.bad-store-url", url, "sqlite: needs a file path");
    return open_sqlite_result_store(path);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return open_pg_result_store(url);
  }
  return make_error("input.bad-store-url", url,
                    "expected sqlite:PATH or postgresql://... (memory: is the service's own)");
}

}  // namespace aa
