// Single-use, expiring verifier nonces, kept in an SQLite file (zero setup).
//
// Contract: issue() makes 32 random bytes, records them with their expiry and returns them as
// hex. consume() accepts a nonce once, before its expiry: a second use (store.nonce-reused),
// an unknown nonce (store.nonce-unknown) and an expired one (store.nonce-expired) are refused,
// each with its own code. Times are passed in (tests freeze them). The file is created when
// missing; errors opening or writing it are store.io.
#pragma once

#include <ctime>
#include <memory>
#include <string>

#include "core/result.h"

struct sqlite3;

namespace aa {

class NonceStore {
 public:
  static Result<NonceStore> open(const std::string& path);
  NonceStore(NonceStore&&) noexcept = default;
  NonceStore& operator=(NonceStore&&) noexcept = default;
  ~NonceStore();

  Result<std::string> issue(std::time_t now, long ttl_seconds);
  Status consume(const std::string& nonce_hex, std::time_t now);

 private:
  NonceStore() = default;
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

}  // namespace aa
