// The NVIDIA appraiser on every real vector: positives pass, negatives fail with their own
// finding, mutations are caught.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "nvidia/roots.h"
#include "spdm/measurements.h"
#include "unit/nvidia_fixture.h"
#include "unit/temp_tree.h"

namespace aa {
namespace {

using nvidia::CheckStatus;
using test::has_finding;
using test::NvidiaRun;

const std::time_t kNow = test::at("2026-11-27T00:00:00Z");

void expect_identity_pass(const nvidia::DeviceResult& r) {
  for (nvidia::DeviceCheck c : {nvidia::DeviceCheck::kParse, nvidia::DeviceCheck::kSignature,
                                nvidia::DeviceCheck::kNonce, nvidia::DeviceCheck::kChain}) {
    EXPECT_EQ(r.checks.at(c), CheckStatus::kPass) << r.label << " " << to_string(c) << "\n"
                                                  << test::findings_text(r);
  }
  EXPECT_NE(r.checks.at(nvidia::DeviceCheck::kFwid), CheckStatus::kFail) << r.label;
  EXPECT_NE(r.verdict(), TrustTier::kContraindicated) << r.label << "\n" << test::findings_text(r);
  EXPECT_TRUE(r.passed(false));
}

TEST(NvidiaAppraise, NvtrustH100SamplePasses) {
  NvidiaRun run(test::kNonce931d, kNow);
  auto r = run(test::report_evidence("nvtrust-h100"));
  expect_identity_pass(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kFwid), CheckStatus::kPass);
  EXPECT_EQ(r.die, "GH100");
  EXPECT_EQ(r.hwmodel, "GH100 A01 GSP BROM");
  EXPECT_EQ(r.device_id, "NVIDIA:GH100:48B02D92494BADF4");
  // NRAS's claims for this very report (corpus hopperClaimsv3_decoded.json) give this ueid.
  EXPECT_EQ(r.ueid, "478176379286082186618948445787393647364802107249");
  ASSERT_NE(r.part, nullptr);
  EXPECT_EQ(r.part->id, "nvidia-h100-pcie");
  EXPECT_EQ(r.driver_rim.id, "NV_GPU_DRIVER_GH100_550.90.07");
  EXPECT_EQ(r.vbios_rim.id, "NV_GPU_VBIOS_1010_0200_882_96009F0001");
  // Offline and without RIMs: a warning, never an affirmation.
  EXPECT_EQ(r.verdict(), TrustTier::kWarning);
  EXPECT_TRUE(has_finding(r, "nvidia.revocation.not-checked"));
  EXPECT_TRUE(has_finding(r, "nvidia.rim.not-checked"));
  EXPECT_FALSE(r.passed(true));
}

TEST(NvidiaAppraise, EndToEnd2023WithBothRimsMatchesAllMeasurements) {
  // The two test RIMs' signers were valid 2023-06..2025-06: freeze time inside.
  NvidiaRun run(test::kNonce2023, test::at("2024-01-01T00:00:00Z"), "e2e-2023");
  auto r = run(test::report_evidence("nvtrust-2023"));
  expect_identity_pass(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kDriverRim), CheckStatus::kPass)
      << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), CheckStatus::kPass)
      << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kMeasurements), CheckStatus::kPass);
  EXPECT_EQ(r.driver_rim.id, "NV_GPU_DRIVER_GH100_545.00");
  EXPECT_EQ(r.vbios_rim.id, "NV_GPU_VBIOS_1010_0200_882_96005E0001");
  // 21 driver + 12 VBIOS golden values; NVDEC0 is disabled so RIM index 35 is skipped...
  EXPECT_EQ(r.measurements_compared + r.measurements_skipped, 33u);
  EXPECT_EQ(r.measurements_skipped, 1u);
  EXPECT_EQ(r.measurements_matched, r.measurements_compared);
  EXPECT_TRUE(r.mismatches.empty());
  // ...yet its runtime value matches too: all 33 of 33 agree.
  const auto* golden35 = r.driver_rim.rim->find(35);
  ASSERT_NE(golden35, nullptr);
  const auto* block36 = r.report->block(36);
  ASSERT_NE(block36, nullptr);
  EXPECT_NE(std::find(golden35->alternatives.begin(), golden35->alternatives.end(), block36->value),
            golden35->alternatives.end());
  EXPECT_TRUE(has_finding(r, "nvidia.fwid.absent"));  // a 545 driver sends no FWID
}

// RIMs through rim::RimSource: the same bytes from memory give the same appraisal as the
// directory store; an ID the source lacks is nvidia.rim.missing naming the source.
TEST(NvidiaAppraise, RimsFromMemoryAppraiseAsFromTheDirectory) {
  NvidiaRun from_dir(test::kNonce2023, test::at("2024-01-01T00:00:00Z"), "e2e-2023");
  auto expected = from_dir(test::report_evidence("nvtrust-2023"));

  rim::MemoryRimSource mem("embedded");
  for (const char* id : {"NV_GPU_DRIVER_GH100_545.00", "NV_GPU_VBIOS_1010_0200_882_96005E0001"}) {
    mem.add(id, test::slurp(test::kNvData + "/rim-stores/e2e-2023/" + id + ".xml"));
  }
  NvidiaRun from_mem(test::kNonce2023, test::at("2024-01-01T00:00:00Z"));
  from_mem.refs.rims = &mem;
  from_mem.appraiser = std::make_unique<nvidia::Appraiser>(
      from_mem.refs, test::at("2024-01-01T00:00:00Z"), test::unhex(test::kNonce2023));
  auto r = from_mem(test::report_evidence("nvtrust-2023"));
  EXPECT_EQ(r.checks, expected.checks) << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kDriverRim), CheckStatus::kPass);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kMeasurements), CheckStatus::kPass);
  EXPECT_EQ(r.verdict(), expected.verdict());
  EXPECT_EQ(r.measurements_matched, expected.measurements_matched);
  ASSERT_EQ(r.findings.size(), expected.findings.size()) << test::findings_text(r);
  for (size_t i = 0; i < r.findings.size(); ++i)
    EXPECT_EQ(r.findings[i].code, expected.findings[i].code);

  rim::MemoryRimSource driver_only("embedded");
  driver_only.add(
      "NV_GPU_DRIVER_GH100_545.00",
      test::slurp(test::kNvData + "/rim-stores/e2e-2023/NV_GPU_DRIVER_GH100_545.00.xml"));
  from_mem.refs.rims = &driver_only;
  from_mem.appraiser = std::make_unique<nvidia::Appraiser>(
      from_mem.refs, test::at("2024-01-01T00:00:00Z"), test::unhex(test::kNonce2023));
  auto partial = from_mem(test::report_evidence("nvtrust-2023"));
  EXPECT_EQ(partial.checks.at(nvidia::DeviceCheck::kDriverRim), CheckStatus::kPass);
  ASSERT_TRUE(has_finding(partial, "nvidia.rim.missing")) << test::findings_text(partial);
  for (const auto& f : partial.findings) {
    if (f.code != "nvidia.rim.missing") continue;
    EXPECT_NE(f.message.find("not in the RIM store embedded"), std::string::npos) << f.message;
  }
}

TEST(NvidiaAppraise, SdkH100MatchesItsVbiosRimTwelveOfTwelve) {
  NvidiaRun run(test::kNonce535, test::at("2024-06-01T00:00:00Z"), "sdk-h100-535");
  auto r = run(test::report_evidence("sdk-h100-535"));
  expect_identity_pass(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), CheckStatus::kPass)
      << test::findings_text(r);
  EXPECT_EQ(r.measurements_matched, 12u);
  EXPECT_EQ(r.measurements_compared, 12u);
  // The driver RIM is not in the store: a finding, and the rest still ran.
  EXPECT_TRUE(has_finding(r, "nvidia.rim.missing"));
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kMeasurements), CheckStatus::kWarn);
  EXPECT_EQ(r.verdict(), TrustTier::kWarning);
}

TEST(NvidiaAppraise, BlackwellGb100AndRtxPro6000Pass) {
  NvidiaRun run(test::kNonce931d, kNow);
  auto r = run(test::report_evidence("sdk-gb100"));
  expect_identity_pass(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kFwid),
            CheckStatus::kPass);  // 2.23.133.5.4.1.1 fwids[0]
  EXPECT_EQ(r.die, "GB100");
  EXPECT_EQ(r.driver_rim.id, "NV_GPU_CC_DRIVER_GB100_575.32");  // no CHIP_INFO: GB100
  ASSERT_NE(r.part, nullptr);
  EXPECT_EQ(r.part->id, "nvidia-b200");

  NvidiaRun run2(test::kNonceGb202, kNow);
  auto p = run2(test::report_evidence("trustee-gb202"));
  expect_identity_pass(p);
  EXPECT_EQ(p.checks.at(nvidia::DeviceCheck::kFwid), CheckStatus::kPass);
  EXPECT_EQ(p.die, "GB20X");
  EXPECT_EQ(p.driver_rim.id, "NV_GPU_CC_DRIVER_GB202_595.58.03");
  EXPECT_EQ(p.vbios_rim.id, "NV_GPU_VBIOS_G153_0210_895_9802740001");
  ASSERT_NE(p.part, nullptr);
  EXPECT_EQ(p.part->id, "nvidia-rtx-pro-6000-server");
}

TEST(NvidiaAppraise, HgxSetsOfFourAndEightPass) {
  for (auto [name, nonce, n] : {std::tuple{"hgx-4gpu", test::kNonce4gpu, 4u},
                                std::tuple{"hgx-8gpu-ppcie", test::kNonce8gpu, 8u}}) {
    NvidiaRun run(nonce, kNow);
    auto devices = test::serialized(name);
    ASSERT_EQ(devices.size(), n);
    std::set<std::string> ids;
    for (const auto& d : devices) {
      auto r = run(d);
      expect_identity_pass(r);
      ASSERT_NE(r.part, nullptr);
      EXPECT_EQ(r.part->id, "nvidia-h100-sxm5-80gb");
      ids.insert(r.device_id);
    }
    EXPECT_EQ(ids.size(), n);  // distinct devices, not one report repeated
  }
}

TEST(NvidiaAppraise, NvswitchLs10PassesWithItsBiosRim) {
  // The genuine LS10 BIOS RIM's signer is valid 2026-05-20..2028-05-19.
  NvidiaRun run(test::kNonce931d, kNow, "switch");
  auto r = run(test::report_evidence("sdk-ls10"));
  expect_identity_pass(r);
  EXPECT_EQ(r.kind, nvidia::DeviceKind::kSwitch);
  EXPECT_EQ(r.die, "LS_10");
  EXPECT_EQ(r.vbios_rim.id, "NV_SWITCH_BIOS_5612_0002_890_9610550001");
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), CheckStatus::kPass)
      << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kMeasurements), CheckStatus::kPass);
  EXPECT_EQ(r.measurements_matched, 31u);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kDriverRim), CheckStatus::kSkipped);
  for (const char* set : {"ls10-4switch", "ls10-4switch-ppcie"}) {
    NvidiaRun all(std::string(set) == "ls10-4switch" ? test::kNonce931d : test::kNonce8gpu, kNow);
    for (const auto& d : test::serialized(set)) expect_identity_pass(all(d));
  }
}

// A real RIM of another device stored under the RIM ID the evidence asks for: the LS10 switch
// asks for NV_SWITCH_BIOS_5612_0002_890_9610550001, and NVIDIA's SDK sample
// NV_SWITCH_BIOS_..._measurement_mismatch.xml carries that very colloquialVersion
// (96.10.55.00.01) but says it is a GH100 GPU RIM (name and Meta@product GH100, edition GPU).
// The version check alone passed it; its identity fails.
TEST(NvidiaAppraise, RimOfAnotherProductUnderTheExpectedIdFails) {
  test::TempTree t;
  t.write("store/NV_SWITCH_BIOS_5612_0002_890_9610550001.xml",
          test::slurp(test::kNvData +
                      "/rims/NV_SWITCH_BIOS_5612_0002_890_9610550001_measurement_mismatch.xml"));
  NvidiaRun run(test::kNonce931d, kNow, t.path("store"));
  auto r = run(test::report_evidence("sdk-ls10"));
  EXPECT_TRUE(r.vbios_rim.version_ok);  // what the old check looked at
  EXPECT_FALSE(r.vbios_rim.identity_ok);
  EXPECT_EQ(r.vbios_rim.product, "GH100");
  EXPECT_EQ(r.vbios_rim.edition, "GPU");
  EXPECT_TRUE(has_finding(r, "nvidia.rim.product-mismatch")) << test::findings_text(r);
  std::string text = test::findings_text(r);
  EXPECT_NE(text.find("Meta@product is \"GH100\""), std::string::npos) << text;
  EXPECT_NE(text.find("Meta@edition is GPU"), std::string::npos) << text;
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), CheckStatus::kFail);
  EXPECT_EQ(r.verdict(), TrustTier::kContraindicated);
}

// A tagId that names a RIM ID must name this one. NVIDIA's RIMs carry a 96-hex digest as
// tagId (every RIM in tests/data/nvidia), which names no ID; a copy of the genuine switch RIM
// whose tagId is edited to another RIM's ID is refused for that, whatever its signature says.
TEST(NvidiaAppraise, RimWhoseTagIdNamesAnotherRimFails) {
  std::string genuine = test::slurp(test::kNvData +
                                    "/rim-stores/switch/"
                                    "NV_SWITCH_BIOS_5612_0002_890_9610550001.xml");
  const std::string tag =
      "tagId=\"6b6fefd8cbb329a75f2bc1221228c5f61abb4831512d9f1ffeb0f9b62f084150689d77c8be389c53bc7c"
      "b0700c0355ac\"";
  ASSERT_NE(genuine.find(tag), std::string::npos);
  test::TempTree t;
  std::string other = genuine;
  other.replace(other.find(tag), tag.size(), "tagId=\"NV_SWITCH_BIOS_5612_0002_890_9610540001\"");
  t.write("store/NV_SWITCH_BIOS_5612_0002_890_9610550001.xml", other);
  NvidiaRun run(test::kNonce931d, kNow, t.path("store"));
  auto r = run(test::report_evidence("sdk-ls10"));
  EXPECT_TRUE(has_finding(r, "nvidia.rim.id-mismatch")) << test::findings_text(r);
  EXPECT_FALSE(r.vbios_rim.identity_ok);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), CheckStatus::kFail);
  // The genuine RIM: digest tagId, LS10, SWITCH: identity holds.
  NvidiaRun ok(test::kNonce931d, kNow, "switch");
  auto g = ok(test::report_evidence("sdk-ls10"));
  EXPECT_TRUE(g.vbios_rim.identity_ok) << test::findings_text(g);
  EXPECT_EQ(g.vbios_rim.tag_id.size(), 96u);
  EXPECT_FALSE(has_finding(g, "nvidia.rim.id-mismatch"));
  EXPECT_FALSE(has_finding(g, "nvidia.rim.product-mismatch"));
}

// A GH100 GPU RIM (driver) stored under the switch's RIM ID: the version does not match either,
// and the product and edition say it is not a switch RIM.
TEST(NvidiaAppraise, GpuDriverRimUnderASwitchIdFailsOnIdentityToo) {
  test::TempTree t;
  t.write("store/NV_SWITCH_BIOS_5612_0002_890_9610550001.xml",
          test::slurp(test::kNvData + "/rims/NV_GPU_DRIVER_GH100_550.144.03.xml"));
  NvidiaRun run(test::kNonce931d, kNow, t.path("store"));
  auto r = run(test::report_evidence("sdk-ls10"));
  EXPECT_TRUE(has_finding(r, "nvidia.rim.version-mismatch"));
  EXPECT_TRUE(has_finding(r, "nvidia.rim.product-mismatch")) << test::findings_text(r);
}

// Modes on real reports: no report in tests/data carries CC, devtools or debug state (legacy
// opaque data has no such field), so each says "not reported" and nothing is assumed.
// PROTECTED_PCIE_STATUS and FEATURE_FLAG are read where present.
TEST(NvidiaAppraise, ModesAreReadFromTheSignedFieldsAndNeverAssumed) {
  NvidiaRun run(test::kNonce580, kNow);
  auto r = run(test::report_evidence("sdk-h100-580"));  // OPAQUE_DATA_VERSION 1, FEATURE_FLAG 0
  EXPECT_FALSE(r.modes.cc_on.has_value());
  EXPECT_FALSE(r.modes.devtools.has_value());
  EXPECT_FALSE(r.modes.debug.has_value());
  ASSERT_TRUE(r.modes.ppcie.has_value());
  EXPECT_FALSE(*r.modes.ppcie);  // PROTECTED_PCIE_STATUS 0x55
  EXPECT_EQ(r.modes.feature_flag, std::optional<uint16_t>(0));
  EXPECT_EQ(r.modes.cc_variant, "SPT or MPT");  // NVIDIA's two readers disagree on 0 and 1
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kModes), CheckStatus::kSkipped);
  EXPECT_TRUE(has_finding(r, "nvidia.cc.not-reported"));
  EXPECT_FALSE(has_finding(r, "nvidia.cc.devtools"));
  // nvtrust 2023: no PROTECTED_PCIE_STATUS, no FEATURE_FLAG.
  NvidiaRun old(test::kNonce2023, test::at("2024-01-01T00:00:00Z"));
  auto o = old(test::report_evidence("nvtrust-2023"));
  EXPECT_FALSE(o.modes.ppcie.has_value());
  EXPECT_TRUE(o.modes.cc_variant.empty());
  // sdk-gb100: OPAQUE_DATA_VERSION 0, so a FEATURE_FLAG would not be read.
  NvidiaRun bw(test::kNonce931d, kNow);
  EXPECT_FALSE(bw(test::report_evidence("sdk-gb100")).modes.feature_flag.has_value());
}

// The decision where a state is reported (no real report carries one today: the policy on a
// stated state, not a report).
TEST(NvidiaAppraise, DevtoolsAndDebugFailByDefaultAndCcOffWarns) {
  nvidia::ModeState m;
  m.cc_on = true;
  m.devtools = true;
  m.debug = false;
  std::vector<Finding> f;
  EXPECT_EQ(nvidia::appraise_modes(m, false, "GPU-0", f), CheckStatus::kFail);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, "nvidia.cc.devtools");
  EXPECT_EQ(f[0].severity, Severity::kFail);
  f.clear();
  EXPECT_EQ(nvidia::appraise_modes(m, true, "GPU-0", f), CheckStatus::kWarn);
  EXPECT_EQ(f[0].severity, Severity::kWarn);
  f.clear();
  m.devtools = false;
  m.debug = true;
  EXPECT_EQ(nvidia::appraise_modes(m, false, "GPU-0", f), CheckStatus::kFail);
  EXPECT_EQ(f[0].code, "nvidia.cc.debug");
  f.clear();
  m.debug = false;
  m.cc_on = false;
  EXPECT_EQ(nvidia::appraise_modes(m, false, "GPU-0", f), CheckStatus::kWarn);
  EXPECT_EQ(f[0].code, "nvidia.cc.off");
  f.clear();
  m.cc_on = true;
  EXPECT_EQ(nvidia::appraise_modes(m, false, "GPU-0", f), CheckStatus::kPass);
  EXPECT_TRUE(f.empty());
  // Only some reported: the rest is named as not reported.
  m.debug.reset();
  EXPECT_EQ(nvidia::appraise_modes(m, false, "GPU-0", f), CheckStatus::kPass);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, "nvidia.cc.not-reported");
  EXPECT_NE(f[0].message.find("debug"), std::string::npos);
}

TEST(NvidiaAppraise, InvalidSignatureReportsFail) {
  NvidiaRun run(test::kNonce931d, kNow);
  auto r = run(test::report_evidence("sdk-h100-invalid-signature", "sdk-h100-570"));
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kSignature), CheckStatus::kFail);
  EXPECT_TRUE(has_finding(r, "nvidia.signature.invalid"));
  EXPECT_EQ(r.verdict(), TrustTier::kContraindicated);
  NvidiaRun srun("ea038ed507a451e005bae91186bc9403150a3cb8971fdebd05ffed65eeb6a997", kNow);
  auto s = srun(test::report_evidence("sdk-ls10-invalid-signature", "sdk-ls10"));
  EXPECT_TRUE(has_finding(s, "nvidia.signature.invalid"));
  EXPECT_FALSE(s.passed(false));
}

TEST(NvidiaAppraise, BrokenChainsFail) {
  NvidiaRun run(test::kNonce931d, kNow);
  // Trustee case 3: the provisioner ICA removed; the BROM certificate's issuer is missing.
  auto c3 = run(test::report_evidence("nvtrust-h100", "trustee-case3"));
  EXPECT_TRUE(has_finding(c3, "nvidia.chain.invalid")) << test::findings_text(c3);
  EXPECT_TRUE(has_finding(c3, "nvidia.chain.length"));
  EXPECT_EQ(c3.checks.at(nvidia::DeviceCheck::kChain), CheckStatus::kFail);
  // Trustee case 4: the leaf removed; the path is fine but the chain is short and the key of
  // its first certificate did not sign the report.
  auto c4 = run(test::report_evidence("nvtrust-h100", "trustee-case4"));
  EXPECT_TRUE(has_finding(c4, "nvidia.chain.length"));
  EXPECT_TRUE(has_finding(c4, "nvidia.signature.invalid"));
  EXPECT_FALSE(c4.passed(false));
}

TEST(NvidiaAppraise, ChainFromAnotherGpuIsCaught) {
  auto devices = test::serialized("hgx-4gpu");
  ASSERT_EQ(devices.size(), 4u);
  nvidia::DeviceEvidence spliced = devices[0];
  spliced.chain_pem = devices[1].chain_pem;
  NvidiaRun run(test::kNonce4gpu, kNow);
  auto r = run(spliced);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kChain), CheckStatus::kPass);  // a genuine chain...
  EXPECT_TRUE(has_finding(r, "nvidia.signature.invalid"));                  // ...of another device
  EXPECT_TRUE(has_finding(r, "nvidia.fwid.mismatch") ||
              r.checks.at(nvidia::DeviceCheck::kFwid) == CheckStatus::kPass);
  EXPECT_EQ(r.verdict(), TrustTier::kContraindicated);
}

TEST(NvidiaAppraise, WrongNonceFails) {
  NvidiaRun run(test::kNonce535, kNow);
  auto r = run(test::report_evidence("nvtrust-h100"));
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kSignature), CheckStatus::kPass);
  EXPECT_TRUE(has_finding(r, "nvidia.nonce.mismatch"));
  EXPECT_EQ(r.verdict(), TrustTier::kContraindicated);
}

TEST(NvidiaAppraise, AnyFlippedByteInTheSignedRegionIsRejected) {
  auto ev = test::report_evidence("nvtrust-h100");
  auto chain = x509::parse_pem_chain(ev.chain_pem, "c").value();
  EVP_PKEY* key = X509_get0_pubkey(chain[0].get());
  const size_t signed_len = ev.report.size() - 96;
  // Every byte: the parser refuses it or the signature no longer verifies.
  size_t by_signature = 0, by_parser = 0;
  for (size_t i = 0; i < signed_len; ++i) {
    Bytes m = ev.report;
    m[i] ^= 0x01;
    auto rep = spdm::parse_measurement_report(m, 96, "r");
    if (!rep) {
      ++by_parser;
      continue;
    }
    auto op =
        nvidia::parse_opaque_data(rep->opaque, rep->opaque_offset, nvidia::DeviceKind::kGpu, "r");
    bool sig =
        x509::verify_ecdsa_sha384_raw(key, ByteView(m.data(), rep->signed_length), rep->signature);
    ASSERT_FALSE(sig && op.ok()) << "byte " << i << " flipped and still accepted";
    ++(sig ? by_parser : by_signature);
  }
  EXPECT_EQ(by_signature + by_parser, signed_len);
  EXPECT_GT(by_signature, 3000u);
  // And through the whole appraiser, a sample across every region of the report.
  NvidiaRun run(test::kNonce931d, kNow);
  for (size_t i = 0; i < signed_len; i += 37) {
    nvidia::DeviceEvidence m = ev;
    m.report[i] ^= 0x80;
    auto r = run(m);
    ASSERT_EQ(r.verdict(), TrustTier::kContraindicated) << "byte " << i;
    ASSERT_TRUE(has_finding(r, "nvidia.signature.invalid") ||
                r.checks.at(nvidia::DeviceCheck::kParse) == CheckStatus::kFail)
        << "byte " << i << "\n"
        << test::findings_text(r);
  }
}

TEST(NvidiaAppraise, TruncatedReportIsAParseFailure) {
  NvidiaRun run(test::kNonce931d, kNow);
  auto ev = test::report_evidence("nvtrust-h100");
  for (size_t cut : {size_t{1}, size_t{96}, size_t{500}, ev.report.size() - 10}) {
    nvidia::DeviceEvidence m = ev;
    m.report.resize(ev.report.size() - cut);
    auto r = run(m);
    EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kParse), CheckStatus::kFail);
    EXPECT_TRUE(has_finding(r, "spdm.truncated") || has_finding(r, "spdm.length-overrun"))
        << test::findings_text(r);
  }
}

TEST(NvidiaAppraise, TrailingZeroFromTheCocoAttesterIsANote) {
  NvidiaRun run(test::kNonceTrailing, kNow);
  auto r = run(test::report_evidence("trustee-h100-trailing"));
  expect_identity_pass(r);
  EXPECT_TRUE(has_finding(r, "nvidia.report.trailing-zeros"));
}

TEST(NvidiaAppraise, MeasurementMismatchRimFailsNamingTheIndex) {
  NvidiaRun run(test::kNonce535, test::at("2024-06-01T00:00:00Z"), "mismatch");
  auto r = run(test::report_evidence("sdk-h100-535"));
  EXPECT_TRUE(has_finding(r, "nvidia.measurement.mismatch")) << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kMeasurements), CheckStatus::kFail);
  ASSERT_FALSE(r.mismatches.empty());
  const auto& m = r.mismatches.front();
  EXPECT_EQ(m.source, "driver");
  EXPECT_FALSE(m.expected.empty());
  EXPECT_EQ(m.runtime.size(), 96u);
  EXPECT_FALSE(m.tolerated);
  // The edited RIM's signature fails as well, with its own finding.
  EXPECT_TRUE(has_finding(r, "nvidia.rim.signature-invalid"));
}

TEST(NvidiaAppraise, ExpiredRimSignerFailsAtAFrozenTimeAfterExpiry) {
  // The driver RIM's signer is valid 2025-01-01..2025-01-02; the VBIOS RIM's until 2025-09-05.
  NvidiaRun run(test::kNonce931d, test::at("2025-03-01T00:00:00Z"), "expired");
  auto r = run(test::report_evidence("sdk-h100-570"));
  for (nvidia::DeviceCheck c :
       {nvidia::DeviceCheck::kParse, nvidia::DeviceCheck::kSignature, nvidia::DeviceCheck::kNonce,
        nvidia::DeviceCheck::kChain, nvidia::DeviceCheck::kFwid}) {
    EXPECT_EQ(r.checks.at(c), CheckStatus::kPass) << to_string(c);  // the device itself is fine
  }
  EXPECT_EQ(r.verdict(), TrustTier::kContraindicated);
  EXPECT_TRUE(has_finding(r, "nvidia.rim.expired")) << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kDriverRim), CheckStatus::kFail);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), CheckStatus::kPass)
      << test::findings_text(r);
}

TEST(NvidiaAppraise, SwitchRimWithBadSignatureFails) {
  NvidiaRun run(test::kNonce931d, test::at("2026-01-01T00:00:00Z"), "switch-bad-sig");
  auto r = run(test::report_evidence("sdk-ls10"));
  EXPECT_TRUE(has_finding(r, "nvidia.rim.signature-invalid")) << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), CheckStatus::kFail);
}

TEST(NvidiaAppraise, WrongRimRootFailsTheRimChain) {
  std::string path = test::kNvData + "/rims/incorrect_rim_root.crt";
  auto wrong = x509::parse_pem_chain(test::slurp(path), path).value();
  NvidiaRun run(test::kNonce2023, test::at("2024-01-01T00:00:00Z"), "e2e-2023", nullptr,
                wrong[0].get());
  auto r = run(test::report_evidence("nvtrust-2023"));
  EXPECT_TRUE(has_finding(r, "nvidia.rim.chain-invalid")) << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kDriverRim), CheckStatus::kFail);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), CheckStatus::kFail);
}

TEST(NvidiaAppraise, PciIdThatContradictsTheSignedSkuIsContraindicated) {
  NvidiaRun run(test::kNonce931d, kNow);
  auto ev = test::report_evidence("nvtrust-h100");
  ev.pci_id = std::pair<uint16_t, uint16_t>{0x10de, 0x2329};  // H20
  auto r = run(ev);
  EXPECT_TRUE(has_finding(r, "nvidia.sku.pci-contradiction"));
  EXPECT_EQ(r.verdict(), TrustTier::kContraindicated);
  ev.pci_id = std::pair<uint16_t, uint16_t>{0x10de, 0x2331};  // H100 PCIe: agrees
  auto ok = run(ev);
  EXPECT_FALSE(has_finding(ok, "nvidia.sku.pci-contradiction"));
  EXPECT_NE(ok.verdict(), TrustTier::kContraindicated);
  NvidiaRun srun(test::kNonce931d, kNow);
  auto sw = test::report_evidence("sdk-ls10");
  sw.pci_id = std::pair<uint16_t, uint16_t>{0x10de, 0x22a3};
  EXPECT_FALSE(has_finding(srun(sw), "nvidia.sku.pci-contradiction"));
}

TEST(NvidiaAppraise, UnknownSkuIsReportedAsSuch) {
  NvidiaRun run(test::kNonce580, kNow);
  auto r = run(test::report_evidence("sdk-h100-580"));
  expect_identity_pass(r);
  EXPECT_EQ(r.sku, "1010/0205/862");
  EXPECT_EQ(r.part, nullptr);
  EXPECT_TRUE(has_finding(r, "nvidia.sku.unknown"));
}

TEST(NvidiaAppraise, ChainPrefixesAreVerifiedOnceAndReused) {
  ChainVerifier v(nvidia::pinned_device_root(), kNow);
  auto devices = test::serialized("hgx-8gpu-ppcie");
  bool first = true;
  for (const auto& d : devices) {
    auto certs = x509::parse_pem_chain(d.chain_pem, "c").value();
    ChainOutcome c = v.verify(certs);
    ASSERT_TRUE(c.ok) << c.reason;
    EXPECT_EQ(c.used_cache, !first);
    EXPECT_EQ(c.path.size(), 5u);  // completed up to the root even when cut short
    EXPECT_TRUE(x509::same_cert(c.path.back(), nvidia::pinned_device_root()));
    first = false;
  }
}

// Chains are remembered by their exact text: the same text gives the same parsed chain (with the
// digest the chain cache keys on), a text that differs anywhere is parsed on its own, one that
// does not parse is never kept, and the byte bound stops additions while parsing goes on.
TEST(NvidiaAppraise, ParsedChainsAreRememberedByTheirExactTextWithinTheirBounds) {
  auto devices = test::serialized("hgx-8gpu-ppcie");
  ASSERT_GE(devices.size(), 2u);
  x509::ParsedCertCache cache;
  auto a = cache.parse_chain(devices[0].chain_pem, "c", 8).value();
  auto again = cache.parse_chain(devices[0].chain_pem, "c", 8).value();
  EXPECT_EQ(a.get(), again.get());
  ASSERT_EQ(a->certs.size(), 5u);
  EXPECT_EQ(a->der_digest, x509::chain_digest(a->certs));
  EXPECT_EQ(a->leaf_sha256, x509::fingerprint_sha256(a->certs[0].get()));
  EXPECT_EQ(a->subject_cns[1], x509::subject_cn(a->certs[1].get()));
  // The same certificates behind other text: parsed again, the same digest.
  auto padded = cache.parse_chain("\n" + devices[0].chain_pem, "c", 8).value();
  EXPECT_NE(padded.get(), a.get());
  EXPECT_EQ(padded->der_digest, a->der_digest);
  // Another device's chain: another digest, and the chain cache key differs with it.
  auto b = cache.parse_chain(devices[1].chain_pem, "c", 8).value();
  EXPECT_NE(b->der_digest, a->der_digest);
  EXPECT_NE(CertificateCache::key(nvidia::pinned_device_root(), a->certs),
            CertificateCache::key(nvidia::pinned_device_root(), b->certs));
  // A remembered chain longer than the caller allows is refused as parsing would refuse it.
  auto short_limit = cache.parse_chain(devices[0].chain_pem, "c", 4);
  ASSERT_FALSE(short_limit.ok());
  EXPECT_EQ(short_limit.error().code, "input.too-large");
  // A chain that does not parse is an error every time.
  std::string broken = devices[0].chain_pem;
  broken.erase(broken.find("-----END CERTIFICATE-----"), 5);
  EXPECT_FALSE(cache.parse_chain(broken, "c", 8).ok());
  EXPECT_FALSE(cache.parse_chain(broken, "c", 8).ok());
  // With no byte budget nothing is kept, and parsing still gives the same chain.
  x509::ParsedCertCache none(8192, 0);
  auto n1 = none.parse_chain(devices[0].chain_pem, "c", 8).value();
  auto n2 = none.parse_chain(devices[0].chain_pem, "c", 8).value();
  EXPECT_NE(n1.get(), n2.get());
  EXPECT_EQ(n1->der_digest, a->der_digest);
}

}  // namespace
}  // namespace aa
