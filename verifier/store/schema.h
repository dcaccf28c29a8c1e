// The one schema of the result stores (docs/stores.md), for both dialects, and the encoding of
// the columns they share.
//
// Contract: migration_sql(v, dialect) is migration v (1..kSchemaVersion) in that dialect: the
// same tables, columns and indexes, SQLite's INTEGER being PostgreSQL's BIGINT and its
// AUTOINCREMENT key an identity column. A shipped migration is never edited; a change is a new
// one. kEntryColumns is the column list every entry read selects, in LedgerEntry order.
// devices_from_text() reads the `devices` column (a JSON array of strings); a value that is not
// one (edited by hand) becomes one string that cannot hash to what was written, so that
// verify_ledger() names the row.
#pragma once

#include <string>
#include <vector>

namespace aa::schema {

enum class Dialect { kSqlite, kPostgres };

std::string migration_sql(int version, Dialect d);

inline constexpr const char* kEntryColumns =
    "position, id, verified_at, host, devices, status, bundle_sha256, nonce, token, document, "
    "prev_hash, entry_hash";

std::string devices_to_text(const std::vector<std::string>& devices);
std::vector<std::string> devices_from_text(const std::string& text);

}  // namespace aa::schema
