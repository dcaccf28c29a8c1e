#!/usr/bin/env bash
# The hardware check of `accel-attest collect` for a machine with an NVIDIA GPU and its driver
# (CI has none; tests/cli/run_collect_tests.sh uses the stand-in NVML instead). Runs `collect`
# against the real NVML (and the TPM when there is one) over a fresh nonce, then `verify` on the
# bundle against NVIDIA's pinned root, and prints exactly what came back: the verified report, or
# the precise NVML error (a GPU outside confidential-computing mode: "nvml.call ...
# nvmlDeviceGetConfComputeGpuAttestationReport: Not Supported"). Run as root: NVML's CC calls and
# the TPM need it. Nothing here reaches the network.
# Usage: tools/gpu-collect-check.sh [BINARY] [extra collect options...]
#        (default build/accel-attest; e.g. --tcti device:/dev/tpmrm0, --nvml-library PATH,
#        --rim-store is not a collect option: set RIM_STORE=DIR to pass it to verify)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/accel-attest}")
shift || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== host"
uname -srm
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=index,pci.bus_id,name,driver_version,vbios_version --format=csv 2>&1
  nvidia-smi conf-compute -f 2>&1 | head -3
else
  echo "nvidia-smi not found"
fi
# The verifier's nonce, as `accel-attest challenge` issues it (32 random bytes).
nonce=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "== collect (nonce $nonce)"
"$bin" keygen --out "$tmp/keys" >/dev/null || exit 3
"$bin" collect --nonce "$nonce" --out "$tmp/bundle.json" "$@"
crc=$?
echo "collect exit $crc"
[ -s "$tmp/bundle.json" ] || exit "$crc"
echo "== verify (pinned NVIDIA root, offline)"
extra=()
[ -n "${RIM_STORE:-}" ] && extra=(--rim-store "$RIM_STORE")
"$bin" verify "$tmp/bundle.json" --key "$tmp/keys/signing-key.pem" --nonce "$nonce" \
  --out "$tmp/result.jwt" "${extra[@]}"
vrc=$?
echo "verify exit $vrc"
echo "== the signed result"
"$bin" verify-token "$tmp/result.jwt" --jwks "$tmp/keys/jwks.json" --nonce "$nonce" --require warning
echo "== NVIDIA evidence per GPU"
python3 - "$tmp/bundle.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
for d in b["devices"]:
    ev = d.get("evidence", {})
    nv = ev.get("nvidia")
    print(d["address"], d["vendor_id"] + ":" + d["device_id"], ev.get("scheme"),
          ("arch %s, driver %s, vbios %s" % (nv.get("arch"), nv.get("driver_version"),
                                             nv.get("vbios_version"))) if nv else "")
PY
exit "$vrc"
