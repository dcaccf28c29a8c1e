#include "rim/rim_store.h"

#include <filesystem>

#include "core/text.h"

namespace aa::rim {

bool is_storable_rim_id(std::string_view id) {
  bool ok = !id.empty() && id[0] != '.' && id.size() <= 128;
  for (char c : id) {
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-');
  }
  return ok;
}

Result<std::optional<std::string>> RimStore::find(const std::string& id) const {
  if (!is_storable_rim_id(id))
    return make_error("rim.bad-id", id, "not a RIM ID that can name a file");
  std::filesystem::path p = std::filesystem::path(dir_) / (id + ".xml");
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return std::optional<std::string>{};
  AA_TRY(body, read_file(p.string(), 4u << 20));
  return std::optional<std::string>(std::move(body));
}

}  // namespace aa::rim
