#include "binding/inventory_digest.h"

#include <algorithm>

#include "core/text.h"
#include "crypto/digest.h"
#include "identify/identify.h"

namespace aa {

std::vector<PciDevice> inventory_accelerators(const Inventory& inventory,
                                              const Registry& registry) {
  std::vector<PciDevice> out;
  for (const auto& d : identify(inventory.devices, inventory.class_known, registry).devices) {
    out.push_back(d.pci);
  }
  return out;
}

std::string canonical_inventory(const std::vector<PciDevice>& accelerators) {
  std::vector<const PciDevice*> sorted;
  for (const auto& d : accelerators) sorted.push_back(&d);
  std::sort(sorted.begin(), sorted.end(),
            [](const PciDevice* a, const PciDevice* b) { return a->address < b->address; });
  std::string out = "accel-attest/inventory-digest/v1\n";
  for (const PciDevice* d : sorted) {
    out += d->address + " " + to_hex(d->vendor, 4) + ":" + to_hex(d->device, 4) + " " +
           to_hex(d->subsystem_vendor, 4) + ":" + to_hex(d->subsystem_device, 4) + " " +
           d->evidence_sha256.value_or("-") + "\n";
  }
  return out;
}

Bytes inventory_digest(const std::vector<PciDevice>& accelerators) {
  auto d = sha256(canonical_inventory(accelerators));
  return Bytes(d.begin(), d.end());
}

}  // namespace aa
