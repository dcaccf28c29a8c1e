// Benchmark of `accel-attest serve` against the library it is built on, on the HGX example
// bundle (8 H100s with real NVIDIA evidence, a swtpm quote, an AK certificate, the licence),
// reported as ratios against a baseline measured in the same run (never asserted in tests):
//   BM_Baseline_InProcess  accel_attest::verify() + result_claims() + sign_claims() with a warm
//                          CertificateCache: what a program embedding the library pays;
//   BM_Http                the same bundle POSTed to /v1/verify of a Server in this process, on
//                          loopback, one keep-alive connection: HTTP, the nonce check, the same
//                          verification and signing, the ledger append (memory store);
//   BM_Http2Clients        two clients at once (two threads, two connections): each client's
//                          p99 latency is reported (p99_ms), and the process's resident
//                          memory: VmRSS_warm_MB (BM_Http) after one request, with the
//                          baseline's and the server's references loaded; VmRSS_MB and
//                          VmHWM_MB here include every result the memory store has kept by then
//                          (a serving process's own figure: tests/load/run.sh prints it).
//   *_ProcessCpu           the same two, timed by the whole process's CPU time (every thread:
//                          the server's and this client's) instead of the wall clock: the
//                          cost per verification on one core, free of scheduling gaps;
//   BM_Http_ServerCpu      the process's CPU time less the client thread's: what the service's
//                          threads spend per verification (the per-core figure of a server),
//                          against BM_Baseline_InProcess_ProcessCpu.
// Target (issue 15): Http / InProcess <= 1.15 (items per second = verifications per second).
// The GPUs signed the example bundle's one nonce, so every request answers the same nonce: the
// benchmark's store (AlwaysFresh) takes that nonce as fresh each time -- everything else a
// request does (check, append of a chained ledger entry) runs as in service.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "accel_attest/accel_attest.h"
#include "bundle/bundle.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "hgx_example.h"
#include "service/keys.h"
#include "service/memory_store.h"
#include "service/server.h"

namespace {

const std::string& kDir = bench::kHgxDir;
const std::time_t kAt = bench::kHgxAt;

const std::string& bundle_text() {
  return bench::hgx_bundle_text();
}

// The benchmark's store: the example bundle's fixed nonce is fresh at every request.
class AlwaysFresh final : public aa::ResultStore {
 public:
  aa::service::MemoryResultStore inner;
  aa::Result<std::string> issue_nonce(std::time_t now, long ttl) override {
    return inner.issue_nonce(now, ttl);
  }
  aa::Status check_nonce(const std::string&, std::time_t) override { return aa::Ok{}; }
  aa::Result<aa::LedgerEntry> append(const std::string& nonce, std::time_t now,
                                     const aa::NewResult& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    inner.seed_nonce(nonce, now + 60);
    return inner.append(nonce, now, r);
  }
  aa::Result<std::optional<aa::LedgerEntry>> get(const std::string& id) override {
    return inner.get(id);
  }
  aa::Result<aa::ResultPage> query(const aa::ResultQuery& q) override { return inner.query(q); }
  aa::Result<std::vector<aa::LedgerEntry>> entries(std::int64_t f, std::size_t l) override {
    return inner.entries(f, l);
  }
  aa::Status put_head(const aa::SignedHead& h) override { return inner.put_head(h); }
  aa::Result<std::vector<aa::SignedHead>> heads() override { return inner.heads(); }
  aa::Result<aa::StoreStats> stats(std::time_t now) override { return inner.stats(now); }

 private:
  std::mutex mu_;
};

const std::string& tmp_dir() {
  static const std::string d = [] {
    auto p =
        std::filesystem::temp_directory_path() / ("aa-bench-service-" + std::to_string(getpid()));
    std::filesystem::create_directories(p / "lic");
    std::filesystem::copy_file(kDir + "/licence.json", p / "lic" / "hgx.json",
                               std::filesystem::copy_options::overwrite_existing);
    (void)aa::service::rotate_keys((p / "keys").string());
    return p.string();
  }();
  return d;
}

struct Served {
  std::unique_ptr<aa::service::Server> server;
  std::thread thread;
  int port = 0;
};

Served& served() {
  static Served* s = [] {
    auto* out = new Served;  // lives to the end of the process, as the server does
    aa::service::ServeConfig c;
    c.keys_dir = tmp_dir() + "/keys";
    c.allow_unauthenticated = true;
    c.files.profiles_dir = PROFILES_DIR;
    c.files.ak_ca = kDir + "/sim-ak-ca.pem";
    c.licence_dir = tmp_dir() + "/lic";
    c.frozen_at = kAt;
    c.head_interval = 0;
    c.threads = 4;
    c.build = "accel-attest bench";
    out->server = aa::service::Server::create(c, std::make_unique<AlwaysFresh>()).value();
    out->port = out->server->bind().value();
    aa::service::Server* p = out->server.get();
    out->thread = std::thread([p] { (void)p->run(); });
    out->thread.detach();
    return out;
  }();
  return *s;
}

void BM_Baseline_InProcess(benchmark::State& state) {
  accel_attest::ReferenceFiles f;
  f.profiles_dir = PROFILES_DIR;
  f.ak_ca = kDir + "/sim-ak-ca.pem";
  auto refs = accel_attest::References::load(f).value();
  auto lic =
      accel_attest::parse_licence(aa::read_file(kDir + "/licence.json", 1 << 20).value(), "l")
          .value();
  auto keys = aa::service::load_key_dir(tmp_dir() + "/keys", "accel-attest bench").value();
  aa::CertificateCache cache;
  accel_attest::VerifyOptions o;
  o.at = kAt;
  o.licence = lic;
  o.certificate_cache = &cache;
  o.expected_nonce = aa::parse_bundle(bundle_text(), "b").value().nonce;
  auto once = [&] {
    auto v = accel_attest::verify(refs, bundle_text(), o);
    if (!v || v->result.status != aa::TrustTier::kWarning) {
      state.SkipWithError("unexpected result");
      return;
    }
    auto token = accel_attest::sign_claims(
        keys.current, accel_attest::result_claims(*v, keys.current, kAt, 3600));
    benchmark::DoNotOptimize(token);
  };
  once();  // warm: the chains are cached
  for (auto _ : state) once();
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Baseline_InProcess)->UseRealTime();
BENCHMARK(BM_Baseline_InProcess)->Name("BM_Baseline_InProcess_ProcessCpu")->MeasureProcessCPUTime();

double status_mb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(std::strlen(field) + 1)) / 1024.0;
  }
  return -1;
}

// A client of the served server on one kept-alive connection.
std::unique_ptr<httplib::Client> keep_alive_client() {
  auto cli = std::make_unique<httplib::Client>("127.0.0.1", served().port);
  cli->set_keep_alive(true);
  cli->set_tcp_nodelay(true);
  cli->set_read_timeout(120, 0);
  return cli;
}

bool post_once(httplib::Client& cli) {
  auto res = cli.Post("/v1/verify?licence=hgx", bundle_text(), "application/json");
  return res && res->status == 201 && res->body.find("\"status\":\"warning\"") != std::string::npos;
}

void BM_Http(benchmark::State& state) {
  auto client = keep_alive_client();
  httplib::Client& cli = *client;
  if (!post_once(cli)) {  // warm: the chains are cached
    state.SkipWithError("unexpected response");
    return;
  }
  // The process now holds two reference sets (the baseline's and the server's) and one result.
  state.counters["VmRSS_warm_MB"] = status_mb("VmRSS:");
  for (auto _ : state) {
    if (!post_once(cli)) {
      state.SkipWithError("unexpected response");
      return;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Http)->UseRealTime();
// Per core: the CPU time of the whole process (the server's threads and this client) per
// verification, against the baseline's CPU time per verification.
BENCHMARK(BM_Http)->Name("BM_Http_ProcessCpu")->MeasureProcessCPUTime();

double cpu_seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Per core, the server's share: the process's CPU time per verification less this client
// thread's own (the HTTP client is not the service's cost), against the baseline's.
void BM_Http_ServerCpu(benchmark::State& state) {
  auto client = keep_alive_client();
  httplib::Client& cli = *client;
  if (!post_once(cli)) {
    state.SkipWithError("unexpected response");
    return;
  }
  for (auto _ : state) {
    const double p0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID),
                 t0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    if (!post_once(cli)) {
      state.SkipWithError("unexpected response");
      return;
    }
    const double p1 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID),
                 t1 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    state.SetIterationTime((p1 - p0) - (t1 - t0));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Http_ServerCpu)->UseManualTime();

void BM_Http2Clients(benchmark::State& state) {
  auto client = keep_alive_client();
  httplib::Client& cli = *client;
  std::vector<double> ms;
  post_once(cli);
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    if (!post_once(cli)) {
      state.SkipWithError("unexpected response");
      return;
    }
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  if (!ms.empty()) {
    // Per client, averaged over the two (counters are summed over threads by default).
    const auto avg = benchmark::Counter::kAvgThreads;
    state.counters["p99_ms"] =
        benchmark::Counter(ms[std::min(ms.size() - 1, (ms.size() * 99) / 100)], avg);
    state.counters["p50_ms"] = benchmark::Counter(ms[ms.size() / 2], avg);
  }
  const auto avg = benchmark::Counter::kAvgThreads;
  state.counters["VmRSS_MB"] = benchmark::Counter(status_mb("VmRSS:"), avg);
  state.counters["VmHWM_MB"] = benchmark::Counter(status_mb("VmHWM:"), avg);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Http2Clients)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
