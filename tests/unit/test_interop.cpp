// Issue 16 item 3: what hosts already produce. Every shape of NVIDIA evidence real deployments
// publish (built around the real evidence in tests/data/nvidia, in the shapes NVIDIA's nvattest
// documentation and the inference services' published examples show), RIM files as NVIDIA
// publishes them through `nvidia rim import`, and the two spellings of a token's nonce.
#include <gtest/gtest.h>

#include <filesystem>

#include <openssl/evp.h>

#include "core/bytes.h"
#include "core/json.h"
#include "results/ear.h"
#include "rim/rim_import.h"
#include "unit/nvidia_fixture.h"
#include "unit/temp_tree.h"

namespace aa {
namespace {

using test::kNvData;
using test::slurp;

const std::time_t kNow = test::at("2026-11-27T00:00:00Z");

std::string base64_encode(ByteView b) {
  std::string out(4 * ((b.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), b.data(),
                          static_cast<int>(b.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Json evidence_json(const std::string& name) {
  return Json::parse(slurp(kNvData + "/evidence/" + name + ".json"));
}

Result<nvidia::EvidenceDocument> parse(const Json& j) {
  return nvidia::parse_evidence_document(j.dump(), "ev.json");
}

void expect_same_devices(const nvidia::EvidenceDocument& got, const Json& array) {
  auto want = nvidia::parse_evidence_document(array.dump(), "array.json");
  ASSERT_TRUE(want.ok()) << want.error().to_string();
  ASSERT_EQ(got.devices.size(), want->devices.size());
  for (size_t i = 0; i < got.devices.size(); ++i) {
    EXPECT_EQ(got.devices[i].evidence.report, want->devices[i].evidence.report);
    EXPECT_EQ(got.devices[i].evidence.chain_pem, want->devices[i].evidence.chain_pem);
    EXPECT_EQ(got.devices[i].evidence.label, want->devices[i].evidence.label);
    EXPECT_EQ(got.devices[i].evidence.arch, want->devices[i].evidence.arch);
    EXPECT_EQ(got.devices[i].nonce_hex, want->devices[i].nonce_hex);
  }
}

// nvattest collect-evidence --format json: {"evidences", "result_code", "result_message"}.
Json collect_evidence(const Json& array, int code = 0, const std::string& msg = "Ok") {
  return Json{{"evidences", array}, {"result_code", code}, {"result_message", msg}};
}

// The inference services' object (NRAS's request body): the nonce and arch once, the devices'
// evidence and certificate in evidence_list.
Json evidence_list(const Json& array, const std::string& arch) {
  Json items = Json::array();
  for (const auto& e : array) {
    items.push_back({{"evidence", e["evidence"]}, {"certificate", e["certificate"]}});
  }
  return Json{{"nonce", array[0]["nonce"]},
              {"arch", arch},
              {"evidence_list", items},
              {"claims_version", "3.0"}};
}

TEST(EvidenceShapes, BareArrayIsTheArrayShape) {
  auto d = parse(evidence_json("hgx-4gpu"));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->shape, "array");
  ASSERT_EQ(d->devices.size(), 4u);
  EXPECT_EQ(d->devices[3].evidence.label, "GPU-3");
  EXPECT_EQ(d->devices[0].nonce_hex, test::kNonce4gpu);
}

TEST(EvidenceShapes, NvattestCollectEvidenceObjectGivesTheSameDevices) {
  const Json arr = evidence_json("hgx-4gpu");
  auto d = parse(collect_evidence(arr));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->shape, "nvattest-collect-evidence");
  EXPECT_EQ(d->result_code, 0);
  EXPECT_EQ(d->result_message, "Ok");
  expect_same_devices(*d, arr);
}

TEST(EvidenceShapes, ResultCodeIsAHostClaimThatDecidesNothing) {
  const Json arr = evidence_json("h100-cert-hold");
  // A failing result_code beside good evidence: the evidence is read, the claim only kept.
  auto d = parse(collect_evidence(arr, 7, "Device failure"));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->result_code, 7);
  expect_same_devices(*d, arr);
  // A "success" result_code makes nothing pass: without devices it is an error naming the list.
  auto empty = parse(collect_evidence(Json::array(), 0));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().field, "ev.json#/evidences");
  auto failed = parse(collect_evidence(Json::array(), 3, "NVML error"));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("result_code 3"), std::string::npos);
  EXPECT_NE(failed.error().message.find("NVML error"), std::string::npos);
  // result_code must be an integer.
  Json bad = collect_evidence(arr);
  bad["result_code"] = "0";
  EXPECT_EQ(parse(bad).error().code, "input.wrong-type");
  bad["result_code"] = 0.5;
  EXPECT_EQ(parse(bad).error().field, "ev.json#/result_code");
}

TEST(EvidenceShapes, EvidenceListObjectTakesItsNonceAndArchForEveryItem) {
  const Json arr = evidence_json("hgx-4gpu");
  for (const char* arch : {"HOPPER", "Hopper", "hopper"}) {
    auto d = parse(evidence_list(arr, arch));
    ASSERT_TRUE(d.ok()) << arch << ": " << d.error().to_string();
    EXPECT_EQ(d->shape, "evidence-list");
    EXPECT_EQ(d->claims_version, "3.0");
    expect_same_devices(*d, arr);  // arch HOPPER, nonce from the wrapper, GPU-0..3
  }
  const Json sw = evidence_json("ls10-4switch");
  auto s = parse(evidence_list(sw, "ls10"));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->devices[2].evidence.label, "SWITCH-2");
  EXPECT_EQ(s->devices[2].evidence.arch, "LS10");
}

TEST(EvidenceShapes, ArchInAnyCaseAndUnknownArchRefused) {
  Json arr = evidence_json("hgx-4gpu");
  arr[1]["arch"] = "hOpPeR";
  auto d = parse(arr);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->devices[1].evidence.arch, "HOPPER");
  arr[1]["arch"] = "VOLTA";
  auto bad = parse(arr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "input.bad-value");
  EXPECT_EQ(bad.error().field, "ev.json#/1/arch");
  // An item that repeats the wrapper's arch must agree with it.
  Json l = evidence_list(evidence_json("hgx-4gpu"), "HOPPER");
  l["evidence_list"][2]["arch"] = "BLACKWELL";
  auto dis = parse(l);
  ASSERT_FALSE(dis.ok());
  EXPECT_EQ(dis.error().field, "ev.json#/evidence_list/2/arch");
}

TEST(EvidenceShapes, AbsentArchIsTakenFromTheCertificateFamily) {
  Json gpus = evidence_json("hgx-4gpu");
  Json sws = evidence_json("ls10-4switch");
  Json mixed = Json::array({gpus[0], sws[0], gpus[1]});
  for (auto& e : mixed) e.erase("arch");
  mixed[1]["nonce"] = sws[0]["nonce"];
  auto d = parse(mixed);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  std::vector<nvidia::DeviceEvidence> devs;
  for (auto& x : d->devices) {
    EXPECT_EQ(x.evidence.arch, "");
    devs.push_back(x.evidence);
  }
  EXPECT_EQ(devs[1].label, "device-1");
  const auto& profile = test::shipped_nvidia_profile();
  nvidia::label_devices(
      devs, [&](const nvidia::DeviceEvidence& e) { return profile.arch_of_chain(e.chain_pem); });
  EXPECT_EQ(devs[0].label, "GPU-0");
  EXPECT_EQ(devs[1].label, "SWITCH-0");
  EXPECT_EQ(devs[2].label, "GPU-1");
  EXPECT_EQ(profile.arch_of_chain(devs[1].chain_pem), "LS10");
  EXPECT_EQ(profile.arch_of_chain("not a chain"), "");
  // The appraiser reads the family from the certificate: the device passes, no arch warning.
  test::NvidiaRun run(test::kNonce4gpu, kNow);
  auto r = run(devs[0]);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kSignature), nvidia::CheckStatus::kPass);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kChain), nvidia::CheckStatus::kPass);
  EXPECT_FALSE(test::has_finding(r, "nvidia.evidence.arch-mismatch"));
  EXPECT_EQ(r.die, "GH100");
}

TEST(EvidenceShapes, StatedNonceMustBeTheSignedOneNamingTheField) {
  const Json arr = evidence_json("hgx-4gpu");
  const std::string other(64, 'a');
  // The wrapper's nonce.
  Json l = evidence_list(arr, "HOPPER");
  l["nonce"] = other;
  auto a = parse(l);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, "input.evidence-nonce-mismatch");
  EXPECT_EQ(a.error().field, "ev.json#/nonce");
  EXPECT_NE(a.error().message.find(test::kNonce4gpu), std::string::npos);
  // An element's, in every shape.
  Json bad = arr;
  bad[2]["nonce"] = other;
  auto b = parse(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().field, "ev.json#/2/nonce");
  auto c = parse(collect_evidence(bad));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().field, "ev.json#/evidences/2/nonce");
  // The same nonce in upper case is the same nonce.
  Json upper = arr;
  std::string n = upper[0]["nonce"];
  for (char& ch : n) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  upper[0]["nonce"] = n;
  EXPECT_TRUE(parse(upper).ok());
}

TEST(EvidenceShapes, UnknownMembersAreRefusedNamingThem) {
  const Json arr = evidence_json("h100-cert-hold");
  Json c = collect_evidence(arr);
  c["verdict"] = "pass";
  auto a = parse(c);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, "input.unknown-field");
  EXPECT_NE(a.error().field.find("verdict"), std::string::npos) << a.error().field;
  Json l = evidence_list(arr, "HOPPER");
  l["evidence_list"][0]["x-nvidia-result"] = true;
  auto b = parse(l);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, "input.unknown-field");
  EXPECT_NE(b.error().field.find("x-nvidia-result"), std::string::npos) << b.error().field;
  // An object of neither kind says what it expected.
  auto e = parse(Json{{"gpus", arr}});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "input.missing-field");
}

TEST(EvidenceShapes, BundleElementTakesArchInAnyCaseOrNone) {
  Json el = evidence_json("h100-cert-hold")[0];
  el["arch"] = "Hopper";
  auto a = nvidia::read_serialized_device(JsonAt(el, "b.json", "/devices/0/evidence/nvidia"));
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  EXPECT_EQ(a->evidence.arch, "HOPPER");
  el.erase("arch");
  auto b = nvidia::read_serialized_device(JsonAt(el, "b.json", "/devices/0/evidence/nvidia"));
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_EQ(b->evidence.arch, "");
  el.erase("nonce");  // required in a bundle element
  EXPECT_EQ(nvidia::read_serialized_device(JsonAt(el, "b.json")).error().code,
            "input.missing-field");
}

// ---- RIM import ----

rim::ImportOptions import_options(std::time_t at) {
  rim::ImportOptions o;
  o.rim_root = nvidia::pinned_rim_root();
  o.at = at;
  o.profile = &test::shipped_nvidia_profile();
  return o;
}

std::string rim_file(const std::string& name) {
  return kNvData + "/rims/" + name;
}

TEST(RimImport, NvidiaSwidtagsFillAStoreTheAppraiserReads) {
  test::TempTree t;
  const std::string store = t.path("rims");
  const std::time_t at = test::at("2024-01-01T00:00:00Z");
  auto drv = rim::import_rim(slurp(rim_file("Driver_RIM_test_no_gpu.swidtag")),
                             rim_file("Driver_RIM_test_no_gpu.swidtag"), store, import_options(at));
  ASSERT_TRUE(drv.ok()) << drv.error().to_string();
  EXPECT_EQ(drv->id, "NV_GPU_DRIVER_GH100_545.00");
  EXPECT_EQ(drv->id_source, "driver template");
  EXPECT_EQ(drv->action, "written");
  EXPECT_TRUE(drv->chain_valid_at_time);
  const std::string vb_name = rim_file("1010_0200_882_96005E0001_test_no_gpu.swidtag");
  auto vb = rim::import_rim(slurp(vb_name), vb_name, store, import_options(at));
  ASSERT_TRUE(vb.ok()) << vb.error().to_string();
  EXPECT_EQ(vb->id, "NV_GPU_VBIOS_1010_0200_882_96005E0001");
  EXPECT_EQ(vb->id_source, "nvidia sample file name");
  EXPECT_EQ(slurp(store + "/NV_GPU_VBIOS_1010_0200_882_96005E0001.xml"), slurp(vb_name));
  // The end-to-end vector against the imported store: both RIMs and all measurements pass.
  test::NvidiaRun run(test::kNonce2023, at, store);
  auto r = run(test::report_evidence("nvtrust-2023"));
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kDriverRim), nvidia::CheckStatus::kPass)
      << test::findings_text(r);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kVbiosRim), nvidia::CheckStatus::kPass);
  EXPECT_EQ(r.checks.at(nvidia::DeviceCheck::kMeasurements), nvidia::CheckStatus::kPass);
  // Importing the same file again changes nothing.
  auto again = rim::import_rim(slurp(vb_name), vb_name, store, import_options(at));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->action, "unchanged");
}

TEST(RimImport, ADifferentRimUnderAStoredIdNeedsForce) {
  test::TempTree t;
  const std::string store = t.path("rims");
  const std::time_t at = test::at("2024-01-01T00:00:00Z");
  const std::string a = rim_file("1010_0200_882_96005E0001_test_no_gpu.swidtag");
  const std::string b = rim_file("1010_0200_882_96005E0001_PROD.swidtag");  // same ID, other RIM
  ASSERT_TRUE(rim::import_rim(slurp(a), a, store, import_options(at)).ok());
  auto clash = rim::import_rim(slurp(b), b, store, import_options(at));
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, "rim.import-conflict");
  EXPECT_EQ(slurp(store + "/NV_GPU_VBIOS_1010_0200_882_96005E0001.xml"), slurp(a));
  auto o = import_options(at);
  o.force = true;
  auto forced = rim::import_rim(slurp(b), b, store, o);
  ASSERT_TRUE(forced.ok()) << forced.error().to_string();
  EXPECT_EQ(forced->action, "replaced");
  EXPECT_EQ(slurp(store + "/NV_GPU_VBIOS_1010_0200_882_96005E0001.xml"), slurp(b));
}

TEST(RimImport, RimServiceJsonAnswerGivesItsIdAndXml) {
  const std::string xml = slurp(rim_file("NV_GPU_DRIVER_GH100_550.144.03.xml"));
  Json answer{{"id", "NV_GPU_DRIVER_GH100_550.144.03"},
              {"rim", base64_encode(as_bytes(xml))},
              {"sha256", "not compared"},
              {"last_updated", "2025-04-08T09:05:11.595000"},
              {"rim_format", "TCG"},
              {"request_id", "54922519-b87e-4057-b323-33b9a2bb9743"}};
  std::string out;
  auto r = rim::check_rim_file(answer.dump(), "driver_rim.swidtag", import_options(kNow), &out);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->form, "rim-service-json");
  EXPECT_EQ(r->id, "NV_GPU_DRIVER_GH100_550.144.03");
  EXPECT_EQ(r->id_source, "rim service id");
  EXPECT_EQ(out, xml);
  // Its ID must be the RIM's: another version is refused.
  answer["id"] = "NV_GPU_DRIVER_GH100_550.144.04";
  auto wrong = rim::check_rim_file(answer.dump(), "x.swidtag", import_options(kNow), nullptr);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "rim.import-id");
  answer["id"] = "NV_GPU_DRIVER_GH100_550.144.03";
  answer["rim_format"] = "CORIM";
  EXPECT_EQ(rim::check_rim_file(answer.dump(), "x", import_options(kNow), nullptr).error().field,
            "x#/rim_format");
  answer["rim_format"] = "TCG";
  answer["verified"] = true;
  EXPECT_EQ(rim::check_rim_file(answer.dump(), "x", import_options(kNow), nullptr).error().code,
            "input.unknown-field");
}

TEST(RimImport, FilesThatAreNotGoodSignedRimsAreRefused) {
  auto check = [](const std::string& name, const rim::ImportOptions& o) {
    return rim::check_rim_file(slurp(rim_file(name)), rim_file(name), o, nullptr);
  };
  const auto now = import_options(kNow);
  EXPECT_EQ(rim::check_rim_file("<not xml", "bad.swidtag", now, nullptr).error().code,
            "rim.malformed");
  EXPECT_EQ(check("incorrect_signature_driver_rim.xml", now).error().code, "rim.signature-invalid");
  // A chain to another root (the RIM was signed by a debug PKI, or the root is not NVIDIA's).
  auto other_root = x509::load_pem_file(rim_file("incorrect_rim_root.crt"));
  ASSERT_TRUE(other_root.ok());
  auto o = now;
  o.rim_root = other_root->get();
  auto r = check("NV_GPU_DRIVER_GH100_550.144.03.xml", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "rim.chain-invalid") << r.error().to_string();
  // An ID the signed fields contradict: another version, or a VBIOS ID for a driver RIM.
  o = now;
  o.id = "NV_GPU_DRIVER_GH100_550.144.04";
  EXPECT_EQ(check("NV_GPU_DRIVER_GH100_550.144.03.xml", o).error().code, "rim.import-id");
  o.id = "NV_SWITCH_BIOS_5612_0002_890_550144.03";
  EXPECT_EQ(check("NV_GPU_DRIVER_GH100_550.144.03.xml", o).error().code, "rim.import-id");
  o.id = "../../etc/passwd";
  EXPECT_EQ(check("NV_GPU_DRIVER_GH100_550.144.03.xml", o).error().code, "rim.import-id");
  // A VBIOS RIM under a name that is no ID: its fields name no PROJECT or SKU, so --id it is.
  test::TempTree t;
  t.write("vbios_rim.swidtag", slurp(rim_file("1010_0200_882_96005E0001_PROD.swidtag")));
  auto unnamed = rim::check_rim_file(slurp(t.path("vbios_rim.swidtag")), "vbios_rim.swidtag",
                                     import_options(test::at("2024-01-01T00:00:00Z")), nullptr);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.error().code, "rim.import-id");
  EXPECT_NE(unnamed.error().message.find("--id"), std::string::npos);
}

TEST(RimImport, ExpiredSignerIsFiledAndSaidSo) {
  // The nvtrust sample's signer expired in 2025: at 2026-11-27 the chain's only fault is time.
  const std::string f = rim_file("1010_0200_882_96005E0001_PROD.swidtag");
  auto r = rim::check_rim_file(slurp(f), f, import_options(kNow), nullptr);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->chain_valid_at_time);
  EXPECT_FALSE(r->chain_detail.empty());
}

// ---- verify-token --nonce: one nonce, every spelling ----

TEST(TokenNonce, HexInEitherCaseAndBase64SpellingsAreTheSameBytes) {
  const Bytes n =
      hex_decode("00ff10e0a1b2c3d4e5f60718293a4b5c6d7e8f90fedcba9876543210abcdef01").value();
  const std::string eat = base64url_encode(n);  // what our results carry
  std::string b64 = base64_encode(n);           // standard alphabet, padded
  std::string lower = hex_encode(n), upper = lower;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string unpadded = b64;
  while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
  for (const std::string& s : {lower, upper, eat, b64, unpadded}) {
    EXPECT_EQ(ear::nonce_spelling_bytes(s), n) << s;
    EXPECT_TRUE(ear::eat_nonce_matches(eat, s)) << s;
  }
  Bytes other = n;
  other[0] ^= 1;
  EXPECT_FALSE(ear::eat_nonce_matches(eat, hex_encode(other)));
  EXPECT_FALSE(ear::eat_nonce_matches(eat, base64url_encode(other)));
  // One alphabet per spelling; text that is neither is no nonce.
  EXPECT_FALSE(ear::nonce_spelling_bytes("ab+c-d__"));
  EXPECT_FALSE(ear::nonce_spelling_bytes("not a nonce!"));
  // Another verifier's text nonce matches itself exactly.
  EXPECT_TRUE(ear::eat_nonce_matches("opaque-text-nonce", "opaque-text-nonce"));
}

}  // namespace
}  // namespace aa
