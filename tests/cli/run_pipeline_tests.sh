#!/usr/bin/env bash
# The pipeline end to end with the real binary: `verify` on the shipped example bundles, the
# signed result checked by `verify-token` and independently by PyJWT, tampering with each part
# of a bundle, the nonce store (a nonce is accepted once), the evidence simulator against a live
# swtpm, crafted bad bundles (exit 2), and `report`.
# Usage: run_pipeline_tests.sh BINARY SOURCE_DIR [NO_NETWORK_SHIM]
set -u
bin=$1
src=$2
shim=${3:-}
ex=$src/docs/examples/bundles
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"
at=2026-11-27T00:00:00Z
hgx_nonce=4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e

check keygen 0 "signing key" -- "$bin" keygen --out "$tmp/k"
key=$tmp/k/signing-key.pem
jwks=$tmp/k/jwks.json
hgx=(verify "$ex/hgx-h100/bundle.json" --key "$key" --licence "$ex/hgx-h100/licence.json"
  --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" --nonce "$hgx_nonce" --time "$at")

# The HGX host: 8 attested H100s, licensed; warning because no RIMs are public for its firmware.
check hgx-verify 1 "host hgx-h100-example: warning" -- "$bin" "${hgx[@]}" --out "$tmp/hgx.jwt"
check hgx-attested 1 "0000:db:00.0  warning  NVIDIA H100 SXM5 80GB  3A090.a.1  attested" -- \
  "$bin" "${hgx[@]}" --out "$tmp/hgx.jwt"
if [ -n "$shim" ]; then
  check hgx-offline 1 "host hgx-h100-example: warning" -- env LD_PRELOAD="$shim" "$bin" "${hgx[@]}" \
    --out "$tmp/hgx-offline.jwt"
fi
# A warning result is valid but not good enough by default: `verify-token && provision` is safe.
check hgx-token 0 "VALID EAR.*status warning" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --nonce "$hgx_nonce" --require warning
check hgx-token-default-require 1 "token.status-below-required.*status warning does not meet --require affirming" -- \
  "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" --nonce "$hgx_nonce"
# --nonce is compared as bytes: the issued hex in either case, and the base64url (what the token
# carries) and padded base64 of the same bytes, all match; another nonce does not.
hgx_upper=$(printf '%s' "$hgx_nonce" | tr a-f A-F)
hgx_b64=$(python3 -c 'import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$hgx_nonce")
hgx_b64url=$(printf '%s' "$hgx_b64" | tr '+/' '-_' | tr -d '=')
for spelling in "$hgx_upper" "$hgx_b64" "$hgx_b64url"; do
  check "hgx-token-nonce-$spelling" 0 "VALID EAR" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
    --nonce "$spelling" --require warning
done
check hgx-token-other-nonce 1 "ear.nonce-mismatch" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --nonce "$(printf '%s' "$hgx_nonce" | tr 0-9 1-90)" --require warning
check hgx-token-bad-nonce 2 "input.bad-nonce" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --nonce "not+a-nonce" --require warning
check hgx-token-json-refused 1 '"code": "token.status-below-required"' -- "$bin" verify-token "$tmp/hgx.jwt" \
  --jwks "$jwks" --json
check hgx-token-bad-require 2 "" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" --require none
# Our results are draft-03 EARs whose appraisals carry accel-attest's profile: either pins them.
check hgx-token-pinned 0 "VALID EAR, key .*, profile tag:ietf.org,2026:rats/ear#03 \(appraisals tag:accel-attest.example,2026:ear#2\)" -- \
  "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" --profile "tag:accel-attest.example,2026:ear#2" \
  --require warning
check hgx-token-pinned-ietf 0 "VALID EAR" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --profile "tag:ietf.org,2026:rats/ear#03" --require warning
check hgx-token-policy-ids 0 '"tag:accel-attest.example,2026:policy/nvidia-gpu/v1#[0-9a-f]{16}"' -- \
  "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" --require warning --json
check hgx-token-key 0 "VALID EAR" -- "$bin" verify-token "$tmp/hgx.jwt" --key "$key" --require warning
openssl pkey -in "$key" -pubout -out "$tmp/k/public.pem" 2>/dev/null
check hgx-token-public-pem 0 "VALID EAR" -- "$bin" verify-token "$tmp/hgx.jwt" --key "$tmp/k/public.pem" \
  --require warning
check hgx-token-key-and-jwks 2 "" -- "$bin" verify-token "$tmp/hgx.jwt" --key "$key" --jwks "$jwks"
check hgx-token-no-key 2 "--jwks" -- "$bin" verify-token "$tmp/hgx.jwt"
# Times at a frozen --time, relative to the token's own iat (verify signs with iat = now):
# expired a day after, issued in the future before (beyond the 300 s skew), within the skew.
iat=$($py -c 'import base64,json,sys; p=open(sys.argv[1]).read().split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4)))["iat"])' "$tmp/hgx.jwt")
rfc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
check hgx-token-expired 1 "ear.expired" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --require warning --time "$(rfc $((iat + 86400)))"
check hgx-token-iat-future 1 "token.iat-future" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --require warning --time "$(rfc $((iat - 301)))"
check hgx-token-iat-skew 0 "VALID EAR" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --require warning --time "$(rfc $((iat - 300)))"
check hgx-token-iat-no-skew 1 "token.iat-future" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --require warning --time "$(rfc $((iat - 1)))" --skew 0
check hgx-token-other-profile 1 "ear.unexpected-profile" -- "$bin" verify-token "$tmp/hgx.jwt" \
  --jwks "$jwks" --profile "tag:github.com,2023:veraison/ear"
check hgx-token-wrong-nonce 1 "ear.nonce-mismatch" -- "$bin" verify-token "$tmp/hgx.jwt" \
  --jwks "$jwks" --nonce "00$(echo "$hgx_nonce" | cut -c3-)"
check hgx-pyjwt 0 "pyjwt: valid, kid .*, status warning, 9 submods" -- \
  "$py" "$src/tests/cli/verify_with_pyjwt.py" "$tmp/hgx.jwt" "$jwks" "$hgx_nonce"
check hgx-json 1 '"identity_assurance": "attested"' -- "$bin" "${hgx[@]}" --out "$tmp/x.jwt" --json

# Our result's signature, changed by one character, fails both verifiers.
$py - "$tmp/hgx.jwt" "$tmp/hgx-bad.jwt" <<'PY'
import sys
t = open(sys.argv[1]).read().strip()
h, p, s = t.split(".")
s = ("A" if s[10] != "A" else "B").join([s[:10], s[11:]])
open(sys.argv[2], "w").write(".".join([h, p, s]))
PY
check hgx-token-tampered 1 "jose.bad-signature" -- "$bin" verify-token "$tmp/hgx-bad.jwt" --jwks "$jwks"
check hgx-pyjwt-tampered 1 "pyjwt: invalid" -- \
  "$py" "$src/tests/cli/verify_with_pyjwt.py" "$tmp/hgx-bad.jwt" "$jwks" "$hgx_nonce"

# The other examples.
check ascend-verify 1 "host ascend-910b-example: contraindicated" -- "$bin" verify \
  "$ex/ascend-910b/bundle.json" --key "$key" --out "$tmp/asc.jwt" --ak-ca "$ex/ascend-910b/sim-ak-ca.pem" --time "$at"
check ascend-prc 1 "policy.prc-3a090-part" -- "$bin" verify "$ex/ascend-910b/bundle.json" --key "$key" \
  --out "$tmp/asc.jwt" --ak-ca "$ex/ascend-910b/sim-ak-ca.pem" --time "$at"
# Platform-bound needs the quote to answer the nonce this verifier issued (here --nonce); with
# no nonce issued the same quote proves no freshness, so the devices stay reported.
asc_nonce=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["nonce"])' "$ex/ascend-910b/bundle.json")
check ascend-platform-bound 1 "Huawei Ascend 910B1  3A090.a.1  platform-bound" -- "$bin" verify \
  "$ex/ascend-910b/bundle.json" --key "$key" --out "$tmp/asc.jwt" --ak-ca "$ex/ascend-910b/sim-ak-ca.pem" \
  --nonce "$asc_nonce"
check ascend-no-nonce-reported 1 "Huawei Ascend 910B1  3A090.a.1  reported" -- "$bin" verify \
  "$ex/ascend-910b/bundle.json" --key "$key" --out "$tmp/asc.jwt" --ak-ca "$ex/ascend-910b/sim-ak-ca.pem"
check ascend-untrusted-ak 1 "pipeline.binding-untrusted" -- "$bin" verify "$ex/ascend-910b/bundle.json" \
  --key "$key" --out "$tmp/asc2.jwt"
check mixed-verify 1 "host mixed-example: contraindicated" -- "$bin" verify "$ex/mixed/bundle.json" \
  --key "$key" --out "$tmp/mixed.jwt" --ak-ca "$ex/mixed/sim-ak-ca.pem"
check mixed-pyjwt 0 "pyjwt: valid" -- "$py" "$src/tests/cli/verify_with_pyjwt.py" "$tmp/mixed.jwt" "$jwks" \
  "$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["nonce"])' "$ex/mixed/bundle.json")"

# Tampering: each part of the HGX bundle, and the licence.
mutate() {  # mutate IN OUT PYTHON-EXPRESSION-ON-b
  $py - "$1" "$2" "$3" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
def flip(s, at):
    raw = bytearray(base64.b64decode(s)); raw[at] ^= 1; return base64.b64encode(bytes(raw)).decode()
exec(sys.argv[3])
json.dump(b, open(sys.argv[2], "w"))
PY
}
mutate "$ex/hgx-h100/bundle.json" "$tmp/t-evidence.json" \
  'd = b["devices"][3]["evidence"]["nvidia"]; d["evidence"] = flip(d["evidence"], -20)'
check tamper-evidence 1 "nvidia.signature.invalid" -- "$bin" verify "$tmp/t-evidence.json" --key "$key" \
  --out "$tmp/t.jwt" --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" --nonce "$hgx_nonce" --time "$at"
check tamper-evidence-binding 1 "tpm.inventory-mismatch" -- "$bin" verify "$tmp/t-evidence.json" --key "$key" \
  --out "$tmp/t.jwt" --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" --nonce "$hgx_nonce" --time "$at"
# The failed report signature is AR4SI 99 on that GPU's claims, and the result never meets --require.
check tamper-evidence-99 1 '"instance-identity": 99' -- "$bin" verify-token "$tmp/t.jwt" --jwks "$jwks" \
  --require warning --json
check tamper-evidence-pyjwt 0 "pyjwt: valid, kid .*, status contraindicated" -- \
  "$py" "$src/tests/cli/verify_with_pyjwt.py" "$tmp/t.jwt" "$jwks" "$hgx_nonce"
mutate "$ex/hgx-h100/bundle.json" "$tmp/t-swap.json" \
  'e = [d["evidence"] for d in b["devices"][:2]]; b["devices"][0]["evidence"], b["devices"][1]["evidence"] = e[1], e[0]'
check tamper-swapped-evidence 1 "tpm.inventory-mismatch" -- "$bin" verify "$tmp/t-swap.json" --key "$key" \
  --out "$tmp/t.jwt" --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" --nonce "$hgx_nonce" --time "$at"
mutate "$ex/hgx-h100/bundle.json" "$tmp/t-inventory.json" 'b["devices"][0]["device_id"] = "2331"'
check tamper-inventory 1 "tpm.inventory-mismatch" -- "$bin" verify "$tmp/t-inventory.json" --key "$key" \
  --out "$tmp/t.jwt" --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" --nonce "$hgx_nonce" --time "$at"
mutate "$ex/hgx-h100/bundle.json" "$tmp/t-quote.json" 'b["host"]["tpm"]["quote"] = flip(b["host"]["tpm"]["quote"], 60)'
check tamper-quote 1 "tpm.signature-invalid" -- "$bin" verify "$tmp/t-quote.json" --key "$key" \
  --out "$tmp/t.jwt" --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" --nonce "$hgx_nonce" --time "$at"
$py - "$tmp/t.jwt" <<'PY' && ok || not_ok "tamper-quote-99: the host's quote-derived claims are not all 99"
import base64, json, sys
p = open(sys.argv[1]).read().split(".")[1]
host = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["submods"]["host"]
v = host["ear_trustworthiness_vector"]
sys.exit(0 if host["ear_status"] == "contraindicated" and
         all(v.get(c) == 99 for c in ("instance-identity", "hardware", "executables")) else 1)
PY
$py - "$ex/hgx-h100/licence.json" "$tmp/lic-short.json" "$tmp/lic-extra.json" <<'PY'
import json, sys
l = json.load(open(sys.argv[1]))
short = dict(l, devices=l["devices"][:-1]); json.dump(short, open(sys.argv[2], "w"))
extra = dict(l, devices=l["devices"] + [{"serial": "1234567890", "eccn": "3A090.a"}]); json.dump(extra, open(sys.argv[3], "w"))
PY
check tamper-licence-short 1 "policy.licence-required-by-text" -- "$bin" verify "$ex/hgx-h100/bundle.json" \
  --key "$key" --out "$tmp/t.jwt" --licence "$tmp/lic-short.json" --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" \
  --nonce "$hgx_nonce" --time "$at"
check tamper-licence-extra 1 "policy.licensed-device-absent" -- "$bin" verify "$ex/hgx-h100/bundle.json" \
  --key "$key" --out "$tmp/t.jwt" --licence "$tmp/lic-extra.json" --ak-ca "$ex/hgx-h100/sim-ak-ca.pem" \
  --nonce "$hgx_nonce" --time "$at"

# The nonce store and the simulator with a live swtpm: a fresh nonce is accepted once.
store=$tmp/nonces.sqlite
check challenge 0 "^[0-9a-f]{64}$" -- "$bin" challenge --store "$store" --ttl 300
n=$(cat "$tmp/out")
check simulate 0 "TPM quote from swtpm" -- "$src/tools/simulate-bundle" \
  "$src/tests/data/bundles/h20-host/spec.json" "$tmp/sim" --bin "$bin" --nonce "$n"
sim=(verify "$tmp/sim/bundle.json" --key "$key" --ak-ca "$tmp/sim/sim-ak-ca.pem" --store "$store")
# An output that cannot be written fails (exit 2) before the nonce is consumed: the same bundle
# then verifies (store-first-use), as it could not if the failure had spent the nonce.
check store-out-no-dir 2 "output.unwritable.*--out" -- "$bin" "${sim[@]}" --out "$tmp/no-such-dir/sim.jwt"
check store-report-is-dir 2 "output.unwritable.*--report" -- "$bin" "${sim[@]}" --out "$tmp/sim.jwt" \
  --report "$tmp"
check store-location-out-no-landmarks 2 "needs --landmarks" -- "$bin" "${sim[@]}" --out "$tmp/sim.jwt" \
  --location-out "$tmp/sim-loc.jwt"
[ ! -e "$tmp/sim.jwt" ] && ok || not_ok "a refused verify wrote its token"
# The H20 is not 3A090 by the default reading but 3A090 by others, and at SG the text of the EAR
# needs a licence for 3A090.a: a policy warning (docs/policy.md), so the result is `warning`.
check store-first-use 1 "host h20-test-host: warning" -- "$bin" "${sim[@]}" --out "$tmp/sim.jwt"
grep -q "\[warn\] policy.class-undetermined" "$tmp/out" && ok || not_ok "store-first-use: the H20's warning is not the policy's"
check store-first-use-pyjwt 0 "status warning" -- "$py" "$src/tests/cli/verify_with_pyjwt.py" \
  "$tmp/sim.jwt" "$jwks" "$n"
check store-reuse 1 "store.nonce-reused" -- "$bin" "${sim[@]}" --out "$tmp/sim2.jwt"
check store-first-use-token 0 "VALID EAR.*status warning" -- "$bin" verify-token "$tmp/sim.jwt" --jwks "$jwks" \
  --nonce "$n" --require warning
check store-reuse-contraindicated 1 "token.status-below-required.*status contraindicated" -- \
  "$bin" verify-token "$tmp/sim2.jwt" --jwks "$jwks"
check store-reuse-contraindicated-warning 1 "status contraindicated does not meet --require warning" -- \
  "$bin" verify-token "$tmp/sim2.jwt" --jwks "$jwks" --require warning
check store-unknown 1 "store.nonce-unknown" -- "$bin" verify "$ex/mixed/bundle.json" --key "$key" \
  --out "$tmp/t.jwt" --store "$store"
check simulate-nonce-conflict 1 "answers nonce" -- "$src/tools/simulate-bundle" \
  "$ex/hgx-h100/spec.json" "$tmp/sim3" --bin "$bin" --nonce "$n"

# Bad input: exit 2 with the field named.
bad() {  # bad NAME CODE PYTHON-WRITING-TO-f
  $py - "$ex/mixed/bundle.json" "$tmp/bad-$1.json" "$3" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
f = open(sys.argv[2], "w")
exec(sys.argv[3])
PY
  check "bad-$1" 2 "$2" -- "$bin" verify "$tmp/bad-$1.json" --key "$key" --out "$tmp/t.jwt"
}
bad deep "input.too-deep" 'b["location"] = json.loads("[" * 40 + "]" * 40); json.dump(b, f)'
bad duplicate-key "input.duplicate-key" 'f.write(json.dumps(b)[:-1] + ", \"nonce\": \"00\"}")'
bad base64 "input.bad-base64.*#/host/tpm/quote" 'b["host"]["tpm"]["quote"] = "@@@"; json.dump(b, f)'
bad missing "input.missing-field.*#/devices" 'del b["devices"]; json.dump(b, f)'
bad type "input.wrong-type.*#/devices/0/vendor_id" 'b["devices"][0]["vendor_id"] = 4318; json.dump(b, f)'
bad huge "input.too-large" 'b["host"]["name"] = "x" * (9 << 20); json.dump(b, f)'
bad not-json "input.bad-json" 'f.write("{\"schema\": ")'
bad not-finite "input.not-finite.*#/collected_at" 'b["collected_at"] = 0; f.write(json.dumps(b).replace("\"collected_at\": 0", "\"collected_at\": 1e400"))'
check bad-licence 2 "input.bad-value.*#/destination" -- "$bin" verify "$ex/mixed/bundle.json" --key "$key" \
  --out "$tmp/t.jwt" --licence <(echo '{"schema":"accel-attest/licence/v1","licence":"L","destination":"Germany","end_user":{"name":"E","headquarters":"DE"},"devices":[]}')
check bad-key 2 "not a PEM EC P-256 private key" -- "$bin" verify "$ex/mixed/bundle.json" --key "$jwks" --out "$tmp/t.jwt"
check store-and-nonce 2 "" -- "$bin" verify "$ex/mixed/bundle.json" --key "$key" --out "$tmp/t.jwt" \
  --store "$store" --nonce "$n"

# The report: verified first (--jwks or --key), fail closed (exit 2, no page) otherwise; only
# --unverified renders without a key, marked UNVERIFIED with no verdict and no colour.
check report 0 "signature verified" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx.html" --jwks "$jwks"
if grep -q 'id="verdict"><b>warning</b>' "$tmp/hgx.html" && [ "$(grep -c 'class="device"' "$tmp/hgx.html")" -eq 8 ]; then
  ok; else not_ok "report lacks the verdict or the 8 device rows"; fi
kid=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["keys"][0]["kid"])' "$jwks")
grep -q "id=\"sig-kid\"><span class=\"mono\">$kid</span>" "$tmp/hgx.html" &&
  grep -q "id=\"sig-thumbprint\"><span class=\"mono\">$kid</span>" "$tmp/hgx.html" && ok ||
  not_ok "report does not name the key by kid and thumbprint"
# The page's re-verify command, run as printed, verifies the token.
cmd=$($py -c 'import html,re,sys; print(html.unescape(re.search(r"id=\"reverify\">([^<]*)<", open(sys.argv[1]).read()).group(1)))' "$tmp/hgx.html")
[ "$cmd" = "accel-attest verify-token $tmp/hgx.jwt --jwks $jwks" ] && ok || not_ok "re-verify command: $cmd"
check report-reverify 0 "VALID EAR.*status warning" -- bash -c "${cmd/accel-attest/\"\$0\"} --require warning" "$bin"
check report-key 0 "signature verified" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx-k.html" --key "$key"
grep -q "verify-token $tmp/hgx.jwt --key $key<" "$tmp/hgx-k.html" && ok || not_ok "re-verify command with --key"
check report-public-pem 0 "signature verified" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx-p.html" \
  --key "$tmp/k/public.pem"
check report-no-key 2 "give --jwks or --key" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx-none.html"
[ ! -e "$tmp/hgx-none.html" ] && ok || not_ok "report without a key wrote a page"
check report-unverified 0 "UNVERIFIED.*NOT verified" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx2.html" --unverified
grep -q 'id="verdict"><b>UNVERIFIED</b>' "$tmp/hgx2.html" && ok || not_ok "unverified banner"
grep -qE 'class="verdict (affirming|warning|contraindicated|none)"|class="pill (affirming|warning|contraindicated|none|info|warn|fail)"' \
  "$tmp/hgx2.html" && not_ok "unverified page has status colours" || ok
grep -q 'none: no key was used' "$tmp/hgx2.html" && ok || not_ok "unverified page claims a key"
check report-unverified-and-key 2 "" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx4.html" --unverified --jwks "$jwks"
"$bin" keygen --out "$tmp/k2" >/dev/null
check report-wrong-key 2 "jose.unknown-key" -- "$bin" report "$tmp/hgx.jwt" \
  -o "$tmp/hgx3.html" --jwks "$tmp/k2/jwks.json"
[ ! -e "$tmp/hgx3.html" ] && ok || not_ok "report with the wrong key wrote a page"
check report-wrong-pem 2 "jose.unknown-key" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx3.html" \
  --key "$tmp/k2/signing-key.pem"
check report-tampered 2 "jose.bad-signature" -- "$bin" report "$tmp/hgx-bad.jwt" -o "$tmp/hgx3.html" --jwks "$jwks"
check report-expired 2 "ear.expired" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx3.html" --jwks "$jwks" \
  --time "$(rfc $((iat + 86400)))"
check report-at-time 0 "signature verified" -- "$bin" report "$tmp/hgx.jwt" -o "$tmp/hgx5.html" --jwks "$jwks" \
  --time "$(rfc $((iat + 3600)))"
grep -q "verify-token $tmp/hgx.jwt --jwks $jwks --time $(rfc $((iat + 3600)))<" "$tmp/hgx5.html" && ok ||
  not_ok "re-verify command lacks --time"
check verify-writes-report 1 "" -- "$bin" "${hgx[@]}" --out "$tmp/r.jwt" --report "$tmp/r.html"
[ -s "$tmp/r.html" ] && ok || not_ok "verify --report wrote nothing"
grep -q "id=\"reverify\">accel-attest verify-token $tmp/r.jwt --key $key<" "$tmp/r.html" &&
  grep -q "id=\"sig-thumbprint\"><span class=\"mono\">$kid</span>" "$tmp/r.html" && ok ||
  not_ok "verify --report lacks the key or the re-verify command"

# Tokens whose header or payload is valid base64url of something that is not a JSON object
# (tests/data/ear/malformed): a clear error naming the part, never an abort.
ed=$src/tests/data/ear
for part in header payload; do
  for kind in array number string null garbage; do
    t=$ed/malformed/$part-$kind.jwt
    check "report-unverified-$part-$kind" 2 "jose.bad-$part: .*$part-$kind.jwt $part" -- \
      "$bin" report "$t" -o "$tmp/m.html" --unverified
    check "report-$part-$kind" 2 "jose.bad-$part" -- "$bin" report "$t" -o "$tmp/m.html" \
      --jwks "$ed/veraison-pkey.json"
    check "token-$part-$kind" 1 "jose.bad-$part" -- "$bin" verify-token "$t" --jwks "$ed/veraison-pkey.json"
  done
done
[ ! -e "$tmp/m.html" ] && ok || not_ok "a malformed token produced a page"

# Outputs are written atomically: a write that fails (here the file-size limit, as a full disk
# would) leaves the previous token and report whole, and no temporary file behind.
sha_before=$(cat "$tmp/r.jwt" "$tmp/r.html" | sha256sum)
check verify-write-fails 2 "output.unwritable" -- bash -c 'ulimit -f 1; trap "" XFSZ; exec "$@"' _ \
  "$bin" "${hgx[@]}" --out "$tmp/r.jwt" --report "$tmp/r.html"
[ "$(cat "$tmp/r.jwt" "$tmp/r.html" | sha256sum)" = "$sha_before" ] && ok || \
  not_ok "a failed write changed the old token or report"
[ -z "$(find "$tmp" -maxdepth 1 -name '.*tmp-*')" ] && ok || not_ok "a failed write left a temporary file"

# No input ends the process through an exception: a token whose header is a JSON array.
hdr=$(printf '[1]' | base64 | tr '+/' '-_' | tr -d '=')
pl=$(printf '{}' | base64 | tr '+/' '-_' | tr -d '=')
printf '%s.%s.AAAA\n' "$hdr" "$pl" >"$tmp/array-header.jwt"
check report-array-header 2 "error" -- "$bin" report "$tmp/array-header.jwt" -o "$tmp/ah.html"

# Host-supplied strings are escaped in the text summary: a host name and a device name holding
# ESC sequences, a bell and newlines (the bundle parser accepts them; they are valid JSON).
$py - "$ex/mixed/bundle.json" "$tmp/esc.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["host"]["name"] = "evil\x1b[2J\nhost"
b["devices"][8]["reported"] = {"name": "X\x1b]0;pwned\x07\r\x9bY", "serial": "S\x1b[31m"}
json.dump(b, open(sys.argv[2], "w"))
PY
check escape-host-name 1 'host evil\\x1b\[2J\\x0ahost: ' -- "$bin" verify "$tmp/esc.json" --key "$key" \
  --out "$tmp/esc.jwt" --ak-ca "$ex/mixed/sim-ak-ca.pem"
if ! grep -q "$(printf '\033')" "$tmp/out" "$tmp/err" && ! grep -q "$(printf '\a')" "$tmp/out"; then ok; else
  not_ok "verify printed a raw control character from the bundle"; fi

# Hostile review of issue 14: what a script or an operator could be misled by.
# A PCR policy that constrains nothing is refused, not a passed boot-state check.
echo '{"schema":"accel-attest/pcr-policy/v1","banks":{"sha256":{"0":[]}}}' >"$tmp/pcr-empty-list.json"
echo '{"schema":"accel-attest/pcr-policy/v1","banks":{}}' >"$tmp/pcr-no-pcr.json"
check pcr-policy-empty-list 2 "input.bad-value.*no allowed value" -- "$bin" "${hgx[@]}" \
  --out "$tmp/p.jwt" --pcr-policy "$tmp/pcr-empty-list.json"
check pcr-policy-no-pcr 2 "input.bad-value.*allows every boot state" -- "$bin" "${hgx[@]}" \
  --out "$tmp/p.jwt" --pcr-policy "$tmp/pcr-no-pcr.json"
# An empty nonce (an unset shell variable) is bad input, never "no nonce".
check verify-empty-nonce 2 "input.bad-nonce" -- "$bin" verify "$ex/hgx-h100/bundle.json" \
  --key "$key" --out "$tmp/e.jwt" --nonce ""
check token-empty-nonce 2 "input.bad-nonce" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --require warning --nonce ""
check token-short-nonce 2 "input.bad-nonce" -- "$bin" verify-token "$tmp/hgx.jwt" --jwks "$jwks" \
  --require warning --nonce abc
# No output overwrites an input or another output; one output at most takes stdout.
cp "$key" "$tmp/key-copy.pem"
check out-is-key 2 "--out: is the --key input" -- "$bin" verify "$ex/hgx-h100/bundle.json" \
  --key "$tmp/key-copy.pem" --out "$tmp/key-copy.pem" --nonce "$hgx_nonce"
if cmp -s "$key" "$tmp/key-copy.pem"; then ok; else not_ok "out-is-key: the key was overwritten"; fi
check out-is-report 2 "--report: is also --out" -- "$bin" "${hgx[@]}" --out "$tmp/same" \
  --report "$tmp/same"
check two-stdout-outputs 2 "only one output can go to standard output" -- "$bin" "${hgx[@]}" \
  --out - --report -
check report-over-token 2 "--out: is the token input" -- "$bin" report "$tmp/hgx.jwt" \
  -o "$tmp/hgx.jwt" --jwks "$jwks"
# --out -: stdout holds the token alone (the summary and --json go to stderr).
"$bin" "${hgx[@]}" --out - --json 2>/dev/null >"$tmp/stdout.jwt"
check stdout-token-only 0 "VALID EAR" -- "$bin" verify-token "$tmp/stdout.jwt" --jwks "$jwks" \
  --nonce "$hgx_nonce" --require warning
# stdin feeds one input only; a second '-' is refused, never read as a file named '-'.
mkdir -p "$tmp/dash" && cp "$ex/hgx-h100/sim-ak-ca.pem" "$tmp/dash/-"
# (The AK CA is read first: it gets the licence from stdin and is refused; the licence is then
# never read from ./-.)
(cd "$tmp/dash" && "$bin" verify "$ex/hgx-h100/bundle.json" --key "$key" --out "$tmp/d.jwt" \
  --nonce "$hgx_nonce" --licence - --ak-ca - <"$ex/hgx-h100/licence.json") >"$tmp/out" 2>&1
if [ ! -e "$tmp/d.jwt" ] && grep -q "error" "$tmp/out"; then ok; else
  not_ok "stdin-twice: $(head -2 "$tmp/out")"; fi
(cd "$tmp/dash" && "$bin" verify "$ex/hgx-h100/bundle.json" --key "$key" --out "$tmp/d.jwt" \
  --nonce "$hgx_nonce" --ak-ca - --licence - <"$ex/hgx-h100/sim-ak-ca.pem") >"$tmp/out" 2>&1
if [ ! -e "$tmp/d.jwt" ] && grep -q "standard input is already read" "$tmp/out"; then ok; else
  not_ok "stdin-twice-licence: $(head -2 "$tmp/out")"; fi
# Caps that contradict each other prove nothing.
check location-contradicting-caps 1 "verdict: indeterminate" -- "$bin" location bound \
  --landmark 1.2897,103.8501 --rtt-ms 2 --landmark 39.9,116.4 --rtt-ms 2

finish
