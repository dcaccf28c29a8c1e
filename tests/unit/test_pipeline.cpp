// The verification pipeline (issue 5): npu-smi parsing on real outputs, the export policy and
// licence rules, the pipeline on the shipped example bundles (real NVIDIA evidence, swtpm quotes
// binding it) with tampering of each part, the EAR claims it signs, and the HTML report.
#include <gtest/gtest.h>

#include <openssl/pem.h>

#include <algorithm>

#include "ascend/npu_smi.h"
#include "bundle/bundle.h"
#include "core/bytes.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "identify/identify.h"
#include "location/boundaries.h"
#include "location/probe.h"
#include "nvidia/roots.h"
#include "nvidia_fixture.h"
#include "pipeline/pipeline.h"
#include "policy_fixture.h"
#include "registry_fixture.h"
#include "report/html_report.h"
#include "results/ear.h"
#include "results/ear_writer.h"
#include "results/jose.h"
#include "results/token.h"

namespace aa {
namespace {

const std::string kData = TEST_DATA_DIR;
const std::string kBundles = std::string(EXAMPLES_DIR) + "/bundles";
// Within 90 days of the eCFR issue the policy encodes (no policy.stale), with every example
// certificate valid.
const std::time_t kAt = *x509::parse_rfc3339("2026-10-15T00:00:00Z");

std::string slurp(const std::string& path) {
  auto r = read_file(path, 64u << 20);
  EXPECT_TRUE(r.ok()) << path;
  return r ? *r : std::string();
}

// ---------------------------------------------------------------- npu-smi

std::vector<ascend::NpuChip> chips_of(const std::string& file) {
  auto r = ascend::parse_npu_smi(slurp(kData + "/ascend/" + file), file);
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().to_string());
  return r ? *r : std::vector<ascend::NpuChip>{};
}

TEST(NpuSmi, Blog910B1TableGivesTheRowsItShows) {
  auto c = chips_of("npu-smi_910B1_x8_kunpeng_arthurchiao-blog.txt");
  ASSERT_EQ(c.size(), 3u);  // NPU 0, 1 and 7; the author elided 2..6
  EXPECT_EQ(c[0].npu_id, 0);
  EXPECT_EQ(c[0].bus_id, "0000:c1:00.0");
  EXPECT_EQ(c[0].name, "910B1");
  EXPECT_EQ(c[0].health, "OK");
  EXPECT_EQ(c[2].npu_id, 7);
  EXPECT_EQ(c[2].bus_id, "0000:42:00.0");
  ASSERT_NE(ascend::chip_at(c, "0000:01:00.0"), nullptr);
  EXPECT_EQ(ascend::chip_at(c, "0000:01:00.0")->npu_id, 1);
  EXPECT_EQ(ascend::chip_at(c, "0000:02:00.0"), nullptr);
}

TEST(NpuSmi, TruncatedExcerptsAndDualDieParts) {
  auto b3 = chips_of("npu-smi_info_910B3_llama-box-issue31_EXCERPT.txt");
  ASSERT_GE(b3.size(), 2u);
  EXPECT_EQ(b3[0].name, "910B3");
  EXPECT_EQ(b3[1].bus_id, "0000:c2:00.0");
  auto c910 = chips_of("npu-smi_info_A3_910C_ascend910-dualdie_vllm-ascend-issue2035_EXCERPT.txt");
  ASSERT_GE(c910.size(), 3u);
  EXPECT_EQ(c910[0].npu_id, 0);
  EXPECT_EQ(c910[1].npu_id, 0);  // the second die of NPU 0
  EXPECT_EQ(c910[1].chip_id, 1);
  EXPECT_EQ(c910[1].phy_id, 1);
  EXPECT_EQ(c910[1].bus_id, "0000:9f:00.0");
  EXPECT_EQ(c910[0].name, "Ascend910");
  auto a310 = chips_of("npu-smi_info_atlas800-3000_ascend310_gpustack.txt");
  ASSERT_GE(a310.size(), 4u);
  EXPECT_EQ(a310[0].npu_id, 6);
  EXPECT_EQ(a310[1].bus_id, "0000:8a:00.0");
  EXPECT_EQ(a310[0].name, "310");
  auto redacted = chips_of("npu-smi_info_atlas800-9010_ascend910_gpustack.txt");
  ASSERT_FALSE(redacted.empty());
  EXPECT_EQ(redacted[0].name, "");  // "xxx" in the published copy
  EXPECT_EQ(redacted[3].health, "Warning");
}

TEST(NpuSmi, MaskedBusIdsAreRefusedWithTheLine) {
  auto r = ascend::parse_npu_smi(
      slurp(kData + "/ascend/npu-smi_info_910B4-1_hami-webui-issue47_EXCERPT.txt"), "hami.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "npu-smi.bad-row");
  EXPECT_EQ(r.error().field, "hami.txt:8");
  EXPECT_NE(r.error().message.find("0000:xx:00.0"), std::string::npos);
}

TEST(NpuSmi, BoardBlocksJoinTheTableByBusId) {
  // A table row (from the blog output) followed by a board block in the `-t board` layout of
  // Huawei's documentation, with a serial of the documented format; synthetic join.
  std::string text = slurp(kData + "/ascend/npu-smi_910B1_x8_kunpeng_arthurchiao-blog.txt") +
                     "        NPU ID                         : 7\n"
                     "        Chip Name                      : 910B1\n"
                     "        Serial Number                  : IT23HMDA0502FAA\n"
                     "        PCIe Bus Info                  : 0000:42:00.0\n"
                     "        NPU ID                         : 9\n"
                     "        Serial Number                  : xxx\n"
                     "        PCIe Bus Info                  : 0000:99:00.0\n";
  auto r = ascend::parse_npu_smi(text, "t");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ(ascend::chip_at(*r, "0000:42:00.0")->serial, "IT23HMDA0502FAA");
  EXPECT_FALSE(ascend::chip_at(*r, "0000:99:00.0")->serial.has_value());  // placeholder
  EXPECT_FALSE(ascend::chip_at(*r, "0000:c1:00.0")->serial.has_value());
}

TEST(NpuSmi, Rejections) {
  auto none = ascend::parse_npu_smi("npu-smi: command not found\n", "x");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "npu-smi.no-devices");
  auto big = ascend::parse_npu_smi(std::string((1u << 20) + 1, ' '), "x");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, "npu-smi.too-large");
  auto orphan = ascend::parse_npu_smi("| 0     | 0000:01:00.0 | 0 |\n", "x");
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().code, "npu-smi.bad-row");
  auto bad_id = ascend::parse_npu_smi("| 0x    910B1 | OK |\n", "x");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.error().field, "x:1");
}

// The policy rules themselves: test_policy.cpp.
using test::codes;
using test::licence;
using test::shipped_policy;

// ---------------------------------------------------------------- the pipeline

struct Example {
  Bundle bundle;
  std::string sha;
  ossl::X509Ptr ak_ca;
  std::optional<Licence> lic;
};

Example example(const std::string& host) {
  Example e;
  std::string text = slurp(kBundles + "/" + host + "/bundle.json");
  e.sha = sha256_hex(text);
  auto b = parse_bundle(text, host);
  EXPECT_TRUE(b.ok()) << (b ? "" : b.error().to_string());
  e.bundle = std::move(b).value();
  std::string ca = slurp(kBundles + "/" + host + "/sim-ak-ca.pem");
  e.ak_ca = x509::parse_cert_any(as_bytes(ca), "ca").value();
  return e;
}

struct PipelineRun {
  PipelineReferences refs;
  PipelineRun(const Example& e, bool trust_ak = true, const Licence* lic = nullptr) {
    refs.registry = &test::shipped_registry();
    refs.policy = &shipped_policy();
    refs.licence = lic;
    refs.nvidia.device_root = nvidia::pinned_device_root();
    refs.nvidia.rim_root = nvidia::pinned_rim_root();
    refs.nvidia.profile = nullptr;
    static const nvidia::NvidiaProfile prof = nvidia::load_nvidia_profile(PROFILES_DIR).value();
    refs.nvidia.profile = &prof;
    refs.nvidia.registry = &test::shipped_registry();
    refs.ak_ca = trust_ak ? e.ak_ca.get() : nullptr;
    refs.expected_nonce = e.bundle.nonce;
    refs.at = kAt;
  }
  PipelineResult operator()(const Bundle& b, const std::string& sha = "") const {
    return run_pipeline(b, sha, refs);
  }
};

const Submod& sub(const PipelineResult& r, const std::string& label) {
  for (const auto& s : r.submods)
    if (s.label == label) return s;
  ADD_FAILURE() << "no submod " << label;
  return r.submods.front();
}

bool has(const Submod& s, const std::string& code) {
  return std::any_of(s.findings.begin(), s.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

std::string text_of(const PipelineResult& r) {
  std::string t;
  for (const auto& s : r.submods) {
    t += s.label + " " + to_string(s.status) + "\n";
    for (const auto& f : s.findings) t += "  " + f.code + " " + f.message + "\n";
  }
  return t;
}

Licence hgx_licence() {
  auto l = parse_licence(slurp(kBundles + "/hgx-h100/licence.json"), "licence.json");
  EXPECT_TRUE(l.ok());
  return std::move(l).value();
}

TEST(Pipeline, HgxHostWithItsLicence) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  PipelineRun run(e, true, &lic);
  PipelineResult r = run(e.bundle, e.sha);
  // Warning, not affirming: no RIMs are public for this driver and VBIOS, and no CRL was given.
  EXPECT_EQ(r.status, TrustTier::kWarning) << text_of(r);
  ASSERT_EQ(r.submods.size(), 9u);  // host + 8 GPUs (the NIC is not an accelerator)
  const Submod& host = r.submods[0];
  // The example gives no PCR policy: the host's boot state is unchecked (a warning).
  EXPECT_EQ(host.status, TrustTier::kWarning) << text_of(r);
  EXPECT_TRUE(has(host, "tpm.boot-state-unchecked"));
  EXPECT_TRUE(host.inventory_bound);
  EXPECT_EQ(host.trust_vector.at("hardware"), 2);
  EXPECT_EQ(host.trust_vector.at("instance-identity"), 2);
  for (size_t i = 1; i < r.submods.size(); ++i) {
    const Submod& g = r.submods[i];
    EXPECT_EQ(g.kind, DeviceKind::kNvidiaGpu);
    EXPECT_EQ(g.assurance, Assurance::kAttested);
    EXPECT_EQ(g.eccn, "3A090.a.1");
    EXPECT_EQ(g.trust_vector.at("instance-identity"), 2);
    EXPECT_EQ(g.trust_vector.at("hardware"), 2);
    EXPECT_EQ(g.trust_vector.count("executables"), 0u);  // RIMs not appraised: no claim
    EXPECT_TRUE(has(g, "nvidia.rim.not-checked"));
    EXPECT_FALSE(has(g, "policy.licence-required-by-text")) << text_of(r);
    EXPECT_EQ(g.status, TrustTier::kWarning);
    ASSERT_TRUE(g.ueid.has_value());
    EXPECT_EQ(g.evidence_sha256->size(), 64u);
  }
  EXPECT_EQ(r.destination, "AE");
  EXPECT_EQ(r.licence_number, "D000000-EXAMPLE");
}

TEST(Pipeline, TamperedDeviceEvidence) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  PipelineRun run(e, true, &lic);
  Bundle b = e.bundle;
  auto& report = b.devices[2].nvidia->report;
  report[report.size() - 40] ^= 0x01;  // inside the signature
  // The collector's digest of the evidence no longer matches what the quote bound.
  b.devices[2].pci.evidence_sha256 =
      sha256_hex(std::string_view(reinterpret_cast<const char*>(report.data()), report.size()));
  PipelineResult r = run(b);
  EXPECT_EQ(r.status, TrustTier::kContraindicated);
  const Submod& g = sub(r, "0000:3a:00.0");
  EXPECT_TRUE(has(g, "nvidia.signature.invalid")) << text_of(r);
  EXPECT_EQ(g.status, TrustTier::kContraindicated);
  EXPECT_NE(g.assurance, Assurance::kAttested);
  EXPECT_TRUE(has(sub(r, "host"), "tpm.inventory-mismatch")) << text_of(r);
  EXPECT_EQ(sub(r, "0000:18:00.0").assurance,
            Assurance::kAttested);  // the others are still attested
}

TEST(Pipeline, TamperedInventoryQuoteAndNonce) {
  Example e = example("ascend-910b");
  PipelineRun run(e);
  run.refs.end_user_hq = "MY";  // known, so the headquarters rule is checked (not a host warning)
  PipelineResult base = run(e.bundle);
  EXPECT_EQ(base.status, TrustTier::kContraindicated);  // Ascend 910B: a PRC 3A090 part
  const Submod& npu = sub(base, "0000:c1:00.0");
  EXPECT_EQ(npu.assurance, Assurance::kPlatformBound) << text_of(base);
  EXPECT_EQ(npu.name, "Huawei Ascend 910B1");  // from the attached npu-smi output
  EXPECT_TRUE(has(npu, "policy.prc-3a090-part"));
  EXPECT_EQ(npu.trust_vector.at("sourced-data"), 2);
  EXPECT_EQ(sub(base, "host").status, TrustTier::kWarning) << text_of(base);  // no PCR policy

  // A device hidden from the verifier after the quote: the binding breaks.
  Bundle hidden = e.bundle;
  hidden.devices.erase(
      std::find_if(hidden.devices.begin(), hidden.devices.end(),
                   [](const BundleDevice& d) { return d.pci.address == "0000:e2:00.0"; }));
  PipelineResult h = run(hidden);
  EXPECT_TRUE(has(sub(h, "host"), "tpm.inventory-mismatch")) << text_of(h);
  EXPECT_EQ(sub(h, "0000:c1:00.0").assurance, Assurance::kReported);
  EXPECT_TRUE(has(sub(h, "0000:c1:00.0"), "policy.identity-reported"));
  // A relabelled device (another device ID) breaks it too.
  Bundle relabel = e.bundle;
  for (auto& d : relabel.devices)
    if (d.pci.address == "0000:01:00.0") d.pci.device = 0xd803;
  EXPECT_TRUE(has(sub(run(relabel), "host"), "tpm.inventory-mismatch"));
  // A flipped quote byte: the signature fails and nothing is platform-bound.
  Bundle flipped = e.bundle;
  flipped.tpm->quote[flipped.tpm->quote.size() - 5] ^= 0x80;
  PipelineResult f = run(flipped);
  EXPECT_EQ(sub(f, "host").status, TrustTier::kContraindicated);
  EXPECT_TRUE(has(sub(f, "host"), "tpm.signature-invalid")) << text_of(f);
  EXPECT_EQ(sub(f, "host").trust_vector.at("hardware"), 97);
  EXPECT_EQ(sub(f, "0000:c1:00.0").assurance, Assurance::kReported);
  // The AK not trusted: the binding holds but vouches for nothing.
  PipelineRun untrusted(e, false);
  PipelineResult u = untrusted(e.bundle);
  EXPECT_TRUE(has(sub(u, "host"), "tpm.ak-untrusted"));
  EXPECT_TRUE(has(sub(u, "host"), "pipeline.binding-untrusted"));
  EXPECT_EQ(sub(u, "0000:c1:00.0").assurance, Assurance::kReported);
  // Another nonce than the one issued.
  PipelineRun other(e);
  other.refs.expected_nonce = Bytes(32, 0x11);
  EXPECT_TRUE(has(sub(other(e.bundle), "host"), "pipeline.nonce-mismatch"));
  other.refs.expected_nonce.reset();
  EXPECT_TRUE(has(sub(other(e.bundle), "host"), "pipeline.nonce-unchecked"));
}

TEST(Pipeline, TamperedLicence) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  // A serial dropped from the licence, at a destination where BIS enforces the rule.
  Bundle vn = e.bundle;
  vn.site_country = "VN";
  Licence l2 = lic;
  l2.destination = "VN";
  const std::string dropped = l2.devices.back().serial;
  l2.devices.pop_back();
  PipelineRun run(e, true, &l2);
  PipelineResult r = run(vn);
  EXPECT_EQ(r.status, TrustTier::kContraindicated);
  EXPECT_TRUE(has(sub(r, "0000:db:00.0"), "policy.licence-missing")) << text_of(r);
  EXPECT_EQ(sub(r, "0000:db:00.0").ueid, dropped);
  // A licensed serial no device carries.
  Licence l3 = lic;
  l3.devices.push_back({"123456789", "3A090.a"});
  PipelineRun run3(e, true, &l3);
  EXPECT_TRUE(has(sub(run3(e.bundle), "host"), "policy.licensed-device-absent"));
  // The licence is for another country than the site.
  Licence l4 = lic;
  l4.destination = "SA";
  PipelineRun run4(e, true, &l4);
  EXPECT_TRUE(has(sub(run4(e.bundle), "host"), "policy.licence-destination-mismatch"));
}

TEST(Pipeline, MixedHost) {
  Example e = example("mixed");
  PipelineRun run(e);
  PipelineResult r = run(e.bundle);
  EXPECT_EQ(r.status, TrustTier::kContraindicated);
  // H20: not 3A090 by the default reading, 3A090 by others; at SG only the text needs a
  // licence for those classes, so a warning (at a D:5 destination: test_policy.cpp, below).
  EXPECT_EQ(sub(r, "0000:11:00.0").status, TrustTier::kWarning) << text_of(r);
  EXPECT_TRUE(has(sub(r, "0000:11:00.0"), "policy.class-undetermined"));
  EXPECT_TRUE(has(sub(r, "host"), "policy.headquarters-unchecked"));
  EXPECT_TRUE(has(sub(r, "0000:41:00.0"), "policy.prc-3a090-part"));
  EXPECT_TRUE(has(sub(r, "0000:51:00.0"), "identify.possible-ascend-part"));
  EXPECT_TRUE(has(sub(r, "0000:61:00.0"), "identify.unknown-accelerator"));
  EXPECT_TRUE(has(sub(r, "0000:81:00.0"), "policy.prc-part-unclassified"));
  for (const auto& s : r.submods) EXPECT_NE(s.label, "0000:91:00.0");  // the NIC is not appraised
}

// ---------------------------------------------------------------- EAR and report

TEST(EarWriter, ClaimsReadBackAndObeyTheStatusRule) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  PipelineRun run(e, true, &lic);
  PipelineResult r = run(e.bundle, e.sha);
  ear::VerifierIdentity id;
  id.build = "accel-attest test";
  Json c = ear::ear_claims(r, id, 1795833986, 3600);
  EXPECT_EQ(c["eat_profile"], ear::kProfileIetf03);  // draft-03's ear.cddl pins it
  EXPECT_TRUE(c["iat"].is_number_integer());
  // Each appraisal names our profile and the policy that appraised it, one id defined once.
  const std::string gpu_id = ear::appraisal_policy_id(DeviceKind::kNvidiaGpu, r);
  EXPECT_EQ(gpu_id.rfind("tag:accel-attest.example,2026:policy/nvidia-gpu/v1#", 0), 0u) << gpu_id;
  EXPECT_EQ(gpu_id.size(),
            std::string("tag:accel-attest.example,2026:policy/nvidia-gpu/v1#").size() + 16);
  EXPECT_EQ(gpu_id.substr(gpu_id.size() - 16),
            sha256_hex(r.policy_digest + ":" + r.registry_digest).substr(0, 16));
  for (const auto& s : r.submods) {
    const Json& a = c["submods"][s.label];
    EXPECT_EQ(a["eat_profile"], ear::kProfileAccelAttest) << s.label;
    EXPECT_EQ(a["ear_appraisal_policy_ids"], Json::array({ear::appraisal_policy_id(s.kind, r)}));
  }
  EXPECT_EQ(c["submods"]["host"]["ear_appraisal_policy_ids"][0].get<std::string>().rfind(
                "tag:accel-attest.example,2026:policy/host/v1#", 0),
            0u);
  // Stable: the same policy and registry give the same id; another policy file another one.
  EXPECT_EQ(ear::appraisal_policy_id(DeviceKind::kNvidiaGpu, run(e.bundle, e.sha)), gpu_id);
  PipelineResult other = r;
  other.policy_digest = std::string(64, '0');
  EXPECT_NE(ear::appraisal_policy_id(DeviceKind::kNvidiaGpu, other), gpu_id);
  EXPECT_TRUE(ear::is_ours(c));
  EXPECT_EQ(c["exp"].get<int64_t>(), 1795833986 + 3600);
  EXPECT_EQ(c["eat_nonce"], base64url_encode(e.bundle.nonce));
  ear::ReadOptions ro;
  ro.expected_nonce = e.bundle.nonce_hex;
  ro.now = 1795833986;
  auto read = ear::read_ear(c, "t", ro);  // status <= worst vector entry, per submod
  ASSERT_TRUE(read.ok()) << read.error().to_string();
  EXPECT_EQ(read->submods.size(), 9u);
  EXPECT_EQ(read->status, TrustTier::kWarning);
  EXPECT_TRUE(ear::check_accel_attest_claims(c, "t").ok());
  EXPECT_EQ(read->submods[0].policy_ids.size(), 1u);
  EXPECT_EQ(read->submods[0].profile, ear::kProfileAccelAttest);
  // A draft-03 token of ours needs each appraisal's profile and policy ids...
  for (const char* claim : {"eat_profile", "ear_appraisal_policy_ids"}) {
    Json x = c;
    x["submods"]["host"].erase(claim);
    EXPECT_EQ(ear::check_accel_attest_claims(x, "t").error().code, "ear.missing-claim") << claim;
  }
  Json wrong_id = c;
  wrong_id["submods"]["host"]["ear_appraisal_policy_ids"] = {"policy:other"};
  EXPECT_EQ(ear::check_accel_attest_claims(wrong_id, "t").error().code, "ear.bad-claim");
  Json wrong_top = c;
  wrong_top["eat_profile"] = ear::kProfileVeraison;
  EXPECT_EQ(ear::check_accel_attest_claims(wrong_top, "t").error().code, "ear.bad-claim");
  // ...and a token issued before it, of the old top-level profile, still checks.
  Json v1 = c;
  v1["eat_profile"] = ear::kProfileAccelAttestV1;
  for (auto& [_, a] : v1["submods"].items()) {
    a.erase("eat_profile");
    a.erase("ear_appraisal_policy_ids");
  }
  EXPECT_TRUE(ear::is_ours(v1));
  EXPECT_TRUE(ear::check_accel_attest_claims(v1, "t").ok());
  const Json& d = c["submods"]["0000:18:00.0"][ear::ext("device")];
  EXPECT_EQ(d["chip_family"], "GH100");
  EXPECT_EQ(d["eccn_3a090"], "3A090.a.1");
  EXPECT_EQ(d["identity_assurance"], "attested");
  EXPECT_GT(d["tpp"].get<double>(), 4800);
  EXPECT_EQ(c[ear::ext("verification")]["bundle_sha256"], e.sha);
  EXPECT_EQ(c[ear::ext("verification")]["registry_sha256"], test::shipped_registry().digest());

  Json missing = c;
  missing["submods"]["0000:18:00.0"].erase(ear::ext("device"));
  EXPECT_EQ(ear::check_accel_attest_claims(missing, "t").error().code, "ear.missing-claim");
  Json bad = c;
  bad["submods"]["0000:18:00.0"][ear::ext("device")]["identity_assurance"] = "trusted";
  EXPECT_EQ(ear::check_accel_attest_claims(bad, "t").error().code, "ear.bad-claim");
  Json schema = c;
  schema[ear::ext("verification")]["schema"] = "v0";
  EXPECT_EQ(ear::check_accel_attest_claims(schema, "t").error().code, "ear.bad-claim");

  // Signed and verified with our JOSE module.
  ossl::PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  std::string kid = jose::thumbprint(key.get());
  std::string token = jose::sign_es256(key.get(), kid, c).value();
  Json jwks = {{"keys", Json::array({jose::public_jwk(key.get(), kid)})}};
  auto keys = jose::parse_jwks(jwks.dump(), "jwks");
  ASSERT_TRUE(keys.ok());
  auto v = jose::verify_compact(token, *keys, "token");
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->payload, c);
  // A result signed under the old profile still verifies as a relying party checks it, and
  // says which profile it has.
  ear::TokenPolicy tp;
  tp.read.now = 1795833986;
  auto old =
      ear::verify_result_token(jose::sign_es256(key.get(), kid, v1).value(), *keys, "v1", tp);
  ASSERT_TRUE(old.ok()) << old.error().to_string();
  EXPECT_EQ(old->claims.profile, ear::kProfileAccelAttestV1);
  EXPECT_NE(ear::profile_summary(old->claims).find("before draft-03"), std::string::npos);
  auto now = ear::verify_result_token(token, *keys, "now", tp);
  ASSERT_TRUE(now.ok()) << now.error().to_string();
  EXPECT_EQ(ear::appraisal_profile(now->claims), ear::kProfileAccelAttest);
}

TEST(Report, HasTheVerdictDevicesFindingsAndEscapes) {
  Example e = example("ascend-910b");
  PipelineRun run(e);
  PipelineResult r = run(e.bundle, e.sha);
  r.host_name = "<script>alert(1)</script>";
  Json c = ear::ear_claims(r, {}, 1795833986, 3600);
  ReportSignature sig;
  sig.verified = true;
  sig.kid = "kid-1";
  sig.alg = "ES256";
  sig.token_sha256 = "abc";
  std::string html = render_html_report(c, sig);
  EXPECT_NE(html.find("id=\"verdict\"><b>contraindicated</b>"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  size_t rows = 0;
  for (size_t p = html.find("class=\"device\""); p != std::string::npos;
       p = html.find("class=\"device\"", p + 1))
    ++rows;
  EXPECT_EQ(rows, 8u);
  EXPECT_NE(html.find("policy.prc-3a090-part"), std::string::npos);
  EXPECT_NE(html.find("General Prohibition 10"), std::string::npos);  // the explanation
  EXPECT_NE(html.find("verified by this report"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // self-contained: no external asset
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(explain_finding("nvidia.rim.missing"), explain_finding("nvidia.rim.expired"));
}

}  // namespace
}  // namespace aa

// ---------------------------------------------------------------- location in the pipeline

namespace aa {
namespace {

// A landmark record whose one probe nonce is the real vector's nonce, answered with a real
// NVIDIA SPDM report: the binding to the attested GPU key is checked on real bytes (the RTT is
// set here; the end-to-end tests measure theirs).
struct LocationFixture {
  ossl::PKey landmark{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  std::map<std::string, location::TrustedLandmark> trusted;
  location::Boundaries bounds = location::Boundaries::load(PROFILES_DIR).value();
  LocationFixture() {
    location::TrustedLandmark t;
    t.id = "auh-1";
    t.position = {24.4539, 54.3773};  // Abu Dhabi
    Json jwks = {{"keys", Json::array({jose::public_jwk(landmark.get(), "lm")})}};
    t.key = jose::parse_jwks(jwks.dump(), "j").value();
    trusted.emplace(t.id, std::move(t));
  }
  location::LocationEvidence evidence(const std::string& device, const Bytes& report,
                                      ByteView nonce) {
    location::TimingRecord r;
    r.landmark_id = "auh-1";
    r.position = {24.4539, 54.3773};
    r.device = device;
    r.challenge = Bytes(nonce.begin(), nonce.end());  // the session ran for the bundle's nonce
    r.issued_at = kAt - 60;
    r.rtt_min_ns = 600000;
    r.probes.push_back({1, Bytes(nonce.begin(), nonce.end()), 600000,
                        sha256_hex(std::string_view(reinterpret_cast<const char*>(report.data()),
                                                    report.size()))});
    location::LocationEvidence ev;
    ev.device = device;
    ev.scheme = "nvidia-spdm";
    ev.landmarks.push_back(
        {jose::sign_es256(landmark.get(), "lm", location::timing_record_json(r)).value(),
         {report}});
    return ev;
  }
};

// The HGX example with its licence and a location check against `f`'s landmark: CN, HK, MO and
// IR restricted, AE allowed.
PipelineRun hgx_location_run(const Example& e, const Licence& lic, LocationFixture& f) {
  PipelineRun run(e, true, &lic);
  run.refs.boundaries = &f.bounds;
  run.refs.landmarks = &f.trusted;
  run.refs.restricted_locations = {"CN", "HK", "MO", "IR"};
  run.refs.allowed_locations = {"AE"};
  return run;
}

TEST(PipelineLocation, NvidiaResponsesBindToTheAttestedGpu) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  LocationFixture f;
  PipelineRun run = hgx_location_run(e, lic, f);
  Bundle b = e.bundle;
  // GPU 0 answers with its own report; GPU 1's record carries GPU 2's report.
  b.location_evidence.push_back(f.evidence("0000:18:00.0", b.devices[0].nvidia->report, b.nonce));
  b.location_evidence.push_back(f.evidence("0000:2a:00.0", b.devices[2].nvidia->report, b.nonce));
  PipelineResult r = run(b);
  const Submod& g0 = sub(r, "0000:18:00.0");
  ASSERT_TRUE(g0.location.has_value());
  EXPECT_EQ(g0.location->verdict, "in_allowed") << text_of(r);  // 90 km around Abu Dhabi
  EXPECT_NE(g0.location->identity.find(*g0.ueid), std::string::npos);
  const Submod& g1 = sub(r, "0000:2a:00.0");
  EXPECT_TRUE(has(g1, "location.identity-unbound")) << text_of(r);
  EXPECT_EQ(g1.status, TrustTier::kContraindicated);
  // A device without location evidence has none; evidence for a device the bundle lacks fails.
  EXPECT_FALSE(sub(r, "0000:3a:00.0").location.has_value());
  b.location_evidence.push_back(f.evidence("0000:ff:00.0", b.devices[0].nvidia->report, b.nonce));
  EXPECT_TRUE(has(sub(run(b), "host"), "location.device-mismatch"));
  // The EAR carries the verdict.
  Json c = ear::ear_claims(r, {}, kAt, 60);
  EXPECT_EQ(c["submods"]["0000:18:00.0"][ear::ext("device")]["location"]["verdict"], "in_allowed");
}

// ---------------------------------------------------------------- AR4SI 99 (issue 13 item 9)

const std::vector<std::string> kReportClaims = {"instance-identity", "hardware", "executables",
                                                "configuration"};

// The signed claims of one submod, after checking that the whole token reads back (the status
// rule with the 99s) and that the submod can never meet a requirement.
Json signed_submod(const PipelineResult& r, const std::string& label) {
  Json c = ear::ear_claims(r, {}, kAt, 60);
  auto read = ear::read_ear(c, "t", {});
  EXPECT_TRUE(read.ok()) << (read ? "" : read.error().to_string());
  if (read) {
    EXPECT_FALSE(ear::meets(*read, "warning", "t").ok());
  }
  EXPECT_EQ(c["ear_status"], "contraindicated");
  EXPECT_EQ(c["submods"][label]["ear_status"], "contraindicated") << label;
  EXPECT_EQ(r.status,
            TrustTier::kContraindicated);  // the pipeline already said so: the 99s change no status
  return c["submods"][label];
}

int claim(const Json& submod, const std::string& name) {
  const Json& v = submod["ear_trustworthiness_vector"];
  return v.contains(name) ? v[name].get<int>() : 0;
}

TEST(Crypto99, NvidiaReportSignature) {
  Example e = example("hgx-h100");
  PipelineRun run(e);
  Bundle b = e.bundle;
  auto& report = b.devices[2].nvidia->report;
  report[report.size() - 40] ^= 0x01;  // inside the signature
  PipelineResult r = run(b);
  Json g = signed_submod(r, "0000:3a:00.0");
  for (const auto& c : kReportClaims) EXPECT_EQ(claim(g, c), 99) << c;
  EXPECT_EQ(claim(signed_submod(r, "host"), "hardware"), 2);  // the quote itself verified
  Json other = ear::ear_claims(r, {}, kAt, 60)["submods"]["0000:18:00.0"];
  EXPECT_EQ(claim(other, "instance-identity"), 2);  // the other GPUs keep their claims
}

// A certificate of the device chain whose signature no longer verifies (its last byte, in the
// signature, flipped).
TEST(Crypto99, NvidiaCertificateChain) {
  Example e = example("hgx-h100");
  PipelineRun run(e);
  Bundle b = e.bundle;
  std::string& pem = b.devices[1].nvidia->chain_pem;
  auto chain = x509::parse_pem_chain(pem, "chain").value();
  ASSERT_GE(chain.size(), 2u);
  std::string out;
  for (size_t i = 0; i < chain.size(); ++i) {
    unsigned char* der = nullptr;
    int n = i2d_X509(chain[i].get(), &der);
    ASSERT_GT(n, 0);
    Bytes bytes(der, der + n);
    OPENSSL_free(der);
    if (i == 1) bytes.back() ^= 0x01;
    const unsigned char* p = bytes.data();
    ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(bytes.size())));
    ASSERT_TRUE(cert);
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    ASSERT_EQ(PEM_write_bio_X509(bio.get(), cert.get()), 1);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    out.append(data, static_cast<size_t>(len));
  }
  pem = out;
  PipelineResult r = run(b);
  const Submod& s = sub(r, "0000:2a:00.0");
  ASSERT_TRUE(has(s, "nvidia.chain.invalid")) << text_of(r);
  ASSERT_EQ(ear::crypto_failures(s).size(), 1u) << text_of(r);
  Json g = signed_submod(r, "0000:2a:00.0");
  for (const auto& c : kReportClaims) EXPECT_EQ(claim(g, c), 99) << c;
}

// A RIM whose XML signature fails (the NVIDIA appraiser's nvidia.rim.signature-invalid, tested
// on real RIMs in test_nvidia_appraise.cpp): only the claim the reference values carry.
TEST(Crypto99, RimSignatureVoidsOnlyExecutables) {
  Submod s;
  s.label = "0000:18:00.0";
  s.kind = DeviceKind::kNvidiaGpu;
  s.status = TrustTier::kContraindicated;
  s.trust_vector = {{"instance-identity", 2}, {"hardware", 2}, {"executables", 2}};
  s.findings.push_back({"nvidia.rim.signature-invalid", "m", "p", Severity::kFail});
  auto v = ear::appraisal_vector(s);
  EXPECT_EQ(v.at("executables"), 99);
  EXPECT_EQ(v.at("instance-identity"), 2);
  EXPECT_EQ(v.at("hardware"), 2);
  for (const char* code : {"nvidia.rim.chain-invalid", "nvidia.rim.expired"}) {
    s.findings = {{code, "m", "p", Severity::kFail}};
    EXPECT_EQ(ear::appraisal_vector(s).at("executables"), 99) << code;
  }
  // A finding that is not a failed cryptographic check, or is only a warning, voids nothing.
  s.findings = {{"nvidia.rim.missing", "m", "p", Severity::kWarn},
                {"nvidia.fwid.mismatch", "m", "p", Severity::kFail},
                {"nvidia.signature.invalid", "m", "p", Severity::kWarn}};
  EXPECT_EQ(ear::appraisal_vector(s), s.trust_vector);
}

TEST(Crypto99, TpmQuoteSignatureAndAkCertificateChain) {
  Example e = example("ascend-910b");
  PipelineRun run(e);
  Bundle flipped = e.bundle;
  flipped.tpm->quote[flipped.tpm->quote.size() - 5] ^= 0x80;
  PipelineResult f = run(flipped);
  ASSERT_TRUE(has(sub(f, "host"), "tpm.signature-invalid")) << text_of(f);
  Json h = signed_submod(f, "host");
  for (const char* c : {"instance-identity", "hardware", "executables"})
    EXPECT_EQ(claim(h, c), 99) << c;
  // The reported devices stay what they are (sourced-data 32): their data was never attested.
  EXPECT_EQ(claim(ear::ear_claims(f, {}, kAt, 60)["submods"]["0000:c1:00.0"], "sourced-data"), 32);

  // The AK certificate under another CA: its chain does not verify.
  Example hgx = example("hgx-h100");
  PipelineRun wrong_ca(e);
  wrong_ca.refs.ak_ca = hgx.ak_ca.get();
  PipelineResult w = wrong_ca(e.bundle);
  ASSERT_TRUE(has(sub(w, "host"), "tpm.ak-cert-invalid")) << text_of(w);
  Json h2 = signed_submod(w, "host");
  EXPECT_EQ(claim(h2, "instance-identity"), 99);
  EXPECT_EQ(claim(h2, "hardware"), 2);  // the quote's signature verified
}

TEST(Crypto99, LocationSignatures) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  LocationFixture f, stranger;  // `stranger`'s landmark key is trusted by no one
  PipelineRun run = hgx_location_run(e, lic, f);
  Bundle b = e.bundle;
  b.location_evidence.push_back(f.evidence("0000:18:00.0", b.devices[0].nvidia->report, b.nonce));
  // GPU 1 answers with GPU 2's report: the response is not signed by GPU 1's key.
  b.location_evidence.push_back(f.evidence("0000:2a:00.0", b.devices[2].nvidia->report, b.nonce));
  // GPU 3's timing record is signed by a key no trusted landmark holds.
  b.location_evidence.push_back(
      stranger.evidence("0000:5d:00.0", b.devices[3].nvidia->report, b.nonce));
  PipelineResult r = run(b);
  Json c = ear::ear_claims(r, {}, kAt, 60);
  EXPECT_EQ(claim(c["submods"]["0000:18:00.0"], "sourced-data"), 0);  // verified: no 99
  ASSERT_TRUE(has(sub(r, "0000:2a:00.0"), "location.identity-unbound")) << text_of(r);
  EXPECT_EQ(claim(signed_submod(r, "0000:2a:00.0"), "sourced-data"), 99);
  EXPECT_EQ(claim(signed_submod(r, "0000:2a:00.0"), "instance-identity"),
            2);  // its report verified
  ASSERT_TRUE(has(sub(r, "0000:5d:00.0"), "location.unknown-landmark")) << text_of(r);
  EXPECT_EQ(claim(signed_submod(r, "0000:5d:00.0"), "sourced-data"), 99);
  // "No key attested for this device" is identity-unbound too, but no failed signature.
  Submod unbound;
  unbound.findings.push_back(
      {"location.identity-unbound", "no key attested", "0000:77:00.0", Severity::kFail});
  EXPECT_TRUE(ear::crypto_failures(unbound).empty());
}

// ---------------------------------------------------------------- verdict integrity (issue 12)

bool has_host(const PipelineResult& r, const std::string& code) {
  return has(sub(r, "host"), code);
}

// Item 1: the licence matches the attested identity; a host-reported serial never stands in.
TEST(Integrity, LicenceMatchesTheAttestedIdentityOnly) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  lic.destination = "VN";  // BIS enforces the .a licence requirement there
  Bundle b = e.bundle;
  b.site_country = "VN";
  const std::string db_ueid = *sub(PipelineRun(e, true, &lic)(b), "0000:db:00.0").ueid;
  // The licence drops db's UEID but lists a board serial the host reports for db.
  Licence l1 = lic;
  l1.devices.erase(std::remove_if(l1.devices.begin(), l1.devices.end(),
                                  [&](const LicensedDevice& d) { return d.serial == db_ueid; }),
                   l1.devices.end());
  l1.devices.push_back({"BOARD-DB-1", "3A090.a"});
  Bundle b1 = b;
  for (auto& d : b1.devices)
    if (d.pci.address == "0000:db:00.0") d.serial = "BOARD-DB-1";
  PipelineResult r1 = PipelineRun(e, true, &l1)(b1);
  const Submod& db = sub(r1, "0000:db:00.0");
  EXPECT_EQ(db.assurance, Assurance::kAttested);
  EXPECT_TRUE(has(db, "policy.licence-missing")) << text_of(r1);
  EXPECT_EQ(db.status, TrustTier::kContraindicated);
  // The host's serial did not make the licensed board present either: db is its UEID.
  EXPECT_TRUE(has_host(r1, "policy.licensed-device-absent")) << text_of(r1);
  EXPECT_EQ(db.serial_source,
            Assurance::kReported);  // binding v2 covers the serial: the quote breaks
  EXPECT_EQ(db.ueid_source, Assurance::kAttested);

  // A device whose evidence does not attest (a flipped signature bit): its UEID and serial are
  // only claims, so the licence entry is matched as a warning that says so, never as proof.
  Bundle b2 = b;
  auto& rep = b2.devices[2].nvidia->report;
  rep[rep.size() - 40] ^= 0x01;
  PipelineResult r2 = PipelineRun(e, true, &lic)(b2);
  const Submod& g = sub(r2, b2.devices[2].pci.address);
  EXPECT_NE(g.assurance, Assurance::kAttested);
  EXPECT_EQ(g.ueid_source, Assurance::kReported);
  EXPECT_TRUE(has(g, "policy.licence-match-unattested")) << text_of(r2);
  EXPECT_FALSE(has(g, "policy.licence-missing"));
  EXPECT_TRUE(has_host(r2, "policy.licensed-device-unattested")) << text_of(r2);
  Json c = ear::ear_claims(r2, {}, kAt, 60);
  EXPECT_EQ(c["submods"][g.label][ear::ext("device")]["ueid_source"], "reported");
}

// Item 2: one device, one piece of evidence, for GPUs and NVSwitches alike.
TEST(Integrity, TheSameEvidenceInTwoSlotsFailsBoth) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  PipelineRun run(e, true, &lic);
  Bundle b = e.bundle;
  b.devices[1].nvidia = b.devices[0].nvidia;  // GPU 0's report and chain in GPU 1's slot
  PipelineResult r = run(b);
  for (size_t i : {size_t{0}, size_t{1}}) {
    const Submod& s = sub(r, b.devices[i].pci.address);
    EXPECT_TRUE(has(s, "pipeline.duplicate-evidence")) << text_of(r);
    EXPECT_EQ(s.status, TrustTier::kContraindicated);
    EXPECT_NE(s.assurance, Assurance::kAttested);
    EXPECT_EQ(s.checks.bundle.at(BundleCheck::kUnique), CheckStatus::kFail);
    EXPECT_EQ(s.trust_vector.at("instance-identity"), 96);
  }
  EXPECT_EQ(sub(r, b.devices[2].pci.address).assurance, Assurance::kAttested);
  // The same certificate chain with another report (a spliced slot) is one device too.
  Bundle c = e.bundle;
  c.devices[3].nvidia->chain_pem = c.devices[4].nvidia->chain_pem;
  PipelineResult rc = run(c);
  EXPECT_TRUE(has(sub(rc, c.devices[3].pci.address), "pipeline.duplicate-evidence"));
  EXPECT_TRUE(has(sub(rc, c.devices[4].pci.address), "pipeline.duplicate-evidence"));
  // Two NVSwitch slots with one switch's real evidence.
  Bundle sw = e.bundle;
  auto switches = test::serialized("ls10-4switch");
  ASSERT_FALSE(switches.empty());
  for (const char* addr : {"0000:05:00.0", "0000:06:00.0"}) {
    BundleDevice d;
    d.pci.address = addr;
    d.pci.vendor = 0x10de;
    d.pci.device = 0x22a3;
    d.pci.class_code = 0x068000;
    d.scheme = "nvidia-spdm";
    d.nvidia = switches[0];
    sw.devices.push_back(d);
  }
  PipelineResult rs = run(sw);
  for (const char* addr : {"0000:05:00.0", "0000:06:00.0"}) {
    const Submod& s = sub(rs, addr);
    EXPECT_EQ(s.kind, DeviceKind::kNvidiaSwitch);
    EXPECT_TRUE(has(s, "pipeline.duplicate-evidence")) << text_of(rs);
    EXPECT_EQ(s.status, TrustTier::kContraindicated);
  }
}

// Item 3: an unknown signed SKU does not let the PCI ID choose the product.
TEST(Integrity, UnknownSignedSkuGivesTheDieAndItsMostControlledClass) {
  Example e = example("hgx-h100");
  PipelineRun run(e);
  run.refs.expected_nonce = hex_decode(test::kNonce580).value();
  Bundle b;
  b.nonce = *run.refs.expected_nonce;
  b.nonce_hex = test::kNonce580;
  b.host_name = "h";
  b.site_country = "US";
  BundleDevice d;
  d.pci.address = "0000:11:00.0";
  d.pci.vendor = 0x10de;
  d.pci.device = 0x2329;  // the host says H20 (not 3A090)
  d.pci.subsystem_vendor = 0x10de;
  d.pci.subsystem_device = 0x198b;
  d.pci.class_code = 0x030200;
  d.class_known = true;
  d.scheme = "nvidia-spdm";
  d.nvidia = test::report_evidence("sdk-h100-580");  // a real H100 report, SKU 1010/0205/862
  d.nvidia->pci_id = std::pair<uint16_t, uint16_t>{0x10de, 0x2329};
  b.devices.push_back(d);
  PipelineResult r = run(b);
  const Submod& s = sub(r, "0000:11:00.0");
  EXPECT_EQ(s.assurance, Assurance::kAttested) << text_of(r);
  EXPECT_EQ(s.product_source, ProductSource::kDieAttestedProductReported);
  EXPECT_EQ(s.family, "GH100");
  EXPECT_EQ(s.name.find("H20"), std::string::npos) << s.name;
  EXPECT_NE(s.name.find("die attested, product reported"), std::string::npos) << s.name;
  EXPECT_EQ(s.eccn, "3A090.a.1");  // the H100's class: the most controlled GH100 product
  EXPECT_TRUE(has(s, "pipeline.product-unattested")) << text_of(r);
  Json c = ear::ear_claims(r, {}, kAt, 60);
  EXPECT_EQ(c["submods"]["0000:11:00.0"][ear::ext("device")]["product_source"],
            "die-attested-product-reported");
  // The known SKU of the example's H100s names the product itself.
  PipelineResult h = PipelineRun(e)(e.bundle);
  EXPECT_EQ(sub(h, "0000:18:00.0").product_source, ProductSource::kSignedSku);
  EXPECT_EQ(more_controlled(Eccn::kB1, Eccn::kA2), Eccn::kA2);
  EXPECT_EQ(more_controlled(Eccn::kUndetermined, Eccn::kA1), Eccn::kA1);
  EXPECT_EQ(more_controlled(Eccn::kNot3A090, Eccn::kUndetermined), Eccn::kUndetermined);
}

// Item 4: freshness is judged against the nonce the verifier issued, in every appraiser.
TEST(Integrity, AReplayedBundleLeavesNoDeviceAttestedAndFresh) {
  Example e = example("hgx-h100");
  Licence lic = hgx_licence();
  // The store refused the nonce (it was used before): nothing is fresh.
  PipelineRun replay(e, true, &lic);
  replay.refs.expected_nonce.reset();
  replay.refs.nonce_refused =
      Finding{"store.nonce-reused", "used before", "bundle#/nonce", Severity::kFail};
  PipelineResult r = replay(e.bundle);
  for (size_t i = 1; i < r.submods.size(); ++i) {
    const Submod& g = r.submods[i];
    EXPECT_NE(g.assurance, Assurance::kAttested) << g.label;
    EXPECT_EQ(g.checks.bundle.at(BundleCheck::kFreshness), CheckStatus::kFail);
    EXPECT_EQ(g.trust_vector.at("instance-identity"), 96);
    EXPECT_TRUE(has(g, "pipeline.evidence-replayed"));
    EXPECT_EQ(g.status, TrustTier::kContraindicated);
  }
  // Its location evidence is stale too, however recent its records.
  LocationFixture lf;
  replay.refs.boundaries = &lf.bounds;
  replay.refs.landmarks = &lf.trusted;
  replay.refs.restricted_locations = {"CN", "HK", "MO", "IR"};
  Bundle located = e.bundle;
  located.location_evidence.push_back(
      lf.evidence("0000:18:00.0", located.devices[0].nvidia->report, located.nonce));
  PipelineResult rl = replay(located);
  const Submod& g0 = sub(rl, "0000:18:00.0");
  EXPECT_TRUE(has(g0, "location.stale")) << text_of(rl);
  ASSERT_TRUE(g0.location.has_value());
  EXPECT_EQ(g0.location->verdict, "indeterminate");
  // The host does not claim a binding over a refused nonce either.
  Example a0 = example("ascend-910b");
  PipelineRun asc0(a0);
  asc0.refs.expected_nonce.reset();
  EXPECT_FALSE(sub(asc0(a0.bundle), "host").inventory_bound);  // no nonce issued
  asc0.refs.nonce_refused = Finding{"store.nonce-reused", "x", "bundle#/nonce", Severity::kFail};
  EXPECT_FALSE(sub(asc0(a0.bundle), "host").inventory_bound);
  // Another issued nonce than the bundle's: every report is judged against the issued one.
  PipelineRun other(e, true, &lic);
  other.refs.expected_nonce = Bytes(32, 0x11);
  PipelineResult o = other(e.bundle);
  for (size_t i = 1; i < o.submods.size(); ++i) {
    EXPECT_TRUE(has(o.submods[i], "nvidia.nonce.mismatch")) << text_of(o);
    EXPECT_NE(o.submods[i].assurance, Assurance::kAttested);
  }
  // The quote is judged against the issued nonce too: nothing is platform-bound.
  Example a = example("ascend-910b");
  PipelineRun asc(a);
  asc.refs.expected_nonce = Bytes(32, 0x11);
  PipelineResult ar = asc(a.bundle);
  EXPECT_TRUE(has_host(ar, "tpm.inventory-mismatch")) << text_of(ar);
  EXPECT_EQ(sub(ar, "0000:c1:00.0").assurance, Assurance::kReported);
  asc.refs.expected_nonce.reset();
  asc.refs.nonce_refused = Finding{"store.nonce-reused", "x", "bundle#/nonce", Severity::kFail};
  EXPECT_EQ(sub(asc(a.bundle), "0000:c1:00.0").assurance, Assurance::kReported);
  // No nonce issued at all: the bundle's own copy proves nothing, so nothing is attested.
  PipelineRun none(e, true, &lic);
  none.refs.expected_nonce.reset();
  PipelineResult n = none(e.bundle);
  for (size_t i = 1; i < n.submods.size(); ++i) {
    EXPECT_EQ(n.submods[i].assurance, Assurance::kReported) << text_of(n);
    EXPECT_EQ(n.submods[i].checks.bundle.at(BundleCheck::kFreshness), CheckStatus::kUnchecked);
    EXPECT_EQ(n.submods[i].trust_vector.at("instance-identity"), 32);
    EXPECT_TRUE(has(n.submods[i], "pipeline.freshness-unchecked"));
  }
}

// Item 5 in the report: a device whose location contradicts the declared site is a diversion
// signal, coloured only on a verified page.
TEST(Integrity, TheReportShowsADiversionSignal) {
  Example e = example("hgx-h100");
  PipelineResult r = PipelineRun(e)(e.bundle);
  Json c = ear::ear_claims(r, {}, kAt, 60);
  ReportSignature sig;
  sig.verified = true;
  EXPECT_EQ(render_html_report(c, sig).find("id=\"diversion\""), std::string::npos);
  c["submods"]["0000:2a:00.0"][ear::ext("device")]["location"] = {{"verdict", "not_in_restricted"},
                                                                  {"site_contradicted", true}};
  const std::string page = render_html_report(c, sig);
  EXPECT_NE(page.find("<section id=\"diversion\" class=\"diversion\">"), std::string::npos);
  EXPECT_NE(page.find("0000:2a:00.0</span> proves the device is not at the declared site"),
            std::string::npos);
  sig.verified = false;
  const std::string unverified = render_html_report(c, sig);
  EXPECT_NE(unverified.find("<section id=\"diversion\">"), std::string::npos);
  EXPECT_NE(unverified.find("The unverified result claims"), std::string::npos);
}

}  // namespace
}  // namespace aa

namespace aa {
namespace {

// Issue 13: the mixed and HGX example bundles at each destination the issue names, with a
// licence that lists none of their devices, give each device the outcome docs/policy.md's
// table gives its registry part (the table is checked part by part in test_policy.cpp).
TEST(PolicyOnExamples, MixedAndHgxBundlesFollowTheTable) {
  const test::PolicyTable t = test::policy_table();
  // Example device -> the table column of its part.
  const std::map<std::string, std::string> mixed = {{"0000:31:00.0", "intel-gaudi2"},
                                                    {"0000:11:00.0", "nvidia-h20"},
                                                    {"0000:12:00.0", "nvidia-l20"},
                                                    {"0000:71:00.0", "nvidia-rtx-4090d"}};
  Example m = example("mixed");
  Example h = example("hgx-h100");
  const Licence full = hgx_licence();
  std::vector<std::string> ueids;
  for (const auto& d : full.devices) ueids.push_back(d.serial);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"CN", "-"},  {"HK", "-"},  {"MO", "-"},  {"RU", "-"},  {"IR", "-"},
      {"MY", "CN"}, {"AE", "AE"}, {"SA", "SA"}, {"DE", "DE"}, {"US", "-"}};
  for (const auto& key : cases) {
    ASSERT_TRUE(t.cells.count(key)) << key.first << " " << key.second << " not in docs/policy.md";
    const auto& row = t.cells.at(key);
    // A licence always names a headquarters: "-" rows (unknown) take the US, where no rule
    // that reads it changes these destinations' outcomes.
    Licence none = test::licence(key.first, {}, key.second == "-" ? "US" : key.second);
    {
      PipelineRun run(m, true, &none);
      PipelineResult r = run(m.bundle);
      // The table is for attested identities; the mixed host's devices are bound by its quote
      // only, so each also gets identity-reported: a controlled (or possibly controlled) part
      // everywhere, another part everywhere but where an embargo already fails every item
      // (a PRC 3A090 IC fails even in the US: docs/policy.md rule 5).
      const bool embargo = row.at("nvidia-h100-sxm5-80gb").count("embargoed-destination") > 0;
      for (const auto& [label, part] : mixed) {
        auto expected = row.at(part);
        if (part != "nvidia-rtx-4090d" || !embargo) expected.insert("identity-reported (warn)");
        EXPECT_EQ(test::cell_of(sub(r, label).findings), expected)
            << key.first << " " << label << "\n"
            << text_of(r);
      }
      // The Ascend 910B fails everywhere (GP10, project policy), the MI308X at D:5 and Macau.
      EXPECT_TRUE(has(sub(r, "0000:41:00.0"), "policy.prc-3a090-part"));
      const bool d5 = key.first == "CN" || key.first == "HK" || key.first == "MO" ||
                      key.first == "RU" || key.first == "IR";
      EXPECT_EQ(has(sub(r, "0000:21:00.0"), "policy.is-informed-letter"), d5) << key.first;
      EXPECT_TRUE(has(sub(r, "host"), "policy.licence-destination-mismatch") ==
                  (key.first != "SG"));
    }
    {
      PipelineRun run(h, true, &none);
      PipelineResult r = run(h.bundle);
      for (const auto& s : r.submods) {
        if (s.kind != DeviceKind::kNvidiaGpu) continue;
        EXPECT_EQ(test::cell_of(s.findings), row.at("nvidia-h100-sxm5-80gb"))
            << key.first << " " << s.label << "\n"
            << text_of(r);
      }
      // Licensed by attested UEID at the destination: every GPU is covered.
      Licence all = test::licence(key.first, ueids, key.second == "-" ? "US" : key.second);
      PipelineRun ok(h, true, &all);
      PipelineResult ro = ok(h.bundle);
      for (const auto& s : ro.submods) {
        if (s.kind != DeviceKind::kNvidiaGpu) continue;
        EXPECT_TRUE(test::cell_of(s.findings).empty()) << key.first << " " << s.label;
      }
    }
  }
}

}  // namespace
}  // namespace aa

namespace aa {
namespace {

// Hostile review (issue 13): the result keeps a licence's region, and a device whose class
// depends on the reading names every class it was judged by.
TEST(PolicyOnExamples, RegionAndCandidateClassesReachTheResult) {
  Example m = example("mixed");
  Licence crimea = test::licence("UA-43", {}, "UA");
  PipelineRun run(m, true, &crimea);
  PipelineResult r = run(m.bundle);
  EXPECT_EQ(r.destination, std::optional<std::string>("UA-43"));
  const Submod& h20 = sub(r, "0000:11:00.0");
  EXPECT_EQ(h20.eccn, "not-3A090");  // the default reading
  EXPECT_TRUE(h20.eccn_candidates.count("not-3A090"));
  EXPECT_TRUE(h20.eccn_candidates.count("3A090.b.1")) << text_of(r);
  EXPECT_TRUE(has(h20, "policy.embargoed-destination"));
  EXPECT_TRUE(sub(r, "0000:31:00.0").eccn_candidates.empty());  // Gaudi 2: definite
  for (const auto& f : h20.findings) {
    if (f.code == "policy.class-undetermined") {
      EXPECT_NE(f.message.find("742.6"), std::string::npos);
    }
  }
  Json claims = ear::ear_claims(r, ear::VerifierIdentity{}, kAt, 60);
  EXPECT_TRUE(claims["submods"]["0000:11:00.0"][ear::ext("device")]["eccn_candidates"].is_array());
}

}  // namespace
}  // namespace aa
