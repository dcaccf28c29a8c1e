// Huawei `npu-smi` output, as a host reports it about its Ascend NPUs.
//
// Contract: parse_npu_smi() reads untrusted text (at most 1 MiB) and returns one entry per chip
// found, from either shape npu-smi prints:
//   - the `npu-smi info` table: an NPU row "| <npu id> <name> | <health> | ..." followed by chip
//     rows "| <chip id> [<phy id>] | <bus id> | ..." (one per die on dual-die parts);
//   - `npu-smi info -t board` blocks of "Key : Value" lines: "NPU ID", "Chip Name", "NPU Name",
//     "Serial Number", "PCIe Bus Info".
// Board blocks are joined to table rows by bus ID; a block for a bus the table lacks adds an
// entry. Placeholder values in vendor documentation ("xxx", "NA", "-") count as absent. Lines of
// other shapes (help text, topology, usage) are ignored. Errors (docs/findings.md, npu-smi.*):
// npu-smi.too-large, npu-smi.bad-row (a table row whose id or bus field is not one), and
// npu-smi.no-devices; each names "origin:line". Everything returned is a claim (`reported`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace aa::ascend {

struct NpuChip {
  int npu_id = -1, chip_id = 0;
  std::optional<int> phy_id;
  std::string name;                   // "910B3", "Ascend910", "" when not printed
  std::string bus_id;                 // normalized "0000:c1:00.0"; "" when not printed
  std::string health;                 // "OK", "Warning", ...
  std::optional<std::string> serial;  // board "Serial Number"
  std::string origin;                 // "origin:line"
};

Result<std::vector<NpuChip>> parse_npu_smi(std::string_view text, const std::string& origin);

// The chip whose bus ID is `address` (normalized), or null.
const NpuChip* chip_at(const std::vector<NpuChip>& chips, const std::string& address);

}  // namespace aa::ascend
