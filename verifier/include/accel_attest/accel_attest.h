// accel-attest public API, everything: the reference set (references.h), verification, signing
// and token verification (verify.h), and nonce stores (nonce_store.h). docs/api.md explains
// the model; docs/examples/embed/ is a complete program.
#pragma once

#include "accel_attest/nonce_store.h"
#include "accel_attest/references.h"
#include "accel_attest/verify.h"
