// libFuzzer target: a PCR file beside a quote (raw digests, tpm2-tools' serialized or marshaled
// form) against a few signed selections must be read or refused with a coded error, never
// crash or read past the buffer.
#include <cstdint>
#include <cstdlib>

#include "tpm/pcrs.h"

namespace {

TPML_PCR_SELECTION selection(std::initializer_list<std::pair<TPMI_ALG_HASH, uint32_t>> banks) {
  TPML_PCR_SELECTION s{};
  for (const auto& [alg, mask] : banks) {
    TPMS_PCR_SELECTION& b = s.pcrSelections[s.count++];
    b.hash = alg;
    b.sizeofSelect = 3;
    b.pcrSelect[0] = static_cast<BYTE>(mask);
    b.pcrSelect[1] = static_cast<BYTE>(mask >> 8);
    b.pcrSelect[2] = static_cast<BYTE>(mask >> 16);
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const TPML_PCR_SELECTION sels[] = {
      selection({{TPM2_ALG_SHA256, 0x1}}),
      selection({{TPM2_ALG_SHA256, 0x1}, {TPM2_ALG_SHA1, 0x3}}),
      selection({{TPM2_ALG_SHA256, 0xffffff}}),
      selection({{TPM2_ALG_SHA384, 0x10001}, {TPM2_ALG_SHA512, 0x80}}),
  };
  aa::ByteView b(data, size);
  for (const auto& s : sels) {
    auto f = aa::tpm::parse_pcr_file(b, s, "fuzz.pcrs");
    if (!f.ok() && (f.error().code.empty() || f.error().field.empty())) std::abort();
  }
  return 0;
}
