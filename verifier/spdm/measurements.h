// SPDM 1.1 GET_MEASUREMENTS request and MEASUREMENTS response, as a signed attestation report.
//
// Layout (DMTF DSP0274 1.1, all integers little-endian), the blob being request || response:
//   request  (37 bytes): version, code 0xE0, param1, param2, nonce[32], slot id
//   response: version, code 0x60, param1, param2, number of blocks (1), record length L1 (3),
//             record (L1 bytes of blocks), responder nonce[32], opaque length L2 (2),
//             opaque data (L2), signature (signature_size bytes)
//   block:    index (1), measurement specification (1), measurement size (2), then for the
//             DMTF specification: value type (1), value size (2), value.
//
// Contract: parse_measurement_report() checks every length against the buffer before reading
// and every block against the record it sits in; each rejection has its own code and names
// the field and its offset:
//   spdm.truncated        the buffer ends inside a field
//   spdm.length-overrun   a length field points past the end of its enclosing structure
//   spdm.unexpected-value a version, code or count is not what SPDM 1.1 allows
//   spdm.trailing-bytes   non-zero bytes follow the signature
// Bytes after the signature are never signed. Zero padding there (seen from the CoCo attester,
// which sends one 0x00) is accepted and counted in `trailing_zeros`; anything else is refused.
// The signed region is everything before the signature: request and response together.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace aa::spdm {

inline constexpr size_t kRequestSize = 37;
inline constexpr uint8_t kVersion11 = 0x11;
inline constexpr uint8_t kGetMeasurements = 0xE0;
inline constexpr uint8_t kMeasurements = 0x60;

struct MeasurementBlock {
  uint8_t index = 0;
  uint8_t specification = 0;  // 0x01: DMTF
  uint8_t value_type = 0;     // DMTFSpecMeasurementValueType
  Bytes value;
  size_t offset = 0;  // of the block in the blob
};

struct MeasurementReport {
  // Request.
  uint8_t request_version = 0, request_code = 0, request_param1 = 0, request_param2 = 0;
  std::array<uint8_t, 32> request_nonce{};  // the verifier's nonce
  uint8_t slot_id = 0;
  // Response.
  uint8_t version = 0, code = 0, param1 = 0, param2 = 0;
  uint8_t number_of_blocks = 0;
  uint32_t record_length = 0;
  std::vector<MeasurementBlock> blocks;
  std::array<uint8_t, 32> responder_nonce{};
  Bytes opaque;
  size_t opaque_offset = 0;  // of the opaque data in the blob
  Bytes signature;
  size_t signed_length = 0;  // bytes covered by the signature: blob[0, signed_length)
  size_t trailing_zeros = 0;

  const MeasurementBlock* block(uint8_t index) const;
};

// `origin` names the evidence in errors ("GPU-0 report"). Blobs over 64 KiB are refused.
Result<MeasurementReport> parse_measurement_report(ByteView blob, size_t signature_size,
                                                   const std::string& origin);

}  // namespace aa::spdm
