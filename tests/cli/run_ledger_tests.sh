#!/usr/bin/env bash
# `ledger verify` and `ledger export` on real stores: an SQLite file, and a database on the
# throw-away PostgreSQL cluster of the ctest fixture pg_cluster (tests/store/pg-cluster.sh). A
# ledger filled as `serve` fills it (tests/store/store_tool.cpp), then a row edited by hand with
# sqlite3 / psql is named with its position, an export verifies offline and an edited export
# fails; --json documents are validated against docs/schemas/. Without the cluster the
# PostgreSQL cases FAIL.
# Usage: run_ledger_tests.sh BINARY STORE_TOOL SOURCE_DIR PG_URL_FILE
set -u
bin=$1
tool=$2
src=$3
pg_url_file=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"
mkdir -p "$tmp/json"
"$bin" keygen --out "$tmp/k" >/dev/null
key=$tmp/k/signing-key.pem
jwks=$tmp/k/jwks.json
"$bin" keygen --out "$tmp/other" >/dev/null

# sql KIND URL STATEMENT: a statement run by hand on the database.
sql() {
  case $1 in
    sqlite) sqlite3 "${2#sqlite:}" "$3" ;;
    pg) psql -q -v ON_ERROR_STOP=1 "$2" -c "$3" >/dev/null ;;
  esac
}

# cases KIND URL: the same cases on one backend.
cases() {
  local k=$1 url=$2
  "$tool" fill "$url" 8 "$key" sign >/dev/null || { not_ok "$k: fill"; return; }
  "$tool" fill "$url" 4 "$key" sign >/dev/null || { not_ok "$k: fill"; return; }
  check "$k-intact" 0 "^INTACT: 12 entries \(positions 1\.\.12\)" -- "$bin" ledger verify --store "$url" --jwks "$jwks"
  check "$k-intact-covered" 0 "2 signed heads verified; covered up to position 12" -- "$bin" ledger verify --store "$url" --key "$key"
  check "$k-no-keys" 0 "signed heads not checked" -- "$bin" ledger verify --store "$url"
  check "$k-wrong-key" 1 "BROKEN at position 1: ledger.token-invalid" -- "$bin" ledger verify --store "$url" --jwks "$tmp/other/jwks.json"
  "$bin" ledger verify --json --store "$url" --jwks "$jwks" >"$tmp/json/$k-verify.json" && ok || not_ok "$k: verify --json"
  # An export verifies offline, with no database; an edited export fails at its position.
  check "$k-export" 0 "exported 12 entries \(positions 1\.\.12\) and 2 signed heads" -- "$bin" ledger export --store "$url" --out "$tmp/$k-export.json"
  cp "$tmp/$k-export.json" "$tmp/json/$k-archive.json"
  # The auditor's own recomputation (docs/ledger.md), independent of accel-attest.
  check "$k-recompute" 0 "chain intact: 12 entries" -- python3 "$src/docs/examples/ledger/recompute.py" "$tmp/$k-export.json"
  check "$k-export-verify" 0 "^INTACT: 12 entries" -- "$bin" ledger verify --export "$tmp/$k-export.json" --jwks "$jwks"
  "$bin" ledger export --store "$url" --since 2026-09-21T14:20:00Z --out - >"$tmp/$k-since.json" 2>"$tmp/err" && ok || not_ok "$k: export --since to stdout"
  grep -q '"first_position": 7' "$tmp/$k-since.json" && ok || not_ok "$k: --since starts at position 7"
  check "$k-since-verify" 0 "^INTACT: 6 entries \(positions 7\.\.12\)" -- "$bin" ledger verify --export "$tmp/$k-since.json" --jwks "$jwks"
  python3 - "$tmp/$k-export.json" "$tmp/$k-edited.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["entries"][4]["status"] = "affirming" if d["entries"][4]["status"] != "affirming" else "warning"
json.dump(d, open(sys.argv[2], "w"))
PY
  check "$k-recompute-edited" 1 "BROKEN at position 5" -- python3 "$src/docs/examples/ledger/recompute.py" "$tmp/$k-edited.json"
  check "$k-export-edited" 1 "BROKEN at position 5: ledger.hash-mismatch" -- "$bin" ledger verify --export "$tmp/$k-edited.json" --jwks "$jwks"
  "$bin" ledger verify --json --export "$tmp/$k-edited.json" --jwks "$jwks" >"$tmp/json/$k-verify-edited.json"
  [ $? -eq 1 ] && ok || not_ok "$k: verify --json of an edited export exits 1"
  grep -q '"position": 5' "$tmp/json/$k-verify-edited.json" && ok || not_ok "$k: --json names position 5"
  # A row edited by hand in the database is named with its position.
  sql $k "$url" "UPDATE ledger SET host = 'elsewhere' WHERE position = 3"
  check "$k-edited-row" 1 "BROKEN at position 3: ledger.hash-mismatch" -- "$bin" ledger verify --store "$url" --jwks "$jwks"
  sql $k "$url" "UPDATE ledger SET host = 'node-3' WHERE position = 3"
  check "$k-restored" 0 "^INTACT" -- "$bin" ledger verify --store "$url" --jwks "$jwks"
  # Removing the tail after a signed head is caught by that head.
  # (--max-unsigned-age -1: that 9..11 are no longer covered by a head is the next case's.)
  sql $k "$url" "DELETE FROM ledger WHERE position = 12"
  check "$k-truncated-index" 1 "BROKEN at position 12: ledger.index-mismatch" -- "$bin" ledger verify --store "$url"
  sql $k "$url" "DELETE FROM ledger_devices WHERE position = 12"
  check "$k-truncated" 1 "BROKEN at position 12: ledger.head-beyond-tip" -- "$bin" ledger verify --store "$url" --jwks "$jwks" --max-unsigned-age -1
  check "$k-truncated-unsigned" 1 "BROKEN at position 9: ledger.unsigned-entry" -- "$bin" ledger verify --store "$url" --jwks "$jwks"
  # The device index that `GET /v1/results?device=` reads must agree with the entries.
  sql $k "$url" "UPDATE ledger_devices SET device = 'GPU-999' WHERE position = 2"
  check "$k-index-edited" 1 "BROKEN at position 2: ledger.index-mismatch" -- "$bin" ledger verify --store "$url"
  sql $k "$url" "UPDATE ledger_devices SET device = 'GPU-2' WHERE position = 2"
  check "$k-index-restored" 0 "^INTACT" -- "$bin" ledger verify --store "$url"
  # Heads deleted from the store: every entry older than --max-unsigned-age is unsigned.
  sql $k "$url" "DELETE FROM heads"
  check "$k-heads-removed" 1 "BROKEN at position 1: ledger.unsigned-entry" -- "$bin" ledger verify --store "$url" --jwks "$jwks"
  check "$k-heads-removed-report" 0 "positions 1\.\.11 are after the last signed head" -- "$bin" ledger verify --store "$url" --jwks "$jwks" --max-unsigned-age -1
  check "$k-heads-removed-young" 0 "^INTACT" -- "$bin" ledger verify --store "$url" --jwks "$jwks" --at 2026-09-21T14:00:00Z
}

cases sqlite "sqlite:$tmp/results.sqlite"
pg_admin=$(cat "$pg_url_file" 2>/dev/null)
if [ -z "$pg_admin" ]; then
  not_ok "no PostgreSQL test cluster ($pg_url_file): run through ctest (fixture pg_cluster)"
else
  db=aa_ledger_cli_$$
  PGOPTIONS="-c client_min_messages=warning" psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null && ok || not_ok "create database"
  cases pg "${pg_admin/\/postgres\?//$db?}"
fi

# Bad input: exit 2.
check bad-url 2 "input.bad-store-url" -- "$bin" ledger verify --store "mysql://x"
check missing-sqlite 2 "input.missing-file" -- "$bin" ledger verify --store "sqlite:$tmp/none.sqlite"
check neither 2 "input.missing-field" -- "$bin" ledger verify
echo '{"schema":"accel-attest/ledger-archive/v1"}' >"$tmp/bad.json"
check bad-export 2 "input.missing-field" -- "$bin" ledger verify --export "$tmp/bad.json"
check bad-since 2 "input.bad-value" -- "$bin" ledger export --store "sqlite:$tmp/results.sqlite" --since yesterday

if python3 "$src/tests/cli/validate_json.py" "$src/docs/schemas" "$tmp"/json/*.json >"$tmp/v.txt"; then
  ok
else
  grep INVALID "$tmp/v.txt"; not_ok "documents not valid against docs/schemas"
fi
finish
