// The service's result keys: one signing key (--key) or a key directory (--keys) with the
// current key and the previous ones, so that tokens signed before a rotation still verify
// against the JWKS the service publishes.
//
// Contract: a key directory holds current.pem (PEM EC P-256 private key, mode 0600) and
// previous/*.pem (earlier current keys; the service never signs with them, the JWKS lists their
// public halves). rotate_keys() makes a new key, moves current.pem to previous/<kid>.pem and
// writes the new current.pem, each step atomic (core/file_out.h): a failed rotation leaves the
// old current.pem in place. A directory with no current.pem is initialised (a first key).
// Errors: input.* naming the file, output.unwritable, internal.error.
#pragma once

#include <string>
#include <vector>

#include "accel_attest/verify.h"
#include "core/json.h"
#include "core/result.h"

namespace aa::service {

struct KeySet {
  accel_attest::Signer current;
  Json jwks;  // {"keys": [current, previous...]}, public halves only
};

// A single key file (--key): the JWKS lists it alone.
Result<KeySet> load_key_file(const std::string& pem_path, const std::string& build);
// A key directory (--keys).
Result<KeySet> load_key_dir(const std::string& dir, const std::string& build);
// Returns the new current key's kid.
Result<std::string> rotate_keys(const std::string& dir);

}  // namespace aa::service
