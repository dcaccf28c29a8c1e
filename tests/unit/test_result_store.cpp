// The result stores (SQLite, PostgreSQL) through the one ResultStore interface, the same cases
// for both, and the ledger's verification of what they hold (store/ledger.h). PostgreSQL is a
// real server: the ctest fixture `pg_cluster` (tests/store/pg-cluster.sh) starts one and
// passes its URL in AA_TEST_PG_URL_FILE; without it the PostgreSQL cases FAIL, never skip.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "crypto/x509.h"
#include "results/jose.h"
#include "store/ledger.h"
#include "store/nonce_store.h"
#include "store/pg_result_store.h"
#include "store/result_store.h"
#include "store/signed_result.h"
#include "store/sqlite_result_store.h"
#include "unit/temp_tree.h"

namespace aa {
namespace {

constexpr std::time_t kNow = 1790000000;  // frozen: 2026-09-21

std::string hex_id(int n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032x", n);
  return buf;
}

struct Key {
  ossl::PKey key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  std::string kid = jose::thumbprint(key.get());
  jose::Jwks jwks() const {
    Json doc{{"keys", Json::array({jose::public_jwk(key.get(), kid)})}};
    return std::move(jose::parse_jwks(doc.dump(), "test")).value();
  }
};

// The verifier's result key: it signs every result's token, and (in the tests) the heads.
const Key& verifier_key() {
  static const Key k;
  return k;
}

// Result n as `serve` records it: a token the verifier's key signs (iat = verified_at,
// ear_status = status, eat_nonce = the nonce) and a document that carries them.
NewResult result(int n, const std::string& nonce = "") {
  NewResult r;
  r.id = hex_id(n);
  r.verified_at = kNow + n;
  r.host = n % 2 ? "node-a" : "node-b";
  r.devices = {"GPU-" + std::to_string(n), "TPM-" + std::to_string(n % 3)};
  r.status = n % 3 ? "affirming" : "warning";
  r.bundle_sha256 = std::string(64, 'b');
  EXPECT_TRUE(testing::sign_as_serve(r, verifier_key().key.get(), verifier_key().kid, nonce,
                                     Json{{"n", n}}));
  return r;
}

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

struct PgConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResClear {
  void operator()(PGresult* r) const { PQclear(r); }
};

// One fresh database per test: SQLite, a new file; PostgreSQL, CREATE DATABASE on the test
// cluster.
class Backend {
 public:
  explicit Backend(const std::string& kind) : kind_(kind) {
    static int counter = 0;
    ++counter;
    if (kind == "sqlite") {
      url_ = "sqlite:" + tree_.path("results.sqlite");
      return;
    }
    const char* file = std::getenv("AA_TEST_PG_URL_FILE");
    admin_ = file ? read_line(file) : "";
    if (admin_.empty()) {
      ADD_FAILURE() << "no PostgreSQL test cluster: AA_TEST_PG_URL_FILE is unset or empty (run "
                       "through ctest, whose fixture pg_cluster starts one)";
      return;
    }
    const std::string db = "aa_t" + std::to_string(::getpid()) + "_" + std::to_string(counter);
    run_sql_on(admin_, "DROP DATABASE IF EXISTS " + db);
    run_sql_on(admin_, "CREATE DATABASE " + db);
    const auto q = admin_.find("/postgres?");
    url_ = admin_.substr(0, q) + "/" + db + admin_.substr(q + 9);
  }

  const std::string& url() const { return url_; }
  bool ok() const { return !url_.empty(); }

  Result<std::unique_ptr<ResultStore>> open(const StoreOptions& o = {}) const {
    if (kind_ == "sqlite") return open_sqlite_result_store(url_.substr(7), o);
    return open_pg_result_store(url_, o);
  }

  // A statement run by hand on the database, as an editor with database access would.
  void sql(const std::string& statement) const {
    if (kind_ == "sqlite") {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open(url_.substr(7).c_str(), &db), SQLITE_OK);
      char* msg = nullptr;
      const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &msg);
      EXPECT_EQ(rc, SQLITE_OK) << (msg ? msg : "");
      sqlite3_free(msg);
      sqlite3_close(db);
    } else {
      run_sql_on(url_, statement);
    }
  }

  std::int64_t scalar(const std::string& query) const {
    if (kind_ == "sqlite") {
      sqlite3* db = nullptr;
      sqlite3_open(url_.substr(7).c_str(), &db);
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr);
      std::int64_t v = -1;
      if (st && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
      sqlite3_finalize(st);
      sqlite3_close(db);
      return v;
    }
    std::unique_ptr<PGconn, PgConnCloser> c(PQconnectdb(url_.c_str()));
    std::unique_ptr<PGresult, PgResClear> r(PQexec(c.get(), query.c_str()));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) < 1) return -1;
    return std::strtoll(PQgetvalue(r.get(), 0, 0), nullptr, 10);
  }

 private:
  static void run_sql_on(const std::string& url, const std::string& statement) {
    std::unique_ptr<PGconn, PgConnCloser> c(PQconnectdb(url.c_str()));
    ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
    PQsetNoticeProcessor(
        c.get(), [](void*, const char*) {}, nullptr);
    std::unique_ptr<PGresult, PgResClear> r(PQexec(c.get(), statement.c_str()));
    const auto st = PQresultStatus(r.get());
    EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        << statement << ": " << PQresultErrorMessage(r.get());
  }

  std::string kind_;
  test::TempTree tree_;
  std::string admin_, url_;
};

class ResultStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<Backend>(GetParam());
    ASSERT_TRUE(backend_->ok());
    auto s = backend_->open();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
  }

  // n entries, each consuming a fresh nonce.
  void fill(int n, int first = 1) {
    for (int i = first; i < first + n; ++i) {
      auto nonce = store_->issue_nonce(kNow, 600);
      ASSERT_TRUE(nonce.ok()) << nonce.error().to_string();
      auto e = store_->append(*nonce, kNow + 1, result(i, *nonce));
      ASSERT_TRUE(e.ok()) << e.error().to_string();
    }
  }

  ledger::VerifyReport verify(const jose::Jwks& keys) {
    auto r = ledger::verify_ledger(*store_, keys);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : ledger::VerifyReport{};
  }

  std::unique_ptr<Backend> backend_;
  std::unique_ptr<ResultStore> store_;
};

TEST_P(ResultStoreTest, PositionsAreDenseAndHashesChained) {
  fill(12);
  auto all = store_->entries(1, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 12u);
  std::string prev(ledger::kGenesisHash);
  for (std::size_t i = 0; i < all->size(); ++i) {
    const LedgerEntry& e = (*all)[i];
    EXPECT_EQ(e.position, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(e.prev_hash, prev);
    EXPECT_EQ(e.entry_hash, ledger_entry_hash(e));
    EXPECT_EQ(e.result.devices, result(static_cast<int>(i + 1)).devices);
    prev = e.entry_hash;
  }
  auto got = store_->get(hex_id(5));
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->position, 5);
  EXPECT_EQ(Json::parse((*got)->result.document)["n"], 5);  // tokens are signed anew each time
  EXPECT_FALSE(store_->get(hex_id(99))->has_value());
  auto st = store_->stats(kNow);
  EXPECT_EQ(st->ledger_length, 12);
  EXPECT_EQ(st->live_nonces, 0);
  EXPECT_TRUE(verify({}).intact());
}

TEST_P(ResultStoreTest, QueryFiltersAndPages) {
  fill(10);
  ResultQuery q;
  q.host = "node-a";
  auto a = store_->query(q);
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  ASSERT_EQ(a->entries.size(), 5u);
  for (const auto& e : a->entries) EXPECT_EQ(e.result.host, "node-a");
  EXPECT_FALSE(a->next_after);
  ResultQuery d;
  d.device = "TPM-0";  // entries 3, 6, 9
  auto dv = store_->query(d);
  ASSERT_EQ(dv->entries.size(), 3u);
  EXPECT_EQ(dv->entries[0].position, 3);
  ResultQuery s;
  s.since = kNow + 8;
  s.status = "affirming";  // 8 and 10 (9 is a warning)
  auto ss = store_->query(s);
  ASSERT_EQ(ss->entries.size(), 2u);
  EXPECT_EQ(ss->entries[1].position, 10);
  ResultQuery p;
  p.limit = 4;
  std::vector<std::int64_t> seen;
  for (;;) {
    auto page = store_->query(p);
    ASSERT_TRUE(page.ok());
    for (const auto& e : page->entries) seen.push_back(e.position);
    if (!page->next_after) break;
    p.after_position = *page->next_after;
  }
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
}

TEST_P(ResultStoreTest, RefusedNoncesWriteNothing) {
  fill(2);
  auto used = store_->issue_nonce(kNow, 60);
  ASSERT_TRUE(store_->append(*used, kNow, result(3, *used)).ok());
  auto expired = store_->issue_nonce(kNow, 60);
  EXPECT_TRUE(store_->check_nonce(*expired, kNow + 60).ok());  // expires_at itself is valid
  EXPECT_EQ(store_->check_nonce(*expired, kNow + 61).error().code, "store.nonce-expired");
  EXPECT_EQ(store_->check_nonce(*used, kNow).error().code, "store.nonce-reused");
  EXPECT_EQ(store_->check_nonce(std::string(64, 'a'), kNow).error().code, "store.nonce-unknown");
  struct Case {
    std::string nonce;
    std::time_t at;
    const char* code;
  };
  for (const Case& c : {Case{std::string(64, 'a'), kNow, "store.nonce-unknown"},
                        Case{*used, kNow, "store.nonce-reused"},
                        Case{*expired, kNow + 61, "store.nonce-expired"}}) {
    auto r = store_->append(c.nonce, c.at, result(50, c.nonce));
    ASSERT_FALSE(r.ok()) << c.code;
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(store_->stats(kNow)->ledger_length, 3) << c.code;
    EXPECT_FALSE(store_->get(hex_id(50))->has_value()) << c.code;
  }
  // The expired nonce was not consumed by the refused append (still expired, not reused).
  EXPECT_EQ(store_->check_nonce(*expired, kNow + 61).error().code, "store.nonce-expired");
  // An upper-case nonce is the same nonce.
  auto n = store_->issue_nonce(kNow, 60);
  std::string upper = *n;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_TRUE(store_->append(upper, kNow, result(4, *n)).ok());
  EXPECT_EQ(store_->check_nonce(*n, kNow).error().code, "store.nonce-reused");
  // A malformed result is refused before anything is written.
  NewResult bad = result(5);
  bad.id = "not-hex";
  auto n5 = store_->issue_nonce(kNow, 60);
  EXPECT_EQ(store_->append(*n5, kNow, bad).error().code, "input.bad-value");
  EXPECT_TRUE(store_->check_nonce(*n5, kNow).ok());
  EXPECT_TRUE(verify({}).intact());
}

TEST_P(ResultStoreTest, TwoConnectionsRacingOnOneNonceExactlyOneWins) {
  auto other = backend_->open();
  ASSERT_TRUE(other.ok()) << other.error().to_string();
  std::unique_ptr<ResultStore> second = std::move(*other);
  for (int round = 0; round < 50; ++round) {
    auto nonce = store_->issue_nonce(kNow, 600);
    ASSERT_TRUE(nonce.ok());
    std::atomic<int> ready{0};
    Result<LedgerEntry> r1 = make_error("unset", "", ""), r2 = make_error("unset", "", "");
    auto race = [&](ResultStore& s, Result<LedgerEntry>& out, int id) {
      ++ready;
      while (ready.load() < 2) std::this_thread::yield();
      out = s.append(*nonce, kNow + 1, result(id, *nonce));
    };
    std::thread a(race, std::ref(*store_), std::ref(r1), 1000 + 2 * round);
    std::thread b(race, std::ref(*second), std::ref(r2), 1001 + 2 * round);
    a.join();
    b.join();
    ASSERT_NE(r1.ok(), r2.ok()) << "round " << round << ": "
                                << (r1.ok()
                                        ? "both won"
                                        : r1.error().to_string() + " / " + r2.error().to_string());
    const Error& lost = r1.ok() ? r2.error() : r1.error();
    EXPECT_EQ(lost.code, "store.nonce-reused") << lost.to_string();
  }
  EXPECT_EQ(store_->stats(kNow)->ledger_length, 50);
  EXPECT_TRUE(verify({}).intact());
}

// Forks `n` children that wait on one pipe and then each run `body(i)` (its exit code); the
// gate opens when all are forked. Fork before starting threads: a child has only the forking
// thread.
std::vector<pid_t> start_processes(int n, const std::function<int(int)>& body) {
  int gate[2];
  EXPECT_EQ(pipe(gate), 0);
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      close(gate[1]);
      char c;
      while (read(gate[0], &c, 1) > 0) {
      }
      _exit(body(i));
    }
    pids.push_back(pid);
  }
  close(gate[0]);
  close(gate[1]);  // all children start at once
  return pids;
}

std::vector<int> wait_all(const std::vector<pid_t>& pids) {
  std::vector<int> codes;
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  return codes;
}

std::vector<int> in_processes(int n, const std::function<int(int)>& body) {
  return wait_all(start_processes(n, body));
}

TEST_P(ResultStoreTest, TwoProcessesRacingOnOneNonceExactlyOneWins) {
  const Backend& b = *backend_;
  for (int round = 0; round < 50; ++round) {
    auto nonce = store_->issue_nonce(kNow, 600);
    ASSERT_TRUE(nonce.ok());
    const std::string n = *nonce;
    auto codes = in_processes(2, [&](int i) {
      auto s = b.open();
      if (!s) return 20;
      auto r = (*s)->append(n, kNow + 1, result(2000 + 2 * round + i, n));
      if (r.ok()) return 0;
      return r.error().code == "store.nonce-reused" ? 10 : 30;
    });
    std::multiset<int> got(codes.begin(), codes.end());
    ASSERT_EQ(got, (std::multiset<int>{0, 10}))
        << "round " << round << ": " << codes[0] << "," << codes[1];
  }
  EXPECT_EQ(store_->stats(kNow)->ledger_length, 50);
  EXPECT_TRUE(verify({}).intact());
}

TEST_P(ResultStoreTest, ConcurrentAppendsLeaveNoGapNoDuplicate) {
  constexpr int kThreads = 4, kProcs = 2, kEach = 25;
  const Backend& b = *backend_;
  std::vector<std::string> nonces;
  for (int i = 0; i < (kThreads + kProcs) * kEach; ++i)
    nonces.push_back(*store_->issue_nonce(kNow, 600));
  // The processes run while the threads do.
  auto pids = start_processes(kProcs, [&](int p) {
    auto s = b.open();
    if (!s) return 20;
    for (int i = 0; i < kEach; ++i) {
      const int k = (kThreads + p) * kEach + i;
      if (!(*s)->append(nonces[k], kNow + 1, result(3000 + k, nonces[k])).ok()) return 30;
    }
    return 0;
  });
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto s = b.open();
      if (!s) {
        ++failures;
        return;
      }
      for (int i = 0; i < kEach; ++i) {
        const int k = t * kEach + i;
        if (!(*s)->append(nonces[k], kNow + 1, result(3000 + k, nonces[k])).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  auto codes = wait_all(pids);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(codes, (std::vector<int>(kProcs, 0)));
  const int total = (kThreads + kProcs) * kEach;
  auto all = store_->entries(1, 1000);
  ASSERT_EQ(all->size(), static_cast<std::size_t>(total));
  std::set<std::string> ids;
  for (int i = 0; i < total; ++i) {
    EXPECT_EQ((*all)[i].position, i + 1);
    ids.insert((*all)[i].result.id);
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(total));
  EXPECT_TRUE(verify({}).intact());
}

TEST_P(ResultStoreTest, ProcessKilledMidTransactionLeavesNoHalfEntry) {
  fill(3);
  auto nonce = store_->issue_nonce(kNow, 600);
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    StoreOptions o;
    o.before_commit = [&] {
      // Inside the transaction, the entry written, not committed: tell the parent, then wait
      // to be killed.
      const char c = 'x';
      if (write(ready[1], &c, 1) != 1) _exit(40);
      for (;;) pause();
    };
    auto s = backend_->open(o);
    if (!s) _exit(20);
    (void)(*s)->append(*nonce, kNow + 1, result(4, *nonce));
    _exit(30);  // not reached
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1) << "the child never reached the hook";
  close(ready[0]);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto reopened = backend_->open();
  ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
  ResultStore& s = **reopened;
  EXPECT_EQ(s.stats(kNow)->ledger_length, 3);
  EXPECT_FALSE(s.get(hex_id(4))->has_value());
  EXPECT_EQ(backend_->scalar("SELECT count(*) FROM ledger_devices"), 6);
  // The nonce was not consumed either, and the next append takes position 4.
  EXPECT_TRUE(s.check_nonce(*nonce, kNow + 1).ok());
  auto e = s.append(*nonce, kNow + 2, result(4, *nonce));
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(e->position, 4);
  auto r = ledger::verify_ledger(s, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->intact());
}

TEST_P(ResultStoreTest, ExpiredNoncesAreSweptWhenNoncesAreIssued) {
  // The hostile review: 3000 challenges at a 1 s TTL left 3000 rows for ever.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store_->issue_nonce(kNow, 1).ok());
  EXPECT_EQ(backend_->scalar("SELECT count(*) FROM nonces"), 50);
  // Within the grace the rows stay (a replay is still told "expired"); after it, one issue
  // sweeps them.
  ASSERT_TRUE(store_->issue_nonce(kNow + 2, 600).ok());
  EXPECT_EQ(backend_->scalar("SELECT count(*) FROM nonces"), 51);
  auto young = store_->issue_nonce(kNow + 1000, 600);
  ASSERT_TRUE(young.ok());
  EXPECT_EQ(backend_->scalar("SELECT count(*) FROM nonces"), 2);
  EXPECT_TRUE(store_->check_nonce(*young, kNow + 1001).ok());
}

TEST_P(ResultStoreTest, SignedHeadsVerifyAndAWrongKeyIsNamed) {
  const Key& k = verifier_key();
  Key other;
  fill(5);
  auto h = ledger::sign_head(*store_, k.key.get(), k.kid, kNow + 100);
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  EXPECT_EQ(h->position, 5);
  fill(2, 6);
  ASSERT_TRUE(ledger::sign_head(*store_, k.key.get(), k.kid, kNow + 200).ok());
  auto r = verify(k.jwks());
  EXPECT_TRUE(r.intact());
  EXPECT_EQ(r.heads, 2);
  EXPECT_EQ(r.covered_up_to, 7);
  // With another key, no token verifies: the first break is position 1's.
  auto wrong = verify(other.jwks());
  ASSERT_FALSE(wrong.intact());
  EXPECT_EQ(wrong.first_break->code, "ledger.token-invalid");
  EXPECT_EQ(wrong.first_break->position, 1);
}

TEST_P(ResultStoreTest, AnEditedRowIsNamedWithItsPosition) {
  const Key& k = verifier_key();
  fill(5);
  ASSERT_TRUE(ledger::sign_head(*store_, k.key.get(), k.kid, kNow + 100).ok());
  backend_->sql("UPDATE ledger SET status = 'affirming' WHERE position = 3");
  auto r = verify(k.jwks());
  ASSERT_FALSE(r.intact());
  EXPECT_EQ(r.first_break->code, "ledger.hash-mismatch");
  EXPECT_EQ(r.first_break->position, 3);
}

TEST_P(ResultStoreTest, AnEditWithItsHashRecomputedBreaksTheNextLink) {
  fill(5);
  auto e3 = (*store_->entries(3, 1))[0];
  e3.result.status = "affirming";
  e3.result.host = "elsewhere";
  const std::string forged = ledger_entry_hash(e3);
  backend_->sql("UPDATE ledger SET status = 'affirming', host = 'elsewhere', entry_hash = '" +
                forged + "' WHERE position = 3");
  auto r = verify({});
  ASSERT_FALSE(r.intact());
  EXPECT_EQ(r.first_break->code, "ledger.broken-link");
  EXPECT_EQ(r.first_break->position, 4);
}

TEST_P(ResultStoreTest, AnEditOfTheSignedTipIsCaughtByTheHead) {
  const Key& k = verifier_key();
  fill(5);
  ASSERT_TRUE(ledger::sign_head(*store_, k.key.get(), k.kid, kNow + 100).ok());
  // A member of the document no check reads, its hash recomputed: only the head shows it.
  auto e5 = (*store_->entries(5, 1))[0];
  Json doc = Json::parse(e5.result.document);
  doc["n"] = 55;
  e5.result.document = doc.dump();
  backend_->sql("UPDATE ledger SET document = '" + e5.result.document + "', entry_hash = '" +
                ledger_entry_hash(e5) + "' WHERE position = 5");
  EXPECT_TRUE(verify({}).intact());  // without keys the chain alone is consistent
  auto r = verify(k.jwks());
  ASSERT_FALSE(r.intact());
  EXPECT_EQ(r.first_break->code, "ledger.head-mismatch");
  EXPECT_EQ(r.first_break->position, 5);
}

// The hostile review's rewrite: heads deleted, the tip's status changed and its hash
// recomputed. The chain is consistent; the token the verifier signed is not the row's.
TEST_P(ResultStoreTest, AStatusRewrittenWithoutItsHeadsIsCaughtByTheToken) {
  const Key& k = verifier_key();
  fill(5);
  ASSERT_TRUE(ledger::sign_head(*store_, k.key.get(), k.kid, kNow + 100).ok());
  backend_->sql("DELETE FROM heads");
  auto e5 = (*store_->entries(5, 1))[0];
  e5.result.status = "contraindicated";
  backend_->sql("UPDATE ledger SET status = 'contraindicated', entry_hash = '" +
                ledger_entry_hash(e5) + "' WHERE position = 5");
  EXPECT_TRUE(verify({}).intact());
  auto r = verify(k.jwks());
  ASSERT_FALSE(r.intact());
  EXPECT_EQ(r.first_break->code, "ledger.token-mismatch");
  EXPECT_EQ(r.first_break->position, 5);
  // Every entry is now unsigned: past --max-unsigned-age that is a break from position 1.
  ledger::VerifyOptions o;
  o.now = kNow + 7200;
  o.max_unsigned_age = 3600;
  auto aged = ledger::verify_ledger(*store_, k.jwks(), o);
  ASSERT_TRUE(aged.ok());
  ASSERT_FALSE(aged->intact());
  EXPECT_EQ(aged->first_break->code, "ledger.unsigned-entry");
  EXPECT_EQ(aged->first_break->position, 1);
}

// The re-review's forgery: the served document of the tip edited (its findings, its nonce) and
// the entry hash recomputed; the document no longer says what the token signed.
TEST_P(ResultStoreTest, AServedDocumentEditedAfterTheLastHeadIsCaught) {
  const Key& k = verifier_key();
  fill(5);
  auto e5 = (*store_->entries(5, 1))[0];
  Json doc = Json::parse(e5.result.document);
  doc["findings"] = Json::array({Json{{"code", "x"}}});
  e5.result.document = doc.dump();
  backend_->sql("UPDATE ledger SET document = '" + e5.result.document + "', entry_hash = '" +
                ledger_entry_hash(e5) + "' WHERE position = 5");
  EXPECT_TRUE(verify({}).intact());
  auto r = verify(k.jwks());
  ASSERT_FALSE(r.intact());
  EXPECT_EQ(r.first_break->code, "ledger.document-mismatch");
  EXPECT_EQ(r.first_break->position, 5);
  doc["findings"] = Json::array();
  doc["nonce"] = std::string(64, '0');
  e5.result.document = doc.dump();
  backend_->sql("UPDATE ledger SET document = '" + e5.result.document + "', entry_hash = '" +
                ledger_entry_hash(e5) + "' WHERE position = 5");
  auto n = verify(k.jwks());
  ASSERT_FALSE(n.intact());
  EXPECT_EQ(n.first_break->code, "ledger.document-mismatch");
  // An index row at position 0 is one the ledger does not hold.
  backend_->sql("INSERT INTO ledger_devices (position, device) VALUES (0, 'GPU-0')");
  auto z = verify({});
  ASSERT_FALSE(z.intact());
  EXPECT_EQ(z.first_break->code, "ledger.index-mismatch");
}

TEST_P(ResultStoreTest, DeletedEntriesAreGapsOrATruncatedTail) {
  const Key& k = verifier_key();
  fill(6);
  ASSERT_TRUE(ledger::sign_head(*store_, k.key.get(), k.kid, kNow + 100).ok());
  backend_->sql("DELETE FROM ledger WHERE position = 6");
  auto stray = verify({});  // the device index still names position 6
  ASSERT_FALSE(stray.intact());
  EXPECT_EQ(stray.first_break->code, "ledger.index-mismatch");
  EXPECT_EQ(stray.first_break->position, 6);
  backend_->sql("DELETE FROM ledger_devices WHERE position = 6");
  auto tail = verify(k.jwks());
  ASSERT_FALSE(tail.intact());
  EXPECT_EQ(tail.first_break->code, "ledger.head-beyond-tip");
  EXPECT_EQ(tail.first_break->position, 6);
  backend_->sql("DELETE FROM ledger WHERE position = 2");
  backend_->sql("DELETE FROM ledger_devices WHERE position = 2");
  auto gap = verify(k.jwks());
  ASSERT_FALSE(gap.intact());
  EXPECT_EQ(gap.first_break->code, "ledger.gap");
  EXPECT_EQ(gap.first_break->position, 2);
}

TEST_P(ResultStoreTest, AnExportVerifiesOfflineAndAnEditedExportFails) {
  const Key& k = verifier_key();
  fill(6);
  ASSERT_TRUE(ledger::sign_head(*store_, k.key.get(), k.kid, kNow + 100).ok());
  auto doc = ledger::export_ledger(*store_, std::nullopt);
  ASSERT_TRUE(doc.ok());
  auto x = ledger::parse_export(doc->dump(), "export");
  ASSERT_TRUE(x.ok()) << x.error().to_string();
  auto r = ledger::verify_export(*x, k.jwks());
  EXPECT_TRUE(r.intact());
  EXPECT_EQ(r.covered_up_to, 6);
  // From a time: the run from the first entry at or after it, with the heads after it.
  auto part = ledger::export_ledger(*store_, kNow + 4);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)["first_position"], 4);
  auto px = ledger::parse_export(part->dump(), "part");
  ASSERT_TRUE(px.ok());
  EXPECT_TRUE(ledger::verify_export(*px, k.jwks()).intact());
  // Positions out of range are bad input, not a ledger to walk.
  for (const Json& bad : {Json(0), Json(-1), Json(std::uint64_t{1} << 63), Json(1.5)}) {
    Json b = *doc;
    b["entries"][0]["position"] = bad;
    auto bx = ledger::parse_export(b.dump(), "bad");
    ASSERT_FALSE(bx.ok()) << bad.dump();
    EXPECT_TRUE(bx.error().code == "input.bad-value" || bx.error().code == "input.wrong-type")
        << bx.error().to_string();
  }
  Json edited = *doc;
  edited["entries"][1]["host"] = "forged";
  auto ex = ledger::parse_export(edited.dump(), "edited");
  ASSERT_TRUE(ex.ok());
  auto er = ledger::verify_export(*ex, k.jwks());
  ASSERT_FALSE(er.intact());
  EXPECT_EQ(er.first_break->code, "ledger.hash-mismatch");
  EXPECT_EQ(er.first_break->position, 2);
}

TEST_P(ResultStoreTest, AnOldDatabaseIsMigrated) {
  // A fresh database taken only to migration 1, with an entry, then opened by this build.
  Backend old(GetParam());
  ASSERT_TRUE(old.ok());
  StoreOptions v1;
  v1.migrate_to = 1;
  {
    auto s = old.open(v1);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    auto n = (*s)->issue_nonce(kNow, 60);
    ASSERT_TRUE((*s)->append(*n, kNow, result(1, *n)).ok());
  }
  EXPECT_EQ(old.scalar("SELECT max(version) FROM schema_migrations"), 1);
  auto s = old.open();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(old.scalar("SELECT max(version) FROM schema_migrations"), kSchemaVersion);
  EXPECT_EQ(old.scalar("SELECT count(*) FROM schema_migrations"), kSchemaVersion);
  EXPECT_EQ((*s)->stats(kNow)->ledger_length, 1);
  auto n = (*s)->issue_nonce(kNow, 60);
  EXPECT_EQ((*s)->append(*n, kNow, result(2, *n))->position, 2);
  // A schema newer than this build is refused.
  old.sql("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)");
  auto newer = old.open();
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, "store.io");
}

TEST_P(ResultStoreTest, ProcessesOpeningAFreshDatabaseAtOnceAllSucceed) {
  for (int round = 0; round < 5; ++round) {
    Backend fresh(GetParam());
    ASSERT_TRUE(fresh.ok());
    auto codes = in_processes(3, [&](int) {
      auto s = fresh.open();
      if (!s) {
        std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
        return 20;
      }
      return (*s)->stats(kNow).ok() ? 0 : 30;
    });
    EXPECT_EQ(codes, (std::vector<int>{0, 0, 0})) << "round " << round;
    EXPECT_EQ(fresh.scalar("SELECT count(*) FROM schema_migrations"), kSchemaVersion);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ResultStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(SqliteResultStore, AnOldNonceFileOpensAsAResultStore) {
  test::TempTree t;
  auto ns = NonceStore::open(t.path("n.sqlite"));
  ASSERT_TRUE(ns.ok());
  auto nonce = ns->issue(kNow, 60);
  auto s = open_result_store("sqlite:" + t.path("n.sqlite"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE((*s)->append(*nonce, kNow, result(1, *nonce)).ok());
  EXPECT_EQ(ns->consume(*nonce, kNow).error().code, "store.nonce-reused");
}

TEST(OpenResultStore, UrlsItDoesNotServeAreBadInput) {
  for (const char* url : {"memory:", "sqlite:", "mysql://x", "", "/tmp/x.sqlite"}) {
    auto s = open_result_store(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.error().code, "input.bad-store-url") << url;
  }
}

TEST(LedgerHash, TheEncodingIsUnambiguous) {
  LedgerEntry a;
  a.position = 1;
  a.result = result(1);
  a.prev_hash = std::string(ledger::kGenesisHash);
  LedgerEntry b = a;
  // Moving a character from one field to the next changes the hash.
  b.result.host = a.result.host + "x";
  b.result.status = a.result.status;
  LedgerEntry c = a;
  c.result.devices = {a.result.devices[0] + a.result.devices[1]};
  EXPECT_NE(ledger_entry_hash(a), ledger_entry_hash(b));
  EXPECT_NE(ledger_entry_hash(a), ledger_entry_hash(c));
  // A known answer, recomputable from docs/ledger.md.
  LedgerEntry k;
  k.position = 1;
  k.result.id = std::string(32, '0');
  k.prev_hash = std::string(ledger::kGenesisHash);
  EXPECT_EQ(ledger_entry_hash(k),
            "6c571134d93437cbd62661ab630c31164cf904a5ff9ac103f4c97be2411e6cca");
}

}  // namespace
}  // namespace aa
