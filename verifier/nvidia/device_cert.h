// What the NVIDIA device certificates say about the device.
//
// Contract (facts from NVIDIA's chains, see docs/research/nvidia-attestation.md section 2):
//   - device_id(): the leaf SubjectAltName otherName 1.3.6.1.4.1.412.274.1, a UTF8String
//     "NVIDIA:<die>:<16 hex>"; `die` is its middle part (GH100, GB100, GB20X, LS_10);
//   - cert_fwid(): the firmware ID the leaf certifies. For OID 2.23.133.5.4.1 (Hopper,
//     NVSwitch) the extension is SEQUENCE { INTEGER, SubjectPublicKeyInfo, SEQUENCE { OID,
//     OCTET STRING } } and the FWID is that last OCTET STRING; for 2.23.133.5.4.1.1 (Blackwell,
//     a DICE TcbInfo) it is the digest of the first entry of the [6] fwids list. nullopt when
//     the extension is absent or not of that shape.
#pragma once

#include <optional>
#include <string>

#include <openssl/x509.h>

#include "core/bytes.h"

namespace aa::nvidia {

struct DeviceId {
  std::string text;  // "NVIDIA:GH100:48B02D92494BADF4"
  std::string die;   // "GH100"
};

std::optional<DeviceId> device_id(const X509* leaf);

std::optional<Bytes> cert_fwid(const X509* leaf, const std::string& oid);

}  // namespace aa::nvidia
