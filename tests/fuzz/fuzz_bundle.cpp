// libFuzzer target: the evidence bundle v1 parser must accept or reject any bytes without
// crashing; every rejection carries a code and a field.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bundle/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto b = aa::parse_bundle(text, "fuzz");
  if (!b.ok() && (b.error().code.empty() || b.error().field.empty())) std::abort();
  return 0;
}
