// libFuzzer target: the `lspci -nmm -D` parser must accept or reject any bytes without crashing,
// and every rejection must carry a code and a field.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "inventory/lspci.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = aa::parse_lspci_nmm(text, "fuzz");
  if (!r.ok() && (r.error().code.empty() || r.error().field.empty())) std::abort();
  return 0;
}
