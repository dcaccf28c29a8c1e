// TPM2_MakeCredential done by the verifier, in software (TPM 2.0 Part 1, 24 "Credential
// Protection"; Part 3, 12.6): wraps a secret so that only the TPM holding the EK, and only for
// the object with the given Name (the AK), can recover it with TPM2_ActivateCredential.
//
// Contract: make_credential() supports RSA EKs (seed encrypted with RSA-OAEP, label
// "IDENTITY\0", the EK's nameAlg) and ECC EKs on P-256 and P-384 (an ephemeral ECDH key; seed =
// KDFe(nameAlg, Z, "IDENTITY", ephemeral x, EK x)); then symKey = KDFa(nameAlg, seed,
// "STORAGE", name, "", EK symmetric key bits), encIdentity = AES-CFB(symKey, IV 0,
// TPM2B_DIGEST(secret)), HMACkey = KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits),
// integrity = HMAC(HMACkey, encIdentity || name). `secret` is at most the nameAlg digest size.
// Errors: tpm.bad-key (EK type, curve or symmetric scheme not supported).
#pragma once

#include <tss2/tss2_tpm2_types.h>

#include "core/bytes.h"
#include "core/result.h"

namespace aa::tpm {

struct Credential {
  TPM2B_ID_OBJECT blob{};
  TPM2B_ENCRYPTED_SECRET secret{};
};

Result<Credential> make_credential(const TPMT_PUBLIC& ek, ByteView ak_name, ByteView secret);

// KDFa of SP 800-108 counter mode with HMAC, as TPM 2.0 Part 1, 11.4.10.2 defines it.
Bytes kdfa(TPMI_ALG_HASH alg, ByteView key, const char* label, ByteView context_u,
           ByteView context_v, size_t bits);

}  // namespace aa::tpm
