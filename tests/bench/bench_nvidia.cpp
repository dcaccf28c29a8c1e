// Benchmarks of NVIDIA appraisal, reported as ratios against baselines measured in the same run
// (never asserted in tests):
//   BM_Baseline_BareP384Verify   one ECDSA P-384/SHA-384 verify of a report signature;
//   BM_Baseline_Irreducible8Gpu  the irreducible signature work of an 8-GPU host: 8 report
//                                signatures plus the 8 leaf certificate signatures;
//   BM_Appraise8GpuHost          the whole appraisal of the 8-GPU PPCIe vector (parse, signature,
//                                nonce, chain, FWID, SKU), a fresh appraiser each iteration so the
//                                shared chain prefix is verified once per host, as in real use.
// Target: BM_Appraise8GpuHost < 3 x BM_Baseline_Irreducible8Gpu.
// The RIM benchmarks show the cost of one GPU's two RIMs and that 8 GPUs sharing firmware
// verify them once.
#include <benchmark/benchmark.h>

#include <memory>

#include "core/text.h"
#include "crypto/x509.h"
#include "nvidia/appraise.h"
#include "nvidia/evidence_input.h"
#include "nvidia/profile.h"
#include "nvidia/roots.h"
#include "registry/registry.h"
#include "rim/rim_store.h"
#include "spdm/measurements.h"

namespace {

const std::string kData = std::string(TEST_DATA_DIR) + "/nvidia";

const aa::Registry& registry() {
  static aa::Registry reg = aa::Registry::load(PROFILES_DIR).value();
  return reg;
}
const aa::nvidia::NvidiaProfile& profile() {
  static aa::nvidia::NvidiaProfile p = aa::nvidia::load_nvidia_profile(PROFILES_DIR).value();
  return p;
}

std::vector<aa::nvidia::DeviceEvidence> eight_gpus() {
  std::string path = kData + "/evidence/hgx-8gpu-ppcie.json";
  auto list =
      aa::nvidia::parse_serialized_evidence(aa::read_file(path, 16u << 20).value(), path).value();
  std::vector<aa::nvidia::DeviceEvidence> out;
  for (auto& d : list) out.push_back(std::move(d.evidence));
  return out;
}

aa::nvidia::References refs(const aa::rim::RimStore* store) {
  aa::nvidia::References r;
  r.device_root = aa::nvidia::pinned_device_root();
  r.rim_root = aa::nvidia::pinned_rim_root();
  r.device_root_label = "pinned";
  r.rim_root_label = "pinned";
  r.rims = store;
  r.profile = &profile();
  r.registry = &registry();
  return r;
}

const aa::Bytes kNonce8 =
    aa::hex_decode("4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e").value();
const std::time_t kNow = aa::x509::parse_rfc3339("2026-11-27T00:00:00Z").value();

void BM_Baseline_BareP384Verify(benchmark::State& state) {
  auto ev = eight_gpus()[0];
  auto certs = aa::x509::parse_pem_chain(ev.chain_pem, "c").value();
  auto rep = aa::spdm::parse_measurement_report(ev.report, 96, "r").value();
  EVP_PKEY* key = X509_get0_pubkey(certs[0].get());
  aa::ByteView signed_part(ev.report.data(), rep.signed_length);
  for (auto _ : state) {
    if (!aa::x509::verify_ecdsa_sha384_raw(key, signed_part, rep.signature))
      state.SkipWithError("bad");
  }
}
BENCHMARK(BM_Baseline_BareP384Verify);

void BM_Baseline_Irreducible8Gpu(benchmark::State& state) {
  struct One {
    std::vector<aa::ossl::X509Ptr> certs;
    aa::Bytes report;
    aa::spdm::MeasurementReport rep;
  };
  std::vector<One> gpus;
  for (auto& ev : eight_gpus()) {
    One o{aa::x509::parse_pem_chain(ev.chain_pem, "c").value(), ev.report,
          aa::spdm::parse_measurement_report(ev.report, 96, "r").value()};
    gpus.push_back(std::move(o));
  }
  for (auto _ : state) {
    for (auto& g : gpus) {
      bool ok = aa::x509::verify_ecdsa_sha384_raw(
          X509_get0_pubkey(g.certs[0].get()), aa::ByteView(g.report.data(), g.rep.signed_length),
          g.rep.signature);
      ok = ok && X509_verify(g.certs[0].get(), X509_get0_pubkey(g.certs[1].get())) == 1;
      if (!ok) state.SkipWithError("bad");
    }
  }
}
BENCHMARK(BM_Baseline_Irreducible8Gpu);

void BM_Appraise8GpuHost(benchmark::State& state) {
  auto gpus = eight_gpus();
  auto r = refs(nullptr);
  for (auto _ : state) {
    aa::nvidia::Appraiser appraiser(r, kNow, kNonce8);
    for (const auto& g : gpus) {
      auto res = appraiser.appraise(g);
      if (res.verdict() == aa::TrustTier::kContraindicated) state.SkipWithError("device failed");
      benchmark::DoNotOptimize(res);
    }
  }
}
BENCHMARK(BM_Appraise8GpuHost);

// One GPU with both RIMs (the 2023 end-to-end vector), fresh caches each time.
void BM_AppraiseOneGpuWithRims(benchmark::State& state) {
  std::string rp = kData + "/reports/nvtrust-2023.report.txt";
  aa::nvidia::DeviceEvidence ev;
  ev.label = "GPU-0";
  ev.report = aa::nvidia::parse_report_file(aa::read_file(rp, 1 << 20).value(), rp).value();
  ev.chain_pem = aa::read_file(kData + "/reports/nvtrust-2023.chain.pem", 1 << 20).value();
  aa::rim::RimStore store(kData + "/rim-stores/e2e-2023");
  auto r = refs(&store);
  auto nonce =
      aa::hex_decode("4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e").value();
  std::time_t t = aa::x509::parse_rfc3339("2024-01-01T00:00:00Z").value();
  int devices = static_cast<int>(state.range(0));
  for (auto _ : state) {
    aa::nvidia::Appraiser appraiser(r, t, nonce);
    for (int i = 0; i < devices; ++i) {
      auto res = appraiser.appraise(ev);
      if (res.measurements_matched != 32) state.SkipWithError("measurements");
    }
  }
}
BENCHMARK(BM_AppraiseOneGpuWithRims)->Arg(1)->Arg(8);

}  // namespace

BENCHMARK_MAIN();
