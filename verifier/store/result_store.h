// Where the service keeps what it issued and what it concluded: challenge nonces, and every
// result in an append-only, hash-chained ledger (docs/service.md, docs/ledger.md).
//
// Contract:
//   - A ResultStore is one database (SQLite file in WAL mode, or a PostgreSQL database that
//     several `serve` replicas share). Every method is safe to call from several threads at
//     once; several processes may open the same database at once.
//   - Nonces: issue() records 32 random bytes (hex) with their expiry. check() says whether a
//     nonce could be consumed now (store.nonce-unknown / store.nonce-reused /
//     store.nonce-expired) without consuming it. Consumption happens only inside append().
//   - append() is ONE transaction: it consumes `nonce_hex` (when not empty) and writes the entry
//     at the next ledger position, with prev_hash = the entry_hash of the entry before it (64
//     zeros for position 1) and entry_hash = ledger_entry_hash(entry). Either both happen or
//     neither: a refused nonce writes nothing and returns the store.nonce-* error; a process
//     killed mid-transaction leaves no half entry. Across replicas on one database, two
//     append()s racing on one nonce: exactly one succeeds, the other gets store.nonce-reused.
//     Positions are dense (1, 2, 3, ...) and never reused.
//   - append() refuses, before anything is written, a result whose id is not 32 lower-case hex
//     characters or whose text is not valid UTF-8 (input.bad-value; ledger::check_new_result()),
//     so that every entry exports byte for byte. A duplicate id is store.io.
//   - Any failure of the database itself is store.io (or store.busy when a lock could not be
//     had in time); store.* codes are documented in docs/findings.md.
//   - Entries are never updated or deleted through this interface. A row edited by hand is
//     what verify_ledger() (store/ledger.h) finds.
//   - Times are passed in (tests freeze them); the store reads no clock.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace aa {

// What the verifier concluded, as the service appends it. `host` is the host's own name from
// the bundle (host-reported, not attested); `devices` are the device identifiers the result
// names (serials/ids as the EAR gives them); `status` is the overall TrustTier string;
// `token` the signed EAR (compact JWS); `document` the JSON response body of /v1/verify.
struct NewResult {
  std::string id;  // chosen by the caller: 32 lower-case hex characters, unique
  std::time_t verified_at = 0;
  std::string host;
  std::vector<std::string> devices;
  std::string status;
  std::string bundle_sha256;
  std::string nonce_hex;  // the nonce the evidence answered ("" when none)
  std::string token;
  std::string document;
};

struct LedgerEntry {
  std::int64_t position = 0;  // 1-based, dense
  NewResult result;
  std::string prev_hash;   // hex SHA-256
  std::string entry_hash;  // hex SHA-256, ledger_entry_hash()
};

// A signed chain head: the result key's JWS over {position, entry_hash, iat} (store/ledger.h).
struct SignedHead {
  std::int64_t position = 0;
  std::string entry_hash;
  std::time_t signed_at = 0;
  std::string jws;
};

struct ResultQuery {
  std::optional<std::string> host;
  std::optional<std::string> device;
  std::optional<std::time_t> since;  // verified_at >= since
  std::optional<std::string> status;
  std::int64_t after_position = 0;  // paging cursor: entries after this position
  std::size_t limit = 100;          // at most 1000
};

struct ResultPage {
  std::vector<LedgerEntry> entries;        // ascending position
  std::optional<std::int64_t> next_after;  // cursor for the next page, when there is one
};

struct StoreStats {
  std::int64_t live_nonces = 0;  // issued, unused, unexpired at `now`
  std::int64_t ledger_length = 0;
};

class ResultStore {
 public:
  virtual ~ResultStore() = default;
  virtual Result<std::string> issue_nonce(std::time_t now, long ttl_seconds) = 0;
  virtual Status check_nonce(const std::string& nonce_hex, std::time_t now) = 0;
  virtual Result<LedgerEntry> append(const std::string& nonce_hex, std::time_t now,
                                     const NewResult& r) = 0;
  virtual Result<std::optional<LedgerEntry>> get(const std::string& id) = 0;
  virtual Result<ResultPage> query(const ResultQuery& q) = 0;
  // The ledger in order, from `from_position` (1-based), at most `limit` entries.
  virtual Result<std::vector<LedgerEntry>> entries(std::int64_t from_position,
                                                   std::size_t limit) = 0;
  virtual Status put_head(const SignedHead& h) = 0;
  virtual Result<std::vector<SignedHead>> heads() = 0;
  virtual Result<StoreStats> stats(std::time_t now) = 0;
  // The device index queries use (position, device), for positions from `from_position` below
  // `to_position`, ordered by position then device; nullopt: the store keeps no index apart
  // from the entries (queries read the entries themselves).
  virtual Result<std::optional<std::vector<std::pair<std::int64_t, std::string>>>> device_index(
      std::int64_t from_position, std::int64_t to_position) {
    (void)from_position;
    (void)to_position;
    return std::optional<std::vector<std::pair<std::int64_t, std::string>>>{};
  }
};

// "sqlite:PATH" (created when missing, WAL mode; store/sqlite_result_store.h) or
// "postgresql://..." / "postgres://..." (libpq connection URI; store/pg_result_store.h); the
// schema is created and migrated on open (docs/stores.md). Anything else, "memory:" included, is
// input.bad-store-url: the in-memory test store belongs to the service layer, which recognises
// "memory:" itself before calling this (the store layer may not call the service layer).
Result<std::unique_ptr<ResultStore>> open_result_store(const std::string& url);

}  // namespace aa
