// libFuzzer target: the inventory JSON parser (strict JSON plus the inventory shape).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "inventory/inventory_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = aa::parse_inventory_json(text, "fuzz.json");
  if (!r.ok() && (r.error().code.empty() || r.error().field.rfind("fuzz.json#", 0) != 0)) {
    std::abort();
  }
  if (r.ok() && r->devices.size() != r->class_known.size()) std::abort();
  return 0;
}
