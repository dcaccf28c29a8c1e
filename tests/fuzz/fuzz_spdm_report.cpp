// libFuzzer target: the SPDM measurement-report parser and NVIDIA's opaque TLV parser (GPU and
// NVSwitch tables) must accept or reject any bytes without crashing; every rejection carries a
// code and a field, and an accepted report's signed region lies inside the buffer.
#include <cstdint>
#include <cstdlib>

#include "nvidia/opaque.h"
#include "spdm/measurements.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  aa::ByteView blob(data, size);
  auto r = aa::spdm::parse_measurement_report(blob, 96, "fuzz");
  if (!r.ok()) {
    if (r.error().code.empty() || r.error().field.empty()) std::abort();
    return 0;
  }
  if (r->signed_length + r->signature.size() + r->trailing_zeros != size) std::abort();
  for (auto kind : {aa::nvidia::DeviceKind::kGpu, aa::nvidia::DeviceKind::kSwitch}) {
    auto op = aa::nvidia::parse_opaque_data(r->opaque, r->opaque_offset, kind, "fuzz");
    if (!op.ok() && (op.error().code.empty() || op.error().field.empty())) std::abort();
  }
  return 0;
}
