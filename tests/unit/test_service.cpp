// The service layer: the in-memory ResultStore against the store contract (one transaction,
// dense positions, the hash chain, exactly one winner of a nonce race, paging), the bearer
// token check, and the server in-process on the HGX example bundle: a pass, and the path where
// append() loses the nonce after the check, which must answer with the replay refusal and
// never the pass.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <httplib.h>

#include "accel_attest/accel_attest.h"
#include "core/json.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "results/jose.h"
#include "service/auth.h"
#include "service/keys.h"
#include "service/ledger_head.h"
#include "service/memory_store.h"
#include "service/server.h"
#include "store/ledger.h"

namespace aa::service {
namespace {

const std::string kHgx = std::string(EXAMPLES_DIR) + "/bundles/hgx-h100";
const std::string kHgxNonce = "4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e";

// An entry whose id (32 hex digits, as the store requires) is derived from `name`.
NewResult result(const std::string& name) {
  NewResult r;
  r.id = sha256_hex(name).substr(0, 32);
  r.verified_at = 1000;
  r.host = "h";
  r.devices = {"d1"};
  r.status = "affirming";
  return r;
}

TEST(MemoryStore, NonceIsConsumedOnlyWithItsEntry) {
  MemoryResultStore s;
  auto n = s.issue_nonce(100, 60);
  ASSERT_TRUE(n);
  EXPECT_TRUE(s.check_nonce(*n, 100));
  EXPECT_TRUE(s.check_nonce(*n, 100));  // checking does not consume
  EXPECT_EQ(s.check_nonce("00", 100).error().code, "store.nonce-unknown");
  EXPECT_EQ(s.check_nonce(*n, 161).error().code, "store.nonce-expired");
  auto e = s.append(*n, 100, result("a"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->position, 1);
  EXPECT_EQ(e->prev_hash, std::string(64, '0'));
  EXPECT_EQ(s.check_nonce(*n, 100).error().code, "store.nonce-reused");
  // A refused nonce writes nothing.
  EXPECT_EQ(s.append(*n, 100, result("b")).error().code, "store.nonce-reused");
  EXPECT_EQ(s.stats(100)->ledger_length, 1);
  auto e2 = s.append("", 100, result("c"));
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->position, 2);
  EXPECT_EQ(e2->prev_hash, e->entry_hash);
  EXPECT_EQ(e2->entry_hash, ledger_entry_hash(*e2));
  EXPECT_EQ(s.append("", 100, result("c")).error().code, "store.io");  // duplicate id
}

TEST(MemoryStore, ExactlyOneAppendWinsARacedNonce) {
  MemoryResultStore s;
  auto n = s.issue_nonce(100, 60).value();
  std::atomic<int> won{0}, reused{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i) {
    ts.emplace_back([&, i] {
      auto e = s.append(n, 100, result("id" + std::to_string(i)));
      if (e) {
        ++won;
      } else if (e.error().code == "store.nonce-reused") {
        ++reused;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(won, 1);
  EXPECT_EQ(reused, 7);
  EXPECT_EQ(s.stats(100)->live_nonces, 0);
}

TEST(MemoryStore, QueryPagesInPositionOrder) {
  MemoryResultStore s;
  for (int i = 0; i < 5; ++i) {
    NewResult r = result("id" + std::to_string(i));
    r.host = i % 2 ? "odd" : "even";
    r.verified_at = 100 + i;
    ASSERT_TRUE(s.append("", 100 + i, r));
  }
  ResultQuery q;
  q.host = "even";
  q.limit = 2;
  auto p1 = s.query(q).value();
  ASSERT_EQ(p1.entries.size(), 2u);
  EXPECT_EQ(p1.entries[0].position, 1);
  EXPECT_EQ(p1.entries[1].position, 3);
  ASSERT_TRUE(p1.next_after);
  q.after_position = *p1.next_after;
  auto p2 = s.query(q).value();
  ASSERT_EQ(p2.entries.size(), 1u);
  EXPECT_EQ(p2.entries[0].position, 5);
  EXPECT_FALSE(p2.next_after);
  q = {};
  q.since = 103;
  EXPECT_EQ(s.query(q)->entries.size(), 2u);
}

TEST(Auth, BearerTokensByHash) {
  auto dir = std::filesystem::temp_directory_path() / "aa-auth-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "tokens");
    f << "# accepted\n" << sha256_hex("s3cret") << "\n\n";
  }
  auto t = BearerTokens::load((dir / "tokens").string());
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->accepts("s3cret"));
  EXPECT_FALSE(t->accepts("s3cre"));
  EXPECT_FALSE(t->accepts(""));
  EXPECT_EQ(bearer_of("Bearer s3cret"), "s3cret");
  EXPECT_EQ(bearer_of("bearer s3cret"), "s3cret");
  EXPECT_EQ(bearer_of("Basic s3cret"), "");
  EXPECT_EQ(bearer_of("Bearer "), "");
  {
    std::ofstream f(dir / "bad");
    f << "s3cret\n";
  }
  EXPECT_EQ(BearerTokens::load((dir / "bad").string()).error().field,
            (dir / "bad").string() + ":1");
  std::filesystem::remove_all(dir);
}

TEST(LedgerHead, SignsTheLastEntryWithTheResultKey) {
  auto dir = (std::filesystem::temp_directory_path() / "aa-head-test").string();
  ASSERT_TRUE(rotate_keys(dir));
  auto keys = load_key_dir(dir, "accel-attest test").value();
  MemoryResultStore s;
  ASSERT_TRUE(sign_ledger_head(s, keys.current, 100));  // an empty ledger: no head
  EXPECT_TRUE(s.heads()->empty());
  ASSERT_TRUE(s.append("", 100, result("a")));
  auto last = s.append("", 100, result("b")).value();
  ASSERT_TRUE(sign_ledger_head(s, keys.current, 200));
  auto heads = s.heads().value();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].position, 2);
  EXPECT_EQ(heads[0].entry_hash, last.entry_hash);
  auto jwks = jose::parse_jwks(keys.jwks.dump(), "jwks").value();
  auto v = jose::verify_compact(heads[0].jws, jwks, "head");
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(v->payload["position"], 2);
  EXPECT_EQ(v->payload["entry_hash"], last.entry_hash);
  // The service's loop signs again only when the ledger grew.
  std::int64_t signed_length = 0;
  ASSERT_TRUE(sign_ledger_head(s, keys.current, 300, &signed_length));
  ASSERT_TRUE(sign_ledger_head(s, keys.current, 400, &signed_length));
  EXPECT_EQ(s.heads()->size(), 2u);
  ASSERT_TRUE(s.append("", 500, result("c")));
  ASSERT_TRUE(sign_ledger_head(s, keys.current, 600, &signed_length));
  EXPECT_EQ(s.heads()->size(), 3u);
  std::filesystem::remove_all(dir);
}

TEST(Keys, RotationKeepsThePreviousKeyInTheJwks) {
  auto dir = (std::filesystem::temp_directory_path() / "aa-rotate-test").string();
  std::filesystem::remove_all(dir);
  auto k1 = rotate_keys(dir).value();
  auto k2 = rotate_keys(dir).value();
  EXPECT_NE(k1, k2);
  auto keys = load_key_dir(dir, "accel-attest test").value();
  EXPECT_EQ(keys.current.kid, k2);
  ASSERT_EQ(keys.jwks["keys"].size(), 2u);
  EXPECT_EQ(keys.jwks["keys"][0]["kid"], k2);
  EXPECT_EQ(keys.jwks["keys"][1]["kid"], k1);
  EXPECT_FALSE(keys.jwks["keys"][1].contains("d"));  // public halves only
  std::filesystem::remove_all(dir);
}

// append() says the nonce was lost although check_nonce() accepted it: another replica won.
class LosingStore final : public ResultStore {
 public:
  MemoryResultStore inner;
  Result<std::string> issue_nonce(std::time_t now, long ttl) override {
    return inner.issue_nonce(now, ttl);
  }
  Status check_nonce(const std::string& n, std::time_t now) override {
    return inner.check_nonce(n, now);
  }
  Result<LedgerEntry> append(const std::string& n, std::time_t now, const NewResult& r) override {
    if (!n.empty()) return make_error("store.nonce-reused", "nonce " + n, "already used");
    return inner.append(n, now, r);
  }
  Result<std::optional<LedgerEntry>> get(const std::string& id) override { return inner.get(id); }
  Result<ResultPage> query(const ResultQuery& q) override { return inner.query(q); }
  Result<std::vector<LedgerEntry>> entries(std::int64_t f, std::size_t l) override {
    return inner.entries(f, l);
  }
  Status put_head(const SignedHead& h) override { return inner.put_head(h); }
  Result<std::vector<SignedHead>> heads() override { return inner.heads(); }
  Result<StoreStats> stats(std::time_t now) override { return inner.stats(now); }
};

struct Running {
  std::unique_ptr<Server> server;
  std::thread thread;
  int port = 0;
  ~Running() {
    if (server) server->stop();
    if (thread.joinable()) thread.join();
  }
};

void start(Running& r, std::unique_ptr<ResultStore> store, const std::string& tmp) {
  std::filesystem::create_directories(tmp + "/keys");
  std::filesystem::create_directories(tmp + "/lic");
  std::filesystem::copy_file(kHgx + "/licence.json", tmp + "/lic/hgx.json",
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_TRUE(rotate_keys(tmp + "/keys"));
  ServeConfig c;
  c.keys_dir = tmp + "/keys";
  c.allow_unauthenticated = true;
  c.files.profiles_dir = PROFILES_DIR;
  c.files.ak_ca = kHgx + "/sim-ak-ca.pem";
  c.licence_dir = tmp + "/lic";
  c.frozen_at = x509::parse_rfc3339("2026-11-27T00:00:00Z");
  c.head_interval = 0;
  c.threads = 2;
  c.build = "accel-attest test";
  auto s = Server::create(c, std::move(store));
  ASSERT_TRUE(s) << s.error().to_string();
  r.server = std::move(*s);
  auto port = r.server->bind();
  ASSERT_TRUE(port);
  r.port = *port;
  Server* p = r.server.get();
  r.thread = std::thread([p] { (void)p->run(); });
}

std::string hgx_bundle() {
  return read_file(kHgx + "/bundle.json", 32u << 20).value();
}

TEST(Server, VerifiesTheHgxBundleOnceAndLedgersIt) {
  auto tmp = (std::filesystem::temp_directory_path() / "aa-serve-pass").string();
  auto store = std::make_unique<MemoryResultStore>();
  MemoryResultStore* mem = store.get();
  mem->seed_nonce(kHgxNonce, std::time(nullptr) + 600);
  Running r;
  start(r, std::move(store), tmp);
  httplib::Client cli("127.0.0.1", r.port);
  cli.set_read_timeout(120, 0);
  auto res = cli.Post("/v1/verify?licence=hgx", hgx_bundle(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  Json doc = Json::parse(res->body);
  EXPECT_EQ(doc["schema"], "accel-attest/service-result/v1");
  EXPECT_EQ(doc["status"], "warning");  // as `verify` gives it (tests/cli/run_embed_tests.sh)
  EXPECT_EQ(doc["nonce_accepted"], true);
  EXPECT_EQ(doc["nonce"], kHgxNonce);
  EXPECT_EQ(doc["ledger"]["position"], 1);
  auto again = cli.Post("/v1/verify?licence=hgx", hgx_bundle(), "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(Json::parse(again->body)["error"]["code"], "store.nonce-reused");
  EXPECT_EQ(mem->stats(0)->ledger_length, 1);
  std::filesystem::remove_all(tmp);
}

TEST(Server, ANonceLostAtAppendIsAnsweredWithTheReplayRefusal) {
  auto tmp = (std::filesystem::temp_directory_path() / "aa-serve-race").string();
  auto store = std::make_unique<LosingStore>();
  LosingStore* losing = store.get();
  losing->inner.seed_nonce(kHgxNonce, std::time(nullptr) + 600);
  Running r;
  start(r, std::move(store), tmp);
  httplib::Client cli("127.0.0.1", r.port);
  cli.set_read_timeout(120, 0);
  auto res = cli.Post("/v1/verify?licence=hgx", hgx_bundle(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  Json doc = Json::parse(res->body);
  EXPECT_EQ(doc["nonce_accepted"], false);
  EXPECT_EQ(doc["status"], "contraindicated");
  bool replayed = false;
  for (const auto& f : doc["findings"]) replayed |= f["code"] == "pipeline.evidence-replayed";
  EXPECT_TRUE(replayed);
  auto entries = losing->inner.entries(1, 10).value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].result.nonce_hex, "");
  EXPECT_EQ(entries[0].result.status, "contraindicated");
  std::filesystem::remove_all(tmp);
}

// The library's two answers to a nonce the store refuses: the signed-able replay result (the
// default, what `verify --nonce-store` prints), or, for a service answering 409, the store's
// Error before anything is appraised.
TEST(Verify, ARefusedNonceIsAReplayResultOrAnErrorAsAsked) {
  accel_attest::ReferenceFiles files;
  files.profiles_dir = PROFILES_DIR;
  files.ak_ca = kHgx + "/sim-ak-ca.pem";
  auto refs = accel_attest::References::load(files);
  ASSERT_TRUE(refs) << refs.error().to_string();
  auto nonces = accel_attest::memory_nonce_store();  // issued nothing: every nonce is unknown
  accel_attest::VerifyOptions vo;
  vo.at = x509::parse_rfc3339("2026-11-27T00:00:00Z").value();
  vo.now = std::time(nullptr);
  vo.nonce_store = nonces.get();
  auto replay = accel_attest::verify(*refs, hgx_bundle(), vo);
  ASSERT_TRUE(replay) << replay.error().to_string();
  EXPECT_EQ(replay->result.status, TrustTier::kContraindicated);
  vo.appraise_refused_nonce = false;
  auto refused = accel_attest::verify(*refs, hgx_bundle(), vo);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "store.nonce-unknown");
}

}  // namespace
}  // namespace aa::service
