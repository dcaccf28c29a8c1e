// libFuzzer target: the npu-smi output parser must accept or reject any text without crashing;
// every rejection carries a code and a field, every chip it returns a normalized bus ID or none.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ascend/npu_smi.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = aa::ascend::parse_npu_smi(text, "fuzz");
  if (!r.ok()) {
    if (r.error().code.empty() || r.error().field.empty()) std::abort();
    return 0;
  }
  for (const auto& c : *r)
    if (!c.bus_id.empty() && c.bus_id.size() != 12) std::abort();
  return 0;
}
