#!/usr/bin/env bash
# The embedding example (docs/examples/embed) against the CLI: the HGX example bundle verified
# through the public API from 4 threads at once (two rounds each, the second through the shared
# certificate cache) must give, in every thread and round, exactly the EAR claims that
# `accel-attest verify --json` signs for the same bundle, time, nonce and references (iat and
# exp aside: they are the signing time).
# Usage: run_embed_tests.sh ACCEL_ATTEST EMBED_EXAMPLE SOURCE_DIR
set -u
bin=$1
embed=$2
src=$3
ex=$src/docs/examples/bundles/hgx-h100
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"
at=2026-11-27T00:00:00Z
nonce=4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e

check keygen 0 "" -- "$bin" keygen --out "$tmp/k"
key=$tmp/k/signing-key.pem
check cli-verify 1 "" -- "$bin" verify "$ex/bundle.json" --key "$key" --licence "$ex/licence.json" \
  --ak-ca "$ex/sim-ak-ca.pem" --nonce "$nonce" --time "$at" --out "$tmp/cli.jwt" --json
cp "$tmp/out" "$tmp/cli.json"
check embed-4-threads 0 "4 threads x 2 rounds: identical claims" -- \
  "$embed" "$src/firmware-profiles" "$ex/bundle.json" "$ex/sim-ak-ca.pem" "$ex/licence.json" "$at" \
  "$key" 4 2
cp "$tmp/out" "$tmp/embed.json"
if /usr/bin/python3 - "$tmp/cli.json" "$tmp/embed.json" <<'PY'
import json, sys
cli = json.load(open(sys.argv[1]))["claims"]
emb = json.load(open(sys.argv[2]))
for c in (cli, emb):
    c.pop("iat", None)
    c.pop("exp", None)
if cli != emb:
    for k in sorted(set(cli) | set(emb)):
        if cli.get(k) != emb.get(k):
            print("differs:", k)
    sys.exit(1)
if len(emb.get("submods", {})) != 9:
    print("expected the host and 8 GPUs, got", len(emb.get("submods", {})))
    sys.exit(1)
PY
then ok; else not_ok "embed-equals-cli: the example's claims are not the CLI's"; fi
# A bad reference set is refused before any thread starts.
check embed-bad-profiles 2 "input.missing-directory" -- "$embed" "$tmp/none" "$ex/bundle.json" \
  "$ex/sim-ak-ca.pem" "$ex/licence.json" "$at" "$key"
finish
