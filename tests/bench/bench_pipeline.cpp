// Benchmark of the whole pipeline on the HGX example bundle (8 H100s with real NVIDIA evidence,
// a swtpm quote binding them, an AK certificate, a licence), reported as a ratio against a
// baseline measured in the same run (never asserted in tests):
//   BM_Baseline_BareSignatures  the signature work no verifier can skip for this bundle: 8 SPDM
//                               report signatures (P-384), 8 device leaf certificate signatures,
//                               the quote signature (RSA-2048) and the AK certificate (P-256);
//   BM_VerifyHgxBundle          bundle text in, signed EAR out: parse the bundle, identify,
//                               appraise the quote with the inventory binding and all 8 GPUs
//                               (fresh caches, so the shared chain prefix is verified once per
//                               bundle), apply the policy and licence, build and sign the EAR.
// Items per second = bundles per second on one core.
#include <benchmark/benchmark.h>

#include "bundle/bundle.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "nvidia/roots.h"
#include "pipeline/pipeline.h"
#include "results/ear_writer.h"
#include "results/jose.h"
#include "spdm/measurements.h"
#include "tpm/quote.h"

namespace {

const std::string kDir = std::string(EXAMPLES_DIR) + "/bundles/hgx-h100";
const std::time_t kAt = aa::x509::parse_rfc3339("2026-11-27T00:00:00Z").value();

const std::string& bundle_text() {
  static std::string t = aa::read_file(kDir + "/bundle.json", 32u << 20).value();
  return t;
}

void BM_Baseline_BareSignatures(benchmark::State& state) {
  aa::Bundle b = aa::parse_bundle(bundle_text(), "b").value();
  struct Gpu {
    std::vector<aa::ossl::X509Ptr> certs;
    aa::Bytes report;
    aa::spdm::MeasurementReport rep;
  };
  std::vector<Gpu> gpus;
  for (const auto& d : b.devices) {
    if (!d.nvidia) continue;
    gpus.push_back({aa::x509::parse_pem_chain(d.nvidia->chain_pem, "c").value(), d.nvidia->report,
                    aa::spdm::parse_measurement_report(d.nvidia->report, 96, "r").value()});
  }
  auto ak = aa::tpm::parse_public(b.tpm->ak_public, "ak").value();
  auto sig = aa::tpm::parse_signature(b.tpm->signature, "sig").value();
  auto ak_cert = aa::x509::parse_cert_any(*b.tpm->ak_certificate, "akc").value();
  std::string ca_pem = aa::read_file(kDir + "/sim-ak-ca.pem", 1 << 20).value();
  auto ca = aa::x509::parse_cert_any(aa::as_bytes(ca_pem), "ca").value();
  for (auto _ : state) {
    bool ok = true;
    for (auto& g : gpus) {
      ok = ok && aa::x509::verify_ecdsa_sha384_raw(
                     X509_get0_pubkey(g.certs[0].get()),
                     aa::ByteView(g.report.data(), g.rep.signed_length), g.rep.signature);
      ok = ok && X509_verify(g.certs[0].get(), X509_get0_pubkey(g.certs[1].get())) == 1;
    }
    ok = ok && aa::tpm::verify_quote_signature(sig, ak.key.get(), b.tpm->quote, "q").ok();
    ok = ok && X509_verify(ak_cert.get(), X509_get0_pubkey(ca.get())) == 1;
    if (!ok) state.SkipWithError("bad signature");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Baseline_BareSignatures);

void BM_VerifyHgxBundle(benchmark::State& state) {
  static const aa::Registry reg = aa::Registry::load(PROFILES_DIR).value();
  static const aa::nvidia::NvidiaProfile prof =
      aa::nvidia::load_nvidia_profile(PROFILES_DIR).value();
  static const aa::ExportPolicy policy =
      aa::load_export_policy(std::string(PROFILES_DIR) + "/policy/export-policy.json", reg).value();
  const aa::Licence lic =
      aa::parse_licence(aa::read_file(kDir + "/licence.json", 1 << 20).value(), "l").value();
  std::string ca_pem = aa::read_file(kDir + "/sim-ak-ca.pem", 1 << 20).value();
  auto ca = aa::x509::parse_cert_any(aa::as_bytes(ca_pem), "ca").value();
  aa::ossl::PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  const std::string kid = aa::jose::thumbprint(key.get());
  aa::PipelineReferences refs;
  refs.registry = &reg;
  refs.policy = &policy;
  refs.licence = &lic;
  refs.nvidia.device_root = aa::nvidia::pinned_device_root();
  refs.nvidia.rim_root = aa::nvidia::pinned_rim_root();
  refs.nvidia.profile = &prof;
  refs.nvidia.registry = &reg;
  refs.ak_ca = ca.get();
  refs.at = kAt;
  for (auto _ : state) {
    const std::string& text = bundle_text();
    aa::Bundle b = aa::parse_bundle(text, "bundle").value();
    refs.expected_nonce = b.nonce;
    aa::PipelineResult r = aa::run_pipeline(b, aa::sha256_hex(text), refs);
    if (r.status != aa::TrustTier::kWarning)
      state.SkipWithError((std::string("unexpected status ") + aa::to_string(r.status)).c_str());
    std::string token =
        aa::jose::sign_es256(key.get(), kid, aa::ear::ear_claims(r, {}, kAt, 3600)).value();
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_VerifyHgxBundle);

}  // namespace

BENCHMARK_MAIN();
