// The host side of TPM attestation, through tpm2-tss ESYS: read the EK and its certificate,
// create an AK under the EK, answer a credential challenge, and quote. This runs on the host
// being attested (or against swtpm in the tests), never inside the verifier.
//
// Contract: TpmHost::open() connects through a TCTI configuration string
// ("swtpm:host=127.0.0.1,port=2321", "device:/dev/tpmrm0"). Every TPM object and session the
// host creates is flushed when it is destroyed. Errors (code tpm.host) carry the TPM response
// code in words (Tss2_RC_Decode).
//   - ek(): the RSA EK at the TCG persistent handle 0x81010001 when present, else created with
//     the TCG default template L-1; ecc_ek(): created with the default template L-2 (P-256).
//     Both EKs have the authPolicy PolicySecret(TPM_RH_ENDORSEMENT).
//   - create_ak(): a restricted signing key (RSA-2048 RSASSA-SHA256 or ECC P-256
//     ECDSA-SHA256) under the EK, attributes 0x00050072.
//   - activate(): TPM2_ActivateCredential with the AK and the EK; returns the secret.
//   - quote(): TPM2_Quote over `selection` with qualifyingData = `extra_data`, and the PCR
//     values read in selection order (raw digests).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_tcti.h>

#include "core/bytes.h"
#include "core/result.h"

namespace aa::tpm {

class TpmHost {
 public:
  static Result<std::unique_ptr<TpmHost>> open(const std::string& tcti);
  ~TpmHost();
  TpmHost(const TpmHost&) = delete;
  TpmHost& operator=(const TpmHost&) = delete;

  struct Key {
    ESYS_TR handle = ESYS_TR_NONE;
    TPM2B_PUBLIC pub{};
  };

  Result<Key> ek();
  Result<Key> ecc_ek();
  Result<std::optional<Bytes>> nv_read(TPM2_HANDLE index);  // nullopt: no such index
  Result<Key> create_ak(ESYS_TR ek, bool ecc);
  // Makes a loaded AK persistent at `handle` (0x81000000..0x81ffffff); fails if it is taken.
  Status persist(const Key& ak, TPM2_HANDLE handle);
  // A persistent key (an AK made persistent earlier).
  Result<Key> load_persistent(TPM2_HANDLE handle);
  Result<Bytes> activate(ESYS_TR ak, ESYS_TR ek, const TPM2B_ID_OBJECT& blob,
                         const TPM2B_ENCRYPTED_SECRET& secret);
  Status extend_sha256(unsigned pcr, ByteView digest);

  struct QuoteOut {
    Bytes attest, signature, pcrs;
  };
  Result<QuoteOut> quote(ESYS_TR ak, ByteView extra_data, const TPML_PCR_SELECTION& selection);

 private:
  TpmHost() = default;
  Result<ESYS_TR> ek_policy_session();
  Result<Key> create_primary_ek(bool ecc);

  TSS2_TCTI_CONTEXT* tcti_ = nullptr;
  ESYS_CONTEXT* esys_ = nullptr;
  std::vector<ESYS_TR> transient_;
};

// Marshal helpers for files the verifier reads.
Bytes marshal_public(const TPM2B_PUBLIC& pub);

// "BANK:I,J,..." (sha1, sha256 or sha384; PCRs 0..23) as a selection; input.bad-value naming
// `option` otherwise.
Result<TPML_PCR_SELECTION> parse_pcr_selection(const std::string& text,
                                               const std::string& option = "--pcrs");

// What a host ships of one quote: the quote, its signature and PCR values, the AK's public area
// and Name, the EK's public area and, when the TPM holds one, the EK certificate (NV 0x01c00002).
struct HostQuote {
  Bytes attest, signature, pcrs, ak_public, ak_name, ek_public;
  std::optional<Bytes> ek_certificate;
};

// The one quote path of `tpm quote` and `collect`: opens the TPM at `tcti`, reads the EK, takes
// the persistent AK at `persistent_ak` or creates a fresh one under the EK (RSA-2048, or P-256
// with `ecc`), and quotes `selection` with qualifyingData `extra_data` (the caller computes it:
// the nonce, or the binding of docs/inventory-binding.md). tpm.host errors as above.
Result<HostQuote> quote_host(const std::string& tcti, ByteView extra_data,
                             const TPML_PCR_SELECTION& selection,
                             std::optional<TPM2_HANDLE> persistent_ak, bool ecc);

}  // namespace aa::tpm
