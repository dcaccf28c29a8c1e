#!/usr/bin/env bash
# Installs the Debian 12 packages accel-attest needs to build and test, only those missing.
# Runs as root (or with sudo available). Safe to run again.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git
  libssl-dev nlohmann-json3-dev libcli11-dev libxml2-dev libxmlsec1-dev openssl
  libtss2-dev swtpm swtpm-tools tpm2-tools libsqlite3-dev libpq-dev libgeographiclib-dev
  libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
)
# `setup-debian.sh test` adds what only the tests use: PyJWT and python3-cryptography (an
# independent JWT implementation, and the evidence simulator's test CA), python3-jsonschema (the
# --json documents against docs/schemas), headless Chromium (the report rendering test) and a
# font for it; PostgreSQL (the server for the throw-away test cluster of tests/store/pg-cluster.sh,
# psql and sqlite3 to edit a ledger row by hand in tests/cli/run_ledger_tests.sh).
if [ "${1:-}" = "test" ]; then
  packages+=(python3 python3-jwt python3-cryptography python3-jsonschema python3-yaml curl chromium
    fonts-dejavu-core postgresql postgresql-client sqlite3)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "accel-attest: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
