#!/usr/bin/env bash
# Every command's --json output, on the real example data (docs/examples, tests/data), validated
# against its JSON Schema in docs/schemas/ (python3 jsonschema, offline), with at least one error
# case per command (the accel-attest/error/v1 document on stdout). Each run also keeps stdout to
# exactly one JSON document: a command that printed half a document before failing fails here.
# Usage: run_schema_tests.sh BINARY SOURCE_DIR
set -u
bin=$1
src=$2
py=/usr/bin/python3
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
fxnonce=ed74810850701495235c5331f2b103adf4ec252fbf32b75d85d99369ea459e4a
mkdir -p "$tmp/json"

# doc NAME EXIT -- command: runs the command (which has --json), checks the exit code and keeps
# stdout for validation as NAME.json.
doc() {
  local name=$1 want=$2
  shift 3
  "$@" >"$tmp/json/$name.json" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, expected $want"; head -c 2000 "$tmp/json/$name.json"; head -5 "$tmp/err"
    fail=$((fail + 1)); return
  fi
  pass=$((pass + 1))
}
# err NAME EXIT -- command: as doc, and the document must be the error document.
err() {
  local name=$1
  doc "$@"
  grep -q '"schema": "accel-attest/error/v1"' "$tmp/json/$name.json" && ok ||
    not_ok "$name: not an error document"
}

"$bin" keygen --out "$tmp/k" >/dev/null
key=$tmp/k/signing-key.pem
jwks=$tmp/k/jwks.json

doc version 0 -- "$bin" version --json
doc identify-mixed 1 -- "$bin" identify --json --sysfs-root "$hosts/mixed/sys"
doc identify-lspci 1 -- "$bin" identify --json --lspci "$hosts/mixed/lspci.txt"
doc identify-inventory 1 -- "$bin" identify --json --inventory "$hosts/ascend-910b/inventory.json"
err identify-missing 2 -- "$bin" identify --json --inventory "$tmp/none.json"
: >"$tmp/empty.txt"
err identify-empty 2 -- "$bin" identify --json --lspci "$tmp/empty.txt"
doc registry-list 0 -- "$bin" registry list --json
doc registry-show 0 -- "$bin" registry show nvidia-h100-sxm5-80gb --json
doc registry-classify 0 -- "$bin" registry classify amd-mi210 --json
err registry-show-unknown 2 -- "$bin" registry show no-such-part --json
err registry-classify-unknown 2 -- "$bin" registry classify no-such-part --json
doc registry-list-bad-profiles 2 -- "$bin" --profiles "$tmp/nowhere" registry list --json
doc nvidia-8gpu 0 -- "$bin" nvidia verify --json --evidence "$nv/evidence/hgx-8gpu-ppcie.json" --nonce $n8
doc nvidia-wrong-nonce 1 -- "$bin" nvidia verify --json --evidence "$nv/evidence/hgx-8gpu-ppcie.json" \
  --nonce 931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb
"$py" -c 'import json,sys; json.dump({"evidences": json.load(open(sys.argv[1])), "result_code": 0, "result_message": "Ok"}, open(sys.argv[2], "w"))' \
  "$nv/evidence/hgx-8gpu-ppcie.json" "$tmp/collect.json"
doc nvidia-collect-evidence 0 -- "$bin" nvidia verify --json --evidence "$tmp/collect.json" --nonce $n8
doc rim-import 0 -- "$bin" nvidia rim import --json "$nv/rims/Driver_RIM_test_no_gpu.swidtag" \
  "$nv/rims/1010_0200_882_96005E0001_test_no_gpu.swidtag" --store "$tmp/rims" --time 2024-01-01T00:00:00Z
err rim-import-bad 2 -- "$bin" nvidia rim import --json "$nv/rims/incorrect_signature_driver_rim.xml" \
  --store "$tmp/rims"
err nvidia-bad-nonce 2 -- "$bin" nvidia verify --json --evidence "$nv/evidence/hgx-4gpu.json" --nonce 1234
swn=$(cat "$sw/nonce.hex.txt")
doc tpm-verify 0 -- "$bin" tpm verify --json --message "$sw/quote_rsa.tpms_attest.bin" \
  --signature "$sw/quote_rsa.tpmt_signature.bin" --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" \
  --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce "$swn"
doc tpm-verify-gce 0 -- "$bin" tpm verify --json --message "$td/gce/quote-sha256.tpms_attest.bin" \
  --signature "$td/gce/quote-sha256.tpmt_signature.bin" --pcrs "$td/gce/quote-sha256.pcrs.bin" \
  --ak-public "$td/gce/ak.tpmt_public.bin" --nonce 9009 --ak-cert "$td/gce/ak_cert.der" \
  --ca "$td/certs/tpm_ek_root_1.cer" --intermediate "$td/certs/tpm_ek_intermediate_2.crt" \
  --eventlog "$td/gce/eventlog.bin" --time $at
doc tpm-verify-wrong-nonce 1 -- "$bin" tpm verify --json --message "$sw/quote_rsa.tpms_attest.bin" \
  --signature "$sw/quote_rsa.tpmt_signature.bin" --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" \
  --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce 00112233
err tpm-verify-missing 2 -- "$bin" tpm verify --json --message "$tmp/none" \
  --signature "$sw/quote_rsa.tpmt_signature.bin" --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" \
  --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce "$swn"
ek=$(ls "$td"/ek/* 2>/dev/null | grep -E '\.(der|crt|cer|pem)$' | head -1)
if [ -n "$ek" ]; then
  doc tpm-ek-check "$("$bin" tpm ek-check --cert "$ek" --time $at >/dev/null 2>&1; echo $?)" -- \
    "$bin" tpm ek-check --json --cert "$ek" --time $at
else
  not_ok "no EK certificate in tests/data/tpm/ek"
fi
err tpm-ek-check-missing 2 -- "$bin" tpm ek-check --json --cert "$tmp/none"
err tpm-quote-bad-nonce 2 -- "$bin" tpm quote --json --tcti "swtpm:host=127.0.0.1,port=1" --nonce 00 --out "$tmp/q"
err tpm-create-ak-bad-handle 2 -- "$bin" tpm create-ak --json --tcti "swtpm:host=127.0.0.1,port=1" \
  --handle nothex --out "$tmp/ak"
err tpm-challenge-missing 2 -- "$bin" tpm challenge --json --ek-public "$tmp/none" --ak-public "$tmp/none" \
  --out "$tmp/ch"
err tpm-activate-missing 2 -- "$bin" tpm activate --json --tcti "swtpm:host=127.0.0.1,port=1" \
  --handle 0x81010020 --challenge "$tmp/none" --out "$tmp/a.bin"
err tpm-check-answer-missing 2 -- "$bin" tpm check-answer --json --challenge "$tmp/none" --answer "$tmp/none"
doc challenge 0 -- "$bin" challenge --json --store "$tmp/nonces.sqlite" --ttl 60
err challenge-bad-ttl 2 -- "$bin" challenge --json --store "$tmp/nonces.sqlite" --ttl 0
doc keygen 0 -- "$bin" keygen --json --out "$tmp/k2"
err keygen-exists 2 -- "$bin" keygen --json --out "$tmp/k2"
doc jwks 0 -- "$bin" jwks --json "$key"
err jwks-not-a-key 2 -- "$bin" jwks --json "$jwks"
hgx=(verify "$ex/bundles/hgx-h100/bundle.json" --key "$key" --licence "$ex/bundles/hgx-h100/licence.json"
  --ak-ca "$ex/bundles/hgx-h100/sim-ak-ca.pem" --nonce "$n8" --time "$at")
doc verify-hgx 1 -- "$bin" "${hgx[@]}" --out "$tmp/hgx.jwt" --json
# The signed claims inside carry the same finding shape (ear-extensions/v2).
"$py" - "$tmp/json/verify-hgx.json" <<'PY' && ok || not_ok "verify's claims are not ear-extensions/v2"
import json, sys
c = json.load(open(sys.argv[1]))["claims"]
assert c["https://accel-attest.example/ear/verification"]["schema"] == "accel-attest/ear-extensions/v2"
d = c["submods"]["0000:db:00.0"]["https://accel-attest.example/ear/device"]
assert d["address"] == "0000:db:00.0" and "pci_address" not in d
f = d["findings"][0]
assert sorted(f) == ["code", "field", "message", "severity", "subject"] and f["subject"] == "0000:db:00.0", f
PY
doc verify-hgx-fail-on-fail 0 -- "$bin" "${hgx[@]}" --out "$tmp/hgx2.jwt" --json --fail-on fail
err verify-bad-nonce 2 -- "$bin" verify "$ex/bundles/hgx-h100/bundle.json" --key "$key" --out "$tmp/x.jwt" \
  --json --nonce abc
err verify-jwt-as-bundle 2 -- "$bin" verify "$tmp/hgx.jwt" --key "$key" --out "$tmp/y.jwt" --json
doc verify-token 0 -- "$bin" verify-token --json "$tmp/hgx.jwt" --jwks "$jwks" --require warning
doc verify-token-refused 1 -- "$bin" verify-token --json "$tmp/hgx.jwt" --jwks "$jwks"
doc verify-token-veraison 0 -- "$bin" verify-token --json "$ed/arc-testJWT.jwt" --jwks "$ed/veraison-pkey.json"
doc verify-token-alg-none 1 -- "$bin" verify-token --json "$ed/ear_test-neg-alg-none.jwt" --jwks "$ed/veraison-pkey.json"
err verify-token-no-key 2 -- "$bin" verify-token --json "$tmp/hgx.jwt"
doc report 0 -- "$bin" report --json "$tmp/hgx.jwt" -o "$tmp/hgx.html" --jwks "$jwks"
err report-no-key 2 -- "$bin" report --json "$tmp/hgx.jwt" -o "$tmp/hgx.html"
doc location-bound 0 -- "$bin" location bound --json --landmark 50.1109,8.6821 --rtt-ms 1
doc location-bound-two 0 -- "$bin" location bound --json --landmark 50.1109,8.6821 --rtt-ms 1 \
  --landmark 49.4521,11.0767 --rtt-ms 1.334 --allowed DE
doc location-bound-hk 1 -- "$bin" location bound --json --landmark 22.3193,114.1694 --rtt-ms 0.5
err location-bound-bad 2 -- "$bin" location bound --json --landmark 91,0 --rtt-ms 1
fxverify=(location verify --device-root "$fx/root.pem" --landmarks "$fx/lms" --key "$key"
  --time 2026-11-28T03:05:00Z)
doc location-verify 0 -- "$bin" "${fxverify[@]}" "$fx/sg-2ms.json" --nonce $fxnonce --out "$tmp/sg.jwt" --json
doc location-verify-stale 1 -- "$bin" "${fxverify[@]}" "$fx/sg-2ms.json" --out "$tmp/sg3.jwt" --json \
  --nonce 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
err location-verify-bad-nonce 2 -- "$bin" "${fxverify[@]}" "$fx/sg-2ms.json" --nonce 00 --out "$tmp/sg2.jwt" --json
doc landmark-enrol 0 -- "$bin" landmark enrol --json --key "$key" --id sg-1 --lat 1.2897 --lon 103.8501 \
  --out "$tmp/lm.json"
err landmark-enrol-bad-lat 2 -- "$bin" landmark enrol --json --key "$key" --id x --lat 91 --lon 0 --out "$tmp/lm2.json"
err landmark-serve-bad-lat 2 -- "$bin" landmark serve --json --key "$key" --id x --lat nan --lon 0 \
  --listen 127.0.0.1:0
err landmark-respond-unwritable 2 -- "$bin" landmark respond --json --connect 127.0.0.1:1 --device d \
  --device-key k --device-chain c --out "$tmp/no-such-dir/e.json"
# The TPM host commands against a real TPM: swtpm on loopback with a local EK CA.
if command -v swtpm >/dev/null && command -v swtpm_setup >/dev/null; then
  w=$tmp/swtpm
  mkdir -p "$w/ca" "$w/state"
  printf 'statedir = %s\nsigningkey = %s\nissuercert = %s\ncertserial = %s\n' \
    "$w/ca" "$w/ca/signkey.pem" "$w/ca/issuercert.pem" "$w/ca/certserial" >"$w/localca.conf"
  printf 'create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = %s\ncreate_certs_tool_options = /etc/swtpm-localca.options\nactive_pcr_banks = sha256\n' \
    "$w/localca.conf" >"$w/setup.conf"
  swtpm_setup --tpm2 --tpm-state "$w/state" --createek --create-ek-cert --config "$w/setup.conf" \
    --overwrite >"$w/setup.log" 2>&1
  start_swtpm "$w/state" "$w/pid" "$w/swtpm.log" 20001 733
  tcti="swtpm:host=127.0.0.1,port=$port"
  doc tpm-quote 0 -- "$bin" tpm quote --json --tcti "$tcti" --nonce "$n8" --out "$tmp/q"
  doc tpm-create-ak 0 -- "$bin" tpm create-ak --json --tcti "$tcti" --handle 0x81010020 --out "$tmp/ak"
  mkdir -p "$tmp/anchors" && cp "$w/ca/swtpm-localca-rootca-cert.pem" "$w/ca/issuercert.pem" "$tmp/anchors/"
  doc tpm-challenge 0 -- "$bin" tpm challenge --json --ek-public "$tmp/ak/ek.pub" \
    --ak-public "$tmp/ak/ak.pub" --ek-cert "$tmp/ak/ek-cert.der" --anchors "$tmp/anchors" --out "$tmp/ch"
  doc tpm-activate 0 -- "$bin" tpm activate --json --tcti "$tcti" --handle 0x81010020 \
    --challenge "$tmp/ch" --out "$tmp/answer.bin"
  doc tpm-check-answer 0 -- "$bin" tpm check-answer --json --challenge "$tmp/ch" --answer "$tmp/answer.bin"
  head -c 32 /dev/urandom >"$tmp/wrong.bin"
  doc tpm-check-wrong-answer 1 -- "$bin" tpm check-answer --json --challenge "$tmp/ch" --answer "$tmp/wrong.bin"
  [ -f "$w/pid" ] && kill "$(cat "$w/pid")" 2>/dev/null
else
  not_ok "swtpm is not installed (tools/setup-debian.sh installs it)"
fi
# A landmark session over loopback: serve one session, respond to it.
# odd, 10001 to 17999: below the swtpm ports and the ephemeral range (run_location_tests.sh)
lp=$((10001 + 2 * ($$ % 4000)))
"$bin" landmark serve --json --key "$key" --id sg-1 --lat 1.2897 --lon 103.8501 --listen 127.0.0.1:$lp \
  --probes 3 --sessions 1 >"$tmp/json/landmark-serve.json" 2>"$tmp/serve.err" &
spid=$!
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$tmp/dev.key" \
  -out "$tmp/dev.pem" -subj "/CN=SIM-dev" -days 30 >/dev/null 2>&1
for i in 1 2 3 4 5 6 7 8 9 10; do
  "$bin" landmark respond --json --connect 127.0.0.1:$lp --device 0000:18:00.0 --device-key "$tmp/dev.key" \
    --device-chain "$tmp/dev.pem" --challenge $n8 --out "$tmp/ev.json" >"$tmp/json/landmark-respond.json" 2>"$tmp/err" && break
  sleep 0.3
done
[ -s "$tmp/ev.json" ] && ok || { not_ok "landmark respond wrote no evidence"; cat "$tmp/err"; }
wait $spid && ok || not_ok "landmark serve --sessions 1 did not exit 0"
# Usage errors are JSON too.
err unknown-subcommand 2 -- "$bin" identfy --json
"$bin" challenge --store "$tmp/results.sqlite" >/dev/null
doc ledger-verify 0 -- "$bin" ledger verify --json --store "sqlite:$tmp/results.sqlite" --jwks "$jwks"
doc ledger-export 0 -- "$bin" ledger export --json --store "sqlite:$tmp/results.sqlite" \
  --out "$tmp/json/ledger-archive.json"
doc ledger-verify-export 0 -- "$bin" ledger verify --json --export "$tmp/json/ledger-archive.json"
err ledger-verify-bad-url 2 -- "$bin" ledger verify --json --store "mysql://x"
err ledger-export-missing 2 -- "$bin" ledger export --json --store "sqlite:$tmp/none.sqlite"
err unknown-option 2 -- "$bin" identify --json --no-such-option

if "$py" "$src/tests/cli/validate_json.py" "$src/docs/schemas" "$tmp"/json/*.json >"$tmp/v.txt"; then
  ok
else
  grep INVALID "$tmp/v.txt"; not_ok "documents not valid against docs/schemas"
fi
echo "$(grep -c '^valid' "$tmp/v.txt") documents valid"
# Every schema file is used by some document here (none is dead).
for s in "$src"/docs/schemas/*.v*.schema.json; do
  b=$(basename "$s" .schema.json)
  grep -q "($b.schema.json)" "$tmp/v.txt" && ok || not_ok "no document exercised $b"
done
finish
