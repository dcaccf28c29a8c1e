// The ledger's hash chain: how an entry is hashed, how a chain head is signed, and how a whole
// ledger (a store, or an auditor's export file) is checked (docs/ledger.md).
//
// Contract:
//   - ledger_entry_hash() is SHA-256 (lower-case hex) over the canonical encoding of
//   docs/ledger.md:
//     the tag "accel-attest/ledger-entry/v1", then position, every NewResult field (devices as a
//     count and each one) and prev_hash, each as an 8-byte big-endian length and its bytes
//     (integers in decimal ASCII). The encoding is injective: no two entries share it.
//   - kGenesisHash (64 zeros) is the prev_hash of position 1.
//   - check_new_result() is what every store applies before append(): an id of 32 lower-case
//     hex characters, every text field valid UTF-8 (so that an export round-trips it byte for
//     byte); input.bad-value otherwise.
//   - sign_head() signs the store's current tip {position, entry_hash, iat = now} as a compact
//     JWS ES256 (results/jose.h; typ "JWT", kid given) and records it with put_head(). An empty
//     ledger has no head to sign: ledger.empty.
//   - verify_ledger() walks the store's entries in pages of 500 from position 1, and
//     verify_export() the entries of an export document; both recompute every entry_hash, check
//     that positions are dense, that every prev_hash is the entry_hash before it (kGenesisHash at
//     position 1; in an export that starts later, the first prev_hash is taken as given and
//     anchored only by the heads), and that every signed head verifies with `keys`, that its
//     payload agrees with its recorded position/entry_hash/signed_at, and that it names an entry
//     that exists with that entry_hash. The report names the FIRST break (lowest position;
//     entries before heads at one position) with its code (ledger.* in docs/findings.md).
//     A failure to read the store is an Error (store.io), not a break.
//   - With keys, every entry's result is also checked against what the verifier signed: its
//     token verifies with `keys` (ledger.token-invalid); the token's iat is verified_at, its
//     ear_status the status, its eat_nonce the nonce when one was accepted
//     (ledger.token-mismatch); no token appears twice (ledger.duplicate-token); the document
//     is a JSON object whose id, status, host, devices, token, bundle_sha256, verified_at
//     (RFC 3339), nonce_accepted and kid are the entry's and its token's, whose nonce is the
//     token's eat_nonce and whose findings are, as a set, every submodule's findings in the
//     token (ledger.document-mismatch). So a rewritten chain with re-computed hashes shows unless
//     every token was re-signed with the key.
//   - With keys and max_unsigned_age >= 0, an entry that no valid signed head covers and that
//     was verified more than max_unsigned_age seconds before `now` is a break
//     (ledger.unsigned-entry): heads deleted from the store, or a service that stopped
//     signing them, leave the tail open to rewriting.
//   - verify_ledger() compares the store's device index (ResultStore::device_index, what
//     `GET /v1/results?device=` reads) with every entry's devices (ledger.index-mismatch).
//   - What verification cannot see (docs/ledger.md): entries removed from the tail after the
//     last signed head (within max_unsigned_age), or a whole chain rewritten and re-signed by
//     a holder of the key.
//   - export_ledger() writes the document accel-attest/ledger-archive/v1 (docs/ledger.md; what
//   `ledger export` writes): the
//     entries with verified_at >= since, from the first such position to the tip (so that the
//     exported run is contiguous), each with its hashes, and every head at or after the first
//     exported position. parse_export() reads one back strictly (input.* errors).
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "crypto/ossl.h"
#include "results/jose.h"
#include "store/result_store.h"

namespace aa::ledger {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string entry_hash(const LedgerEntry& e);
Status check_new_result(const NewResult& r);

Result<SignedHead> sign_head(ResultStore& store, EVP_PKEY* key, const std::string& kid,
                             std::time_t now);

struct Break {
  std::int64_t position = 0;
  std::string code;  // ledger.hash-mismatch, ledger.broken-link, ledger.gap, ...
  std::string message;
};

struct VerifyReport {
  std::int64_t first_position = 0;  // 0 when there are no entries
  std::int64_t last_position = 0;
  std::int64_t entries = 0;
  std::int64_t heads = 0;          // heads checked
  std::int64_t covered_up_to = 0;  // the highest position a valid signed head covers
  std::optional<Break> first_break;
  bool intact() const { return !first_break; }
};

struct VerifyOptions {
  std::time_t now = 0;         // the time the age of unsigned entries is judged at
  long max_unsigned_age = -1;  // seconds; < 0: unsigned entries are reported, not a break
};

Result<VerifyReport> verify_ledger(ResultStore& store, const jose::Jwks& keys,
                                   const VerifyOptions& options = {});

struct Export {
  std::vector<LedgerEntry> entries;  // ascending, contiguous
  std::vector<SignedHead> heads;
};
Result<Json> export_ledger(ResultStore& store, std::optional<std::time_t> since);
Result<Export> parse_export(std::string_view text, const std::string& origin);
VerifyReport verify_export(const Export& x, const jose::Jwks& keys,
                           const VerifyOptions& options = {});

// The JSON form of one entry as the export writes it.
Json entry_json(const LedgerEntry& e);

}  // namespace aa::ledger

namespace aa {
// The name the interface contract uses (store/result_store.h).
inline std::string ledger_entry_hash(const LedgerEntry& e) {
  return ledger::entry_hash(e);
}
}  // namespace aa
