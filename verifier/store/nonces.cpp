#include "store/nonces.h"

#include <openssl/rand.h>
#include <sqlite3.h>

#include <cctype>
#include <memory>

#include "core/bytes.h"
#include "crypto/x509.h"

namespace aa::nonces {

namespace {

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Stmt prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  return Stmt(raw);
}

}  // namespace

Result<std::string> new_nonce_hex(const std::string& origin) {
  Bytes b(32);
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    return make_error("store.io", origin, "no randomness");
  }
  return hex_encode(b);
}

std::string normalise(const std::string& nonce_hex) {
  std::string n = nonce_hex;
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return n;
}

Error refusal(const std::string& nonce, bool known, std::optional<long long> used_at,
              long long expires_at) {
  if (!known) {
    return make_error("store.nonce-unknown", "nonce " + nonce, "this verifier never issued it");
  }
  if (used_at) {
    return make_error("store.nonce-reused", "nonce " + nonce,
                      "already used at " + x509::rfc3339(static_cast<std::time_t>(*used_at)));
  }
  return make_error("store.nonce-expired", "nonce " + nonce,
                    "expired at " + x509::rfc3339(static_cast<std::time_t>(expires_at)));
}

Error sqlite_error(sqlite3* db, const std::string& path, const std::string& what) {
  if (db) {
    const int rc = sqlite3_errcode(db);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      return make_error("store.busy", path, what + ": " + sqlite3_errmsg(db));
    }
    return make_error("store.io", path, what + ": " + sqlite3_errmsg(db));
  }
  return make_error("store.io", path, what + ": no database");
}

Result<std::string> sqlite_issue(sqlite3* db, const std::string& path, std::time_t now,
                                 long ttl_seconds) {
  AA_TRY(nonce, new_nonce_hex(path));
  Stmt st = prepare(db, "INSERT INTO nonces (nonce, issued_at, expires_at) VALUES (?,?,?)");
  if (!st) return sqlite_error(db, path, "prepare");
  sqlite3_bind_text(st.get(), 1, nonce.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st.get(), 2, now);
  sqlite3_bind_int64(st.get(), 3, now + ttl_seconds);
  if (sqlite3_step(st.get()) != SQLITE_DONE) {
    return sqlite_error(db, path, "cannot record the nonce");
  }
  return nonce;
}

Status sqlite_check(sqlite3* db, const std::string& path, const std::string& nonce_hex,
                    std::time_t now) {
  const std::string nonce = normalise(nonce_hex);
  Stmt q = prepare(db, "SELECT expires_at, used_at FROM nonces WHERE nonce = ?");
  if (!q) return sqlite_error(db, path, "prepare");
  sqlite3_bind_text(q.get(), 1, nonce.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(q.get());
  if (rc == SQLITE_DONE) return refusal(nonce, false, std::nullopt, 0);
  if (rc != SQLITE_ROW) return sqlite_error(db, path, "cannot read the nonce");
  const long long expires = sqlite3_column_int64(q.get(), 0);
  std::optional<long long> used;
  if (sqlite3_column_type(q.get(), 1) != SQLITE_NULL) used = sqlite3_column_int64(q.get(), 1);
  if (!used && expires >= now) return Ok{};
  return refusal(nonce, true, used, expires);
}

Status sqlite_consume(sqlite3* db, const std::string& path, const std::string& nonce_hex,
                      std::time_t now) {
  const std::string nonce = normalise(nonce_hex);
  // One statement marks the nonce used only if it is known, unused and unexpired.
  Stmt up = prepare(db,
                    "UPDATE nonces SET used_at = ? WHERE nonce = ? AND used_at IS NULL AND "
                    "expires_at >= ?");
  if (!up) return sqlite_error(db, path, "prepare");
  sqlite3_bind_int64(up.get(), 1, now);
  sqlite3_bind_text(up.get(), 2, nonce.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(up.get(), 3, now);
  if (sqlite3_step(up.get()) != SQLITE_DONE) return sqlite_error(db, path, "cannot update");
  if (sqlite3_changes(db) == 1) return Ok{};
  auto why = sqlite_check(db, path, nonce, now);
  if (!why) return why.error();
  // Not consumable a moment ago, consumable now: cannot happen inside one transaction.
  return make_error("store.io", path, "the nonce changed while it was consumed");
}

}  // namespace aa::nonces
