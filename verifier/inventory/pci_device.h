// A PCI function as the host reports it. Every field is a claim (unauthenticated): it picks
// a registry entry, it proves nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace aa {

struct PciDevice {
  std::string address;  // "0000:18:00.0" (domain:bus:device.function), lower case
  uint16_t vendor = 0, device = 0;
  uint16_t subsystem_vendor = 0, subsystem_device = 0;
  uint32_t class_code = 0;  // 24 bits: base class, subclass, programming interface
  // Reported model name from a vendor tool (npu-smi "Name", nvidia-smi name), when known.
  std::optional<std::string> reported_name;
  // SHA-256 (lower-case hex) of the device's own attestation evidence, when the inventory
  // carries it (docs/inventory-binding.md).
  std::optional<std::string> evidence_sha256;
  std::string origin;  // where it was read: sysfs directory, "file:line", "file#/devices/2"
};

// Checks "DDDD:BB:DD.F" (hex, function 0-7) and returns it lower-cased.
std::optional<std::string> normalize_pci_address(std::string_view s);

}  // namespace aa
