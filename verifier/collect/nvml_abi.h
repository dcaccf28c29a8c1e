// The few NVML (NVIDIA Management Library) types that nvml_gpu.cpp calls through, declared from
// the layout of NVIDIA's public nvml.h (driver 535 and later) so that the build needs no NVIDIA
// headers. The tests' stand-in library (tests/fake_nvml) implements the same entry points over
// these declarations. Sizes are checked by static_assert.
#pragma once

#include <cstddef>

namespace aa::nvidia::nvml_abi {

using NvmlReturn = int;                            // nvmlReturn_t
using NvmlDevice = void*;                          // nvmlDevice_t
inline constexpr NvmlReturn kSuccess = 0;          // NVML_SUCCESS
inline constexpr NvmlReturn kNotSupported = 3;     // NVML_ERROR_NOT_SUPPORTED
inline constexpr NvmlReturn kInvalidArgument = 2;  // NVML_ERROR_INVALID_ARGUMENT
inline constexpr NvmlReturn kNotFound = 6;         // NVML_ERROR_NOT_FOUND

inline constexpr size_t kNonceSize = 0x20;               // NVML_CC_GPU_CEC_NONCE_SIZE
inline constexpr size_t kReportSize = 0x2000;            // NVML_CC_GPU_ATTESTATION_REPORT_SIZE
inline constexpr size_t kCecReportSize = 0x1000;         // NVML_CC_GPU_CEC_ATTESTATION_REPORT_SIZE
inline constexpr size_t kCertChainSize = 0x1000;         // NVML_GPU_CERT_CHAIN_SIZE
inline constexpr size_t kAttestationChainSize = 0x1400;  // NVML_GPU_ATTESTATION_CERT_CHAIN_SIZE

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
