// accel-attest public API: where verifier nonces are issued and consumed.
//
// Contract: a NonceStore issues single-use, expiring nonces and accepts each one once, before
// its expiry. consume() refuses a second use (store.nonce-reused), an unknown nonce
// (store.nonce-unknown) and an expired one (store.nonce-expired); any other failure is
// store.io, which verify() treats as an error rather than a refusal. Times are passed in.
// Every implementation is safe to call from several threads at once; the stores returned here
// are owned by the caller (unique_ptr) and must outlive every verify() call given them.
#pragma once

#include <ctime>
#include <memory>
#include <string>

#include "core/result.h"

namespace accel_attest {

class NonceStore {
 public:
  virtual ~NonceStore() = default;
  // 32 random bytes, as lower-case hex, valid `ttl_seconds` from `now`.
  virtual aa::Result<std::string> issue(std::time_t now, long ttl_seconds) = 0;
  virtual aa::Status consume(const std::string& nonce_hex, std::time_t now) = 0;
};

// The SQLite file store `accel-attest challenge` and `verify --store` use (created when
// missing; store.io when it cannot be opened).
aa::Result<std::unique_ptr<NonceStore>> open_sqlite_nonce_store(const std::string& path);
// A store in memory, for embedding and tests: its nonces die with it.
std::unique_ptr<NonceStore> memory_nonce_store();

}  // namespace accel_attest
