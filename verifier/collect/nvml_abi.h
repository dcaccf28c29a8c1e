// The NVML (NVIDIA Management Library) types that nvml_gpu.cpp calls through, declared from the
// layout of NVIDIA's public nvml.h (driver 535 and later; the confidential-computing settings
// structure from 550) so that the build needs no NVIDIA headers. The tests' stand-in library
// (tests/fake_nvml) implements the same entry points over these declarations. Sizes are checked by
// static_assert.
#pragma once

#include <cstddef>

namespace aa::nvidia::nvml_abi {

using NvmlReturn = int;                              // nvmlReturn_t
using NvmlDevice = void*;                            // nvmlDevice_t
inline constexpr NvmlReturn kSuccess = 0;            // NVML_SUCCESS
inline constexpr NvmlReturn kNotSupported = 3;       // NVML_ERROR_NOT_SUPPORTED
inline constexpr NvmlReturn kInvalidArgument = 2;    // NVML_ERROR_INVALID_ARGUMENT
inline constexpr NvmlReturn kNoPermission = 4;       // NVML_ERROR_NO_PERMISSION
inline constexpr NvmlReturn kNotFound = 6;           // NVML_ERROR_NOT_FOUND
inline constexpr NvmlReturn kInsufficientSize = 7;   // NVML_ERROR_INSUFFICIENT_SIZE
inline constexpr NvmlReturn kFunctionNotFound = 13;  // NVML_ERROR_FUNCTION_NOT_FOUND

inline constexpr size_t kNonceSize = 0x20;               // NVML_CC_GPU_CEC_NONCE_SIZE
inline constexpr size_t kReportSize = 0x2000;            // NVML_CC_GPU_ATTESTATION_REPORT_SIZE
inline constexpr size_t kCecReportSize = 0x1000;         // NVML_CC_GPU_CEC_ATTESTATION_REPORT_SIZE
inline constexpr size_t kCertChainSize = 0x1000;         // NVML_GPU_CERT_CHAIN_SIZE
inline constexpr size_t kAttestationChainSize = 0x1400;  // NVML_GPU_ATTESTATION_CERT_CHAIN_SIZE

inline constexpr size_t kDriverVersionSize = 80;  // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
inline constexpr size_t kVbiosVersionSize = 32;   // NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE
inline constexpr size_t kUuidSize = 96;           // NVML_DEVICE_UUID_V2_BUFFER_SIZE
inline constexpr size_t kSerialSize = 30;         // NVML_DEVICE_SERIAL_BUFFER_SIZE
inline constexpr size_t kNameSize = 96;           // NVML_DEVICE_NAME_V2_BUFFER_SIZE

// nvmlDeviceArchitecture_t values (NVML_DEVICE_ARCH_*).
using Architecture = unsigned int;
inline constexpr Architecture kArchAmpere = 7;
inline constexpr Architecture kArchAda = 8;
inline constexpr Architecture kArchHopper = 9;
inline constexpr Architecture kArchBlackwell = 10;

// nvmlPciInfo_t (nvmlDeviceGetPciInfo_v3): `pci_device_id` is device ID << 16 | vendor ID,
// `pci_subsystem_id` subsystem device ID << 16 | subsystem vendor ID; `bus_id` is
// "domain:bus:device.function" in upper-case hex, NUL-terminated.
struct PciInfo {
  char bus_id_legacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pci_device_id;
  unsigned int pci_subsystem_id;
  char bus_id[32];
};
static_assert(sizeof(PciInfo) == 16 + 5 * 4 + 32);

// nvmlConfComputeSystemState_t (nvmlSystemGetConfComputeState): cc_feature 1 when
// confidential computing is on (NVML_CC_SYSTEM_FEATURE_ENABLED), dev_tools_mode 1 in devtools
// mode, environment 0 unavailable, 1 simulation, 2 production.
struct ConfComputeSystemState {
  unsigned int environment;
  unsigned int cc_feature;
  unsigned int dev_tools_mode;
};
static_assert(sizeof(ConfComputeSystemState) == 12);
inline constexpr unsigned int kCcFeatureEnabled = 1;

// nvmlSystemConfComputeSettings_t version 1 (nvmlSystemGetConfComputeSettings, driver 550+):
// the same three fields and multi_gpu_mode, 1 for protected PCIe
// (NVML_CC_SYSTEM_MULTIGPU_PROTECTED_PCIE). `version` is the structure's size | 1 << 24, as
// NVML_STRUCT_VERSION makes it.
struct ConfComputeSettings {
  unsigned int version;
  unsigned int environment;
  unsigned int cc_feature;
  unsigned int dev_tools_mode;
  unsigned int multi_gpu_mode;
};
static_assert(sizeof(ConfComputeSettings) == 20);
inline constexpr unsigned int kConfComputeSettingsV1 =
    static_cast<unsigned int>(sizeof(ConfComputeSettings)) | (1u << 24);
inline constexpr unsigned int kMultiGpuProtectedPcie = 1;

// nvmlConfComputeGpuAttestationReport_t: `nonce` is the caller's input; the report is the SPDM
// GET_MEASUREMENTS request || MEASUREMENTS response.
struct AttestationReport {
  unsigned int is_cec_report_present;
  unsigned int report_size;
  unsigned int cec_report_size;
  unsigned char nonce[kNonceSize];
  unsigned char report[kReportSize];
  unsigned char cec_report[kCecReportSize];
};
static_assert(sizeof(AttestationReport) == 12 + kNonceSize + kReportSize + kCecReportSize);

// nvmlConfComputeGpuCertificate_t: `attestation_chain` is the GPU's attestation certificate
// chain (leaf first).
struct Certificate {
  unsigned int chain_size;
  unsigned int attestation_chain_size;
  unsigned char chain[kCertChainSize];
  unsigned char attestation_chain[kAttestationChainSize];
};
static_assert(sizeof(Certificate) == 8 + kCertChainSize + kAttestationChainSize);

}  // namespace aa::nvidia::nvml_abi
