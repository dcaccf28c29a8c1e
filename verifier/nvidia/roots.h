// The pinned NVIDIA trust anchors, compiled in from certs/nvidia/ (see certs/nvidia/SOURCES.md).
//
// Contract: both functions return a certificate that lives for the whole process; they abort
// only if the build embedded something that is not one PEM certificate (a build error).
#pragma once

#include <openssl/x509.h>

namespace aa::nvidia {

const X509* pinned_device_root();  // CN=NVIDIA Device Identity CA
const X509* pinned_rim_root();     // CN=NVIDIA CoRIM signing Root CA

}  // namespace aa::nvidia
