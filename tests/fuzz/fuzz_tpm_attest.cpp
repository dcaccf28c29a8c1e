// libFuzzer target: TPMS_ATTEST (quote) parsing, and the PCR-file parser against the parsed
// quote's selection; any bytes, no crash, every rejection with a code and a field.
#include <cstdint>
#include <cstdlib>

#include "tpm/pcrs.h"
#include "tpm/quote.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  aa::ByteView b(data, size);
  auto q = aa::tpm::parse_attest(b, "fuzz");
  if (!q.ok()) {
    if (q.error().code.empty() || q.error().field.empty()) std::abort();
    return 0;
  }
  auto p = aa::tpm::parse_pcr_file(b, q->selection(), "fuzz");
  if (!p.ok() && p.error().code.empty()) std::abort();
  return 0;
}
