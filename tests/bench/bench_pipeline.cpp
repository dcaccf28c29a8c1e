// Benchmark of the whole pipeline on the HGX example bundle (8 H100s with real NVIDIA evidence,
// a swtpm quote binding them, an AK certificate, a licence), through the public API
// (accel_attest/verify.h), reported as ratios against baselines measured in the same run (never
// asserted in tests):
//   BM_Baseline_ColdSignatures  the signature work no verifier can skip for this bundle when it
//                               has seen none of it before: per GPU the SPDM report signature
//                               (P-384), the leaf certificate and the device-unique
//                               intermediate (each device's own two certificates); once per
//                               bundle the shared prefix of the chains (the provisioner ICA
//                               and the identity CA, which all 8 chains share; the pinned root
//                               is the anchor, its self-signature is not checked); the quote
//                               signature (RSA-2048) and the AK certificate (P-256);
//   BM_VerifyHgxBundleCold      bundle text in, signed EAR out: parse the bundle, identify,
//                               appraise the quote with the inventory binding and all 8 GPUs
//                               with no certificate cache, apply the policy and licence, build
//                               and sign the EAR;
//   BM_Baseline_ReportSignatures the 8 SPDM report signatures alone: what a verifier must
//                               check even for hosts it has seen (fresh nonce, fresh report);
//   BM_VerifyHgxBundleWarm      the same, with a CertificateCache that already holds the 8
//                               chains (the same hosts verified again): no certificate
//                               signature is checked, everything else is.
// Targets (issue 14): Cold / ColdSignatures <= 1.6, Warm / ReportSignatures <= 1.3.
// Items per second = bundles per second on one core.
#include <benchmark/benchmark.h>

#include "accel_attest/accel_attest.h"
#include "bundle/bundle.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "hgx_example.h"
#include "nvidia/roots.h"
#include "pipeline/pipeline.h"
#include "results/ear_writer.h"
#include "results/jose.h"
#include "spdm/measurements.h"
#include "tpm/quote.h"

namespace {

const std::string& kDir = bench::kHgxDir;
const std::time_t kAt = bench::kHgxAt;

const std::string& bundle_text() {
  return bench::hgx_bundle_text();
}

struct Gpu {
  std::vector<aa::ossl::X509Ptr> certs;
  aa::Bytes report;
  aa::spdm::MeasurementReport rep;
};

std::vector<Gpu> gpus_of(const aa::Bundle& b) {
  std::vector<Gpu> gpus;
  for (const auto& d : b.devices) {
    if (!d.nvidia) continue;
    gpus.push_back({aa::x509::parse_pem_chain(d.nvidia->chain_pem, "c").value(), d.nvidia->report,
                    aa::spdm::parse_measurement_report(d.nvidia->report, 96, "r").value()});
  }
  return gpus;
}

bool report_ok(const Gpu& g) {
  return aa::x509::verify_ecdsa_sha384_raw(X509_get0_pubkey(g.certs[0].get()),
                                           aa::ByteView(g.report.data(), g.rep.signed_length),
                                           g.rep.signature);
}

bool signed_by(const aa::ossl::X509Ptr& cert, const X509* issuer) {
  return X509_verify(cert.get(), X509_get0_pubkey(issuer)) == 1;
}

void BM_Baseline_ColdSignatures(benchmark::State& state) {
  aa::Bundle b = aa::parse_bundle(bundle_text(), "b").value();
  std::vector<Gpu> gpus = gpus_of(b);
  // Every chain is leaf, device-unique intermediate, then a prefix the 8 chains share.
  for (const auto& g : gpus) {
    if (g.certs.size() != 5 || !aa::x509::same_cert(g.certs[2].get(), gpus[0].certs[2].get()) ||
        !aa::x509::same_cert(g.certs[3].get(), gpus[0].certs[3].get())) {
      state.SkipWithError("the chains do not share their prefix");
      return;
    }
  }
  auto ak = aa::tpm::parse_public(b.tpm->ak_public, "ak").value();
  auto sig = aa::tpm::parse_signature(b.tpm->signature, "sig").value();
  auto ak_cert = aa::x509::parse_cert_any(*b.tpm->ak_certificate, "akc").value();
  std::string ca_pem = aa::read_file(kDir + "/sim-ak-ca.pem", 1 << 20).value();
  auto ca = aa::x509::parse_cert_any(aa::as_bytes(ca_pem), "ca").value();
  const X509* root = aa::nvidia::pinned_device_root();
  for (auto _ : state) {
    bool ok = true;
    for (auto& g : gpus) {
      ok = ok && report_ok(g);
      ok = ok && signed_by(g.certs[0], g.certs[1].get());  // leaf
      ok = ok && signed_by(g.certs[1], g.certs[2].get());  // device-unique intermediate
    }
    ok = ok && signed_by(gpus[0].certs[2], gpus[0].certs[3].get());  // shared prefix, once
    ok = ok && signed_by(gpus[0].certs[3], root);
    ok = ok && aa::tpm::verify_quote_signature(sig, ak.key.get(), b.tpm->quote, "q").ok();
    ok = ok && signed_by(ak_cert, ca.get());
    if (!ok) state.SkipWithError("bad signature");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Baseline_ColdSignatures);

void BM_Baseline_ReportSignatures(benchmark::State& state) {
  aa::Bundle b = aa::parse_bundle(bundle_text(), "b").value();
  std::vector<Gpu> gpus = gpus_of(b);
  for (auto _ : state) {
    bool ok = true;
    for (auto& g : gpus) ok = ok && report_ok(g);
    if (!ok) state.SkipWithError("bad signature");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Baseline_ReportSignatures);

struct Setup {
  accel_attest::References refs;
  std::shared_ptr<const aa::Licence> licence;
  accel_attest::Signer signer;
};

const Setup& setup() {
  static const Setup s = [] {
    accel_attest::ReferenceFiles f;
    f.profiles_dir = PROFILES_DIR;
    f.ak_ca = kDir + "/sim-ak-ca.pem";
    auto refs = accel_attest::References::load(f).value();
    auto lic =
        accel_attest::parse_licence(aa::read_file(kDir + "/licence.json", 1 << 20).value(), "l")
            .value();
    aa::ossl::PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    accel_attest::Signer signer;
    signer.kid = aa::jose::thumbprint(key.get());
    signer.key = std::move(key);
    return Setup{std::move(refs), std::move(lic), std::move(signer)};
  }();
  return s;
}

// One verification of the bundle through the public API, signed.
void verify_once(benchmark::State& state, aa::CertificateCache* cache) {
  const Setup& s = setup();
  const std::string& text = bundle_text();
  accel_attest::VerifyOptions o;
  o.at = kAt;
  o.licence = s.licence;
  o.certificate_cache = cache;
  static const aa::Bytes nonce = aa::parse_bundle(text, "b").value().nonce;
  o.expected_nonce = nonce;
  auto v = accel_attest::verify(s.refs, text, o);
  if (!v || v->result.status != aa::TrustTier::kWarning) {
    state.SkipWithError("unexpected result");
    return;
  }
  std::string token =
      accel_attest::sign_claims(s.signer, accel_attest::result_claims(*v, s.signer, kAt, 3600))
          .value();
  benchmark::DoNotOptimize(token);
}

void BM_VerifyHgxBundleCold(benchmark::State& state) {
  for (auto _ : state) verify_once(state, nullptr);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_VerifyHgxBundleCold);

void BM_VerifyHgxBundleWarm(benchmark::State& state) {
  aa::CertificateCache cache;
  verify_once(state, &cache);  // the hosts seen once: their chains are now cached
  for (auto _ : state) verify_once(state, &cache);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_VerifyHgxBundleWarm);

}  // namespace

BENCHMARK_MAIN();
