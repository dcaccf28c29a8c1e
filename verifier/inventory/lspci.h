// Parses the machine-readable output of `lspci -nmm -D`.
//
// Each line: SLOT "CLASS" "VENDOR" "DEVICE" [-rREV] [-pPROGIF] "SVENDOR" "SDEVICE", e.g.
//   0000:18:00.0 "0302" "10de" "2330" -ra1 "10de" "16c1"
// Subsystem fields may be empty (""). Blank lines are skipped.
//
// Contract: every other shape is rejected with input.bad-lspci-line naming "origin:LINE" and
// the field (slot, class, vendor, device, subsystem vendor, subsystem device, option), with
// at most 1 MiB of input and 4096 devices.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/pci_device.h"

namespace aa {

Result<std::vector<PciDevice>> parse_lspci_nmm(std::string_view text, const std::string& origin);

}  // namespace aa
