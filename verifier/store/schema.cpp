#include "store/schema.h"

#include "core/json.h"
#include "store/store_options.h"

namespace aa::schema {

namespace {

// Index i is migration i + 1, written once for both dialects: @INT@ is the integer type,
// @SERIAL@ an auto-assigned integer primary key.
const char* const kMigrations[] = {
    // 1: nonces, the ledger (devices also in a side table for queries), signed heads.
    "CREATE TABLE IF NOT EXISTS nonces ("
    " nonce TEXT PRIMARY KEY, issued_at @INT@ NOT NULL, expires_at @INT@ NOT NULL,"
    " used_at @INT@);"
    "CREATE TABLE ledger ("
    " position @INT@ PRIMARY KEY, id TEXT NOT NULL UNIQUE, verified_at @INT@ NOT NULL,"
    " host TEXT NOT NULL, devices TEXT NOT NULL, status TEXT NOT NULL,"
    " bundle_sha256 TEXT NOT NULL, nonce TEXT NOT NULL, token TEXT NOT NULL,"
    " document TEXT NOT NULL, prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL);"
    "CREATE TABLE ledger_devices (position @INT@ NOT NULL, device TEXT NOT NULL);"
    "CREATE TABLE heads (id @SERIAL@, position @INT@ NOT NULL, entry_hash TEXT NOT NULL,"
    " signed_at @INT@ NOT NULL, jws TEXT NOT NULL);",
    // 2: the indexes of GET /v1/results (host, device, since, status) and of the nonce sweep.
    "CREATE INDEX ledger_host ON ledger (host, position);"
    "CREATE INDEX ledger_status ON ledger (status, position);"
    "CREATE INDEX ledger_verified_at ON ledger (verified_at);"
    "CREATE INDEX ledger_devices_device ON ledger_devices (device, position);"
    "CREATE INDEX nonces_expires ON nonces (expires_at);",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion);

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
}

}  // namespace

std::string migration_sql(int version, Dialect d) {
  if (version < 1 || version > kSchemaVersion) return {};
  std::string sql = kMigrations[version - 1];
  const bool pg = d == Dialect::kPostgres;
  replace_all(sql, "@INT@", pg ? "BIGINT" : "INTEGER");
  replace_all(
      sql, "@SERIAL@",
      pg ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT");
  return sql;
}

std::string devices_to_text(const std::vector<std::string>& devices) {
  return Json(devices).dump();
}

std::vector<std::string> devices_from_text(const std::string& text) {
  auto j = parse_json_strict(text, "devices");
  std::vector<std::string> out;
  if (j && j->is_array()) {
    for (const auto& d : *j) {
      if (!d.is_string()) return {"unparseable devices: " + text};
      out.push_back(d.get<std::string>());
    }
    return out;
  }
  return {"unparseable devices: " + text};
}

}  // namespace aa::schema
