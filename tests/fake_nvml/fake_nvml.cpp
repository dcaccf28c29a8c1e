// A stand-in for NVIDIA's libnvidia-ml.so.1 for the location and collect tests: simulated GPUs
// that implement the NVML entry points `landmark respond --nvml` and `collect` call, so that the
// NVML path (the library loaded at run time, the structures, the report over a nonce, the chain,
// the identity and CC queries) runs end to end with real processes on machines without a GPU.
// It is not a GPU. In its signing mode, reports take the layout of a real H100 report
// (FAKE_NVML_TEMPLATE, hex, from tests/data/nvidia/reports), with the caller's nonce in the
// request, a fresh responder nonce, and a P-384 signature by a test key under a test root. In
// its replay mode (FAKE_NVML_EVIDENCE), GPU i returns element i of a recorded serialized evidence
// file unchanged (a real report over the recording's nonce, and its real chain), whatever nonce
// it is asked for, as a replaying host would.
//
// Environment:
//   FAKE_NVML_KEY       the simulated GPU's P-384 private key (PEM)
//   FAKE_NVML_CHAIN     its attestation chain, leaf first (PEM)
//   FAKE_NVML_TEMPLATE  a real report, hex (request || response, 96-byte signature last)
//   FAKE_NVML_EVIDENCE  replay mode: a serialized evidence file ([{arch, nonce, evidence,
//                       certificate, ...}], base64 members) serving GPU i element i
//   FAKE_NVML_BUS       the PCI bus IDs of its GPUs, comma-separated (default 0000:18:00.0)
//   FAKE_NVML_PCI_ID    device << 16 | vendor, hex (default 233010de: H100 SXM5)
//   FAKE_NVML_ARCH      NVML architecture number (default 9, Hopper)
//   FAKE_NVML_DER=1     give the chain as concatenated DER instead of PEM text
//   FAKE_NVML_CC_OFF=1  CC mode off: the CC state says so and reports are refused, as a GPU
//                       outside confidential-computing mode does
//   FAKE_NVML_CC_OFF_STATE=1  the CC state says off, reports are still given (with PPCIE)
//   FAKE_NVML_PPCIE=1   multi-GPU protected PCIe mode on
//   FAKE_NVML_INIT_FAIL=1  nvmlInit_v2 fails (driver not loaded)
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collect/nvml_abi.h"

using namespace aa::nvidia::nvml_abi;

namespace {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using Bio = std::unique_ptr<BIO, Free<BIO, BIO_free_all>>;
using PKey = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Sig = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG, ECDSA_SIG_free>>;
using Cert = std::unique_ptr<X509, Free<X509, X509_free>>;

int g_devices[64] = {};  // the handles' referents: GPU i is &g_devices[i]

std::string env(const char* name, const char* fallback = "") {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<unsigned char> unhex(const std::string& text) {
  std::vector<unsigned char> out;
  std::string digits;
  for (char c : text)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<unsigned char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

// ECDSA P-384 over SHA-384, raw r || s (48 bytes each), as SPDM signs.
bool sign_p384(EVP_PKEY* key, const unsigned char* data, size_t n, unsigned char out[96]) {
  MdCtx ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, data, n) != 1) {
    return false;
  }
  std::vector<unsigned char> der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, data, n) != 1) return false;
  const unsigned char* p = der.data();
  Sig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return false;
  return BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, 48) == 48 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + 48, 48) == 48;
}

std::vector<std::string> buses() {
  std::vector<std::string> out;
  std::string all = env("FAKE_NVML_BUS", "0000:18:00.0"), cur;
  for (char c : all + ",") {
    if (c == ',') {
      if (!cur.empty() && out.size() < 64) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

int index_of(NvmlDevice d) {
  for (size_t i = 0; i < buses().size(); ++i)
    if (d == &g_devices[i]) return static_cast<int>(i);
  return -1;
}

std::vector<unsigned char> unbase64(const std::string& s) {
  std::vector<unsigned char> out(s.size());
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  if (n < 0) return {};
  size_t pad = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - std::min<size_t>(pad, static_cast<size_t>(n)));
  return out;
}

// Replay mode: element i of the recorded evidence, (report, chain PEM); empty when absent.
std::pair<std::vector<unsigned char>, std::string> recorded(int i) {
  static const nlohmann::json kEvidence = [] {
    std::string path = env("FAKE_NVML_EVIDENCE");
    if (path.empty()) return nlohmann::json();
    return nlohmann::json::parse(slurp(path), nullptr, /*allow_exceptions=*/false);
  }();
  if (!kEvidence.is_array() || i < 0 || static_cast<size_t>(i) >= kEvidence.size()) return {};
  const auto& e = kEvidence[static_cast<size_t>(i)];
  auto chain = unbase64(e.value("certificate", ""));
  return {unbase64(e.value("evidence", "")), std::string(chain.begin(), chain.end())};
}

bool replay() {
  return !env("FAKE_NVML_EVIDENCE").empty();
}

NvmlReturn copy_text(const std::string& s, char* out, unsigned int n) {
  if (!out) return kInvalidArgument;
  if (s.size() + 1 > n) return kInsufficientSize;
  std::memcpy(out, s.c_str(), s.size() + 1);
  return kSuccess;
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) NvmlReturn nvmlInit_v2() {
  return env("FAKE_NVML_INIT_FAIL") == "1" ? 9 /* NVML_ERROR_DRIVER_NOT_LOADED */ : kSuccess;
}
__attribute__((visibility("default"))) NvmlReturn nvmlShutdown() {
  return kSuccess;
}

__attribute__((visibility("default"))) const char* nvmlErrorString(NvmlReturn rc) {
  switch (rc) {
    case kSuccess:
      return "Success";
    case kInvalidArgument:
      return "Invalid Argument";
    case kNotSupported:
      return "Not Supported";
    case kNotFound:
      return "Not Found";
    case 9:
      return "Driver Not Loaded";
    default:
      return "Unknown Error";
  }
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetHandleByPciBusId_v2(
    const char* bus, NvmlDevice* device) {
  if (!bus || !device) return kInvalidArgument;
  const auto all = buses();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i] == bus) {
      *device = &g_devices[i];
      return kSuccess;
    }
  }
  return kNotFound;
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetCount_v2(unsigned int* count) {
  if (!count) return kInvalidArgument;
  *count = static_cast<unsigned int>(buses().size());
  return kSuccess;
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetHandleByIndex_v2(
    unsigned int i, NvmlDevice* device) {
  if (!device || i >= buses().size()) return kInvalidArgument;
  *device = &g_devices[i];
  return kSuccess;
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetPciInfo_v3(NvmlDevice device,
                                                                          PciInfo* pci) {
  const int i = index_of(device);
  if (i < 0 || !pci) return kInvalidArgument;
  *pci = PciInfo{};
  // NVML writes the 8-digit domain form, upper case.
  std::string b = "0000" + buses()[static_cast<size_t>(i)];
  for (char& c : b) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::snprintf(pci->bus_id, sizeof pci->bus_id, "%s", b.c_str());
  std::snprintf(pci->bus_id_legacy, sizeof pci->bus_id_legacy, "%s", b.substr(4).c_str());
  pci->pci_device_id =
      static_cast<unsigned int>(std::stoul(env("FAKE_NVML_PCI_ID", "233010de"), nullptr, 16));
  pci->pci_subsystem_id = 0x16c110de;
  return kSuccess;
}

__attribute__((visibility("default"))) NvmlReturn nvmlSystemGetDriverVersion(char* out,
                                                                             unsigned int n) {
  return copy_text("590.12", out, n);
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetVbiosVersion(NvmlDevice device,
                                                                            char* out,
                                                                            unsigned int n) {
  if (index_of(device) < 0) return kInvalidArgument;
  return copy_text("96.00.A5.00.01", out, n);
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetUUID(NvmlDevice device, char* out,
                                                                    unsigned int n) {
  const int i = index_of(device);
  if (i < 0) return kInvalidArgument;
  char uuid[64];
  std::snprintf(uuid, sizeof uuid, "GPU-fa4e0000-0000-4000-8000-%012d", i);
  return copy_text(uuid, out, n);
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetSerial(NvmlDevice device, char* out,
                                                                      unsigned int n) {
  const int i = index_of(device);
  if (i < 0) return kInvalidArgument;
  return copy_text("FAKE-SERIAL-" + std::to_string(i), out, n);
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetName(NvmlDevice device, char* out,
                                                                    unsigned int n) {
  if (index_of(device) < 0) return kInvalidArgument;
  return copy_text("Stand-in GPU (not a GPU)", out, n);
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetArchitecture(NvmlDevice device,
                                                                            Architecture* a) {
  if (index_of(device) < 0 || !a) return kInvalidArgument;
  *a = static_cast<Architecture>(std::stoul(env("FAKE_NVML_ARCH", "9")));
  return kSuccess;
}

__attribute__((visibility("default"))) NvmlReturn nvmlSystemGetConfComputeState(
    ConfComputeSystemState* st) {
  if (!st) return kInvalidArgument;
  st->environment = 2;
  st->cc_feature = env("FAKE_NVML_CC_OFF") == "1" || env("FAKE_NVML_CC_OFF_STATE") == "1"
                       ? 0
                       : kCcFeatureEnabled;
  st->dev_tools_mode = 0;
  return kSuccess;
}

__attribute__((visibility("default"))) NvmlReturn nvmlSystemGetConfComputeSettings(
    ConfComputeSettings* st) {
  if (!st) return kInvalidArgument;
  if (st->version != kConfComputeSettingsV1) return 25;  // NVML_ERROR_ARGUMENT_VERSION_MISMATCH
  st->environment = 2;
  st->cc_feature = env("FAKE_NVML_CC_OFF") == "1" || env("FAKE_NVML_CC_OFF_STATE") == "1"
                       ? 0
                       : kCcFeatureEnabled;
  st->dev_tools_mode = 0;
  st->multi_gpu_mode = env("FAKE_NVML_PPCIE") == "1" ? kMultiGpuProtectedPcie : 0;
  return kSuccess;
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetConfComputeGpuAttestationReport(
    NvmlDevice device, AttestationReport* report) {
  if (index_of(device) < 0 || !report) return kInvalidArgument;
  if (env("FAKE_NVML_CC_OFF") == "1") return kNotSupported;
  if (replay()) {
    auto [rep, chain] = recorded(index_of(device));
    if (rep.empty() || rep.size() > kReportSize) return kInvalidArgument;
    report->report_size = static_cast<unsigned int>(rep.size());
    std::copy(rep.begin(), rep.end(), report->report);
    report->is_cec_report_present = 0;
    report->cec_report_size = 0;
    return kSuccess;
  }
  // The template and the key are read once per process, as a GPU holds its key.
  static const std::vector<unsigned char> kTemplate = unhex(slurp(env("FAKE_NVML_TEMPLATE")));
  static const PKey kKey = [] {
    Bio bio(BIO_new_file(env("FAKE_NVML_KEY").c_str(), "r"));
    return PKey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  }();
  std::vector<unsigned char> r = kTemplate;
  // request: version, code, param1, param2, nonce[32], slot; response: version, code, param1,
  // param2, blocks (1), record length (3, LE), record, responder nonce[32], ... signature[96].
  if (r.size() < 37 + 8 + 32 + 96 || r.size() > kReportSize) return kInvalidArgument;
  std::copy(report->nonce, report->nonce + kNonceSize, r.begin() + 4);
  const size_t record = r[37 + 5] | (r[37 + 6] << 8) | (r[37 + 7] << 16);
  const size_t responder_nonce = 37 + 8 + record;
  if (responder_nonce + 32 + 96 > r.size()) return kInvalidArgument;
  RAND_bytes(r.data() + responder_nonce, 32);
  if (!kKey || !sign_p384(kKey.get(), r.data(), r.size() - 96, r.data() + r.size() - 96)) {
    return kInvalidArgument;
  }
  report->report_size = static_cast<unsigned int>(r.size());
  std::copy(r.begin(), r.end(), report->report);
  report->is_cec_report_present = 0;
  report->cec_report_size = 0;
  return kSuccess;
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetConfComputeGpuCertificate(
    NvmlDevice device, Certificate* cert) {
  if (index_of(device) < 0 || !cert) return kInvalidArgument;
  std::string chain = replay() ? recorded(index_of(device)).second : slurp(env("FAKE_NVML_CHAIN"));
  if (env("FAKE_NVML_DER") == "1") {
    Bio in(BIO_new_mem_buf(chain.data(), static_cast<int>(chain.size())));
    std::string der;
    while (Cert x{PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)}) {
      unsigned char* p = nullptr;
      int n = i2d_X509(x.get(), &p);
      if (n <= 0) return kInvalidArgument;
      der.append(reinterpret_cast<char*>(p), static_cast<size_t>(n));
      OPENSSL_free(p);
    }
    chain = der;
  }
  if (chain.empty() || chain.size() > kAttestationChainSize) return kInvalidArgument;
  cert->chain_size = 0;
  cert->attestation_chain_size = static_cast<unsigned int>(chain.size());
  std::memcpy(cert->attestation_chain, chain.data(), chain.size());
  return kSuccess;
}

}  // extern "C"
