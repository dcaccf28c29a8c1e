// Reading NVIDIA evidence files.
//
// Contract:
//   - parse_evidence_document(): every shape hosts publish NVIDIA evidence in, told apart by the
//     top-level JSON type and members (never guessed), each strict (any other member is refused,
//     input.unknown-field, naming its JSON pointer):
//       * "array": the bare array `nvattest attest --gpu-evidence` reads, of elements
//         {"arch", "nonce", "evidence" (base64 report), "certificate" (base64 of the PEM chain)}
//         with optional "version", "driver_version", "vbios_version" strings;
//       * "nvattest-collect-evidence": the object `nvattest collect-evidence --format json`
//         writes, {"evidences": [elements as above], "result_code": integer, "result_message":
//         string}; result_code and result_message are the host's claims, returned to be shown,
//         never used to decide anything (a device passes only on its own evidence);
//       * "evidence-list": the object confidential-inference services publish (NVIDIA's NRAS
//         request body), {"nonce", "arch", "evidence_list": [{"evidence", "certificate"}],
//         optional "claims_version"}; an item may repeat "arch" / "nonce" (they must agree with
//         the wrapper's) and carry the optional members of an element.
//     "arch" is HOPPER, BLACKWELL or LS10 in any letter case (stored upper-case), or absent: then
//     the certificate decides (label_devices() below). Every nonce a document carries (element,
//     item or wrapper; 64 hex digits, either case) must equal the nonce the report's signed
//     GET_MEASUREMENTS request carries (bytes 4..35): input.evidence-nonce-mismatch naming the
//     field otherwise. Devices are labelled GPU-<n> / SWITCH-<n> in order, as NVIDIA's detached
//     EATs label them; a device without "arch" is labelled "device-<i>" until label_devices().
//   - parse_serialized_evidence(): the same, the devices only.
//   - read_serialized_device(): one element (the bundle embeds them one per device), the same
//     rules; "nonce" is required here.
//   - parse_report_file(): a report as hex text (optionally "0x", whitespace ignored) or as
//     raw bytes (anything else). Errors: input.bad-hex, input.bad-base64.
#pragma once

#include <cstdint>
#include <optional>
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
  std::string nonce_hex;  // what the file says the nonce was (lower case; "" when it says none)
};

struct EvidenceDocument {
  std::string shape;  // "array", "nvattest-collect-evidence" or "evidence-list"
  std::vector<SerializedDevice> devices;
  std::optional<int64_t> result_code;  // nvattest's, a host claim
  std::string result_message;          // nvattest's, a host claim
  std::string claims_version;          // evidence-list only, informative
};

Result<EvidenceDocument> parse_evidence_document(std::string_view json, const std::string& origin);

Result<std::vector<SerializedDevice>> parse_serialized_evidence(std::string_view json,
                                                                const std::string& origin);

// One element of that array (the bundle embeds them one per device).
Result<SerializedDevice> read_serialized_device(const JsonAt& element);

// "HOPPER", "BLACKWELL" or "LS10" for those names in any letter case; nullopt otherwise.
std::optional<std::string> normalise_arch(std::string_view arch);

// Relabels `devices` GPU-<n> / SWITCH-<n> in order, each by its declared arch or, where none was
// declared, by `arch_of(device)` (the certificate's family; "" when it cannot be told: then
// GPU, and the appraiser reports the unknown family).
template <class ArchOf>
void label_devices(std::vector<DeviceEvidence>& devices, ArchOf arch_of) {
  size_t gpus = 0, switches = 0;
  for (DeviceEvidence& d : devices) {
    const std::string arch = d.arch.empty() ? std::string(arch_of(d)) : d.arch;
    d.label =
        arch == "LS10" ? "SWITCH-" + std::to_string(switches++) : "GPU-" + std::to_string(gpus++);
  }
}

Result<Bytes> parse_report_file(std::string_view body, const std::string& origin);

}  // namespace aa::nvidia
