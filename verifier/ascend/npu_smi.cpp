#include "ascend/npu_smi.h"

#include <cctype>

#include "core/text.h"
#include "inventory/pci_device.h"

namespace aa::ascend {

namespace {

constexpr size_t kMaxText = 1u << 20;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<int> small_int(std::string_view s) {
  if (s.empty() || s.size() > 6) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool placeholder(std::string_view v) {
  return v.empty() || v == "xxx" || v == "NA" || v == "-" || v == "N/A";
}

std::vector<std::string_view> cells(std::string_view line) {
  std::vector<std::string_view> out;
  line = trim(line);
  if (line.size() < 2 || line.front() != '|') return out;
  line.remove_prefix(1);
  while (!line.empty()) {
    size_t bar = line.find('|');
    out.push_back(trim(line.substr(0, bar)));
    if (bar == std::string_view::npos) break;
    line.remove_prefix(bar + 1);
  }
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

NpuChip* find_bus(std::vector<NpuChip>& chips, const std::string& bus) {
  for (auto& c : chips)
    if (!bus.empty() && c.bus_id == bus) return &c;
  return nullptr;
}

struct Board {
  std::optional<int> npu_id;
  std::string name, bus, serial, origin;
};

void merge_board(std::vector<NpuChip>& chips, const Board& b) {
  if (b.bus.empty()) return;
  NpuChip* c = find_bus(chips, b.bus);
  if (!c) {
    NpuChip n;
    n.npu_id = b.npu_id.value_or(-1);
    n.bus_id = b.bus;
    n.origin = b.origin;
    chips.push_back(n);
    c = &chips.back();
  }
  if (c->name.empty() && !b.name.empty()) c->name = b.name;
  if (!b.serial.empty()) c->serial = b.serial;
}

}  // namespace

Result<std::vector<NpuChip>> parse_npu_smi(std::string_view text, const std::string& origin) {
  if (text.size() > kMaxText) {
    return make_error("npu-smi.too-large", origin,
                      std::to_string(text.size()) + " bytes; the limit is 1 MiB");
  }
  std::vector<NpuChip> chips;
  std::optional<NpuChip> npu;  // the NPU row awaiting its chip rows
  Board board;
  size_t line_no = 0;
  auto at = [&] { return origin + ":" + std::to_string(line_no); };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    auto c = cells(line);
    if (c.size() >= 2) {
      auto w = words(c[0]);
      if (w.empty() || !std::isdigit(static_cast<unsigned char>(w[0][0]))) continue;  // header
      auto id = small_int(w[0]);
      if (!id)
        return make_error("npu-smi.bad-row", at(), "id " + printable(w[0]) + " is not a number");
      auto second = w.size() > 1 ? small_int(w[1]) : std::nullopt;
      std::string_view bus_cell = c[1];
      auto bus = normalize_pci_address(bus_cell);
      if (bus) {  // a chip row: "<chip> [<phy>] | <bus id>"
        if (!npu) return make_error("npu-smi.bad-row", at(), "a chip row before any NPU row");
        NpuChip chip = *npu;
        chip.chip_id = *id;
        chip.phy_id = second;
        chip.bus_id = *bus;
        chip.origin = at();
        chips.push_back(chip);
        continue;
      }
      if (bus_cell.find(':') != std::string_view::npos) {
        return make_error("npu-smi.bad-row", at(),
                          "bus ID " + printable(bus_cell) + " is not DDDD:BB:DD.F");
      }
      if (w.size() > 2) {
        return make_error("npu-smi.bad-row", at(), "neither an NPU row nor a chip row");
      }
      NpuChip n;  // an NPU row: "<npu id> <name> | <health>" (a name may be all digits: "310")
      n.npu_id = *id;
      n.name = w.size() == 2 && !placeholder(w[1]) ? std::string(w[1]) : std::string();
      n.health = std::string(bus_cell);
      npu = n;
      continue;
    }
    size_t colon = line.find(" : ");
    if (colon == std::string_view::npos) continue;
    std::string_view key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 3));
    if (key == "NPU ID") {
      merge_board(chips, board);
      board = Board{};
      board.npu_id = small_int(value);
      board.origin = at();
    } else if ((key == "Chip Name" || key == "NPU Name") && !placeholder(value) &&
               board.name.empty()) {
      board.name = std::string(value);
    } else if (key == "Serial Number" && !placeholder(value)) {
      board.serial = std::string(value);
    } else if (key == "PCIe Bus Info") {
      auto bus = normalize_pci_address(value);
      if (!bus)
        return make_error("npu-smi.bad-row", at(),
                          "PCIe Bus Info " + printable(value) + " is not DDDD:BB:DD.F");
      board.bus = *bus;
    }
  }
  merge_board(chips, board);
  if (chips.empty()) return make_error("npu-smi.no-devices", origin, "no NPU with a bus ID found");
  return chips;
}

const NpuChip* chip_at(const std::vector<NpuChip>& chips, const std::string& address) {
  for (const auto& c : chips)
    if (c.bus_id == address) return &c;
  return nullptr;
}

}  // namespace aa::ascend
