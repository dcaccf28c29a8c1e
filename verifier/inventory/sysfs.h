// Reads PCI identity from a sysfs tree: <root>/bus/pci/devices/<address>/{vendor, device,
// subsystem_vendor, subsystem_device, class}.
//
// Contract: read_sysfs_pci(root) lists every device directory (sorted by address) and parses
// each file strictly ("0x" + 4 hex digits, class 6, optional newline). Errors name the file:
// input.missing-directory (no <root>/bus/pci/devices), input.missing-file, input.bad-hex,
// input.bad-address (a directory name that is not a PCI address). Files are read with a
// small size bound; links are followed as the kernel lays them out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/pci_device.h"

namespace aa {

Result<std::vector<PciDevice>> read_sysfs_pci(const std::string& root);

// Parses one sysfs ID file body; `file` names it in the error.
Result<uint32_t> parse_sysfs_id_file(std::string_view body, size_t digits, const std::string& file);

}  // namespace aa
