#include "store/sqlite_result_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>

#include "core/json.h"
#include "store/ledger.h"
#include "store/nonces.h"
#include "store/schema.h"

namespace aa {

namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

using schema::kEntryColumns;

std::string text_at(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  if (!t) return {};
  return std::string(reinterpret_cast<const char*>(t),
                     static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
}

LedgerEntry entry_of(sqlite3_stmt* s) {
  LedgerEntry e;
  e.position = sqlite3_column_int64(s, 0);
  e.result.id = text_at(s, 1);
  e.result.verified_at = static_cast<std::time_t>(sqlite3_column_int64(s, 2));
  e.result.host = text_at(s, 3);
  e.result.devices = schema::devices_from_text(text_at(s, 4));
  e.result.status = text_at(s, 5);
  e.result.bundle_sha256 = text_at(s, 6);
  e.result.nonce_hex = text_at(s, 7);
  e.result.token = text_at(s, 8);
  e.result.document = text_at(s, 9);
  e.prev_hash = text_at(s, 10);
  e.entry_hash = text_at(s, 11);
  return e;
}

void bind_value(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void bind_value(sqlite3_stmt* s, int i, std::int64_t v) {
  sqlite3_bind_int64(s, i, v);
}

class SqliteResultStore final : public ResultStore {
 public:
  SqliteResultStore(Db db, std::string path, StoreOptions opt)
      : db_(std::move(db)), path_(std::move(path)), opt_(std::move(opt)) {}

  Result<std::string> issue_nonce(std::time_t now, long ttl_seconds) override {
    std::lock_guard lock(mu_);
    return nonces::sqlite_issue(db_.get(), path_, now, ttl_seconds);
  }

  Status check_nonce(const std::string& nonce_hex, std::time_t now) override {
    std::lock_guard lock(mu_);
    return nonces::sqlite_check(db_.get(), path_, nonce_hex, now);
  }

  Result<LedgerEntry> append(const std::string& nonce_hex, std::time_t now,
                             const NewResult& r) override {
    AA_CHECK(ledger::check_new_result(r));
    std::lock_guard lock(mu_);
    AA_CHECK(exec("BEGIN IMMEDIATE", "cannot begin the append"));
    Rollback guard{db_.get()};
    if (!nonce_hex.empty()) AA_CHECK(nonces::sqlite_consume(db_.get(), path_, nonce_hex, now));
    LedgerEntry e;
    e.result = r;
    {
      AA_TRY(q, prepare("SELECT position, entry_hash FROM ledger ORDER BY position DESC LIMIT 1"));
      const int rc = sqlite3_step(q.get());
      if (rc == SQLITE_ROW) {
        e.position = sqlite3_column_int64(q.get(), 0) + 1;
        e.prev_hash = text_at(q.get(), 1);
      } else if (rc == SQLITE_DONE) {
        e.position = 1;
        e.prev_hash = std::string(ledger::kGenesisHash);
      } else {
        return err("cannot read the ledger tip");
      }
    }
    e.entry_hash = ledger::entry_hash(e);
    {
      AA_TRY(ins, prepare("INSERT INTO ledger (position, id, verified_at, host, devices, status, "
                          "bundle_sha256, nonce, token, document, prev_hash, entry_hash) VALUES "
                          "(?,?,?,?,?,?,?,?,?,?,?,?)"));
      bind_value(ins.get(), 1, e.position);
      bind_value(ins.get(), 2, r.id);
      bind_value(ins.get(), 3, static_cast<std::int64_t>(r.verified_at));
      bind_value(ins.get(), 4, r.host);
      bind_value(ins.get(), 5, schema::devices_to_text(r.devices));
      bind_value(ins.get(), 6, r.status);
      bind_value(ins.get(), 7, r.bundle_sha256);
      bind_value(ins.get(), 8, r.nonce_hex);
      bind_value(ins.get(), 9, r.token);
      bind_value(ins.get(), 10, r.document);
      bind_value(ins.get(), 11, e.prev_hash);
      bind_value(ins.get(), 12, e.entry_hash);
      if (sqlite3_step(ins.get()) != SQLITE_DONE) return err("cannot append the entry");
    }
    for (const auto& d : r.devices) {
      AA_TRY(ins, prepare("INSERT INTO ledger_devices (position, device) VALUES (?,?)"));
      bind_value(ins.get(), 1, e.position);
      bind_value(ins.get(), 2, d);
      if (sqlite3_step(ins.get()) != SQLITE_DONE) return err("cannot append the entry");
    }
    if (opt_.before_commit) opt_.before_commit();
    AA_CHECK(exec("COMMIT", "cannot commit the append"));
    guard.db = nullptr;
    return e;
  }

  Result<std::optional<LedgerEntry>> get(const std::string& id) override {
    std::lock_guard lock(mu_);
    AA_TRY(q, prepare(std::string("SELECT ") + kEntryColumns + " FROM ledger WHERE id = ?"));
    bind_value(q.get(), 1, id);
    const int rc = sqlite3_step(q.get());
    if (rc == SQLITE_DONE) return std::optional<LedgerEntry>();
    if (rc != SQLITE_ROW) return err("cannot read the entry");
    return std::optional<LedgerEntry>(entry_of(q.get()));
  }

  Result<ResultPage> query(const ResultQuery& rq) override {
    const std::size_t limit = std::clamp<std::size_t>(rq.limit, 1, 1000);
    // Constant SQL fragments only; every value is a bound parameter.
    std::string sql = std::string("SELECT ") + kEntryColumns + " FROM ledger l WHERE position > ?";
    if (rq.host) sql += " AND host = ?";
    if (rq.since) sql += " AND verified_at >= ?";
    if (rq.status) sql += " AND status = ?";
    if (rq.device) {
      sql +=
          " AND EXISTS (SELECT 1 FROM ledger_devices d WHERE d.position = l.position AND "
          "d.device = ?)";
    }
    sql += " ORDER BY position LIMIT ?";
    std::lock_guard lock(mu_);
    AA_TRY(q, prepare(sql));
    int i = 1;
    bind_value(q.get(), i++, rq.after_position);
    if (rq.host) bind_value(q.get(), i++, *rq.host);
    if (rq.since) bind_value(q.get(), i++, static_cast<std::int64_t>(*rq.since));
    if (rq.status) bind_value(q.get(), i++, *rq.status);
    if (rq.device) bind_value(q.get(), i++, *rq.device);
    bind_value(q.get(), i++, static_cast<std::int64_t>(limit + 1));
    ResultPage page;
    AA_TRY(rows, collect(q.get()));
    if (rows.size() > limit) {
      rows.resize(limit);
      page.next_after = rows.back().position;
    }
    page.entries = std::move(rows);
    return page;
  }

  Result<std::vector<LedgerEntry>> entries(std::int64_t from_position, std::size_t limit) override {
    std::lock_guard lock(mu_);
    AA_TRY(q, prepare(std::string("SELECT ") + kEntryColumns +
                      " FROM ledger WHERE position >= ? ORDER BY position LIMIT ?"));
    bind_value(q.get(), 1, from_position);
    bind_value(q.get(), 2, static_cast<std::int64_t>(limit));
    return collect(q.get());
  }

  Status put_head(const SignedHead& h) override {
    std::lock_guard lock(mu_);
    AA_TRY(q, prepare("INSERT INTO heads (position, entry_hash, signed_at, jws) VALUES (?,?,?,?)"));
    bind_value(q.get(), 1, h.position);
    bind_value(q.get(), 2, h.entry_hash);
    bind_value(q.get(), 3, static_cast<std::int64_t>(h.signed_at));
    bind_value(q.get(), 4, h.jws);
    if (sqlite3_step(q.get()) != SQLITE_DONE) return err("cannot record the head");
    return Ok{};
  }

  Result<std::vector<SignedHead>> heads() override {
    std::lock_guard lock(mu_);
    AA_TRY(q, prepare("SELECT position, entry_hash, signed_at, jws FROM heads ORDER BY position, "
                      "id"));
    std::vector<SignedHead> out;
    for (;;) {
      const int rc = sqlite3_step(q.get());
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return err("cannot read the heads");
      SignedHead h;
      h.position = sqlite3_column_int64(q.get(), 0);
      h.entry_hash = text_at(q.get(), 1);
      h.signed_at = static_cast<std::time_t>(sqlite3_column_int64(q.get(), 2));
      h.jws = text_at(q.get(), 3);
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::optional<std::vector<std::pair<std::int64_t, std::string>>>> device_index(
      std::int64_t from_position, std::int64_t to_position) override {
    std::lock_guard lock(mu_);
    AA_TRY(q, prepare("SELECT position, device FROM ledger_devices WHERE position >= ? AND "
                      "position < ? ORDER BY position, device"));
    bind_value(q.get(), 1, from_position);
    bind_value(q.get(), 2, to_position);
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (;;) {
      const int rc = sqlite3_step(q.get());
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return err("cannot read the device index");
      out.emplace_back(sqlite3_column_int64(q.get(), 0), text_at(q.get(), 1));
    }
    return std::optional(std::move(out));
  }

  Result<StoreStats> stats(std::time_t now) override {
    std::lock_guard lock(mu_);
    StoreStats s;
    {
      AA_TRY(q, prepare("SELECT count(*) FROM nonces WHERE used_at IS NULL AND expires_at >= ?"));
      bind_value(q.get(), 1, static_cast<std::int64_t>(now));
      if (sqlite3_step(q.get()) != SQLITE_ROW) return err("cannot count the nonces");
      s.live_nonces = sqlite3_column_int64(q.get(), 0);
    }
    AA_TRY(q, prepare("SELECT coalesce(max(position), 0) FROM ledger"));
    if (sqlite3_step(q.get()) != SQLITE_ROW) return err("cannot read the ledger length");
    s.ledger_length = sqlite3_column_int64(q.get(), 0);
    return s;
  }

 private:
  struct Rollback {
    sqlite3* db;
    ~Rollback() {
      if (db) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  };

  Error err(const std::string& what) { return nonces::sqlite_error(db_.get(), path_, what); }

  Status exec(const char* sql, const std::string& what) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) return err(what);
    return Ok{};
  }

  Result<Stmt> prepare(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
      Stmt drop(raw);
      return err("prepare");
    }
    return Stmt(raw);
  }

  Result<std::vector<LedgerEntry>> collect(sqlite3_stmt* q) {
    std::vector<LedgerEntry> out;
    for (;;) {
      const int rc = sqlite3_step(q);
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return err("cannot read the ledger");
      out.push_back(entry_of(q));
    }
  }

  std::mutex mu_;
  Db db_;
  std::string path_;
  StoreOptions opt_;
};

Status migrate(sqlite3* db, const std::string& path, int target) {
  auto err = [&](const std::string& what) { return nonces::sqlite_error(db, path, what); };
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return err("cannot begin the migration");
  }
  struct Rollback {
    sqlite3* db;
    ~Rollback() {
      if (db) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  } guard{db};
  if (sqlite3_exec(db,
                   "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                   " applied_at INTEGER NOT NULL)",
                   nullptr, nullptr, nullptr) != SQLITE_OK) {
    return err("cannot create schema_migrations");
  }
  sqlite3_stmt* raw = nullptr;
  sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &raw,
                     nullptr);
  Stmt q(raw);
  if (!q || sqlite3_step(q.get()) != SQLITE_ROW) return err("cannot read the schema version");
  const auto current = static_cast<int>(sqlite3_column_int64(q.get(), 0));
  q.reset();
  if (current > kSchemaVersion) {
    return make_error("store.io", path,
                      "the schema is at version " + std::to_string(current) +
                          ", newer than this build's " + std::to_string(kSchemaVersion));
  }
  for (int v = current + 1; v <= target; ++v) {
    if (sqlite3_exec(db, schema::migration_sql(v, schema::Dialect::kSqlite).c_str(), nullptr,
                     nullptr, nullptr) != SQLITE_OK) {
      return err("migration " + std::to_string(v));
    }
    sqlite3_prepare_v2(db,
                       "INSERT INTO schema_migrations (version, applied_at) VALUES "
                       "(?, CAST(strftime('%s','now') AS INTEGER))",
                       -1, &raw, nullptr);
    Stmt ins(raw);
    if (!ins) return err("prepare");
    sqlite3_bind_int(ins.get(), 1, v);
    if (sqlite3_step(ins.get()) != SQLITE_DONE) return err("cannot record migration");
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return err("cannot commit the migration");
  }
  guard.db = nullptr;
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<ResultStore>> open_sqlite_result_store(const std::string& path,
                                                              const StoreOptions& options) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return nonces::sqlite_error(raw, path, "cannot open");
  sqlite3_busy_timeout(raw, 10000);
  // WAL: readers do not block the writer; FULL: an acknowledged append survives power loss.
  // Switching a new file to WAL takes a lock without the busy handler: processes opening one
  // new file at once retry here (for the busy timeout's 10 s at most).
  int wal = SQLITE_BUSY;
  for (int i = 0; i < 1000 && (wal == SQLITE_BUSY || wal == SQLITE_LOCKED); ++i) {
    wal = sqlite3_exec(raw, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (wal == SQLITE_BUSY || wal == SQLITE_LOCKED) sqlite3_sleep(10);
  }
  if (wal != SQLITE_OK ||
      sqlite3_exec(raw, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return nonces::sqlite_error(raw, path, "cannot set WAL mode");
  }
  const int target =
      options.migrate_to > 0 ? std::min(options.migrate_to, kSchemaVersion) : kSchemaVersion;
  AA_CHECK(migrate(raw, path, target));
  return std::unique_ptr<ResultStore>(
      std::make_unique<SqliteResultStore>(std::move(db), path, options));
}

}  // namespace aa
