// libFuzzer target: the attestation chain as NVML's buffer holds it (PEM text or concatenated
// DER) must convert to PEM or be rejected with nvml.bad-output naming the field; whatever it
// returns must parse again as a non-empty PEM chain.
#include <cstdint>
#include <cstdlib>

#include "collect/nvml_gpu.h"
#include "crypto/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = aa::nvidia::chain_pem_from_nvml(aa::ByteView(data, size));
  if (!r.ok()) {
    if (r.error().code != "nvml.bad-output" || r.error().field.empty()) std::abort();
    return 0;
  }
  auto again = aa::x509::parse_pem_chain(*r, "again");
  if (!again || again->empty()) std::abort();
  return 0;
}
