// The nonce rules every store shares (store/nonce_store.h, the result stores): how a nonce is
// made, normalised and refused, and the SQLite statements over the one `nonces` table
// (nonce TEXT PRIMARY KEY, issued_at, expires_at, used_at NULL until consumed).
//
// Contract: new_nonce_hex() is 32 random bytes as lower-case hex (store.io without randomness).
// A nonce is looked up lower-cased. Consumption is one conditional UPDATE (known, unused,
// unexpired at `now`: expires_at >= now); when it changes no row, nonce_refusal() names why:
// store.nonce-unknown, store.nonce-reused, store.nonce-expired. The sqlite_* functions run on
// the caller's connection (inside the caller's transaction, when there is one); database
// failures are store.io naming `path`, a lock not had in time store.busy.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "core/result.h"

struct sqlite3;

namespace aa::nonces {

Result<std::string> new_nonce_hex(const std::string& origin);

// The sweep every result store runs when it issues a nonce, at most once a kSweepEvery seconds:
// rows that expired more than kSweepGrace seconds ago are deleted. Such a nonce can never be
// accepted again either way; a late replay of it is refused as store.nonce-unknown instead of
// -expired or -reused. Without it, expired challenges would fill the table for ever.
inline constexpr long kSweepGrace = 600;
inline constexpr long kSweepEvery = 60;
std::string normalise(const std::string& nonce_hex);
// Why a nonce could not be consumed: not known (known = false), used at `used_at`, or expired
// at `expires_at`.
Error refusal(const std::string& nonce, bool known, std::optional<long long> used_at,
              long long expires_at);

inline constexpr const char* kSqliteSchema =
    "CREATE TABLE IF NOT EXISTS nonces ("
    " nonce TEXT PRIMARY KEY, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    " used_at INTEGER)";

// store.io / store.busy from the connection's last error.
Error sqlite_error(sqlite3* db, const std::string& path, const std::string& what);

Result<std::string> sqlite_issue(sqlite3* db, const std::string& path, std::time_t now,
                                 long ttl_seconds);
// Ok when the nonce could be consumed now; the refusal otherwise. Changes nothing.
Status sqlite_check(sqlite3* db, const std::string& path, const std::string& nonce_hex,
                    std::time_t now);
Status sqlite_consume(sqlite3* db, const std::string& path, const std::string& nonce_hex,
                      std::time_t now);

}  // namespace aa::nonces
