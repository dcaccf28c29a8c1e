#!/usr/bin/env bash
# The main job on the bundled example evidence: builds accel-attest, then identifies the
# accelerators of each example host in docs/examples/hosts/ (an HGX H100 host, an Ascend 910B
# host, a mixed host), from sysfs trees, lspci output and an inventory with npu-smi names, and
# appraises the real NVIDIA evidence in docs/examples/nvidia/ offline (8 HGX H100 GPUs, an H100
# with both RIMs, 4 NVSwitches with their RIM) and the TPM quotes in docs/examples/tpm/ (a GCE
# vTPM quote with its AK certificate and event log, a swtpm quote, an EK certificate). Then the
# whole pipeline on the example bundles of docs/examples/bundles/ (an HGX host with 8 H100s from
# the real NVIDIA vector and a licence, an Ascend 910B host, a mixed host; their swtpm quotes
# bind the inventories): signed EAR results and HTML audit reports in build/example-results/;
# and what delay measurements prove about location.
# Exit 0 when every run worked (findings are expected: the Ascend hosts have some), 2 if any
# run failed on bad input.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup-debian.sh"
cmake -S "$root" -B "$root/build" -G Ninja >/dev/null || exit 2
cmake --build "$root/build" --target accel-attest || exit 2
bin="$root/build/accel-attest"
hosts="$root/docs/examples/hosts"
status=0
run() {
  echo
  echo "== accel-attest $*"
  "$bin" "$@"
  local rc=$?
  echo "(exit $rc: $([ $rc -eq 0 ] && echo 'pass, no failing finding' || ([ $rc -eq 1 ] && echo 'findings or a failed device' || echo 'error')))"
  [ $rc -le 1 ] || status=2
}
for h in hgx-h100 ascend-910b mixed; do
  run identify --sysfs-root "$hosts/$h/sys"
done
run identify --inventory "$hosts/ascend-910b/inventory.json"
run registry classify nvidia-rtx-4090d
nv="$root/docs/examples/nvidia"
run nvidia verify --evidence "$nv/hgx-h100-8gpu/evidence.json" \
  --nonce 4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e \
  --pci-id 10de:2330,10de:2330,10de:2330,10de:2330,10de:2330,10de:2330,10de:2330,10de:2330
run nvidia verify --report "$nv/h100-pcie-2023/report.txt" --chain "$nv/h100-pcie-2023/chain.pem" \
  --nonce 4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e \
  --rim-store "$nv/h100-pcie-2023/rims" --time 2024-01-01T00:00:00Z
run nvidia verify --evidence "$nv/nvswitch-ls10/evidence.json" \
  --nonce 931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb \
  --rim-store "$nv/nvswitch-ls10/rims" --time 2026-11-27T00:00:00Z
tp="$root/docs/examples/tpm"
run tpm verify --message "$tp/gce/quote-sha256.tpms_attest.bin" --signature "$tp/gce/quote-sha256.tpmt_signature.bin" \
  --pcrs "$tp/gce/quote-sha256.pcrs.bin" --ak-public "$tp/gce/ak.tpmt_public.bin" --nonce 9009 \
  --ak-cert "$tp/gce/ak_cert.der" --ca "$tp/gce/tpm_ek_root_1.cer" --intermediate "$tp/gce/tpm_ek_intermediate_2.crt" \
  --eventlog "$tp/gce/eventlog.bin"
run tpm verify --message "$tp/swtpm/quote_rsa.tpms_attest.bin" --signature "$tp/swtpm/quote_rsa.tpmt_signature.bin" \
  --pcrs "$tp/swtpm/quote_rsa.tpm2tools_pcrs.bin" --ak-public "$tp/swtpm/ak_rsa.tpm2b_public.bin" \
  --nonce "$(cat "$tp/swtpm/nonce.hex.txt")"
run tpm ek-check --cert "$tp/swtpm/ek_rsa_cert.der" --anchors "$tp/swtpm"
bun="$root/docs/examples/bundles"
res="$root/build/example-results"
mkdir -p "$res"
[ -f "$res/keys/signing-key.pem" ] || run keygen --out "$res/keys"
for h in hgx-h100 ascend-910b mixed; do
  # The nonce each bundle answers stands for the one this verifier issued (docs/examples/bundles).
  nonce=$(grep -m1 -oE '"nonce": "[0-9a-f]+"' "$bun/$h/bundle.json" | grep -oE '[0-9a-f]{32,}')
  licence=()
  [ -f "$bun/$h/licence.json" ] && licence=(--licence "$bun/$h/licence.json")
  run verify "$bun/$h/bundle.json" --key "$res/keys/signing-key.pem" --out "$res/$h.jwt" \
    --nonce "$nonce" --ak-ca "$bun/$h/sim-ak-ca.pem" "${licence[@]}" --report "$res/$h.html"
  run verify-token "$res/$h.jwt" --jwks "$res/keys/jwks.json" --nonce "$nonce"
done
# What single delay measurements prove (docs/location-protocol.md): Singapore at 2 ms, Hong Kong
# at 0.5 ms, Frankfurt at 0.5 ms with Germany allowed.
run location bound --landmark 1.2897,103.8501 --rtt-ms 2
run location bound --landmark 22.3193,114.1694 --rtt-ms 0.5
run location bound --landmark 50.1109,8.6821 --rtt-ms 0.5 --allowed DE
# Two measurements together: Frankfurt at 1 ms reaches France, Nuremberg at 1.334 ms the Czech
# Republic, but their intersection lies in Germany alone.
run location bound --landmark 50.1109,8.6821 --rtt-ms 1 --landmark 49.4521,11.0767 --rtt-ms 1.334 \
  --allowed DE
echo
echo "signed results, reports and the JWKS that verifies them: $res"
exit $status
