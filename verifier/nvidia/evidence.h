// What one NVIDIA device's evidence is, as the parsers (evidence files, bundles) deliver it and
// the appraiser (nvidia/appraise.h) takes it. A parser-layer type: it names no reference data.
//
// Contract: plain data, nothing checked; `report` is the SPDM GET_MEASUREMENTS request and
// response as found, `chain_pem` the device chain as found (leaf first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/bytes.h"

namespace aa::nvidia {

struct DeviceEvidence {
  std::string label;   // "GPU-0", "SWITCH-1", or the report file name
  std::string origin;  // file (and JSON pointer) it came from
  std::string arch;    // what the evidence declares ("HOPPER"...), unsigned; may be empty
  Bytes report;
  std::string chain_pem;
  std::optional<std::pair<uint16_t, uint16_t>> pci_id;  // (vendor, device) when known
};

}  // namespace aa::nvidia
