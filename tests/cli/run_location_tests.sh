#!/usr/bin/env bash
# Location end to end with real processes: landmarks (`landmark serve`) and a host responder
# (`landmark respond`, a simulated P-384 device under a test root made here) talk over loopback
# and, where the machine allows (root, network namespaces; netem where the kernel has it) across
# a veth pair, so RTTs are measured, not made up. Then `location verify`, the signed location
# attestation checked by verify-token and PyJWT, and `location bound` on the issue's numbers.
# A GPU through NVML runs against tests/fake_nvml, a stand-in library (a simulated GPU).
# Load-proof (issue 12): a verdict is asserted only on fixed timing records (tests/data/location,
# RTTs chosen and signed by test landmarks) or on `location bound`. Runs with measured RTTs assert
# only what load cannot change: the records verify and bind to the device, and the verdict is the
# expected one or weaker (load only adds delay, and delay never excludes), never a false one.
# Usage: run_location_tests.sh BINARY SOURCE_DIR [FAKE_NVML_LIBRARY]
set -u
bin=$1
src=$2
nvml=${3:-}
py=/usr/bin/python3
tmp=$(mktemp -d)
pids=()
ns=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/check.sh"

# location bound: the issue's landmarks.
check bound-singapore 0 "verdict: not_in_restricted" -- "$bin" location bound --landmark 1.2897,103.8501 --rtt-ms 2
check bound-singapore-cn 0 "nearest restricted point: CN at 15\.7" -- "$bin" location bound \
  --landmark 1.2897,103.8501 --rtt-ms 2 --restricted CN,HK,MO
check bound-hong-kong 1 "verdict: indeterminate" -- "$bin" location bound --landmark 22.3193,114.1694 --rtt-ms 0.5
check bound-frankfurt 0 "verdict: in_allowed" -- "$bin" location bound --landmark 50.1109,8.6821 --rtt-ms 0.5 --allowed DE
check bound-frankfurt-1ms 0 "may reach FR" -- "$bin" location bound --landmark 50.1109,8.6821 --rtt-ms 1 --allowed DE
check bound-radii 0 "radius at c: +149.9 km" -- "$bin" location bound --landmark 50.1109,8.6821 --rtt-ms 1
check bound-json 0 '"radius_km_at_two_thirds_c": 99.9' -- "$bin" location bound --landmark 50.1109,8.6821 --rtt-ms 1 --json
# Several landmarks: Frankfurt (150 km, reaches France) and Nuremberg (200 km, reaches the Czech
# Republic) together leave only Germany.
two=(--landmark 50.1109,8.6821 --rtt-ms 1 --landmark 49.4521,11.0767 --rtt-ms 1.334 --allowed DE)
check bound-two 0 "together .*only allowed land" -- "$bin" location bound "${two[@]}"
check bound-two-verdict 0 "verdict: in_allowed" -- "$bin" location bound "${two[@]}"
check bound-two-json 0 '"inside_allowed": true' -- "$bin" location bound "${two[@]}" --json
check bound-two-mismatch 2 "one --rtt-ms for each --landmark" -- "$bin" location bound \
  --landmark 50.1109,8.6821 --landmark 49.4521,11.0767 --rtt-ms 1
check bound-bad-landmark 2 "input.bad-value" -- "$bin" location bound --landmark 91,0 --rtt-ms 1
check bound-bad-country 2 "input.bad-value" -- "$bin" location bound --landmark 1,103 --rtt-ms 1 --allowed XX

# Keys: a result key, two landmarks (Singapore, Madrid), a device root, a device, an impostor.
cd "$tmp" || exit 1
"$bin" keygen --out rk >/dev/null
"$bin" keygen --out sg >/dev/null
"$bin" keygen --out mad >/dev/null
"$bin" keygen --out jb >/dev/null
mkdir lms
check enrol 0 "landmark sg-1" -- "$bin" landmark enrol --key sg/signing-key.pem --id sg-1 --lat 1.2897 --lon 103.8501 --out lms/sg-1.json
"$bin" landmark enrol --key mad/signing-key.pem --id mad-1 --lat 40.4168 --lon -3.7038 --out lms/mad-1.json >/dev/null
"$bin" landmark enrol --key jb/signing-key.pem --id jb-1 --lat 1.4927 --lon 103.7414 --out lms/jb-1.json >/dev/null
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout root.key -out root.pem \
  -subj "/CN=accel-attest test device root" -days 3650
for d in dev other; do
  ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout $d.key -out $d.csr -subj "/CN=SIM-$d"
  ossl x509 -req -in $d.csr -CA root.pem -CAkey root.key -CAcreateserial -out $d.pem -days 3650
done
# Landmark ports: even, 10000 to 17998 -- below the swtpm fixtures' 20000 to 31999 and below the
# ephemeral range (32768+), where a busy run leaves loopback client ports in TIME_WAIT.
port() { echo $((10000 + 2 * (($$ + $1 * 131) % 4000))); }
serve() {  # serve ID KEYDIR LAT LON ADDR [netns]
  local pre=()
  [ -n "${6:-}" ] && pre=(ip netns exec "$6")
  "${pre[@]}" "$bin" landmark serve --key "$2/signing-key.pem" --id "$1" --lat "$3" --lon "$4" \
    --listen "$5" --probes 5 >>"$tmp/serve.log" 2>&1 &
  pids+=($!)
}
p1=$(port 1); p2=$(port 2)
serve sg-1 sg 1.2897 103.8501 127.0.0.1:$p1
serve mad-1 mad 40.4168 -3.7038 127.0.0.1:$p2
p4=$(port 4)
serve jb-1 jb 1.4927 103.7414 127.0.0.1:$p4
# The challenge the verifier issued; every live session names it and every verify expects it.
nonce=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
respond() { "$bin" landmark respond --device 0000:18:00.0 --device-chain dev.pem --challenge $nonce "$@"; }
lverify() { "$bin" location verify --device-root root.pem --landmarks lms --key rk/signing-key.pem \
  --nonce $nonce "$@"; }
# live NAME VERDICTS -- command: a `location verify` of measured RTTs. Exit 0 or 1, no failing
# finding, and the device's verdict one of VERDICTS (the expected one, then the weaker ones).
live() {
  local name=$1 want=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -gt 1 ] || grep -q '\[fail\]' "$tmp/out" || ! grep -qE ": ($want)  \(" "$tmp/out"; then
    not_ok "$name: exit $got, expected a verdict in {$want} and no failing finding"
    cat "$tmp/out" "$tmp/err" | head -20
  else
    ok
  fi
}
# Fixed records (tests/data/location/README.md): chosen RTTs, so these verdicts are load-proof.
fx=$src/tests/data/location
fxnonce=ed74810850701495235c5331f2b103adf4ec252fbf32b75d85d99369ea459e4a
fxverify() { "$bin" location verify --device-root "$fx/root.pem" --landmarks "$fx/lms" \
  --key rk/signing-key.pem --time 2026-11-28T03:05:00Z "$@"; }

check fixed-sg 0 "0000:18:00.0: not_in_restricted  \(affirming\)" -- fxverify "$fx/sg-2ms.json" --nonce $fxnonce --out sg.jwt
check verify-sg-token 0 "VALID EAR.*location#1.*status affirming" -- "$bin" verify-token sg.jwt --jwks rk/jwks.json
check verify-sg-pyjwt 0 "pyjwt: valid" -- "$py" "$src/tests/cli/verify_with_pyjwt.py" sg.jwt rk/jwks.json -
check report-location 0 "signature verified" -- "$bin" report sg.jwt -o sg.html --jwks rk/jwks.json
if grep -q 'id="location-map"' sg.html && grep -q 'class="cap"' sg.html && grep -q 'data-code="SG"' sg.html &&
   grep -q 'id="verdict"><b>affirming</b>' sg.html; then ok; else not_ok "location report lacks the map"; fi
browser=$(command -v chromium || true)
if [ -n "$browser" ]; then
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chr" --dump-dom \
    "file://$tmp/sg.html" >sg.dom 2>/dev/null </dev/null
  grep -q '<svg[^>]*id="location-map"' sg.dom && ok || not_ok "chromium did not render the map"
fi
check fixed-sg-json 0 '"verdict": "not_in_restricted"' -- fxverify "$fx/sg-2ms.json" --nonce $fxnonce --out sg2.jwt --json
check fixed-madrid-allowed 0 "0000:18:00.0: in_allowed" -- fxverify "$fx/mad-0.5ms.json" --nonce $fxnonce --out mad.jwt --allowed ES
check fixed-madrid-not-allowed 0 "0000:18:00.0: not_in_restricted" -- fxverify "$fx/mad-0.5ms.json" --nonce $fxnonce \
  --out mad2.jwt --allowed DE
# Two landmarks 25 km apart (Singapore, Johor Bahru): the attestation and the map carry the
# caps' intersection, the feasible region.
check fixed-sg-jb 0 "not_in_restricted" -- fxverify "$fx/sgjb.json" --nonce $fxnonce --out sgjb.jwt --json --restricted CN,HK,MO
grep -q '"misses_restricted": true' "$tmp/out" && grep -q '"region": {' "$tmp/out" && ok ||
  not_ok "the attestation lacks the region"
check report-sg-jb 0 "signature verified" -- "$bin" report sgjb.jwt -o sgjb.html --jwks rk/jwks.json
[ "$(grep -o 'class="cap"' sgjb.html | wc -l)" -eq 2 ] && grep -q 'class="region"' sgjb.html && ok ||
  not_ok "the location map lacks two caps and the region"
# One device's evidence is one set: Singapore and Madrid at 1 ms in two separate entries (files)
# cannot both hold.
check fixed-inconsistent-entries 1 "location.inconsistent.*sg-1 and mad-1" -- fxverify "$fx/sg-1ms.json" \
  "$fx/mad-1ms.json" --nonce $fxnonce --out two.jwt
check fixed-one-entry-consistent 0 "0000:18:00.0: not_in_restricted" -- fxverify "$fx/sg-1ms.json" --nonce $fxnonce --out one.jwt
# Freshness is the verifier's nonce, whatever the records' age: another nonce, or a record that
# names none, is stale; without --nonce, a warning says freshness was not checked.
check fixed-stale-nonce 1 "location.stale.*not for the nonce the verifier issued" -- fxverify "$fx/sg-2ms.json" \
  --nonce 0000000000000000000000000000000000000000000000000000000000000000 --out st.jwt
check fixed-stale-unbound 1 "location.stale.*names no verifier challenge" -- fxverify "$fx/sg-2ms-no-challenge.json" \
  --nonce $fxnonce --out st2.jwt
# A contraindicated token verifies but is below verify-token's default --require affirming: exit 1,
# with its verified status shown.
check fixed-stale-status 1 "status contraindicated" -- "$bin" verify-token st2.jwt --jwks rk/jwks.json
check fixed-nonce-unchecked 0 "\[warn\] location.nonce-unchecked" -- fxverify "$fx/sg-2ms.json" --out nn.jwt
# The declared site against the caps: Madrid at 75 km is not in Germany, nor in Barcelona.
check fixed-site-contradicted 1 "\[fail\] location.site-contradicted: the site is declared in DE" -- fxverify \
  "$fx/mad-0.5ms.json" --nonce $fxnonce --site-country DE --out sc.jwt
check fixed-site-claims 1 '"site_contradicted": true' -- fxverify "$fx/mad-0.5ms.json" --nonce $fxnonce \
  --site-country DE --out sc.jwt --json
check fixed-site-token 1 "status contraindicated" -- "$bin" verify-token sc.jwt --jwks rk/jwks.json
check fixed-site-coordinates 1 "location.site-contradicted.*coordinates" -- fxverify "$fx/mad-0.5ms.json" \
  --nonce $fxnonce --site 41.3874,2.1686 --out sc2.jwt
check fixed-site-fits 0 "0000:18:00.0: in_allowed  \(affirming\)" -- fxverify "$fx/mad-0.5ms.json" --nonce $fxnonce \
  --site-country ES --site 40.45,-3.69 --allowed ES --out sc3.jwt
if grep -q "site-contradicted" "$tmp/out"; then not_ok "site ES contradicted"; else ok; fi

# Measured RTTs over loopback: only what load cannot change.
check respond-loopback 0 "5 probes answered" -- respond --connect 127.0.0.1:$p1 --device-key dev.key --out lsg.json
live verify-sg "not_in_restricted|indeterminate" -- lverify lsg.json --out lsg.jwt
check respond-madrid 0 "5 probes answered" -- respond --connect 127.0.0.1:$p2 --device-key dev.key --out lmad.json
live verify-madrid-allowed "in_allowed|not_in_restricted|indeterminate" -- lverify lmad.json --out lmad.jwt --allowed ES
live verify-madrid-not-allowed "not_in_restricted|indeterminate" -- lverify lmad.json --out lmad2.jwt --allowed DE
check respond-sg-jb 0 "location evidence" -- respond --connect 127.0.0.1:$p1 --connect 127.0.0.1:$p4 \
  --device-key dev.key --out lsgjb.json --extra-delay-ms 1
live verify-sg-jb "not_in_restricted|indeterminate" -- lverify lsgjb.json --out lsgjb.jwt --restricted CN,HK,MO
# One session answering Singapore and Madrid: whatever the load, the records verify and bind.
check respond-two 0 "location evidence \(sim-p384\) written" -- respond --connect 127.0.0.1:$p1 --connect 127.0.0.1:$p2 \
  --device-key dev.key --out two.json
"$bin" location verify --device-root root.pem --landmarks lms --key rk/signing-key.pem --nonce $nonce two.json \
  --out ltwo.jwt >"$tmp/out" 2>&1
if grep -qE "location\.(unknown-landmark|record-invalid|identity-unbound|response-mismatch|stale)" "$tmp/out"; then
  not_ok "live two-landmark records do not verify"; cat "$tmp/out"
else ok; fi
# A live session not bound to the verifier's nonce: stale.
check respond-unbound 0 "5 probes answered" -- "$bin" landmark respond --device 0000:18:00.0 --device-chain dev.pem \
  --device-key dev.key --connect 127.0.0.1:$p1 --out unb.json
check verify-unbound 1 "location.stale.*names no verifier challenge" -- lverify unb.json --out unb.jwt
check respond-bad-challenge 2 "input.bad-nonce.*--challenge" -- "$bin" landmark respond --device 0000:18:00.0 \
  --device-chain dev.pem --device-key dev.key --connect 127.0.0.1:$p1 --out x.json --challenge 00
# A response signed by another device's key: rejected, whatever the timing.
check respond-impostor 0 "5 probes answered" -- respond --connect 127.0.0.1:$p1 --device-key other.key --out imp.json
check verify-impostor 1 "location.identity-unbound" -- lverify imp.json --out imp.jwt
check verify-impostor-status 1 "token.status-below-required.*status contraindicated" -- "$bin" verify-token imp.jwt --jwks rk/jwks.json
# A GPU through NVML (--nvml): NVML loaded at run time, each probe nonce in an SPDM
# GET_MEASUREMENTS report (scheme nvidia-spdm), the attestation chain from NVML. The stand-in
# library's reports have the layout of a real H100 report, signed by a test key.
if [ -n "$nvml" ]; then
  cat dev.pem root.pem >dev-chain.pem
  gpu() {  # gpu KEY [VAR=VALUE...] command...: the stand-in GPU signs with KEY
    (
      export FAKE_NVML_KEY="$1" FAKE_NVML_CHAIN=dev-chain.pem \
        FAKE_NVML_TEMPLATE="$src/tests/data/nvidia/reports/sdk-h100-580.report.txt"
      shift
      while [[ $1 == FAKE_*=* ]]; do export "${1?}"; shift; done
      "$@"
    )
  }
  # Madrid: measured RTTs, so only the expected verdict or a weaker one.
  nvrespond() { "$bin" landmark respond --nvml --nvml-library "$nvml" --connect 127.0.0.1:$p2 \
    --challenge $nonce "$@"; }
  check nvml-respond 0 "location evidence \(nvidia-spdm\) written" -- gpu dev.key nvrespond \
    --device 0000:18:00.0 --out nv.json
  grep -q '"scheme": "nvidia-spdm"' nv.json && grep -q 'BEGIN CERTIFICATE' nv.json && ok ||
    not_ok "NVML evidence lacks its scheme or chain"
  live nvml-verify "not_in_restricted|indeterminate" -- lverify nv.json --out nv.jwt --restricted CN,HK,MO
  check nvml-verify-identity 0 '"device_identity": "SIM-dev' -- lverify nv.json --out nv2.jwt --json \
    --restricted CN,HK,MO
  check nvml-respond-der 0 "5 probes answered" -- gpu dev.key FAKE_NVML_DER=1 nvrespond \
    --device 0000:18:00.0 --out nv-der.json
  live nvml-verify-der "not_in_restricted|indeterminate" -- lverify nv-der.json --out nv-der.jwt --restricted CN,HK,MO
  # Reports signed by a key other than the chain's leaf: rejected.
  check nvml-respond-impostor 0 "5 probes answered" -- gpu other.key nvrespond --device 0000:18:00.0 \
    --out nv-imp.json
  check nvml-verify-impostor 1 "location.identity-unbound" -- lverify nv-imp.json --out nv-imp.jwt
  # Without --device-root an NVML chain must reach NVIDIA's pinned root; the test chain does not.
  check nvml-nvidia-root 1 "location.device-untrusted" -- "$bin" location verify nv.json \
    --landmarks lms --key rk/signing-key.pem --out nv3.jwt
  check sim-needs-root 2 "needs --device-root" -- "$bin" location verify lsg.json \
    --landmarks lms --key rk/signing-key.pem --out x.jwt
  # The ways NVML says no: a GPU outside confidential-computing mode, another bus ID, no library.
  check nvml-cc-off 2 "nvml.call.*nvmlDeviceGetConfComputeGpuAttestationReport.*Not Supported" -- \
    gpu dev.key FAKE_NVML_CC_OFF=1 nvrespond --device 0000:18:00.0 --out x.json
  check nvml-no-device 2 "nvml.call.*nvmlDeviceGetHandleByPciBusId_v2.*Not Found.*0000:19:00.0" -- \
    gpu dev.key nvrespond --device 0000:19:00.0 --out x.json
  check nvml-no-library 2 "nvml.unavailable.*library" -- "$bin" landmark respond --nvml \
    --nvml-library "$tmp/no-such/libnvidia-ml.so.1" --device 0000:18:00.0 --connect 127.0.0.1:$p1 --out x.json
fi
check sim-needs-key 2 "needs --device-key" -- "$bin" landmark respond --device 0000:18:00.0 \
  --connect 127.0.0.1:$p1 --out x.json
# A landmark nobody trusts, and a record altered after signing.
mkdir lms2 && cp lms/mad-1.json lms2/
check verify-unknown-landmark 1 "location.unknown-landmark" -- "$bin" location verify lsg.json --device-root root.pem \
  --landmarks lms2 --key rk/signing-key.pem --out x.jwt
$py - lsg.json bad.json <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
h, p, s = e["landmarks"][0]["record"].split(".")
e["landmarks"][0]["record"] = ".".join([h, p[:-2] + ("A" if p[-2] != "A" else "B") + p[-1], s])
json.dump(e, open(sys.argv[2], "w"))
PY
check verify-altered-record 1 "location.unknown-landmark" -- lverify bad.json --out x.jwt
# Added delay by the host: the cap grows, the verdict weakens to indeterminate, never a false
# exclusion.
check respond-delayed 0 "5 probes answered" -- respond --connect 127.0.0.1:$p1 --device-key dev.key \
  --out slow.json --extra-delay-ms 15
check verify-delayed 1 "indeterminate" -- lverify slow.json --out slow.jwt

# The pipeline: location evidence inside a bundle, bound to the device, in the EAR and in a
# signed location attestation for the host. Verdicts from fixed records (the H20 of the mixed
# example, site SG); a live session only for what load cannot change.
ex=$src/docs/examples/bundles/mixed
mkbundle() {  # mkbundle OUT EVIDENCE...: the mixed example with these location entries
  $py - "$ex/bundle.json" "$@" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["location"] = {"evidence": [json.load(open(f)) for f in sys.argv[3:]]}
json.dump(b, open(sys.argv[2], "w"))
PY
}
mkbundle loc-bundle.json "$fx/h20-sg.json"
bverify=(verify loc-bundle.json --key rk/signing-key.pem --out b.jwt --ak-ca "$ex/sim-ak-ca.pem"
  --landmarks "$fx/lms" --device-root "$fx/root.pem" --location-out b-loc.jwt --time 2026-11-28T03:05:00Z)
check bundle-location 1 "location: not_in_restricted" -- "$bin" "${bverify[@]}"
if grep -qE "location\.(site-contradicted|stale|inconsistent)" "$tmp/out"; then
  not_ok "bundle-location: a location finding on consistent, fresh evidence at the declared site"; else ok; fi
# The host result is contraindicated (the mixed host's findings): valid, but refused by
# verify-token's default --require affirming, with its verified claims shown.
check bundle-location-ear 1 '"verdict": "not_in_restricted"' -- "$bin" verify-token b.jwt --jwks rk/jwks.json --json
grep -q '"site_contradicted": false' "$tmp/out" && ok || not_ok "the EAR lacks site_contradicted"
check bundle-location-attestation 0 "VALID EAR.*location#1" -- "$bin" verify-token b-loc.jwt --jwks rk/jwks.json
check bundle-location-pyjwt 0 "pyjwt: valid" -- "$py" "$src/tests/cli/verify_with_pyjwt.py" b-loc.jwt rk/jwks.json -
check bundle-location-untrusted-device 1 "location.identity-unbound" -- "$bin" verify loc-bundle.json \
  --key rk/signing-key.pem --out b2.jwt --landmarks "$fx/lms" --time 2026-11-28T03:05:00Z
# The bundle declares Singapore; Madrid's 75 km cap says the device is elsewhere: a diversion.
mkbundle mad-bundle.json "$fx/h20-mad.json"
check bundle-site-contradicted 1 "location.site-contradicted.*declared in SG" -- "$bin" verify mad-bundle.json \
  --key rk/signing-key.pem --out bm.jwt --ak-ca "$ex/sim-ak-ca.pem" --landmarks "$fx/lms" \
  --device-root "$fx/root.pem" --time 2026-11-28T03:05:00Z
check bundle-site-ear 1 '"site_contradicted": true' -- "$bin" verify-token bm.jwt --jwks rk/jwks.json --json
# Two entries for one device, Singapore and Madrid: judged together, they cannot both hold.
mkbundle two-bundle.json "$fx/h20-sg.json" "$fx/h20-mad.json"
check bundle-inconsistent 1 "location.inconsistent" -- "$bin" verify two-bundle.json \
  --key rk/signing-key.pem --out b4.jwt --ak-ca "$ex/sim-ak-ca.pem" --landmarks "$fx/lms" \
  --device-root "$fx/root.pem" --time 2026-11-28T03:05:00Z
# Declared site coordinates (host.site.lat/lon): Kuala Lumpur is 316 km from Singapore, outside
# its 300 km cap; Johor Bahru (25 km) is inside.
sitebundle() {  # sitebundle OUT LAT LON
  $py - loc-bundle.json "$@" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["host"]["site"].update({"lat": float(sys.argv[3]), "lon": float(sys.argv[4])})
json.dump(b, open(sys.argv[2], "w"))
PY
}
sitebundle kl-bundle.json 3.1390 101.6869
check bundle-site-coordinates 1 "location.site-contradicted.*coordinates" -- "$bin" verify kl-bundle.json \
  --key rk/signing-key.pem --out bk.jwt --ak-ca "$ex/sim-ak-ca.pem" --landmarks "$fx/lms" \
  --device-root "$fx/root.pem" --time 2026-11-28T03:05:00Z
sitebundle jb-bundle.json 1.4927 103.7414
check bundle-site-coordinates-fit 1 "location: not_in_restricted" -- "$bin" verify jb-bundle.json \
  --key rk/signing-key.pem --out bj.jwt --ak-ca "$ex/sim-ak-ca.pem" --landmarks "$fx/lms" \
  --device-root "$fx/root.pem" --time 2026-11-28T03:05:00Z
if grep -q "site-contradicted" "$tmp/out"; then not_ok "Johor Bahru contradicted"; else ok; fi
sitebundle bad-site.json 91 0
check bundle-site-bad 2 "input.bad-value.*site" -- "$bin" verify bad-site.json --key rk/signing-key.pem --out x.jwt
# The verifier issued another nonce than the bundle's copy: the location records are stale.
check bundle-location-stale 1 "location.stale" -- "$bin" "${bverify[@]}" \
  --nonce 00000000000000000000000000000000000000000000000000000000000000ff
# Live: the H20 answering Singapore over loopback, for the bundle's nonce.
check respond-h20 0 "5 probes answered" -- "$bin" landmark respond --device 0000:11:00.0 --device-chain dev.pem \
  --device-key dev.key --connect 127.0.0.1:$p1 --out h20.json --challenge "$($py -c "import json,sys; print(json.load(open(sys.argv[1]))['nonce'])" "$ex/bundle.json")"
mkbundle live-bundle.json h20.json
"$bin" verify live-bundle.json --key rk/signing-key.pem --out bl.jwt --ak-ca "$ex/sim-ak-ca.pem" \
  --landmarks lms --device-root root.pem >"$tmp/out" 2>&1
if grep -qE "location: (not_in_restricted|indeterminate)" "$tmp/out" &&
   ! grep -qE "location\.(unknown-landmark|record-invalid|identity-unbound|response-mismatch|stale|inconsistent)" "$tmp/out"; then
  ok; else not_ok "live bundle location"; cat "$tmp/out" | head -30; fi
$py - loc-bundle.json bad-loc.json <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["location"]["evidence"][0]["scheme"] = "gps"
json.dump(b, open(sys.argv[2], "w"))
PY
check bundle-location-bad 2 "location.bad-record.*scheme" -- "$bin" verify bad-loc.json --key rk/signing-key.pem --out b3.jwt

# Across network namespaces (root): the landmark in its own namespace behind a veth pair; with
# netem where the kernel has it, 10 ms each way on the wire.
ns=aa-loc-$$
if ip netns add "$ns" 2>/dev/null &&
   ip link add "va$$" type veth peer name "vb$$" 2>/dev/null &&
   ip link set "vb$$" netns "$ns" &&
   ip addr add 10.231.7.1/30 dev "va$$" && ip link set "va$$" up &&
   ip netns exec "$ns" ip addr add 10.231.7.2/30 dev "vb$$" &&
   ip netns exec "$ns" ip link set "vb$$" up && ip netns exec "$ns" ip link set lo up; then
  p3=$(port 3)
  serve sg-1 sg 1.2897 103.8501 10.231.7.2:$p3 "$ns"
  check netns-respond 0 "5 probes answered" -- respond --connect 10.231.7.2:$p3 --device-key dev.key --out ns.json
  live netns-verify "not_in_restricted|indeterminate" -- lverify ns.json --out ns.jwt
  if tc qdisc add dev "va$$" root netem delay 10ms 2>/dev/null &&
     ip netns exec "$ns" tc qdisc add dev "vb$$" root netem delay 10ms 2>/dev/null; then
    check netem-respond 0 "5 probes answered" -- respond --connect 10.231.7.2:$p3 --device-key dev.key --out nd.json
    check netem-verify 1 "indeterminate" -- lverify nd.json --out nd.jwt
    grep -qE "min RTT (2[0-9]|[3-9][0-9])\." "$tmp/out" && ok || not_ok "netem: RTT under 20 ms"
    echo "netns + netem: delay added on the wire"
  else
    echo "netem is not available in this kernel: wire delay not tested (the responder's delay was)"
  fi
  ip link del "va$$" 2>/dev/null
else
  echo "network namespaces unavailable here: loopback only"
fi
finish
