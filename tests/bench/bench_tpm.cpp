// Benchmarks of TPM quote appraisal, as ratios against baselines measured in the same run
// (never asserted in tests):
//   BM_Baseline_RsaVerify / BM_Baseline_EccVerify  one bare EVP signature verification of the
//                                                  quote with a preloaded key;
//   BM_AppraiseRsaQuote / BM_AppraiseEccQuote      the whole in-process appraisal from the raw
//                                                  files (parse quote, signature and AK, AK
//                                                  attributes, nonce, PCR digest);
//   BM_Tpm2Checkquote                              tpm2_checkquote run as a process per quote,
//                                                  as tools that shell out do.
// Targets: >= 10,000 RSA appraisals per second on one core, within 2x the bare verification.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "core/text.h"
#include "tpm/appraise.h"

namespace {

const std::string kDir = std::string(TEST_DATA_DIR) + "/tpm/swtpm";

aa::Bytes file(const std::string& name) {
  auto s = aa::read_file(kDir + "/" + name, 1 << 20).value();
  return aa::Bytes(s.begin(), s.end());
}

aa::tpm::QuoteEvidence evidence(bool ecc) {
  aa::tpm::QuoteEvidence ev;
  std::string k = ecc ? "ecc" : "rsa";
  ev.attest = file("quote_" + k + ".tpms_attest.bin");
  ev.signature = file("quote_" + k + ".tpmt_signature.bin");
  ev.pcrs = file("pcr_values_sha256_0-7_16.bin");
  ev.ak_public = file(ecc ? "ak_ecc_p256.tpm2b_public.bin" : "ak_rsa.tpm2b_public.bin");
  ev.origin = "bench";
  return ev;
}

aa::tpm::QuoteReferences refs() {
  aa::tpm::QuoteReferences r;
  r.nonce = aa::hex_decode("ee8f7f5626a30642d37e7b8f9819652d279686f4").value();
  return r;
}

void bare(benchmark::State& state, bool ecc) {
  auto ev = evidence(ecc);
  auto ak = aa::tpm::parse_public(ev.ak_public, "ak").value();
  auto sig = aa::tpm::parse_signature(ev.signature, "sig").value();
  for (auto _ : state) {
    if (!aa::tpm::verify_quote_signature(sig, ak.key.get(), ev.attest, "q"))
      state.SkipWithError("bad");
  }
}

void appraise(benchmark::State& state, bool ecc) {
  auto ev = evidence(ecc);
  auto r = refs();
  for (auto _ : state) {
    auto a = aa::tpm::appraise_quote(ev, r);
    if (a.checks.at(aa::tpm::QuoteCheck::kSignature) != aa::tpm::Check::kPass)
      state.SkipWithError("bad quote");
    benchmark::DoNotOptimize(a);
  }
  state.counters["quotes_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_Baseline_RsaVerify(benchmark::State& s) {
  bare(s, false);
}
void BM_AppraiseRsaQuote(benchmark::State& s) {
  appraise(s, false);
}
void BM_Baseline_EccVerify(benchmark::State& s) {
  bare(s, true);
}
void BM_AppraiseEccQuote(benchmark::State& s) {
  appraise(s, true);
}
BENCHMARK(BM_Baseline_RsaVerify);
BENCHMARK(BM_AppraiseRsaQuote);
BENCHMARK(BM_Baseline_EccVerify);
BENCHMARK(BM_AppraiseEccQuote);

void BM_Tpm2Checkquote(benchmark::State& state) {
  std::string cmd = "tpm2_checkquote -u " + kDir + "/ak_rsa.tpm2b_public.bin -m " + kDir +
                    "/quote_rsa.tpms_attest.bin -s " + kDir + "/quote_rsa.tpmt_signature.bin -f " +
                    kDir + "/quote_rsa.tpm2tools_pcrs.bin -g sha256 -q " +
                    "ee8f7f5626a30642d37e7b8f9819652d279686f4 >/dev/null 2>&1";
  if (std::system("command -v tpm2_checkquote >/dev/null 2>&1") != 0) {
    state.SkipWithError("tpm2_checkquote not installed");
    return;
  }
  for (auto _ : state) {
    if (std::system(cmd.c_str()) != 0) state.SkipWithError("tpm2_checkquote failed");
  }
  state.counters["quotes_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Tpm2Checkquote)->Iterations(50)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
