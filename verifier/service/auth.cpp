#include "service/auth.h"

#include <cctype>
#include <fstream>

#include <openssl/crypto.h>

#include "crypto/digest.h"

namespace aa::service {

Result<BearerTokens> BearerTokens::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error("input.missing-file", path, "cannot open the bearer token file");
  BearerTokens t;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto h = line.size() == 64 ? hex_decode(line) : std::nullopt;
    if (!h) {
      return make_error("input.bad-value", path + ":" + std::to_string(n),
                        "each line is the hex SHA-256 of one accepted token (64 digits)");
    }
    t.hashes_.push_back(std::move(*h));
  }
  if (t.hashes_.empty()) {
    return make_error("input.bad-value", path, "lists no token hash: nobody could call the API");
  }
  return t;
}

bool BearerTokens::accepts(std::string_view token) const {
  if (token.empty()) return false;
  const auto presented = sha256(token);
  int matched = 0;
  for (const auto& h : hashes_) {
    matched |= CRYPTO_memcmp(h.data(), presented.data(), presented.size()) == 0 ? 1 : 0;
  }
  return matched != 0;
}

std::string_view bearer_of(std::string_view a) {
  // The scheme is case-insensitive (RFC 9110 11.1); one space, then the token.
  constexpr std::string_view kPrefix = "bearer ";
  if (a.size() <= kPrefix.size()) return {};
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != kPrefix[i]) return {};
  }
  return a.substr(kPrefix.size());
}

}  // namespace aa::service
