// Parses an inventory JSON document (schema: docs/inventory.schema.json):
//   {"schema": "accel-attest/inventory/v1", "host": "...",
//    "devices": [{"address": "0000:18:00.0", "vendor_id": "10de", "device_id": "2330",
//                 "subsystem_vendor_id": "10de", "subsystem_device_id": "16c1",
//                 "class": "030200", "reported_name": "H100 80GB HBM3"}]}
//
// Contract: strict JSON (no duplicate keys, bounded depth and size); unknown fields are
// rejected; every error names "origin#/json/pointer". IDs are lower- or upper-case hex of the
// exact width (4, class 6). `class` and the subsystem IDs are optional; an absent class
// means "unknown class".
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inventory/pci_device.h"

namespace aa {

struct Inventory {
  std::string host;
  std::vector<PciDevice> devices;
  std::vector<bool> class_known;  // parallel to devices
};

Result<Inventory> parse_inventory_json(std::string_view text, const std::string& origin);

// The PCI identity members of one device object (address, vendor_id, device_id, the optional
// subsystem IDs and class), as the inventory and the evidence bundle share them. `seen` collects
// addresses so a repeated one is refused (input.duplicate-device). Other members are the
// caller's to check.
Result<PciDevice> read_pci_identity(const JsonAt& device, std::set<std::string>& seen);

}  // namespace aa
