// TPM 2.0 quote structures, parsed with libtss2-mu and checked by us, since libtss2-mu 3.2.1
// checks neither the magic nor the type nor trailing bytes (research: tpm-attestation.md 1.2).
//
// Contract:
//   - parse_attest(): a TPMS_ATTEST (the bytes the TPM signed, as `tpm2_quote -m` writes them).
//     Rejects, each with its own code: bytes libtss2-mu cannot unmarshal (tpm.malformed), a magic
//     other than 0xff544347 (tpm.bad-magic), a type other than TPM_ST_ATTEST_QUOTE 0x8018
//     (tpm.wrong-type), bytes after the structure (tpm.trailing-bytes).
//   - parse_signature(): a TPMT_SIGNATURE (`tpm2_quote -s`), no trailing bytes.
//   - parse_public(): a TPM2B_PUBLIC (`tpm2_createak -u`, `tpm2_readpublic -f tss`), a bare
//     TPMT_PUBLIC, or a PEM public key (then the TPM attributes are unknown).
//   - ak_name(): nameAlg || H_nameAlg(marshalled TPMT_PUBLIC).
//   - verify_quote_signature(): RSASSA (PKCS#1 v1.5), RSAPSS (any salt length) and ECDSA over
//     the signature's hash of the message; every other scheme is refused (tpm.signature-scheme);
//     the scheme must fit the key type. Result: Ok or tpm.signature-invalid.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <tss2/tss2_tpm2_types.h>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/ossl.h"

namespace aa::tpm {

struct Quote {
  Bytes message;  // the TPMS_ATTEST bytes exactly as signed
  TPMS_ATTEST attest{};
  const TPML_PCR_SELECTION& selection() const { return attest.attested.quote.pcrSelect; }
  ByteView pcr_digest() const {
    return {attest.attested.quote.pcrDigest.buffer, attest.attested.quote.pcrDigest.size};
  }
  ByteView extra_data() const { return {attest.extraData.buffer, attest.extraData.size}; }
};

struct Public {
  std::optional<TPMT_PUBLIC> area;  // absent when the key came as PEM
  Bytes name;                       // empty when the key came as PEM
  ossl::PKey key;
  std::string description;  // "RSA-2048", "ECC P-256", ...
};

Result<Quote> parse_attest(ByteView bytes, const std::string& origin);
Result<TPMT_SIGNATURE> parse_signature(ByteView bytes, const std::string& origin);
Result<Public> parse_public(ByteView bytes, const std::string& origin);

// The EVP key of a TPM public area (RSA with its exponent, 0 meaning 65537; ECC P-256/P-384).
Result<ossl::PKey> public_key(const TPMT_PUBLIC& area, const std::string& origin);
Bytes ak_name(const TPMT_PUBLIC& area);

// restricted, sign, fixedTPM, fixedParent and sensitiveDataOrigin all set: a key that signs
// only TPM-made structures and never leaves this TPM.
inline constexpr TPMA_OBJECT kAttestationKeyAttributes =
    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_FIXEDTPM |
    TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN;
inline bool is_attestation_key(const TPMT_PUBLIC& area) {
  return (area.objectAttributes & kAttestationKeyAttributes) == kAttestationKeyAttributes;
}

// OpenSSL digest for a TPM hash algorithm, null for unsupported ones.
const EVP_MD* digest_for(TPMI_ALG_HASH alg);
const char* hash_name(TPMI_ALG_HASH alg);  // "sha256", ..., "unknown"

Status verify_quote_signature(const TPMT_SIGNATURE& sig, EVP_PKEY* key, ByteView message,
                              const std::string& origin);

// PCR indices selected in one bank, ascending.
std::vector<unsigned> selected_pcrs(const TPMS_PCR_SELECTION& s);

}  // namespace aa::tpm
