// Reading NVIDIA evidence files.
//
// Contract:
//   - parse_serialized_evidence(): the JSON `nvattest collect-evidence` writes: an array of
//     objects {"arch", "nonce", "evidence" (base64 report), "certificate" (base64 of the PEM
//     chain)} with optional "version", "driver_version", "vbios_version" strings; anything
//     else is refused naming the JSON pointer. Devices are labelled GPU-<n> / SWITCH-<n> in
//     order, as NVIDIA's detached EATs label them.
//   - parse_report_file(): a report as hex text (optionally "0x", whitespace ignored) or as
//     raw bytes (anything else). Errors: input.bad-hex, input.bad-base64.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/json.h"
#include "core/result.h"
#include "nvidia/evidence.h"

namespace aa::nvidia {

struct SerializedDevice {
  DeviceEvidence evidence;
  std::string nonce_hex;  // what the file says the nonce was (unsigned; the report decides)
};

Result<std::vector<SerializedDevice>> parse_serialized_evidence(std::string_view json,
                                                                const std::string& origin);

// One element of that array (the bundle embeds them one per device).
Result<SerializedDevice> read_serialized_device(const JsonAt& element);

Result<Bytes> parse_report_file(std::string_view body, const std::string& origin);

}  // namespace aa::nvidia
