// libFuzzer target: TCG PC Client event-log parsing (crypto-agile and SHA-1) and replay into
// every bank; any bytes, no crash, rejections name the event.
#include <cstdint>
#include <cstdlib>

#include "tpm/eventlog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto log = aa::tpm::parse_event_log(aa::ByteView(data, size), "fuzz");
  if (!log.ok()) {
    if (log.error().code.empty() || log.error().field.empty()) std::abort();
    return 0;
  }
  for (const auto& [bank, digest_size] : log->banks) (void)aa::tpm::replay(*log, bank);
  return 0;
}
