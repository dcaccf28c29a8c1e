#include "store/nonce_store.h"

#include <sqlite3.h>

#include "store/nonces.h"

namespace aa {

void NonceStore::Closer::operator()(sqlite3* db) const {
  sqlite3_close(db);
}

NonceStore::~NonceStore() = default;

Result<NonceStore> NonceStore::open(const std::string& path) {
  NonceStore s;
  s.path_ = path;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  s.db_.reset(raw);
  if (rc != SQLITE_OK) return nonces::sqlite_error(raw, path, "cannot open");
  sqlite3_busy_timeout(raw, 5000);
  if (sqlite3_exec(raw, nonces::kSqliteSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return nonces::sqlite_error(raw, path, "cannot create the nonce table");
  }
  return s;
}

Result<std::string> NonceStore::issue(std::time_t now, long ttl_seconds) {
  return nonces::sqlite_issue(db_.get(), path_, now, ttl_seconds);
}

Status NonceStore::consume(const std::string& nonce_hex, std::time_t now) {
  return nonces::sqlite_consume(db_.get(), path_, nonce_hex, now);
}

}  // namespace aa
