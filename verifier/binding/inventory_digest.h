// The canonical digest of a host's accelerator inventory, which a TPM quote binds through
// extraData = SHA-256(nonce || inventory digest) (docs/inventory-binding.md).
//
// Contract: canonical_inventory() is the exact text hashed: the line
// "accel-attest/inventory-digest/v1", then one line per accelerator, sorted by PCI address:
// "<address> <vendor>:<device> <subsystem vendor>:<subsystem device> <evidence>", lower-case
// hex, <evidence> the SHA-256 of the device's evidence or "-"; every line ends in "\n".
// Accelerators are the devices `identify` selects with the same registry, so NICs and disks
// coming and going do not change the digest. inventory_digest() is SHA-256 of that text.
#pragma once

#include <string>
#include <vector>

#include "core/bytes.h"
#include "inventory/inventory_json.h"
#include "inventory/pci_device.h"
#include "registry/registry.h"

namespace aa {

// The devices of an inventory that `identify` selects as accelerators with `registry`.
std::vector<PciDevice> inventory_accelerators(const Inventory& inventory, const Registry& registry);

std::string canonical_inventory(const std::vector<PciDevice>& accelerators);
Bytes inventory_digest(const std::vector<PciDevice>& accelerators);

}  // namespace aa
