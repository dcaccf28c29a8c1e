// NVIDIA's opaque data inside the SPDM MEASUREMENTS response: the signed facts about the
// device (driver and VBIOS versions, SKU fields, FWID, mode switches).
//
// Legacy format (every driver before the CUDA 13.5 generation): a sequence of TLVs, each
// [type u16 LE][length u16 LE][value], types 1..36. Decodings:
//   3 DRIVER_VERSION, 15 CHIP_SKU, 16 CHIP_SKU_MOD, 17 PROJECT, 18 PROJECT_SKU,
//   19 PROJECT_SKU_MOD, 35 CHIP_INFO: ASCII, NUL-terminated or NUL-padded;
//   6 VBIOS_VERSION: on GPUs 8 binary bytes, shown as hex(u32 LE of bytes 0..3) split
//     "AA.BB.CC.DD" + "." + hex(byte 4), upper case; on NVSwitch ASCII ("96.10.55.00.01");
//   4 GPU_INFO: two u32 LE; 14 BOARD_ID: u32 LE; 12 MSRSCNT: u32 LE per block;
//   11 NVDEC0_STATUS, 21 PROTECTED_PCIE_STATUS: one byte, 0xAA enabled / 0x55 disabled;
//   20 FWID: 48 bytes (SHA-384); 22 SWITCH_PDI: 8-byte items; 34 OPAQUE_DATA_VERSION and
//   36 FEATURE_FLAG: u16 LE. The other types are kept as raw bytes.
// Versioned format: a blob that starts with the magic "NVDAOD" (6 bytes, then profile and
// version) is NVIDIA's newer layout; its entries are not yet specified publicly, so it is
// refused (nvidia.opaque.versioned-format) rather than misread.
//
// Contract: parse_opaque_data() rejects, naming the TLV's index and offset in the blob:
// a header or value past the end (spdm.truncated), a type outside 1..36
// (nvidia.opaque.unknown-type), a type given twice (nvidia.opaque.duplicate-type), a known
// type whose length is wrong for its encoding (nvidia.opaque.bad-length), text fields that
// are not printable ASCII (nvidia.opaque.bad-value).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "core/status.h"

namespace aa::nvidia {

enum OpaqueType : uint16_t {
  kCertIssuerName = 1,
  kCertAuthorityKeyId = 2,
  kDriverVersion = 3,
  kGpuInfo = 4,
  kSku = 5,
  kVbiosVersion = 6,
  kManufacturerId = 7,
  kTamperDetection = 8,
  kSmc = 9,
  kVpr = 10,
  kNvdec0Status = 11,
  kMsrsCnt = 12,
  kCprInfo = 13,
  kBoardId = 14,
  kChipSku = 15,
  kChipSkuMod = 16,
  kProject = 17,
  kProjectSku = 18,
  kProjectSkuMod = 19,
  kFwid = 20,
  kProtectedPcieStatus = 21,
  kSwitchPdi = 22,
  kFloorsweptPorts = 23,
  kPositionId = 24,
  kLockSwitchStatus = 25,
  kSwitchGpuPdis = 26,
  kSwitchPorts = 27,
  kGpuLinkConn = 32,
  kSysEnableStatus = 33,
  kOpaqueDataVersion = 34,
  kChipInfo = 35,
  kFeatureFlag = 36,
};

// NVIDIA's name for a type ("OPAQUE_FIELD_ID_DRIVER_VERSION"), "" for unassigned numbers.
const char* opaque_type_name(uint16_t type);

enum class DeviceKind { kGpu, kSwitch };

}  // namespace aa::nvidia

template <>
struct aa::EnumNames<aa::nvidia::DeviceKind> {
  static constexpr std::array kNames = {
      std::pair{aa::nvidia::DeviceKind::kGpu, "gpu"},
      std::pair{aa::nvidia::DeviceKind::kSwitch, "switch"},
  };
};

namespace aa::nvidia {

struct OpaqueField {
  uint16_t type = 0;
  Bytes value;
  size_t offset = 0;  // of the TLV header in the blob
};

struct OpaqueData {
  std::vector<OpaqueField> fields;  // in report order

  std::optional<std::string> driver_version, vbios_version;
  std::optional<std::string> project, project_sku, project_sku_mod, chip_sku, chip_sku_mod;
  std::optional<std::string> chip_info;
  std::optional<uint32_t> board_id;
  std::optional<std::array<uint32_t, 2>> gpu_info;
  std::optional<std::array<uint8_t, 48>> fwid;
  std::optional<uint8_t> nvdec0_status, protected_pcie_status;
  std::optional<uint16_t> opaque_data_version, feature_flag;
  std::vector<uint32_t> msrs_count;
  std::vector<std::string> switch_pdis;  // each 8-byte item reversed, upper-case hex

  const OpaqueField* find(uint16_t type) const;
};

inline constexpr uint8_t kEnabled = 0xAA;
inline constexpr uint8_t kDisabled = 0x55;

// The device's confidential-computing and debug state as far as the signed opaque data
// carries it (docs/nvidia.md "Modes"); nullopt / "" means not reported, never a default.
//   ppcie         PROTECTED_PCIE_STATUS: 0xAA on, 0x55 off (other values: not reported)
//   cc_variant    FEATURE_FLAG, read only when OPAQUE_DATA_VERSION >= 1: 2 is "PPCIE" in both
//                 of NVIDIA's readers; 0 and 1 are SPT and MPT in opposite order in NVIDIA's
//                 C++ and Python code, so they read "SPT or MPT"; other values "unknown (n)"
//   cc_on, devtools, debug  no field of the legacy TLV format carries them: not reported.
//                 (NVML gives a report in CC-on and in devtools mode alike; the report does not
//                 say which.)
struct ModeState {
  std::optional<bool> ppcie;
  std::optional<uint16_t> feature_flag;
  std::string cc_variant;
  std::optional<bool> cc_on, devtools, debug;
};
ModeState read_modes(const OpaqueData& o);

// `base` is the offset of the opaque data in the blob (for messages); `origin` names the
// evidence.
Result<OpaqueData> parse_opaque_data(ByteView opaque, size_t base, DeviceKind kind,
                                     const std::string& origin);

}  // namespace aa::nvidia
