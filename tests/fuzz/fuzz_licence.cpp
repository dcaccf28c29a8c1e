// libFuzzer target: the licence file parser (a file an exporter's tooling writes, read by the
// verifier) must accept or reject any bytes without crashing, naming the field when it rejects.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/export_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = aa::parse_licence(text, "fuzz");
  if (!r.ok() && (r.error().code.empty() || r.error().field.empty())) std::abort();
  if (r.ok() && r->destination.size() != 2) std::abort();
  return 0;
}
