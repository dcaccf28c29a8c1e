// A minimal, bounded DER reader for the few certificate extensions read field by field.
//
// Contract: der_read() reads one TLV at `pos` (single-byte tags, definite lengths up to four
// length bytes) and advances `pos`; it returns nullopt, without reading past `in`, when the
// TLV is malformed or overruns. der_children() splits a constructed value into its TLVs and
// fails if any is malformed or bytes are left over.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.h"

namespace aa::der {

inline constexpr uint8_t kSequence = 0x30;
inline constexpr uint8_t kOctetString = 0x04;
inline constexpr uint8_t kOid = 0x06;

struct Tlv {
  uint8_t tag = 0;
  ByteView content;
};

std::optional<Tlv> read(ByteView in, size_t& pos);
std::optional<std::vector<Tlv>> children(ByteView constructed);

}  // namespace aa::der
