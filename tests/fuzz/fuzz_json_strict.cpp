// libFuzzer target: the strict JSON reader shared by every JSON input (duplicate keys, depth,
// size limits).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  aa::JsonLimits limits;
  limits.max_depth = 16;
  limits.max_string = 4096;
  auto r = aa::parse_json_strict(text, "fuzz", limits);
  if (!r.ok() && r.error().field.rfind("fuzz#", 0) != 0) std::abort();
  if (r.ok()) (void)r->dump();
  return 0;
}
