// libFuzzer target: NVIDIA serialized evidence JSON and the device certificate chain inside it
// (PEM parsing, the device-ID SAN and both FWID extension shapes) must never crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/x509.h"
#include "nvidia/device_cert.h"
#include "nvidia/evidence_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = aa::nvidia::parse_serialized_evidence(text, "fuzz.json");
  if (!list.ok() && (list.error().code.empty() || list.error().field.empty())) std::abort();
  // The same bytes as a PEM chain.
  auto chain = aa::x509::parse_pem_chain(text, "fuzz.pem", 8);
  if (chain.ok()) {
    for (const auto& c : *chain) {
      (void)aa::nvidia::device_id(c.get());
      (void)aa::nvidia::cert_fwid(c.get(), "2.23.133.5.4.1");
      (void)aa::nvidia::cert_fwid(c.get(), "2.23.133.5.4.1.1");
    }
  } else if (chain.error().code.empty()) {
    std::abort();
  }
  return 0;
}
