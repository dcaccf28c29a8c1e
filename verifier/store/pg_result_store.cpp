#include "store/pg_result_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "core/json.h"
#include "store/ledger.h"
#include "store/nonces.h"
#include "store/schema.h"

namespace aa {

namespace {

constexpr const char* kOrigin = "postgresql store";
// pg_advisory_xact_lock key of the migrations: "aa-migr" in ASCII.
constexpr const char* kMigrationLock = "27419025187811698";

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
struct ResClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Res = std::unique_ptr<PGresult, ResClear>;

using schema::kEntryColumns;

void quiet_notices(void*, const char*) {}

std::int64_t int_at(const PGresult* r, int row, int col) {
  return std::strtoll(PQgetvalue(r, row, col), nullptr, 10);
}
std::string text_at(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col)));
}

LedgerEntry entry_of(const PGresult* r, int row) {
  LedgerEntry e;
  e.position = int_at(r, row, 0);
  e.result.id = text_at(r, row, 1);
  e.result.verified_at = static_cast<std::time_t>(int_at(r, row, 2));
  e.result.host = text_at(r, row, 3);
  e.result.devices = schema::devices_from_text(text_at(r, row, 4));
  e.result.status = text_at(r, row, 5);
  e.result.bundle_sha256 = text_at(r, row, 6);
  e.result.nonce_hex = text_at(r, row, 7);
  e.result.token = text_at(r, row, 8);
  e.result.document = text_at(r, row, 9);
  e.prev_hash = text_at(r, row, 10);
  e.entry_hash = text_at(r, row, 11);
  return e;
}

Error conn_error(PGconn* c, const std::string& what) {
  std::string m = c ? PQerrorMessage(c) : "no connection";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return make_error("store.io", kOrigin, what + ": " + m);
}

Error result_error(PGconn* c, const PGresult* r, const std::string& what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string m = r ? PQresultErrorMessage(r) : "";
  if (m.empty() && c) m = PQerrorMessage(c);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  const std::string s = state ? state : "";
  // lock_not_available, serialization_failure, deadlock_detected: try again later.
  if (s == "55P03" || s == "40001" || s == "40P01") {
    return make_error("store.busy", kOrigin, what + ": " + m);
  }
  return make_error("store.io", kOrigin, what + ": " + m);
}

// One parameterised statement; params are text.
Result<Res> run(PGconn* c, const char* sql, const std::vector<std::string>& params,
                const std::string& what) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  Res r(PQexecParams(c, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                     nullptr, 0));
  const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return result_error(c, r.get(), what);
  return r;
}

// Constant SQL (DDL, BEGIN/COMMIT): no values.
Status run_constant(PGconn* c, const char* sql, const std::string& what) {
  Res r(PQexec(c, sql));
  const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return result_error(c, r.get(), what);
  return Ok{};
}

Result<Conn> connect(const std::string& url) {
  Conn c(PQconnectdb(url.c_str()));
  if (!c || PQstatus(c.get()) != CONNECTION_OK) return conn_error(c.get(), "cannot connect");
  PQsetNoticeProcessor(c.get(), quiet_notices, nullptr);
  AA_CHECK(run_constant(c.get(), "SET lock_timeout = '10s'", "cannot configure the session"));
  return c;
}

class Pool {
 public:
  explicit Pool(std::string url) : url_(std::move(url)) {}

  class Lease {
   public:
    Lease(Pool* p, Conn c) : pool_(p), c_(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease() {
      if (pool_ && c_) pool_->give_back(std::move(c_));
    }
    PGconn* get() const { return c_.get(); }

   private:
    Pool* pool_;
    Conn c_;
  };

  Result<Lease> take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        Conn c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(c));
      }
    }
    AA_TRY(c, connect(url_));
    return Lease(this, std::move(c));
  }

 private:
  void give_back(Conn c) {
    // A connection that broke or was left inside a transaction is not reused.
    if (PQstatus(c.get()) != CONNECTION_OK || PQtransactionStatus(c.get()) != PQTRANS_IDLE) return;
    std::lock_guard lock(mu_);
    if (idle_.size() < 16) idle_.push_back(std::move(c));
  }

  std::string url_;
  std::mutex mu_;
  std::vector<Conn> idle_;
};

// Rolls back an open transaction unless committed.
struct Txn {
  PGconn* c;
  bool done = false;
  ~Txn() {
    if (!done) Res(PQexec(c, "ROLLBACK"));
  }
};

Status commit(Txn& t, const std::string& what) {
  Res r(PQexec(t.c, "COMMIT"));
  // COMMIT of a failed transaction reports success with the status "ROLLBACK".
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK ||
      std::string(PQcmdStatus(r.get())) != "COMMIT") {
    return result_error(t.c, r.get(), what);
  }
  t.done = true;
  return Ok{};
}

class PgResultStore final : public ResultStore {
 public:
  PgResultStore(std::string url, StoreOptions opt) : pool_(std::move(url)), opt_(std::move(opt)) {}

  Result<std::string> issue_nonce(std::time_t now, long ttl_seconds) override {
    AA_TRY(nonce, nonces::new_nonce_hex(kOrigin));
    AA_TRY(c, pool_.take());
    AA_CHECK(run(c.get(), "INSERT INTO nonces (nonce, issued_at, expires_at) VALUES ($1,$2,$3)",
                 {nonce, std::to_string(now), std::to_string(now + ttl_seconds)},
                 "cannot record the nonce"));
    return nonce;
  }

  Status check_nonce(const std::string& nonce_hex, std::time_t now) override {
    AA_TRY(c, pool_.take());
    return check(c.get(), nonces::normalise(nonce_hex), now);
  }

  Result<LedgerEntry> append(const std::string& nonce_hex, std::time_t now,
                             const NewResult& r) override {
    AA_CHECK(ledger::check_new_result(r));
    AA_TRY(c, pool_.take());
    PGconn* db = c.get();
    AA_CHECK(run_constant(db, "BEGIN", "cannot begin the append"));
    Txn t{db};
    // Appends are serialised by this lock (readers are not blocked), so max(position)+1 is
    // neither a duplicate nor a gap: a transaction that rolls back took no position.
    AA_CHECK(run_constant(db, "LOCK TABLE ledger IN SHARE ROW EXCLUSIVE MODE",
                          "cannot lock the ledger"));
    if (!nonce_hex.empty()) {
      const std::string nonce = nonces::normalise(nonce_hex);
      AA_TRY(up,
             run(db,
                 "UPDATE nonces SET used_at = $1 WHERE nonce = $2 AND used_at IS NULL AND "
                 "expires_at >= $3",
                 {std::to_string(now), nonce, std::to_string(now)}, "cannot consume the nonce"));
      if (std::string(PQcmdTuples(up.get())) != "1") {
        AA_CHECK(check(db, nonce, now));
        return make_error("store.io", kOrigin, "the nonce changed while it was consumed");
      }
    }
    LedgerEntry e;
    e.result = r;
    {
      AA_TRY(tip, run(db, "SELECT position, entry_hash FROM ledger ORDER BY position DESC LIMIT 1",
                      {}, "cannot read the ledger tip"));
      if (PQntuples(tip.get()) == 1) {
        e.position = int_at(tip.get(), 0, 0) + 1;
        e.prev_hash = text_at(tip.get(), 0, 1);
      } else {
        e.position = 1;
        e.prev_hash = std::string(ledger::kGenesisHash);
      }
    }
    e.entry_hash = ledger::entry_hash(e);
    AA_CHECK(run(db,
                 "INSERT INTO ledger (position, id, verified_at, host, devices, status, "
                 "bundle_sha256, nonce, token, document, prev_hash, entry_hash) VALUES "
                 "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
                 {std::to_string(e.position), r.id, std::to_string(r.verified_at), r.host,
                  schema::devices_to_text(r.devices), r.status, r.bundle_sha256, r.nonce_hex,
                  r.token, r.document, e.prev_hash, e.entry_hash},
                 "cannot append the entry"));
    for (const auto& d : r.devices) {
      AA_CHECK(run(db, "INSERT INTO ledger_devices (position, device) VALUES ($1,$2)",
                   {std::to_string(e.position), d}, "cannot append the entry"));
    }
    if (opt_.before_commit) opt_.before_commit();
    AA_CHECK(commit(t, "cannot commit the append"));
    return e;
  }

  Result<std::optional<LedgerEntry>> get(const std::string& id) override {
    AA_TRY(c, pool_.take());
    const std::string sql = std::string("SELECT ") + kEntryColumns + " FROM ledger WHERE id = $1";
    AA_TRY(r, run(c.get(), sql.c_str(), {id}, "cannot read the entry"));
    if (PQntuples(r.get()) == 0) return std::optional<LedgerEntry>();
    return std::optional<LedgerEntry>(entry_of(r.get(), 0));
  }

  Result<ResultPage> query(const ResultQuery& rq) override {
    const std::size_t limit = std::clamp<std::size_t>(rq.limit, 1, 1000);
    // Constant SQL fragments and numbered placeholders only; every value is a parameter.
    std::vector<std::string> params{std::to_string(rq.after_position)};
    std::string sql = std::string("SELECT ") + kEntryColumns + " FROM ledger l WHERE position > $1";
    auto placeholder = [&](const std::string& v) {
      params.push_back(v);
      return "$" + std::to_string(params.size());
    };
    if (rq.host) sql += " AND host = " + placeholder(*rq.host);
    if (rq.since) sql += " AND verified_at >= " + placeholder(std::to_string(*rq.since));
    if (rq.status) sql += " AND status = " + placeholder(*rq.status);
    if (rq.device) {
      sql +=
          " AND EXISTS (SELECT 1 FROM ledger_devices d WHERE d.position = l.position AND "
          "d.device = " +
          placeholder(*rq.device) + ")";
    }
    sql += " ORDER BY position LIMIT " + placeholder(std::to_string(limit + 1));
    AA_TRY(c, pool_.take());
    AA_TRY(r, run(c.get(), sql.c_str(), params, "cannot query the ledger"));
    ResultPage page;
    const int n = PQntuples(r.get());
    for (int i = 0; i < n && page.entries.size() < limit; ++i) {
      page.entries.push_back(entry_of(r.get(), i));
    }
    if (static_cast<std::size_t>(n) > limit) page.next_after = page.entries.back().position;
    return page;
  }

  Result<std::vector<LedgerEntry>> entries(std::int64_t from_position, std::size_t limit) override {
    AA_TRY(c, pool_.take());
    const std::string sql = std::string("SELECT ") + kEntryColumns +
                            " FROM ledger WHERE position >= $1 ORDER BY position LIMIT $2";
    AA_TRY(r, run(c.get(), sql.c_str(), {std::to_string(from_position), std::to_string(limit)},
                  "cannot read the ledger"));
    std::vector<LedgerEntry> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(entry_of(r.get(), i));
    return out;
  }

  Status put_head(const SignedHead& h) override {
    AA_TRY(c, pool_.take());
    AA_CHECK(run(c.get(),
                 "INSERT INTO heads (position, entry_hash, signed_at, jws) VALUES ($1,$2,$3,$4)",
                 {std::to_string(h.position), h.entry_hash, std::to_string(h.signed_at), h.jws},
                 "cannot record the head"));
    return Ok{};
  }

  Result<std::vector<SignedHead>> heads() override {
    AA_TRY(c, pool_.take());
    AA_TRY(r, run(c.get(),
                  "SELECT position, entry_hash, signed_at, jws FROM heads ORDER BY position, id",
                  {}, "cannot read the heads"));
    std::vector<SignedHead> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      SignedHead h;
      h.position = int_at(r.get(), i, 0);
      h.entry_hash = text_at(r.get(), i, 1);
      h.signed_at = static_cast<std::time_t>(int_at(r.get(), i, 2));
      h.jws = text_at(r.get(), i, 3);
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::optional<std::vector<std::pair<std::int64_t, std::string>>>> device_index(
      std::int64_t from_position, std::int64_t to_position) override {
    AA_TRY(c, pool_.take());
    AA_TRY(r, run(c.get(),
                  "SELECT position, device FROM ledger_devices WHERE position >= $1 AND "
                  "position < $2 ORDER BY position, device COLLATE \"C\"",
                  {std::to_string(from_position), std::to_string(to_position)},
                  "cannot read the device index"));
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      out.emplace_back(int_at(r.get(), i, 0), text_at(r.get(), i, 1));
    }
    return std::optional(std::move(out));
  }

  Result<StoreStats> stats(std::time_t now) override {
    AA_TRY(c, pool_.take());
    AA_TRY(r, run(c.get(),
                  "SELECT (SELECT count(*) FROM nonces WHERE used_at IS NULL AND expires_at >= "
                  "$1), (SELECT coalesce(max(position), 0) FROM ledger)",
                  {std::to_string(now)}, "cannot read the store's size"));
    StoreStats s;
    s.live_nonces = int_at(r.get(), 0, 0);
    s.ledger_length = int_at(r.get(), 0, 1);
    return s;
  }

  Status migrate(int target) {
    AA_TRY(c, pool_.take());
    PGconn* db = c.get();
    AA_CHECK(run_constant(db, "BEGIN", "cannot begin the migration"));
    Txn t{db};
    // Replicas starting at once: one migrates, the others wait here and then find it done.
    AA_CHECK(run(db, "SELECT pg_advisory_xact_lock($1::bigint)", {kMigrationLock},
                 "cannot take the migration lock"));
    AA_CHECK(run_constant(db,
                          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                          "KEY, applied_at BIGINT NOT NULL)",
                          "cannot create schema_migrations"));
    AA_TRY(v, run(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", {},
                  "cannot read the schema version"));
    const auto current = static_cast<int>(int_at(v.get(), 0, 0));
    if (current > kSchemaVersion) {
      return make_error("store.io", kOrigin,
                        "the schema is at version " + std::to_string(current) +
                            ", newer than this build's " + std::to_string(kSchemaVersion));
    }
    for (int m = current + 1; m <= target; ++m) {
      AA_CHECK(run_constant(db, schema::migration_sql(m, schema::Dialect::kPostgres).c_str(),
                            "migration " + std::to_string(m)));
      AA_CHECK(run(db,
                   "INSERT INTO schema_migrations (version, applied_at) VALUES "
                   "($1, extract(epoch from now())::bigint)",
                   {std::to_string(m)}, "cannot record migration"));
    }
    return commit(t, "cannot commit the migration");
  }

 private:
  Status check(PGconn* db, const std::string& nonce, std::time_t now) {
    AA_TRY(r, run(db, "SELECT expires_at, used_at FROM nonces WHERE nonce = $1", {nonce},
                  "cannot read the nonce"));
    if (PQntuples(r.get()) == 0) return nonces::refusal(nonce, false, std::nullopt, 0);
    const long long expires = int_at(r.get(), 0, 0);
    std::optional<long long> used;
    if (!PQgetisnull(r.get(), 0, 1)) used = int_at(r.get(), 0, 1);
    if (!used && expires >= now) return Ok{};
    return nonces::refusal(nonce, true, used, expires);
  }

  Pool pool_;
  StoreOptions opt_;
};

}  // namespace

Result<std::unique_ptr<ResultStore>> open_pg_result_store(const std::string& url,
                                                          const StoreOptions& options) {
  auto s = std::make_unique<PgResultStore>(url, options);
  const int target =
      options.migrate_to > 0 ? std::min(options.migrate_to, kSchemaVersion) : kSchemaVersion;
  AA_CHECK(s->migrate(target));
  return std::unique_ptr<ResultStore>(std::move(s));
}

}  // namespace aa
