// Shared helpers for the NVIDIA tests: the real vectors in tests/data/nvidia, the shipped
// profile and registry, and an appraiser with a chosen RIM store and frozen time.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "core/text.h"
#include "crypto/x509.h"
#include "nvidia/appraise.h"
#include "nvidia/evidence_input.h"
#include "nvidia/profile.h"
#include "nvidia/roots.h"
#include "rim/rim_store.h"
#include "unit/registry_fixture.h"

namespace aa::test {

inline const std::string kNvData = std::string(TEST_DATA_DIR) + "/nvidia";

// Nonces of the vectors, from shared/corpus/nvidia/SOURCES.md (independent of our parser).
inline const char* const kNonce931d =
    "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";
inline const char* const kNonce2023 =
    "4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e";
inline const char* const kNonce535 =
    "27a328247bf7935c993341cf587be6f05986ccce4fe7ba2c54100bd616a58f66";
inline const char* const kNonce580 =
    "5bb22e377702d4e1e8215a903ba094826b9ac7f731dee1fe8102958bf2840aca";
inline const char* const kNonceGb202 =
    "d622979b6c3ab8b8e7b30a43f2dc7f553ebbc187536231d531effa496ec03fb5";
inline const char* const kNonceTrailing =
    "87d8e24ab336adafe228d49e83d745f6dba4ae505372b6a5704820856b343fec";
inline const char* const kNonce4gpu =
    "e97b23a1718095a0e9e35edca810768c70a6a5a389b705e753b197912bc11576";
inline const char* const kNonce8gpu =
    "4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e";

inline std::string slurp(const std::string& path) {
  auto r = read_file(path, 16u << 20);
  if (!r) {
    ADD_FAILURE() << r.error().to_string();
    return "";
  }
  return *r;
}

inline Bytes unhex(const std::string& s) {
  return hex_decode(s).value();
}

inline std::time_t at(const char* rfc3339) {
  return x509::parse_rfc3339(rfc3339).value();
}

inline Bytes report_bytes(const std::string& name) {
  std::string path = kNvData + "/reports/" + name + ".report.txt";
  return nvidia::parse_report_file(slurp(path), path).value();
}

inline nvidia::DeviceEvidence report_evidence(const std::string& name,
                                              const std::string& chain = "") {
  nvidia::DeviceEvidence d;
  d.label = name;
  d.origin = name;
  d.report = report_bytes(name);
  d.chain_pem = slurp(kNvData + "/reports/" + (chain.empty() ? name : chain) + ".chain.pem");
  return d;
}

inline std::vector<nvidia::DeviceEvidence> serialized(const std::string& name) {
  std::string path = kNvData + "/evidence/" + name + ".json";
  auto list = nvidia::parse_serialized_evidence(slurp(path), path);
  EXPECT_TRUE(list.ok()) << (list ? "" : list.error().to_string());
  std::vector<nvidia::DeviceEvidence> out;
  if (list) {
    for (auto& d : *list) out.push_back(std::move(d.evidence));
  }
  return out;
}

inline const nvidia::NvidiaProfile& shipped_nvidia_profile() {
  static const nvidia::NvidiaProfile* p = [] {
    auto r = nvidia::load_nvidia_profile(PROFILES_DIR);
    if (!r) {
      ADD_FAILURE() << r.error().to_string();
      std::abort();
    }
    return new nvidia::NvidiaProfile(std::move(r).value());
  }();
  return *p;
}

// An appraiser over the pinned roots and the shipped profile and registry.
struct NvidiaRun {
  std::optional<rim::RimStore> store;
  nvidia::References refs;
  std::unique_ptr<nvidia::Appraiser> appraiser;

  NvidiaRun(const char* nonce, std::time_t time, const std::string& rim_store = "",
            const RevocationStore* revocation = nullptr, const X509* rim_root = nullptr) {
    // A name under tests/data/nvidia/rim-stores, or an absolute path (a temporary store).
    if (!rim_store.empty()) {
      store.emplace(rim_store[0] == '/' ? rim_store : kNvData + "/rim-stores/" + rim_store);
    }
    refs.device_root = nvidia::pinned_device_root();
    refs.device_root_label = "pinned NVIDIA Device Identity CA";
    refs.rim_root = rim_root ? rim_root : nvidia::pinned_rim_root();
    refs.rim_root_label = rim_root ? "test RIM root" : "pinned NVIDIA CoRIM signing Root CA";
    refs.rims = store ? &*store : nullptr;
    refs.revocation = revocation;
    refs.profile = &shipped_nvidia_profile();
    refs.registry = &shipped_registry();
    appraiser = std::make_unique<nvidia::Appraiser>(refs, time, unhex(nonce));
  }
  nvidia::DeviceResult operator()(const nvidia::DeviceEvidence& ev) {
    return appraiser->appraise(ev);
  }
};

inline bool has_finding(const nvidia::DeviceResult& r, const std::string& code) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

inline std::string findings_text(const nvidia::DeviceResult& r) {
  std::string s;
  for (const auto& f : r.findings) {
    s += std::string(to_string(f.severity)) + " " + f.code + ": " + f.message + "\n";
  }
  return s;
}

}  // namespace aa::test
