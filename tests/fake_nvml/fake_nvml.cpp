// A stand-in for NVIDIA's libnvidia-ml.so.1 for the location tests: a simulated GPU that
// implements the NVML entry points `landmark respond --nvml` calls, so that the NVML path (the
// library loaded at run time, the structures, the report over each probe nonce, the chain) runs
// end to end with real processes on machines without a GPU. It is not a GPU: its reports take
// the layout of a real H100 report (FAKE_NVML_TEMPLATE, hex, from tests/data/nvidia/reports),
// with the caller's nonce in the request, a fresh responder nonce, and a P-384 signature by a
// test key under a test root.
//
// Environment:
//   FAKE_NVML_KEY       the simulated GPU's P-384 private key (PEM)
//   FAKE_NVML_CHAIN     its attestation chain, leaf first (PEM)
//   FAKE_NVML_TEMPLATE  a real report, hex (request || response, 96-byte signature last)
//   FAKE_NVML_BUS       the one PCI bus ID it answers to (default 0000:18:00.0)
//   FAKE_NVML_DER=1     give the chain as concatenated DER instead of PEM text
//   FAKE_NVML_CC_OFF=1  refuse reports as a GPU outside confidential-computing mode does
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

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

int g_device = 0;  // the handle's referent

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

}  // namespace

extern "C" {

__attribute__((visibility("default"))) NvmlReturn nvmlInit_v2() {
  return kSuccess;
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
    default:
      return "Unknown Error";
  }
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetHandleByPciBusId_v2(
    const char* bus, NvmlDevice* device) {
  if (!bus || !device) return kInvalidArgument;
  if (env("FAKE_NVML_BUS", "0000:18:00.0") != bus) return kNotFound;
  *device = &g_device;
  return kSuccess;
}

__attribute__((visibility("default"))) NvmlReturn nvmlDeviceGetConfComputeGpuAttestationReport(
    NvmlDevice device, AttestationReport* report) {
  if (device != &g_device || !report) return kInvalidArgument;
  if (env("FAKE_NVML_CC_OFF") == "1") return kNotSupported;
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
  if (device != &g_device || !cert) return kInvalidArgument;
  std::string chain = slurp(env("FAKE_NVML_CHAIN"));
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
