// EK certificates and the TPM vendor anchors they chain to (certs/tpm/).
//
// Contract: the anchors come from tpm/ek_anchors.h (EkAnchors::load()). check_ek_certificate()
// builds a path from the EK certificate to an anchor at `at` and, when the EK public area is
// known, requires the
// certificate to carry exactly that key. A failure says precisely why: which issuer is missing
// from the store, an expired certificate, a key that is not the EK's (codes tpm.ek-cert-*).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <tss2/tss2_tpm2_types.h>

#include "core/bytes.h"
#include "core/finding.h"
#include "core/result.h"
#include "crypto/ossl.h"
#include "tpm/ek_anchors.h"

namespace aa::tpm {

// An EK certificate: PEM, or DER as read from TPM NV, possibly followed by NV fill (all 0xFF or all
// 0x00, seen on STMicro parts); `padding` gets the number of fill bytes. Other trailing bytes,
// or no certificate, are an error (crypto.bad-certificate).
Result<ossl::X509Ptr> parse_ek_certificate(ByteView der, const std::string& origin,
                                           size_t* padding = nullptr);

struct EkCheck {
  bool ok = false;
  std::vector<std::string> path;  // subject CNs, leaf first
  std::vector<Finding> findings;
  bool has_ek_eku = false;  // EKU 2.23.133.8.1 (tcg-kp-EKCertificate)
};

EkCheck check_ek_certificate(const X509* cert, const std::optional<TPMT_PUBLIC>& ek,
                             const EkAnchors& anchors, std::time_t at);

}  // namespace aa::tpm
