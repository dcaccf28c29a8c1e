// The host side of NVIDIA GPU evidence through NVML: an SPDM GET_MEASUREMENTS report over a
// caller's nonce, and the GPU's attestation certificate chain. This runs on the host being
// attested (the location responder, `landmark respond --nvml`), never inside the verifier.
//
// Contract:
//   - NvmlGpu::open() loads the NVML library at run time (dlopen of `library`, by default
//     libnvidia-ml.so.1 from the driver), so nothing here builds against or needs NVIDIA's
//     driver; calls nvmlInit_v2 and finds the GPU by PCI bus ID ("0000:18:00.0"). The
//     destructor calls nvmlShutdown and unloads the library.
//   - attestation_report(nonce): nvmlDeviceGetConfComputeGpuAttestationReport with the 32-byte
//     nonce; returns the report as NVML gives it: the GET_MEASUREMENTS request || MEASUREMENTS
//     response that spdm::parse_measurement_report reads, signed by the GPU's attestation key.
//     The GPU must be in confidential-computing mode (or its devtools mode); otherwise NVML
//     refuses and so does this.
//   - certificate_chain_pem(): nvmlDeviceGetConfComputeGpuCertificate's attestation chain
//     (leaf first, ending at NVIDIA's device identity root), as PEM whether NVML gives PEM text
//     or concatenated DER.
//   Errors: nvml.unavailable (the library or one of its functions is missing: field "library"
//   or the function's name), nvml.call (a call failed: field the function's name, message
//   nvmlErrorString's words and the code), nvml.bad-output (a size NVML reports is outside its
//   own buffer, or the chain is not certificates).
// The NVML structures are declared from NVIDIA's public nvml.h layout (driver 535 and later);
// the layout is checked by static_assert on its size.
#pragma once

#include <memory>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace aa::nvidia {

inline constexpr char kDefaultNvmlLibrary[] = "libnvidia-ml.so.1";

class NvmlGpu {
 public:
  static Result<std::unique_ptr<NvmlGpu>> open(const std::string& library,
                                               const std::string& pci_bus_id);
  ~NvmlGpu();
  NvmlGpu(const NvmlGpu&) = delete;
  NvmlGpu& operator=(const NvmlGpu&) = delete;

  Result<Bytes> attestation_report(ByteView nonce) const;
  Result<std::string> certificate_chain_pem() const;

  struct Api;  // the resolved NVML entry points (nvml_gpu.cpp)

 private:
  NvmlGpu() = default;
  std::shared_ptr<void> library_;  // dlclose on release
  std::unique_ptr<Api> api_;
  void* device_ = nullptr;  // nvmlDevice_t, owned by NVML
  bool initialised_ = false;
};

// The attestation chain as NVML's buffer holds it (PEM text, or concatenated DER followed by
// zero padding), as PEM; nvml.bad-output naming the offset of what is not a certificate.
Result<std::string> chain_pem_from_nvml(ByteView bytes);

}  // namespace aa::nvidia
