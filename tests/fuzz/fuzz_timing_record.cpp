// libFuzzer target: a landmark's timing record payload and a host's location evidence file
// (both untrusted until verified) must be accepted or rejected without crashing; rejections
// name the field, accepted records are internally consistent.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "location/probe.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ev = aa::location::parse_location_evidence(text, "fuzz");
  if (!ev.ok() && (ev.error().code.empty() || ev.error().field.empty())) std::abort();
  auto j = aa::parse_json_strict(text, "fuzz");
  if (!j) return 0;
  auto r = aa::location::parse_timing_record(*j, "fuzz");
  if (!r.ok()) {
    if (r.error().code.empty() || r.error().field.empty()) std::abort();
    return 0;
  }
  int64_t min = INT64_MAX;
  for (const auto& p : r->probes) min = std::min(min, p.rtt_ns);
  if (r->probes.empty() || min != r->rtt_min_ns) std::abort();
  return 0;
}
