#!/usr/bin/env bash
# The hardware check of the NVIDIA location responder, for a machine with an NVIDIA GPU and its
# driver (CI has none; the tests use tests/fake_nvml instead). On loopback, a landmark times
# `landmark respond --nvml` answering each probe nonce with the GPU's SPDM report through NVML,
# and `location verify` checks the reports against NVIDIA's pinned root. The minimum RTT it
# prints is, on loopback, the GPU's processing time: the figure that
# firmware-profiles/location/processing.json may take for the GPU's family (never more than the
# measured minimum). The GPU must be in confidential-computing mode (or its devtools mode), or
# NVML refuses the report and this says so.
# Usage: tools/gpu-location-check.sh [BINARY] [PCI_BUS_ID]   (default: build/accel-attest, the
#        first GPU nvidia-smi lists)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/accel-attest}")
bus=${2:-}
if [ -z "$bus" ]; then
  bus=$(nvidia-smi --query-gpu=pci.bus_id --format=csv,noheader | head -1 | tr 'A-F' 'a-f')
  bus=${bus#0000}  # nvidia-smi prints an 8-digit domain
fi
echo "GPU $bus"
nvidia-smi conf-compute -f 2>&1 | head -3
tmp=$(mktemp -d)
serve_pid=""
trap 'kill $serve_pid 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
"$bin" keygen --out rk >/dev/null && "$bin" keygen --out lk >/dev/null || exit 1
mkdir lms
"$bin" landmark enrol --key lk/signing-key.pem --id local --lat 50.1109 --lon 8.6821 \
  --out lms/local.json >/dev/null || exit 1
"$bin" landmark serve --key lk/signing-key.pem --id local --lat 50.1109 --lon 8.6821 \
  --listen 127.0.0.1:29517 --probes 16 --sessions 1 &
serve_pid=$!
sleep 1
# The verifier's nonce (as `accel-attest challenge` would issue): the record must carry it.
nonce=$(openssl rand -hex 32)
time "$bin" landmark respond --nvml --device "$bus" --connect 127.0.0.1:29517 --challenge "$nonce" \
  --out gpu.json
rc=$?
[ $rc -eq 0 ] || exit $rc
# The minimum RTT printed per landmark is, on loopback, the GPU's processing time.
"$bin" location verify gpu.json --landmarks lms --key rk/signing-key.pem --out gpu.jwt --proc-ms 0 \
  --nonce "$nonce"
