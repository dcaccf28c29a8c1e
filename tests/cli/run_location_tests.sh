#!/usr/bin/env bash
# Location end to end with real processes: landmarks (`landmark serve`) and a host responder
# (`landmark respond`, a simulated P-384 device under a test root made here) talk over loopback
# and, where the machine allows (root, network namespaces; netem where the kernel has it) across
# a veth pair, so RTTs are measured, not made up. Then `location verify`, the signed location
# attestation checked by verify-token and PyJWT, and `location bound` on the issue's numbers.
# A GPU through NVML runs against tests/fake_nvml, a stand-in library (a simulated GPU).
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
port() { echo $((21000 + 2 * (($$ + $1 * 131) % 9000))); }
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
respond() { "$bin" landmark respond --device 0000:18:00.0 --device-chain dev.pem "$@"; }
lverify() { "$bin" location verify --device-root root.pem --landmarks lms --key rk/signing-key.pem "$@"; }

check respond-loopback 0 "5 probes answered" -- respond --connect 127.0.0.1:$p1 --device-key dev.key --out sg.json
check verify-sg 0 "not_in_restricted" -- lverify sg.json --out sg.jwt
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
check verify-sg-json 0 '"verdict": "not_in_restricted"' -- lverify sg.json --out sg2.jwt --json
check respond-madrid 0 "5 probes answered" -- respond --connect 127.0.0.1:$p2 --device-key dev.key --out mad.json
check verify-madrid-allowed 0 "in_allowed" -- lverify mad.json --out mad.jwt --allowed ES
check verify-madrid-not-allowed 0 "not_in_restricted" -- lverify mad.json --out mad2.jwt --allowed DE
# Two landmarks 25 km apart (Singapore, Johor Bahru): the attestation and the map carry the
# caps' intersection, the feasible region.
check respond-sg-jb 0 "location evidence" -- respond --connect 127.0.0.1:$p1 --connect 127.0.0.1:$p4 \
  --device-key dev.key --out sgjb.json --extra-delay-ms 1
check verify-sg-jb 0 "not_in_restricted" -- lverify sgjb.json --out sgjb.jwt --json --restricted CN,HK,MO
grep -q '"misses_restricted": true' "$tmp/out" && grep -q '"region": {' "$tmp/out" && ok ||
  not_ok "the attestation lacks the region"
check report-sg-jb 0 "signature verified" -- "$bin" report sgjb.jwt -o sgjb.html --jwks rk/jwks.json
[ "$(grep -o 'class="cap"' sgjb.html | wc -l)" -eq 2 ] && grep -q 'class="region"' sgjb.html && ok ||
  not_ok "the location map lacks two caps and the region"
# One device answering Singapore and Madrid within a millisecond: the caps cannot both hold.
check respond-two 0 "location evidence \(sim-p384\) written" -- respond --connect 127.0.0.1:$p1 --connect 127.0.0.1:$p2 \
  --device-key dev.key --out two.json
check verify-inconsistent 1 "location.inconsistent" -- lverify two.json --out two.jwt
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
  # Madrid: China is 6,000 km away, so the verdict holds however slow a sanitizer build is.
  nvrespond() { "$bin" landmark respond --nvml --nvml-library "$nvml" --connect 127.0.0.1:$p2 "$@"; }
  check nvml-respond 0 "location evidence \(nvidia-spdm\) written" -- gpu dev.key nvrespond \
    --device 0000:18:00.0 --out nv.json
  grep -q '"scheme": "nvidia-spdm"' nv.json && grep -q 'BEGIN CERTIFICATE' nv.json && ok ||
    not_ok "NVML evidence lacks its scheme or chain"
  check nvml-verify 0 "0000:18:00.0: not_in_restricted" -- lverify nv.json --out nv.jwt --restricted CN,HK,MO
  check nvml-verify-identity 0 '"device_identity": "SIM-dev' -- lverify nv.json --out nv2.jwt --json \
    --restricted CN,HK,MO
  check nvml-respond-der 0 "5 probes answered" -- gpu dev.key FAKE_NVML_DER=1 nvrespond \
    --device 0000:18:00.0 --out nv-der.json
  check nvml-verify-der 0 "not_in_restricted" -- lverify nv-der.json --out nv-der.jwt --restricted CN,HK,MO
  # Reports signed by a key other than the chain's leaf: rejected.
  check nvml-respond-impostor 0 "5 probes answered" -- gpu other.key nvrespond --device 0000:18:00.0 \
    --out nv-imp.json
  check nvml-verify-impostor 1 "location.identity-unbound" -- lverify nv-imp.json --out nv-imp.jwt
  # Without --device-root an NVML chain must reach NVIDIA's pinned root; the test chain does not.
  check nvml-nvidia-root 1 "location.device-untrusted" -- "$bin" location verify nv.json \
    --landmarks lms --key rk/signing-key.pem --out nv3.jwt
  check sim-needs-root 2 "needs --device-root" -- "$bin" location verify sg.json \
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
check verify-unknown-landmark 1 "location.unknown-landmark" -- "$bin" location verify sg.json --device-root root.pem \
  --landmarks lms2 --key rk/signing-key.pem --out x.jwt
$py - sg.json bad.json <<'PY'
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
# signed location attestation for the host.
check respond-h20 0 "5 probes answered" -- "$bin" landmark respond --device 0000:11:00.0 --device-chain dev.pem \
  --device-key dev.key --connect 127.0.0.1:$p1 --out h20.json
ex=$src/docs/examples/bundles/mixed
$py - "$ex/bundle.json" h20.json loc-bundle.json <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["location"] = {"evidence": [json.load(open(sys.argv[2]))]}
json.dump(b, open(sys.argv[3], "w"))
PY
bverify=(verify loc-bundle.json --key rk/signing-key.pem --out b.jwt --ak-ca "$ex/sim-ak-ca.pem"
  --landmarks lms --device-root root.pem --location-out b-loc.jwt)
check bundle-location 1 "location: not_in_restricted" -- "$bin" "${bverify[@]}"
# The host result is contraindicated (the mixed host's findings): valid, but refused by
# verify-token's default --require affirming, with its verified claims shown.
check bundle-location-ear 1 '"verdict": "not_in_restricted"' -- "$bin" verify-token b.jwt --jwks rk/jwks.json --json
check bundle-location-attestation 0 "VALID EAR.*location#1" -- "$bin" verify-token b-loc.jwt --jwks rk/jwks.json
check bundle-location-pyjwt 0 "pyjwt: valid" -- "$py" "$src/tests/cli/verify_with_pyjwt.py" b-loc.jwt rk/jwks.json -
check bundle-location-untrusted-device 1 "location.identity-unbound" -- "$bin" verify loc-bundle.json \
  --key rk/signing-key.pem --out b2.jwt --landmarks lms
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
  check netns-verify 0 "not_in_restricted" -- lverify ns.json --out ns.jwt
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
