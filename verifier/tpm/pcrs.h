// PCR values that come beside a quote, and the PCR policy they are judged against.
//
// Contract: parse_pcr_file() accepts three forms and nothing else (tpm.bad-pcr-file otherwise):
//   - raw digests concatenated in the order of the *signed* selection (banks in selection order,
//     indices ascending), as `tpm2_pcrread -o` writes them;
//   - the PCR file `tpm2_quote -o` of tpm2-tools 5.4 writes: the in-memory TPML_PCR_SELECTION
//     (132 bytes, little-endian), a u32 count n, then n TPML_DIGEST (u32 count, 8 x {u16 size,
//     64-byte buffer}) (`-F serialized`, the default);
//   - the PCR file later tpm2-tools write with `-F marshaled`: the same sequence in the TSS2
//     wire form (big-endian, TPML_PCR_SELECTION with sizeofSelect bytes per bank, u32 count,
//     TPML_DIGEST of TPM2B_DIGEST), read to its exact end.
//   Their own selection is unsigned: it is returned so the appraiser can compare it with the
//   signed one (CVE-2024-29039), never used to label values.
// Detection is by form, never by trial: a file of exactly the size the signed selection's raw
// digests take is raw (a tpm2-tools file of that selection is always larger: each digest carries
// a size field and every list a count); a serialized file starts with its little-endian bank
// count (1..16, so bytes c,0,0,0) and has the fixed size 136 + 532 x lists; a marshaled one
// starts with the big-endian count (0,0,0,c). The two cannot both hold.
// Values are always labelled from the signed selection.
//
// load_pcr_policy(): JSON {"schema": "accel-attest/pcr-policy/v1", "banks": {"sha256":
// {"0": ["hex", ...], ...}}}: per bank and PCR index, the list of allowed values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tss2/tss2_tpm2_types.h>

#include "core/bytes.h"
#include "core/result.h"

namespace aa::tpm {

struct PcrValue {
  TPMI_ALG_HASH bank = 0;
  unsigned index = 0;
  Bytes digest;
};

struct PcrFile {
  std::vector<PcrValue> values;                      // in signed-selection order
  std::optional<TPML_PCR_SELECTION> file_selection;  // tpm2-tools form only
  std::string form;  // "raw", "tpm2-tools" or "tpm2-tools-marshaled"
};

Result<PcrFile> parse_pcr_file(ByteView bytes, const TPML_PCR_SELECTION& signed_selection,
                               const std::string& origin);

// True when both selections name the same banks in the same order with the same PCRs.
bool same_selection(const TPML_PCR_SELECTION& a, const TPML_PCR_SELECTION& b);
std::string selection_text(const TPML_PCR_SELECTION& s);  // "sha256:0,1,2,16"

struct PcrPolicy {
  // bank hash name ("sha256") -> PCR index -> allowed values
  std::map<std::string, std::map<unsigned, std::vector<Bytes>>> allowed;
};

Result<PcrPolicy> load_pcr_policy(std::string_view json, const std::string& origin);

}  // namespace aa::tpm
