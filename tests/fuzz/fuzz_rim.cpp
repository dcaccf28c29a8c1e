// libFuzzer target: the RIM (SWID XML) parser must accept or reject any document without
// crashing or touching the network; a parsed RIM then goes through XML-DSig verification with
// its own first certificate's key, which must return a verdict, never crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rim/swid_rim.h"
#include "rim/xmldsig.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto r = aa::rim::parse_rim(xml, "fuzz.xml");
  if (!r.ok()) {
    if (r.error().code.empty() || r.error().field.empty()) std::abort();
    return 0;
  }
  auto s = aa::rim::verify_rim_signature(*r, X509_get0_pubkey(r->certs[0].get()));
  if (!s.ok() && s.error().code.empty()) std::abort();
  return 0;
}
