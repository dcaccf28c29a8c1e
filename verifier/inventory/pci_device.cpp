#include "inventory/pci_device.h"

#include "core/text.h"

namespace aa {

std::optional<std::string> normalize_pci_address(std::string_view s) {
  // domain(4) ':' bus(2) ':' device(2) '.' function(1)
  if (s.size() != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.') return std::nullopt;
  auto dom = parse_hex_exact(s.substr(0, 4), 4);
  auto bus = parse_hex_exact(s.substr(5, 2), 2);
  auto dev = parse_hex_exact(s.substr(8, 2), 2);
  auto fn = parse_hex_exact(s.substr(11, 1), 1);
  if (!dom || !bus || !dev || !fn || *dev > 0x1f || *fn > 7) return std::nullopt;
  return to_hex(*dom, 4) + ":" + to_hex(*bus, 2) + ":" + to_hex(*dev, 2) + "." + to_hex(*fn, 1);
}

}  // namespace aa
