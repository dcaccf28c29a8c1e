// XML-DSig verification of a parsed RIM with libxmlsec1 (OpenSSL back end).
//
// Contract: verify_rim_signature() accepts exactly NVIDIA's profile and nothing looser:
// one Signature element, a child of the root; one Reference with URI="" (the whole
// document); reference transforms enveloped-signature and C14N 1.1 only; digest SHA-384;
// SignedInfo canonicalised with C14N 1.1; signature method ecdsa-sha384. The key is the one
// given (the caller has validated the signer certificate's chain); KeyInfo is never used to
// find a key and no URI is ever dereferenced. Errors: rim.signature-invalid (digest or
// signature does not verify, or `key` is null), rim.signature-profile (the signature is not of that
// shape).
#pragma once

#include <openssl/evp.h>

#include "core/result.h"
#include "rim/swid_rim.h"

namespace aa::rim {

Status verify_rim_signature(const Rim& rim, EVP_PKEY* key);

}  // namespace aa::rim
