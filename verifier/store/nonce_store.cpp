#include "store/nonce_store.h"

#include <openssl/rand.h>
#include <sqlite3.h>

#include "core/bytes.h"

namespace aa {

namespace {

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Error io(const std::string& path, sqlite3* db, const std::string& what) {
  return make_error("store.io", path, what + ": " + (db ? sqlite3_errmsg(db) : "no database"));
}

}  // namespace

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
  if (rc != SQLITE_OK) return io(path, raw, "cannot open");
  sqlite3_busy_timeout(raw, 5000);
  const char* schema =
      "CREATE TABLE IF NOT EXISTS nonces ("
      " nonce TEXT PRIMARY KEY, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
      " used_at INTEGER)";
  if (sqlite3_exec(raw, schema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return io(path, raw, "cannot create the nonce table");
  }
  return s;
}

Result<std::string> NonceStore::issue(std::time_t now, long ttl_seconds) {
  Bytes b(32);
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    return make_error("store.io", path_, "no randomness");
  }
  std::string nonce = hex_encode(b);
  sqlite3_stmt* raw = nullptr;
  sqlite3_prepare_v2(db_.get(), "INSERT INTO nonces (nonce, issued_at, expires_at) VALUES (?,?,?)",
                     -1, &raw, nullptr);
  Stmt st(raw);
  if (!st) return io(path_, db_.get(), "prepare");
  sqlite3_bind_text(st.get(), 1, nonce.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.get(), 2, now);
  sqlite3_bind_int64(st.get(), 3, now + ttl_seconds);
  if (sqlite3_step(st.get()) != SQLITE_DONE) return io(path_, db_.get(), "cannot record the nonce");
  return nonce;
}

Status NonceStore::consume(const std::string& nonce_hex, std::time_t now) {
  std::string nonce = nonce_hex;
  for (char& c : nonce) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // One statement marks the nonce used only if it is known, unused and unexpired.
  sqlite3_stmt* raw = nullptr;
  sqlite3_prepare_v2(db_.get(),
                     "UPDATE nonces SET used_at = ? WHERE nonce = ? AND used_at IS NULL AND "
                     "expires_at >= ?",
                     -1, &raw, nullptr);
  Stmt up(raw);
  if (!up) return io(path_, db_.get(), "prepare");
  sqlite3_bind_int64(up.get(), 1, now);
  sqlite3_bind_text(up.get(), 2, nonce.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(up.get(), 3, now);
  if (sqlite3_step(up.get()) != SQLITE_DONE) return io(path_, db_.get(), "cannot update");
  if (sqlite3_changes(db_.get()) == 1) return Ok{};
  sqlite3_prepare_v2(db_.get(), "SELECT expires_at, used_at FROM nonces WHERE nonce = ?", -1, &raw,
                     nullptr);
  Stmt q(raw);
  if (!q) return io(path_, db_.get(), "prepare");
  sqlite3_bind_text(q.get(), 1, nonce.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(q.get()) != SQLITE_ROW) {
    return make_error("store.nonce-unknown", "nonce " + nonce, "this verifier never issued it");
  }
  if (sqlite3_column_type(q.get(), 1) != SQLITE_NULL) {
    return make_error("store.nonce-reused", "nonce " + nonce,
                      "already used at " + std::to_string(sqlite3_column_int64(q.get(), 1)));
  }
  return make_error("store.nonce-expired", "nonce " + nonce,
                    "expired at " + std::to_string(sqlite3_column_int64(q.get(), 0)));
}

}  // namespace aa
