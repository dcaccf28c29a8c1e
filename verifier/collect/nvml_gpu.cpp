#include "collect/nvml_gpu.h"

#include <dlfcn.h>

#include <algorithm>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "collect/nvml_abi.h"
#include "crypto/ossl.h"
#include "crypto/x509.h"

namespace aa::nvidia {

namespace {

using namespace nvml_abi;

Error call_error(const NvmlGpu::Api& api, const char* fn, NvmlReturn rc);

}  // namespace

struct NvmlGpu::Api {
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  const char* (*error_string)(NvmlReturn) = nullptr;
  NvmlReturn (*by_bus_id)(const char*, NvmlDevice*) = nullptr;
  NvmlReturn (*report)(NvmlDevice, AttestationReport*) = nullptr;
  NvmlReturn (*certificate)(NvmlDevice, Certificate*) = nullptr;
};

namespace {

Error call_error(const NvmlGpu::Api& api, const char* fn, NvmlReturn rc) {
  const char* words = api.error_string ? api.error_string(rc) : nullptr;
  return make_error(
      "nvml.call", fn,
      std::string(words ? words : "error") + " (NVML code " + std::to_string(rc) + ")");
}

template <typename F>
Status resolve(void* lib, const char* name, F& out) {
  void* sym = ::dlsym(lib, name);
  if (!sym)
    return make_error("nvml.unavailable", name, "the NVML library has no " + std::string(name));
  out = reinterpret_cast<F>(sym);
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<NvmlGpu>> NvmlGpu::open(const std::string& library,
                                               const std::string& pci_bus_id) {
  std::unique_ptr<NvmlGpu> gpu(new NvmlGpu());
  void* lib = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    return make_error("nvml.unavailable", "library",
                      "cannot load " + library + ": " + (why ? why : "unknown") +
                          " (NVIDIA's driver provides it)");
  }
  gpu->library_ = std::shared_ptr<void>(lib, [](void* h) { ::dlclose(h); });
  gpu->api_ = std::make_unique<Api>();
  Api& api = *gpu->api_;
  AA_CHECK(resolve(lib, "nvmlErrorString", api.error_string));
  AA_CHECK(resolve(lib, "nvmlInit_v2", api.init));
  AA_CHECK(resolve(lib, "nvmlShutdown", api.shutdown));
  AA_CHECK(resolve(lib, "nvmlDeviceGetHandleByPciBusId_v2", api.by_bus_id));
  AA_CHECK(resolve(lib, "nvmlDeviceGetConfComputeGpuAttestationReport", api.report));
  AA_CHECK(resolve(lib, "nvmlDeviceGetConfComputeGpuCertificate", api.certificate));
  if (NvmlReturn rc = api.init(); rc != kSuccess) return call_error(api, "nvmlInit_v2", rc);
  gpu->initialised_ = true;
  if (NvmlReturn rc = api.by_bus_id(pci_bus_id.c_str(), &gpu->device_); rc != kSuccess) {
    Error e = call_error(api, "nvmlDeviceGetHandleByPciBusId_v2", rc);
    e.message += " for " + pci_bus_id;
    return e;
  }
  return gpu;
}

NvmlGpu::~NvmlGpu() {
  if (initialised_ && api_ && api_->shutdown) api_->shutdown();
}

Result<Bytes> NvmlGpu::attestation_report(ByteView nonce) const {
  if (nonce.size() != kNonceSize) {
    return make_error("nvml.bad-output", "nonce", "the nonce must be 32 bytes");
  }
  auto rep = std::make_unique<AttestationReport>();  // value-initialised: zeroed
  std::copy(nonce.begin(), nonce.end(), rep->nonce);
  const char* fn = "nvmlDeviceGetConfComputeGpuAttestationReport";
  if (NvmlReturn rc = api_->report(device_, rep.get()); rc != kSuccess) {
    return call_error(*api_, fn, rc);
  }
  if (rep->report_size == 0 || rep->report_size > kReportSize) {
    return make_error("nvml.bad-output", fn,
                      "attestationReportSize " + std::to_string(rep->report_size) +
                          " is outside 1.." + std::to_string(kReportSize));
  }
  return Bytes(rep->report, rep->report + rep->report_size);
}

Result<std::string> NvmlGpu::certificate_chain_pem() const {
  auto cert = std::make_unique<Certificate>();  // value-initialised: zeroed
  const char* fn = "nvmlDeviceGetConfComputeGpuCertificate";
  if (NvmlReturn rc = api_->certificate(device_, cert.get()); rc != kSuccess) {
    return call_error(*api_, fn, rc);
  }
  const size_t n = cert->attestation_chain_size;
  if (n == 0 || n > kAttestationChainSize) {
    return make_error("nvml.bad-output", fn,
                      "attestationCertChainSize " + std::to_string(n) + " is outside 1.." +
                          std::to_string(kAttestationChainSize));
  }
  return chain_pem_from_nvml(ByteView(cert->attestation_chain, n));
}

Result<std::string> chain_pem_from_nvml(ByteView bytes) {
  const char* field = "attestationCertChain";
  if (bytes.size() > kAttestationChainSize) {
    return make_error("nvml.bad-output", field, "larger than NVML's buffer");
  }
  std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
    auto certs = x509::parse_pem_chain(text, field);
    if (!certs) return make_error("nvml.bad-output", field, certs.error().message);
    if (certs->empty()) return make_error("nvml.bad-output", field, "no certificate");
    return text;
  }
  // Concatenated DER (zero padding after the last): re-encode each certificate as PEM.
  std::string pem;
  const unsigned char* p = bytes.data();
  const unsigned char* end = p + bytes.size();
  while (p < end && *p != 0) {
    const size_t offset = static_cast<size_t>(p - bytes.data());
    ossl::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(end - p)));
    if (!x) {
      return make_error("nvml.bad-output", field,
                        "no DER certificate at offset " + std::to_string(offset));
    }
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(bio.get(), x.get()) != 1) {
      return make_error("nvml.bad-output", field,
                        "certificate at offset " + std::to_string(offset) + " does not re-encode");
    }
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    pem.append(data, static_cast<size_t>(len));
  }
  if (pem.empty()) return make_error("nvml.bad-output", field, "no certificate");
  return pem;
}

}  // namespace aa::nvidia
