#include "rim/rim_source.h"

namespace aa::rim {

Result<std::optional<std::string>> MemoryRimSource::find(const std::string& rim_id) const {
  auto it = rims_.find(rim_id);
  if (it == rims_.end()) return std::optional<std::string>{};
  return std::optional<std::string>(it->second);
}

std::string MemoryRimSource::origin(const std::string& rim_id) const {
  return name_ + "/" + rim_id + ".xml";
}

}  // namespace aa::rim
