// Who may call the service's protected endpoints (/v1/challenge, /v1/verify, /v1/results, and
// /metrics when configured): bearer tokens (docs/service.md) and/or mutual TLS.
//
// Contract: a token file lists the lower-case hex SHA-256 of each accepted token, one a line
// ('#' comments and blank lines ignored; anything else is input.bad-value naming file:line).
// The service never holds the tokens themselves. accepts() hashes the presented token and
// compares it with every listed hash in constant time (CRYPTO_memcmp, no early exit), so the
// time taken does not say which hash, or how much of one, matched.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace aa::service {

class BearerTokens {
 public:
  static Result<BearerTokens> load(const std::string& path);
  bool accepts(std::string_view token) const;
  std::size_t size() const { return hashes_.size(); }

 private:
  std::vector<Bytes> hashes_;  // 32 bytes each
};

// The token of an "Authorization: Bearer <token>" header value; empty when it is not one.
std::string_view bearer_of(std::string_view authorization);

}  // namespace aa::service
