// The host side of NVIDIA GPU evidence through NVML: the GPUs NVML knows, their identity and
// confidential-computing state, an SPDM GET_MEASUREMENTS report over a caller's nonce, and the
// GPU's attestation certificate chain. This runs on the host being attested (`collect`,
// `landmark respond --nvml`), never inside the verifier.
//
// Contract:
//   - NvmlSession::open() loads the NVML library at run time (dlopen of `library`, by default
//     libnvidia-ml.so.1 from the driver), so nothing here builds against or needs NVIDIA's
//     driver, and calls nvmlInit_v2; the destructor calls nvmlShutdown and unloads the library.
//     The entry points every driver since 535 has are required (nvml.unavailable names the one
//     missing); the identity and CC queries are optional: a driver without one gives "absent"
//     for that field, never an error.
//   - devices(): every GPU NVML enumerates (nvmlDeviceGetCount_v2, ..._GetHandleByIndex_v2) with
//     its PCI identity (nvmlDeviceGetPciInfo_v3; the bus ID normalised to "0000:18:00.0");
//     device(bus): one GPU by PCI bus ID (nvml.call naming the bus when NVML has none there).
//   - identity(): UUID, board serial, VBIOS version, name and architecture, each as NVML gives
//     it; what NVML refuses (NOT_SUPPORTED on boards without a serial) is absent.
//   - cc_state(): the system's confidential-computing state (nvmlSystemGetConfComputeState) and,
//     from driver 550, the multi-GPU mode (nvmlSystemGetConfComputeSettings): protected PCIe.
//   - attestation_report(nonce): nvmlDeviceGetConfComputeGpuAttestationReport with the 32-byte
//     nonce; the report as NVML gives it (GET_MEASUREMENTS request || MEASUREMENTS response,
//     which spdm::parse_measurement_report reads). A GPU outside CC mode (its devtools mode, or
//     multi-GPU protected-PCIe mode) refuses: nvml.call with NVML's "Not Supported".
//   - certificate_chain_pem(): nvmlDeviceGetConfComputeGpuCertificate's attestation chain (leaf
//     first), as PEM whether NVML gives PEM text or concatenated DER.
//   Errors: nvml.unavailable (library or function missing: field "library" or the function's
//   name), nvml.call (field the function's name, message nvmlErrorString's words and the code),
//   nvml.bad-output (a size outside NVML's own buffer, a chain that is not certificates).
//   Everything NVML returns is what the host's driver says: only the signed report and the chain
//   are evidence; the rest is a claim.
// The NVML structures are declared from NVIDIA's public nvml.h layout (collect/nvml_abi.h),
// checked by static_assert on their sizes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace aa::nvidia {

inline constexpr char kDefaultNvmlLibrary[] = "libnvidia-ml.so.1";

struct NvmlDeviceInfo {
  void* handle = nullptr;  // nvmlDevice_t, owned by NVML, valid while the session lives
  std::string bus_id;      // normalised "0000:18:00.0"
  uint16_t vendor = 0, device = 0, subsystem_vendor = 0, subsystem_device = 0;
};

struct NvmlIdentity {
  std::optional<std::string> uuid, serial, vbios_version, name;
  std::optional<unsigned> architecture;  // NVML_DEVICE_ARCH_*
};

struct NvmlCcState {
  bool known = false;        // nvmlSystemGetConfComputeState answered
  bool cc_on = false;        // confidential computing enabled
  bool devtools = false;     // devtools mode (reports are made, but debug features are on)
  unsigned environment = 0;  // 0 unavailable, 1 simulation, 2 production
  std::optional<bool> protected_pcie;  // multi-GPU protected PCIe; absent before driver 550
};

class NvmlSession {
 public:
  static Result<std::shared_ptr<NvmlSession>> open(const std::string& library);
  ~NvmlSession();
  NvmlSession(const NvmlSession&) = delete;
  NvmlSession& operator=(const NvmlSession&) = delete;

  Result<std::string> driver_version() const;
  NvmlCcState cc_state() const;
  Result<std::vector<NvmlDeviceInfo>> devices() const;
  Result<NvmlDeviceInfo> device(const std::string& pci_bus_id) const;
  NvmlIdentity identity(const NvmlDeviceInfo& d) const;
  Result<Bytes> attestation_report(const NvmlDeviceInfo& d, ByteView nonce) const;
  Result<std::string> certificate_chain_pem(const NvmlDeviceInfo& d) const;

  struct Api;  // the resolved NVML entry points (nvml_gpu.cpp)

 private:
  NvmlSession() = default;
  Result<NvmlDeviceInfo> info_of(void* handle) const;
  std::shared_ptr<void> library_;  // dlclose on release
  std::unique_ptr<Api> api_;
  bool initialised_ = false;
};

// One GPU by bus ID over its own session (`landmark respond --nvml`).
class NvmlGpu {
 public:
  static Result<std::unique_ptr<NvmlGpu>> open(const std::string& library,
                                               const std::string& pci_bus_id);
  Result<Bytes> attestation_report(ByteView nonce) const {
    return session_->attestation_report(device_, nonce);
  }
  Result<std::string> certificate_chain_pem() const {
    return session_->certificate_chain_pem(device_);
  }

 private:
  NvmlGpu() = default;
  std::shared_ptr<NvmlSession> session_;
  NvmlDeviceInfo device_;
};

// The attestation chain as NVML's buffer holds it (PEM text, or concatenated DER followed by
// zero padding), as PEM; nvml.bad-output naming the offset of what is not a certificate.
Result<std::string> chain_pem_from_nvml(ByteView bytes);

// NVML's architecture number as the evidence's `arch` ("HOPPER", "BLACKWELL"), or "" for an
// architecture without SPDM attestation.
std::string nvml_arch_name(unsigned architecture);

}  // namespace aa::nvidia
