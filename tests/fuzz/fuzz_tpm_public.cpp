// libFuzzer target: TPM2B_PUBLIC / TPMT_PUBLIC / PEM public-key parsing and the AK Name; any
// bytes, no crash.
#include <cstdint>
#include <cstdlib>

#include "tpm/quote.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto p = aa::tpm::parse_public(aa::ByteView(data, size), "fuzz");
  if (!p.ok()) {
    if (p.error().code.empty() || p.error().field.empty()) std::abort();
    return 0;
  }
  if (!p->key) std::abort();
  if (p->area) (void)aa::tpm::ak_name(*p->area);
  return 0;
}
