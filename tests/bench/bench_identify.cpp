// Benchmarks of the identify stage. Reported as ratios against a baseline measured in the
// same run (never asserted in tests): parsing the example host's lspci text is the baseline,
// identify + classify of the same host is compared with it.
#include <benchmark/benchmark.h>

#include "core/text.h"
#include "identify/identify.h"
#include "inventory/lspci.h"
#include "registry/registry.h"

namespace {

const aa::Registry& registry() {
  static aa::Registry reg = aa::Registry::load(PROFILES_DIR).value();
  return reg;
}

std::string host_text() {
  return aa::read_file(std::string(EXAMPLES_DIR) + "/hosts/mixed/lspci.txt", 1 << 20).value();
}

void BM_Baseline_ParseLspci(benchmark::State& state) {
  std::string text = host_text();
  for (auto _ : state) benchmark::DoNotOptimize(aa::parse_lspci_nmm(text, "host"));
}
BENCHMARK(BM_Baseline_ParseLspci);

void BM_IdentifyMixedHost(benchmark::State& state) {
  std::string text = host_text();
  const auto& reg = registry();
  for (auto _ : state) {
    auto devs = aa::parse_lspci_nmm(text, "host").value();
    benchmark::DoNotOptimize(aa::identify(devs, std::vector<bool>(devs.size(), true), reg));
  }
}
BENCHMARK(BM_IdentifyMixedHost);

void BM_LoadRegistry(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(aa::Registry::load(PROFILES_DIR));
}
BENCHMARK(BM_LoadRegistry);

}  // namespace

BENCHMARK_MAIN();
