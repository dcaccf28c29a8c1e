#!/usr/bin/env bash
# Exit codes, one case per command (docs/cli.md): 0 pass, 1 findings or failed devices, 2 bad
# input or usage, 3 internal error. Exit 3 is provoked from outside by a stdout that cannot be
# written (/dev/full: output.stdout-failed), which is no fault of the caller's input; a command
# that prints nothing on success cannot hit it. --fail-on is checked where a command has it.
# Usage: run_exit_codes.sh BINARY SOURCE_DIR CASE   (CASE: a command, e.g. tpm-verify)
set -u
bin=$1
src=$2
case_name=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"
ex=$src/docs/examples
hosts=$ex/hosts
nv=$src/tests/data/nvidia
td=$src/tests/data/tpm
sw=$td/swtpm
ed=$src/tests/data/ear
fx=$src/tests/data/location
at=2026-11-27T00:00:00Z
n8=4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e
n931=931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb
fxnonce=ed74810850701495235c5331f2b103adf4ec252fbf32b75d85d99369ea459e4a
swn=$(cat "$sw/nonce.hex.txt")
# full NAME -- command: exit 3 with stdout on /dev/full.
full() {
  local name=$1
  shift 2
  "$@" >/dev/full 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq 3 ] && grep -q "output.stdout-failed" "$tmp/err"; then ok; else
    not_ok "$name: exit $got with stdout on /dev/full, expected 3 (output.stdout-failed)"; fi
}
keys() { "$bin" keygen --out "$tmp/k" >/dev/null; }
tpmv=(tpm verify --message "$sw/quote_rsa.tpms_attest.bin" --signature "$sw/quote_rsa.tpmt_signature.bin"
  --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" --ak-public "$sw/ak_rsa.tpm2b_public.bin")
gce=(tpm verify --message "$td/gce/quote-sha256.tpms_attest.bin" --signature "$td/gce/quote-sha256.tpmt_signature.bin"
  --pcrs "$td/gce/quote-sha256.pcrs.bin" --ak-public "$td/gce/ak.tpmt_public.bin" --nonce 9009
  --ak-cert "$td/gce/ak_cert.der" --ca "$td/certs/tpm_ek_root_1.cer"
  --intermediate "$td/certs/tpm_ek_intermediate_2.crt" --eventlog "$td/gce/eventlog.bin" --time $at)
hgx() {
  echo "$bin" verify "$ex/bundles/hgx-h100/bundle.json" --key "$tmp/k/signing-key.pem" \
    --licence "$ex/bundles/hgx-h100/licence.json" --ak-ca "$ex/bundles/hgx-h100/sim-ak-ca.pem" \
    --nonce "$n8" --time "$at"
}

case $case_name in
  version)
    check version-0 0 "" -- "$bin" version
    check version-flag-0 0 "" -- "$bin" --version
    check version-2 2 "usage.bad-arguments: version: .*--no-such-option" -- "$bin" version --no-such-option
    full version-3 -- "$bin" version ;;
  identify)
    check identify-0 0 "" -- "$bin" identify --lspci "$hosts/hgx-h100/lspci.txt"
    check identify-1 1 "identify.possible-ascend-part" -- "$bin" identify --sysfs-root "$hosts/mixed/sys"
    check identify-fail-on-fail-1 1 "" -- "$bin" identify --sysfs-root "$hosts/mixed/sys" --fail-on fail
    : >"$tmp/empty"
    check identify-2-empty 2 "input.no-devices" -- "$bin" identify --lspci "$tmp/empty"
    check identify-2-fail-on 2 "" -- "$bin" identify --lspci "$tmp/empty" --fail-on never
    check identify-2-stdin 2 "input.no-devices: <stdin>" -- "$bin" identify --lspci - </dev/null
    full identify-3 -- "$bin" identify --lspci "$hosts/hgx-h100/lspci.txt" ;;
  registry-list)
    check registry-list-0 0 "parts; registry digest" -- "$bin" registry list
    check registry-list-2 2 "" -- "$bin" --profiles "$tmp/nowhere" registry list
    full registry-list-3 -- "$bin" registry list ;;
  registry-show)
    check registry-show-0 0 "" -- "$bin" registry show nvidia-h100-sxm5-80gb
    check registry-show-2 2 "input.unknown-part" -- "$bin" registry show no-such-part
    full registry-show-3 -- "$bin" registry show nvidia-h100-sxm5-80gb ;;
  registry-classify)
    check registry-classify-0 0 "" -- "$bin" registry classify amd-mi210
    check registry-classify-2 2 "input.unknown-part" -- "$bin" registry classify no-such-part
    full registry-classify-3 -- "$bin" registry classify amd-mi210 ;;
  nvidia-verify)
    check nvidia-verify-0 0 "" -- "$bin" nvidia verify --evidence "$nv/evidence/hgx-8gpu-ppcie.json" --nonce $n8
    check nvidia-verify-1 1 "nvidia.nonce.mismatch" -- "$bin" nvidia verify \
      --evidence "$nv/evidence/ls10-4switch.json" --nonce $n8
    check nvidia-verify-2 2 "input.bad-nonce" -- "$bin" nvidia verify --evidence "$nv/evidence/hgx-4gpu.json" \
      --nonce 1234
    check nvidia-verify-2-fail-on 2 "" -- "$bin" nvidia verify --evidence "$nv/evidence/hgx-4gpu.json" \
      --nonce $n8 --fail-on sometimes
    full nvidia-verify-3 -- "$bin" nvidia verify --evidence "$nv/evidence/hgx-8gpu-ppcie.json" --nonce $n8 ;;
  tpm-verify)
    check tpm-verify-0 0 "" -- "$bin" "${tpmv[@]}" --nonce "$swn"
    check tpm-verify-0-warning 0 "verdict: warning|appraisal: warning" -- "$bin" "${gce[@]}"
    check tpm-verify-1-fail-on-warning 1 "" -- "$bin" "${gce[@]}" --fail-on warning
    check tpm-verify-1 1 "tpm.nonce-mismatch" -- "$bin" "${tpmv[@]}" --nonce 00112233
    check tpm-verify-2 2 "input.bad-nonce" -- "$bin" "${tpmv[@]}" --nonce xyz
    full tpm-verify-3 -- "$bin" "${tpmv[@]}" --nonce "$swn" ;;
  tpm-ek-check)
    ek=$(ls "$td"/ek/* | grep -E '\.(der|crt|cer|pem)$' | head -1)
    "$bin" tpm ek-check --cert "$ek" --time $at >/dev/null 2>&1
    r=$?
    [ "$r" -eq 0 ] || [ "$r" -eq 1 ] && ok || not_ok "tpm ek-check on $ek: exit $r, expected 0 or 1"
    check tpm-ek-check-1 1 "NOT trusted" -- "$bin" tpm ek-check --cert "$ek" --anchors "$tmp" --time $at
    check tpm-ek-check-2 2 "input.missing-file" -- "$bin" tpm ek-check --cert "$tmp/none"
    full tpm-ek-check-3 -- "$bin" tpm ek-check --cert "$ek" --time $at ;;
  tpm-quote)
    check tpm-quote-2 2 "input.bad-nonce" -- "$bin" tpm quote --tcti "swtpm:host=127.0.0.1,port=1" --nonce 00 \
      --out "$tmp/q" ;;
  tpm-create-ak)
    check tpm-create-ak-2 2 "" -- "$bin" tpm create-ak --tcti "swtpm:host=127.0.0.1,port=1" --handle nothex \
      --out "$tmp/ak" ;;
  tpm-challenge)
    check tpm-challenge-2 2 "input.missing-file" -- "$bin" tpm challenge --ek-public "$tmp/none" \
      --ak-public "$tmp/none" --out "$tmp/ch" ;;
  tpm-activate)
    check tpm-activate-2 2 "" -- "$bin" tpm activate --tcti "swtpm:host=127.0.0.1,port=1" --handle 0x81010020 \
      --challenge "$tmp/none" --out "$tmp/a.bin" ;;
  tpm-check-answer)
    check tpm-check-answer-2 2 "input.missing-file" -- "$bin" tpm check-answer --challenge "$tmp/none" \
      --answer "$tmp/none" ;;
  ledger-verify)
    "$bin" challenge --store "$tmp/r.sqlite" >/dev/null
    check ledger-verify-0 0 "^INTACT: 0 entries" -- "$bin" ledger verify --store "sqlite:$tmp/r.sqlite"
    # An export whose one entry does not hash to its entry_hash.
    z=0000000000000000000000000000000000000000000000000000000000000000
    printf '{"schema":"accel-attest/ledger-archive/v1","since":null,"first_position":1,"last_position":1,"entries":[{"position":1,"id":"%s","verified_at":0,"host":"h","devices":[],"status":"affirming","bundle_sha256":"","nonce":"","token":"","document":"{}","prev_hash":"%s","entry_hash":"%s"}],"heads":[]}' \
      00000000000000000000000000000001 $z ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff >"$tmp/x.json"
    check ledger-verify-1 1 "BROKEN at position 1: ledger.hash-mismatch" -- "$bin" ledger verify --export "$tmp/x.json"
    check ledger-verify-2 2 "input.bad-store-url" -- "$bin" ledger verify --store "mysql://x"
    full ledger-verify-3 -- "$bin" ledger verify --store "sqlite:$tmp/r.sqlite" ;;
  ledger-export)
    "$bin" challenge --store "$tmp/r.sqlite" >/dev/null
    check ledger-export-0 0 "exported 0 entries" -- "$bin" ledger export --store "sqlite:$tmp/r.sqlite" --out "$tmp/e.json"
    check ledger-export-2 2 "input.missing-file" -- "$bin" ledger export --store "sqlite:$tmp/none.sqlite"
    full ledger-export-3 -- "$bin" ledger export --store "sqlite:$tmp/r.sqlite" ;;
  challenge)
    check challenge-0 0 "^[0-9a-f]{64}$" -- "$bin" challenge --store "$tmp/n.sqlite"
    check challenge-2 2 "" -- "$bin" challenge --store "$tmp/n.sqlite" --ttl 0
    full challenge-3 -- "$bin" challenge --store "$tmp/n.sqlite" ;;
  keygen)
    check keygen-0 0 "signing key" -- "$bin" keygen --out "$tmp/k"
    check keygen-2 2 "output.exists" -- "$bin" keygen --out "$tmp/k"
    full keygen-3 -- "$bin" keygen --out "$tmp/k3" ;;
  jwks)
    keys
    check jwks-0 0 '"kty": "EC"' -- "$bin" jwks "$tmp/k/signing-key.pem"
    check jwks-0-stdin 0 '"kty": "EC"' -- sh -c "\"$bin\" jwks - <\"$tmp/k/signing-key.pem\""
    check jwks-2 2 "input.bad-value" -- "$bin" jwks "$tmp/k/jwks.json"
    full jwks-3 -- "$bin" jwks "$tmp/k/signing-key.pem" ;;
  verify-token)
    check verify-token-0 0 "VALID EAR" -- "$bin" verify-token "$ed/arc-testJWT.jwt" --jwks "$ed/veraison-pkey.json"
    check verify-token-0-stdin 0 "VALID EAR" -- sh -c "\"$bin\" verify-token - --jwks \"$ed/veraison-pkey.json\" <\"$ed/arc-testJWT.jwt\""
    check verify-token-1 1 "jose.bad-header" -- "$bin" verify-token "$ed/ear_test-neg-alg-none.jwt" \
      --jwks "$ed/veraison-pkey.json"
    keys
    $(hgx) --out "$tmp/hgx.jwt" >/dev/null
    check verify-token-1-warning 1 "token.status-below-required" -- "$bin" verify-token "$tmp/hgx.jwt" \
      --jwks "$tmp/k/jwks.json"
    check verify-token-0-fail-on-fail 0 "VALID EAR" -- "$bin" verify-token "$tmp/hgx.jwt" \
      --jwks "$tmp/k/jwks.json" --fail-on fail
    check verify-token-2 2 "--jwks" -- "$bin" verify-token "$ed/arc-testJWT.jwt"
    check verify-token-2-wrong-type 2 "input.wrong-file-type.*PEM certificate" -- "$bin" verify-token \
      "$ed/arc-testJWT.jwt" --jwks "$ex/bundles/hgx-h100/sim-ak-ca.pem"
    full verify-token-3 -- "$bin" verify-token "$ed/arc-testJWT.jwt" --jwks "$ed/veraison-pkey.json" ;;
  verify)
    keys
    check verify-1 1 "host hgx-h100-example: warning" -- $(hgx) --out "$tmp/a.jwt"
    check verify-0-fail-on-fail 0 "host hgx-h100-example: warning" -- $(hgx) --out "$tmp/b.jwt" --fail-on fail
    check verify-2 2 "input.bad-nonce" -- "$bin" verify "$ex/bundles/hgx-h100/bundle.json" \
      --key "$tmp/k/signing-key.pem" --nonce 00 --out "$tmp/c.jwt"
    check verify-2-wrong-type 2 "input.wrong-file-type.*JWT.*verify-token" -- "$bin" verify "$tmp/a.jwt" \
      --key "$tmp/k/signing-key.pem" --out "$tmp/d.jwt"
    check verify-2-lspci 2 "input.wrong-file-type.*lspci output: use identify" -- "$bin" verify \
      "$hosts/mixed/lspci.txt" --key "$tmp/k/signing-key.pem" --out "$tmp/d.jwt"
    full verify-3 -- $(hgx) --out "$tmp/e.jwt" --fail-on fail ;;
  report)
    keys
    $(hgx) --out "$tmp/hgx.jwt" >/dev/null
    check report-0 0 "signature verified" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/r.html" --jwks "$tmp/k/jwks.json"
    check report-2 2 "input.missing-field" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/r.html"
    full report-3 -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/r2.html" --jwks "$tmp/k/jwks.json" ;;
  location-bound)
    check location-bound-0 0 "verdict: not_in_restricted" -- "$bin" location bound --landmark 1.2897,103.8501 --rtt-ms 2
    check location-bound-1 1 "verdict: indeterminate" -- "$bin" location bound --landmark 22.3193,114.1694 --rtt-ms 0.5
    check location-bound-2 2 "input.bad-value" -- "$bin" location bound --landmark 91,0 --rtt-ms 1
    full location-bound-3 -- "$bin" location bound --landmark 1.2897,103.8501 --rtt-ms 2 ;;
  location-verify)
    keys
    lv=(location verify --device-root "$fx/root.pem" --landmarks "$fx/lms" --key "$tmp/k/signing-key.pem"
      --time 2026-11-28T03:05:00Z)
    check location-verify-0 0 "not_in_restricted" -- "$bin" "${lv[@]}" "$fx/sg-2ms.json" --nonce $fxnonce --out "$tmp/a.jwt"
    check location-verify-0-warn 0 "location.nonce-unchecked" -- "$bin" "${lv[@]}" "$fx/sg-2ms.json" --out "$tmp/b.jwt"
    check location-verify-1-fail-on-warning 1 "location.nonce-unchecked" -- "$bin" "${lv[@]}" "$fx/sg-2ms.json" \
      --out "$tmp/c.jwt" --fail-on warning
    check location-verify-1 1 "location.stale" -- "$bin" "${lv[@]}" "$fx/sg-2ms.json" --out "$tmp/d.jwt" \
      --nonce 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
    check location-verify-2 2 "input.bad-nonce" -- "$bin" "${lv[@]}" "$fx/sg-2ms.json" --nonce 00 --out "$tmp/e.jwt"
    full location-verify-3 -- "$bin" "${lv[@]}" "$fx/sg-2ms.json" --nonce $fxnonce --out "$tmp/f.jwt" ;;
  collect)
    # The mixed example host without a TPM: written, pieces missing (collect.no-tpm, NVML).
    check collect-1 1 "collect.no-tpm" -- "$bin" collect --nonce $n8 --out "$tmp/b.json" \
      --sysfs "$hosts/mixed/sys" --no-tpm --no-nvml --npu-smi "$tmp/none"
    check collect-2 2 "input.bad-nonce" -- "$bin" collect --nonce 00 --out "$tmp/b.json" \
      --sysfs "$hosts/mixed/sys" --no-tpm
    full collect-3 -- "$bin" collect --nonce $n8 --out "$tmp/b3.json" --sysfs "$hosts/mixed/sys" \
      --no-tpm --no-nvml ;;
  attest)
    check attest-2 2 "input.bad-value.*--server" -- "$bin" attest --server nowhere --no-tpm
    check attest-3 3 "attest.service-unreachable" -- "$bin" attest --server http://127.0.0.1:1 \
      --sysfs "$hosts/mixed/sys" --no-tpm --no-nvml ;;
  landmark-serve)
    keys
    check landmark-serve-2 2 "not a finite number" -- "$bin" landmark serve --key "$tmp/k/signing-key.pem" \
      --id x --lat nan --lon 0 --listen 127.0.0.1:0 ;;
  landmark-enrol)
    keys
    check landmark-enrol-0 0 "landmark sg-1" -- "$bin" landmark enrol --key "$tmp/k/signing-key.pem" --id sg-1 \
      --lat 1.2897 --lon 103.8501 --out "$tmp/lm.json"
    check landmark-enrol-0-stdout 0 '"id": "sg-1"' -- "$bin" landmark enrol \
      --key "$tmp/k/signing-key.pem" --id sg-1 --lat 1.2897 --lon 103.8501 --out -
    check landmark-enrol-2 2 "--lat" -- "$bin" landmark enrol --key "$tmp/k/signing-key.pem" --id x --lat 91 \
      --lon 0 --out "$tmp/lm2.json"
    full landmark-enrol-3 -- "$bin" landmark enrol --key "$tmp/k/signing-key.pem" --id sg-1 \
      --lat 1.2897 --lon 103.8501 --out "$tmp/lm3.json" ;;
  landmark-respond)
    check landmark-respond-2 2 "output.unwritable.*--out" -- "$bin" landmark respond --connect 127.0.0.1:1 \
      --device d --device-key k --device-chain c --out "$tmp/no-such-dir/e.json" ;;
  usage)
    check usage-unknown 2 "did you mean 'identify'" -- "$bin" identfy
    check usage-quiet-0 0 "" -- "$bin" --quiet registry list
    [ -z "$(cat "$tmp/out")" ] && ok || not_ok "--quiet printed on success"
    check usage-quiet-after 0 "" -- "$bin" registry list --quiet
    [ -z "$(cat "$tmp/out")" ] && ok || not_ok "--quiet after the subcommand printed on success"
    check usage-quiet-1 1 "identify.possible-ascend-part" -- "$bin" identify --quiet --sysfs-root "$hosts/mixed/sys"
    check usage-quiet-2 2 "input.unknown-part" -- "$bin" --quiet registry show nope
    [ -z "$(cat "$tmp/out")" ] && ok || not_ok "--quiet: an error printed on stdout" ;;
  *)
    echo "unknown case $case_name"; exit 2 ;;
esac
finish
