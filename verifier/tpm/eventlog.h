// TCG PC Client firmware event logs (the UEFI measured-boot log, binary_bios_measurements) and
// their replay into PCR values.
//
// Contract: parse_event_log() reads the crypto-agile format (a first SHA-1-format event whose
// data is the "Spec ID Event03" header listing the banks and digest sizes, then
// TCG_PCR_EVENT2 records) and the older SHA-1-only format (TCG_PCR_EVENT records). Every length
// is checked against the buffer; errors (tpm.bad-eventlog) name the event number and offset.
// replay() extends every event except EV_NO_ACTION into its PCR, per bank, starting from zero,
// except that a StartupLocality EV_NO_ACTION event in PCR 0 sets PCR 0's initial last byte to
// the locality. The event type is not covered by the digest, so nothing here trusts it beyond
// the replay rule (research: go-attestation event-log disclosure).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <tss2/tss2_tpm2_types.h>

#include "core/bytes.h"
#include "core/result.h"

namespace aa::tpm {

inline constexpr uint32_t kEvNoAction = 3;

struct LogEvent {
  uint32_t pcr = 0;
  uint32_t type = 0;
  std::map<TPMI_ALG_HASH, Bytes> digests;
  Bytes data;
  size_t offset = 0;
};

struct EventLog {
  bool crypto_agile = false;
  std::map<TPMI_ALG_HASH, uint16_t> banks;  // from the Spec ID header (SHA-1 only otherwise)
  std::vector<LogEvent> events;
};

Result<EventLog> parse_event_log(ByteView bytes, const std::string& origin);

// PCR values after replaying `log` in `bank`: index -> value, for every PCR an event touches.
std::map<unsigned, Bytes> replay(const EventLog& log, TPMI_ALG_HASH bank);

}  // namespace aa::tpm
