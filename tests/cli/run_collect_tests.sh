#!/usr/bin/env bash
# accel-attest collect and attest without hardware (docs/collect.md): sysfs trees, the stand-in
# NVML library (tests/fake_nvml) through the real dlopen path, a stand-in npu-smi printing
# recorded outputs, swtpm, and the end to end run: swtpm + sysfs tree + stand-in NVML -> collect
# -> verify, and -> serve (memory: store) -> attest -> signed result -> report; the stand-in DCMI
# library (tests/fake_dcmi) beside and instead of npu-smi.
# Usage: run_collect_tests.sh BINARY SOURCE_DIR FAKE_NVML_LIBRARY FAKE_DCMI_LIBRARY
set -u
bin=$1
src=$2
nvml=$3
dcmi=$4
tmp=$(mktemp -d)
. "$(dirname "$0")/check.sh"
swtpm_pid=
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  [ -n "$swtpm_pid" ] && kill "$swtpm_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $tmp"

hosts=$src/docs/examples/hosts
hgx=$hosts/hgx-h100/sys
ev=$src/docs/examples/nvidia/hgx-h100-8gpu/evidence.json
# The recording's nonce and a time inside its certificates' validity (run_pipeline_tests.sh).
hgx_nonce=4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e
at=2026-11-27T00:00:00Z
# The HGX GPUs in the order of the recording (docs/examples/bundles/hgx-h100/spec.json).
gpus=0000:18:00.0,0000:2a:00.0,0000:3a:00.0,0000:5d:00.0,0000:9a:00.0,0000:ab:00.0,0000:ba:00.0,0000:db:00.0
gpu() {  # gpu [VAR=VALUE...] command...: the stand-in NVML replays the HGX recording
  (
    export FAKE_NVML_EVIDENCE="$ev" FAKE_NVML_BUS="$gpus"
    while [[ $1 == FAKE_*=* ]]; do export "${1?}"; shift; done
    "$@"
  )
}
col() { "$bin" collect --host-name collect-test --time "$at" "$@"; }
key=$tmp/keys/signing-key.pem
"$bin" keygen --out "$tmp/keys" >/dev/null

# ---- NVIDIA GPUs through NVML ----
check hgx-collect 1 "0000:18:00.0  NVIDIA GPU  evidence nvidia-spdm" -- gpu col --nonce $hgx_nonce \
  --out "$tmp/hgx.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
for want in "UUID GPU-fa4e0000-0000-4000-8000-000000000000 \(NVML, reported\)" \
  "board serial FAKE-SERIAL-7" "VBIOS 96.00.A5.00.01" "driver 590.12" \
  "confidential computing: on, production environment" "SPDM report over the nonce" \
  "collect.nvswitch-not-attested \(0000:7b:00.0\)" "collect.no-tpm \(tpm\)" \
  "bundle written to .*: 12 device\(s\), no TPM quote"; do
  grep -qE -- "$want" "$tmp/out" && ok || not_ok "hgx-collect lacks /$want/"
done
grep -q "0000:03:00.0" "$tmp/out" && not_ok "the BMC display (ASPEED) was collected" || ok
check hgx-verify 1 "0000:db:00.0  warning  NVIDIA H100 SXM5 80GB  3A090.a.1  attested" -- \
  "$bin" verify "$tmp/hgx.json" --key "$key" --nonce $hgx_nonce --time $at --out "$tmp/hgx.jwt"
# The same recording under another nonce: the GPUs answer the recording's, a replay.
n2=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
check hgx-replayed 1 "nvidia.nonce.mismatch|pipeline.evidence" -- sh -c \
  "FAKE_NVML_EVIDENCE='$ev' FAKE_NVML_BUS='$gpus' '$bin' collect --nonce $n2 --out '$tmp/r.json' \
   --sysfs '$hgx' --nvml-library '$nvml' --no-tpm >/dev/null; \
   '$bin' verify '$tmp/r.json' --key '$key' --nonce $n2 --time $at --out '$tmp/r.jwt'"
check hgx-replayed-said 1 "collect.gpu-nonce-mismatch \(0000:18:00.0\).*answers nonce $hgx_nonce" -- \
  gpu col --nonce $n2 --out "$tmp/r2.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
check cc-off 1 "collect.gpu-cc-off \(0000:18:00.0\).*not in confidential-computing mode" -- \
  gpu FAKE_NVML_CC_OFF=1 col --nonce $hgx_nonce --out "$tmp/cc.json" --sysfs "$hgx" \
  --nvml-library "$nvml" --no-tpm
grep -q "confidential computing: OFF" "$tmp/out" && ok || not_ok "cc-off does not say CC is off"
python3 - "$tmp/cc.json" <<'PY' && ok || not_ok "cc-off bundle: GPUs not kept with their identity"
import json, sys
b = json.load(open(sys.argv[1]))
g = [d for d in b["devices"] if d["address"] == "0000:18:00.0"][0]
assert g["evidence"] == {"scheme": "none"} and g["reported"]["serial"] == "FAKE-SERIAL-0", g
PY
check cc-off-verify 1 "0000:18:00.0 .*reported" -- "$bin" verify "$tmp/cc.json" --key "$key" \
  --nonce $hgx_nonce --time $at --out "$tmp/cc.jwt"
check ppcie 1 "multi-GPU protected PCIe: on" -- gpu FAKE_NVML_PPCIE=1 col --nonce $hgx_nonce \
  --out "$tmp/pp.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
# Protected PCIe: the GPUs' CC mode is off, yet they give reports (no collect.gpu-cc-off).
check ppcie-cc-off 1 "0000:18:00.0  NVIDIA GPU  evidence nvidia-spdm" -- gpu FAKE_NVML_PPCIE=1 \
  FAKE_NVML_CC_OFF_STATE=1 col --nonce $hgx_nonce --out "$tmp/pp2.json" --sysfs "$hgx" \
  --nvml-library "$nvml" --no-tpm
grep -q "collect.gpu-cc-off" "$tmp/out" && not_ok "ppcie-cc-off: reports not asked for" || ok
check no-library 1 "collect.nvml-unavailable \(0000:18:00.0\).*cannot load .*no-such" -- col \
  --nonce $hgx_nonce --out "$tmp/nolib.json" --sysfs "$hgx" --nvml-library "$tmp/no-such/libnvidia-ml.so.1" --no-tpm
[ -s "$tmp/nolib.json" ] && ok || not_ok "no-library wrote no bundle"
check init-fails 1 "collect.nvml-unavailable \(0000:2a:00.0\).*nvmlInit_v2.*Driver Not Loaded" -- \
  gpu FAKE_NVML_INIT_FAIL=1 col --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
check wrong-bus 1 "collect.gpu-not-in-nvml \(0000:18:00.0\).*Not Found \(NVML code 6\) for 0000:18:00.0" -- \
  gpu FAKE_NVML_BUS=0000:19:00.0 col --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
check wrong-device 1 "collect.gpu-not-in-nvml \(0000:18:00.0\).*is 10de:2331, sysfs says 10de:2330" -- \
  gpu FAKE_NVML_PCI_ID=233110de col --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
check nvml-extra-gpu 1 "collect.gpu-not-in-sysfs \(0000:19:00.0\)" -- gpu FAKE_NVML_BUS=$gpus,0000:19:00.0 col \
  --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
check ampere 1 "collect.gpu-no-attestation \(0000:18:00.0\)" -- gpu FAKE_NVML_ARCH=7 col --nonce $hgx_nonce \
  --out "$tmp/x.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
check short-nonce 1 "collect.gpu-evidence-failed \(0000:18:00.0\).*32-byte" -- gpu col \
  --nonce 00112233445566778899aabbccddeeff --out "$tmp/x.json" --sysfs "$hgx" --nvml-library "$nvml" --no-tpm
check no-nvml 1 "collect.nvml-unavailable.*--no-nvml" -- col --nonce $hgx_nonce --out "$tmp/x.json" \
  --sysfs "$hgx" --no-nvml --no-tpm

# ---- Huawei NPUs through npu-smi ----
asc=$hosts/ascend-910b/sys
npu() { FAKE_NPU_SMI_INFO=$src/docs/examples/bundles/ascend-910b/npu-smi-info.txt \
  FAKE_NPU_SMI_BOARDS=$src/tests/data/ascend/boards "$@"; }
check ascend 1 "npu-smi: NPU 0 chip 0, name 910B1, serial SYNTH-TEST-0000, health OK" -- npu col \
  --nonce $hgx_nonce --out "$tmp/asc.json" --sysfs "$asc" --npu-smi "$src/tests/cli/fake-npu-smi" --no-tpm
grep -qE "collect.npu-smi-no-chip \(0000:02:00.0\)" "$tmp/out" && ok || not_ok "ascend: no finding for a chip npu-smi lacks"
grep -qE "collect.npu-smi-board-failed \(0000:01:00.0\)" "$tmp/out" && ok || not_ok "ascend: no finding for a failed board query"
check ascend-verify 1 "0000:c1:00.0  contraindicated  Huawei Ascend 910B1" -- "$bin" verify "$tmp/asc.json" \
  --key "$key" --nonce $hgx_nonce --out "$tmp/asc.jwt"
check ascend-verify-serial 1 '"serial": "SYNTH-TEST-0000"' -- "$bin" verify "$tmp/asc.json" \
  --key "$key" --nonce $hgx_nonce --out "$tmp/asc.jwt" --json
check no-npu-smi 1 "collect.npu-smi-unavailable \(0000:c1:00.0\).*cannot run it" -- col --nonce $hgx_nonce \
  --out "$tmp/x.json" --sysfs "$asc" --npu-smi "$tmp/no-such-npu-smi" --no-tpm

# ---- Huawei NPUs through DCMI (tests/fake_dcmi, tests/data/ascend/DCMI.md) ----
chips=$src/tests/data/ascend/dcmi-chips.json
check dcmi 1 "DCMI: card 0 chip 0, Ascend 910B1, serial SYNTH-TEST-0000, VDie 0000000A-0000000B-0000000C-0000000D-0000000E \(reported\)" \
  -- npu env FAKE_DCMI_CHIPS="$chips" "$bin" collect --host-name collect-test --time "$at" \
  --nonce $hgx_nonce --out "$tmp/asc-dcmi.json" --sysfs "$asc" --npu-smi "$src/tests/cli/fake-npu-smi" \
  --dcmi-library "$dcmi" --no-tpm
grep -qE "collect.npu-smi-no-chip \(0000:02:00.0\).*DCMI's chip name and serial only" "$tmp/out" && ok ||
  not_ok "dcmi: a chip npu-smi lacks is not said to come from DCMI"
grep -qE "collect.dcmi-chip-skipped \(dcmi\).*dcmi_get_device_pcie_info_v2: card 3 chip 0" "$tmp/out" && ok ||
  not_ok "dcmi: no finding for a chip without a PCI address"
grep -qE "collect.dcmi-no-chip \(0000:41:00.0\)" "$tmp/out" && ok || not_ok "dcmi: no finding for an NPU DCMI lacks"
grep -q "collect.ascend-sources-disagree" "$tmp/out" && not_ok "dcmi: agreeing sources called contradictory" || ok
# DCMI fills the serial the failed board query left out, and names the chip npu-smi lacks.
check dcmi-verify-serial 1 '"serial": "SYNTH-DCMI-0001"' -- "$bin" verify "$tmp/asc-dcmi.json" \
  --key "$key" --nonce $hgx_nonce --out "$tmp/asc.jwt" --json
check dcmi-verify-name 1 "0000:02:00.0  contraindicated  Huawei Ascend 910B1" -- "$bin" verify \
  "$tmp/asc-dcmi.json" --key "$key" --nonce $hgx_nonce --out "$tmp/asc.jwt"
# Contradicting claims: npu-smi's stay, the contradiction is a warning naming both.
python3 -c 'import json,sys; c=json.load(sys.stdin); c[0]["chip_name"]="910B3"; c[0]["serial"]="OTHER-1"; print(json.dumps(c))' \
  <"$chips" >"$tmp/chips-disagree.json"
check dcmi-disagree 1 "collect.ascend-sources-disagree \(0000:c1:00.0\).*npu-smi names the chip 910B1, DCMI 910B3; npu-smi gives serial SYNTH-TEST-0000, DCMI OTHER-1" \
  -- npu env FAKE_DCMI_CHIPS="$tmp/chips-disagree.json" "$bin" collect --host-name collect-test \
  --time "$at" --nonce $hgx_nonce --out "$tmp/asc-dis.json" --sysfs "$asc" \
  --npu-smi "$src/tests/cli/fake-npu-smi" --dcmi-library "$dcmi" --no-tpm
check dcmi-disagree-verify 1 "0000:c1:00.0  contraindicated  Huawei Ascend 910B1" -- "$bin" verify \
  "$tmp/asc-dis.json" --key "$key" --nonce $hgx_nonce --out "$tmp/asc.jwt"
# DCMI alone (no npu-smi): the name and serial come from it.
check dcmi-alone 1 "collect.npu-smi-unavailable \(0000:c1:00.0\).*DCMI's chip name and serial only" \
  -- env FAKE_DCMI_CHIPS="$chips" "$bin" collect --host-name collect-test --time "$at" \
  --nonce $hgx_nonce --out "$tmp/asc-alone.json" --sysfs "$asc" --npu-smi "$tmp/no-such-npu-smi" \
  --dcmi-library "$dcmi" --no-tpm
check dcmi-alone-verify 1 '"serial": "SYNTH-TEST-0000"' -- "$bin" verify "$tmp/asc-alone.json" \
  --key "$key" --nonce $hgx_nonce --out "$tmp/asc.jwt" --json
check dcmi-init-fails 1 "collect.dcmi-unavailable \(dcmi\).*dcmi.call: dcmi_init: DCMI error code" -- npu env FAKE_DCMI_INIT_FAIL=1 \
  FAKE_DCMI_CHIPS="$chips" "$bin" collect --host-name collect-test --time "$at" --nonce $hgx_nonce \
  --out "$tmp/x.json" --sysfs "$asc" --npu-smi "$src/tests/cli/fake-npu-smi" --dcmi-library "$dcmi" --no-tpm
check dcmi-missing 1 "collect.dcmi-unavailable \(dcmi\).*cannot load $tmp/no-such-libdcmi.so" -- npu col \
  --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$asc" --npu-smi "$src/tests/cli/fake-npu-smi" \
  --dcmi-library "$tmp/no-such-libdcmi.so" --no-tpm

# ---- a host with nothing to attest, bad input ----
mkdir -p "$tmp/empty"
printf '0000:00:00.0 "0600" "8086" "09a2" -r04 "8086" "0000"\n0000:1a:00.0 "0200" "15b3" "1021" "15b3" "0040"\n0000:03:00.0 "0300" "1a03" "2000" -r52 "1a03" "2000"\n' >"$tmp/empty.lspci"
python3 "$src/tools/lspci-to-sysfs" "$tmp/empty.lspci" "$tmp/empty" >/dev/null
check nothing-to-attest 2 "collect.nothing-to-attest.*nothing to attest, no bundle written" -- col \
  --nonce $hgx_nonce --out "$tmp/empty.json" --sysfs "$tmp/empty" --no-tpm
[ -e "$tmp/empty.json" ] && not_ok "nothing-to-attest wrote a bundle" || ok
check no-sysfs 2 "input.missing-directory" -- col --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$tmp/none" --no-tpm
check bad-nonce 2 "input.bad-nonce" -- col --nonce 00 --out "$tmp/x.json" --sysfs "$hgx" --no-tpm
printf '{"country": "ae"}' >"$tmp/bad-site.json"
check bad-site 2 "input.bad-value.*country" -- col --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$hgx" \
  --no-tpm --site "$tmp/bad-site.json"
printf '{"country": "AE", "name": "example datacenter", "extra": 1}' >"$tmp/bad-site2.json"
check bad-site-field 2 "input.unknown-field" -- col --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$hgx" \
  --no-tpm --site "$tmp/bad-site2.json"

# Bad TPM options are the caller's input, not a missing piece: exit 2 before anything is collected.
check bad-pcrs 2 "input.bad-value.*--pcrs" -- col --nonce $hgx_nonce --out "$tmp/x.json" --sysfs "$hgx" \
  --pcrs sha512:0 --tcti swtpm:port=1
check bad-ak-handle 2 "input.bad-value.*--ak-handle" -- col --nonce $hgx_nonce --out "$tmp/x.json" \
  --sysfs "$hgx" --ak-handle 0x01000000 --tcti swtpm:port=1
check bad-ak-cert 2 "input.missing-file|input.unreadable" -- col --nonce $hgx_nonce --out "$tmp/x.json" \
  --sysfs "$hgx" --ak-cert "$tmp/none.der" --tcti swtpm:port=1
# ---- the TPM: swtpm on loopback, the end to end runs ----
if ! command -v swtpm >/dev/null; then
  not_ok "swtpm is not installed (tools/setup-debian.sh installs it)"
  finish; exit
fi
mkdir -p "$tmp/state"
start_swtpm "$tmp/state" "$tmp/swtpm.pid" "$tmp/swtpm.log" 20000 1231
[ -s "$tmp/swtpm.pid" ] && swtpm_pid=$(cat "$tmp/swtpm.pid")
tcti="swtpm:host=127.0.0.1,port=$port"
printf '{"country": "AE", "name": "example datacenter, Abu Dhabi"}' >"$tmp/site.json"
# A fresh AK without a certificate: quoted and bound, but nothing vouches for the AK.
check tpm-fresh-ak 1 "collect.ak-uncertified \(tpm\)" -- gpu col --nonce $hgx_nonce --out "$tmp/t1.json" \
  --sysfs "$hgx" --nvml-library "$nvml" --tcti "$tcti" --site "$tmp/site.json" --securityfs "$tmp/none"
grep -qE "TPM swtpm:.*quote over sha256:0,1,2,3,4,5,6,7,16, extraData binds the bundle \(binding v2\)" "$tmp/out" &&
  ok || not_ok "tpm-fresh-ak does not print the quote"
grep -qE "collect.eventlog-absent \(tpm\)" "$tmp/out" && ok || not_ok "tpm-fresh-ak: no event-log finding"
check tpm-fresh-ak-verify 1 "pipeline.binding-untrusted" -- "$bin" verify "$tmp/t1.json" --key "$key" \
  --nonce $hgx_nonce --time $at --out "$tmp/t1.jwt"
# The TPM quote binds the bundle as collected: `tpm verify --bundle` finds the same digest.
python3 - "$tmp/t1.json" "$tmp" <<'PY' && ok || not_ok "t1: the bundle's TPM section does not decode"
import base64, json, sys
b = json.load(open(sys.argv[1]))
for k, f in (("quote", "q.msg"), ("signature", "q.sig"), ("pcrs", "q.pcrs"), ("ak_public", "ak.pub")):
    open(sys.argv[2] + "/" + f, "wb").write(base64.b64decode(b["host"]["tpm"][k]))
assert b["host"]["site"]["country"] == "AE"
PY
check tpm-verify-bundle 0 "inventory   12 device\(s\), v2 digest" -- "$bin" tpm verify --message "$tmp/q.msg" \
  --signature "$tmp/q.sig" --pcrs "$tmp/q.pcrs" --ak-public "$tmp/ak.pub" --nonce $hgx_nonce --bundle "$tmp/t1.json"
# An enrolled AK: persistent, certified by a test CA (the simulator's, tools/simulate-bundle).
check create-ak 0 "persistent at" -- "$bin" tpm create-ak --tcti "$tcti" --handle 0x81010020 --out "$tmp/ak"
python3 - "$src/tools/simulate-bundle" "$tmp/ak/ak.pub" "$tmp/ak" <<'PY' && ok || not_ok "no AK certificate"
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("simulate_bundle", sys.argv[1])
sim = importlib.util.module_from_spec(importlib.util.spec_from_loader("simulate_bundle", loader))
loader.exec_module(sim)
der = sim.issue_ak_certificate(sim.rsa_public_from_tpm2b(open(sys.argv[2], "rb").read()), sys.argv[3], "collect-test")
open(sys.argv[3] + "/ak.der", "wb").write(der)
PY
mkdir -p "$tmp/sfs/tpm0"
cp "$src/tests/data/tpm/gce/eventlog.bin" "$tmp/sfs/tpm0/binary_bios_measurements"
enrolled=(--tcti "$tcti" --ak-handle 0x81010020 --ak-cert "$tmp/ak/ak.der" --site "$tmp/site.json"
  --securityfs "$tmp/none")
# The event log is read from securityfs and attached; this one is GCE's (tests/data/tpm), not
# swtpm's boot, so the verifier's replay rightly refuses it.
check tpm-eventlog 1 "AK certificate .*ak.der, UEFI event log \(" -- gpu col --nonce $hgx_nonce \
  --out "$tmp/t3.json" --sysfs "$hgx" --nvml-library "$nvml" "${enrolled[@]:0:8}" --securityfs "$tmp/sfs"
grep -q "collect.ak-uncertified" "$tmp/out" && not_ok "tpm-eventlog: the AK is still uncertified" || ok
check tpm-eventlog-verify 1 "tpm.eventlog-mismatch" -- "$bin" verify "$tmp/t3.json" --key "$key" \
  --nonce $hgx_nonce --time $at --ak-ca "$tmp/ak/sim-ak-ca.pem" --out "$tmp/t3.jwt"
check tpm-enrolled 1 "AK certificate .*ak.der" -- gpu col --nonce $hgx_nonce \
  --out "$tmp/t2.json" --sysfs "$hgx" --nvml-library "$nvml" "${enrolled[@]}"
# Everything there was: an accelerator without vendor evidence (Gaudi 2), the TPM with an
# enrolled AK: exit 0, info findings only.
mkdir -p "$tmp/gaudi"
printf '0000:00:00.0 "0600" "8086" "09a2" -r04 "8086" "0000"\n0000:33:00.0 "1200" "1da3" "1020" -r01 "1da3" "0000"\n' >"$tmp/gaudi.lspci"
python3 "$src/tools/lspci-to-sysfs" "$tmp/gaudi.lspci" "$tmp/gaudi" >/dev/null
check collect-complete 0 "0000:33:00.0  accelerator  evidence none" -- col --nonce $hgx_nonce \
  --out "$tmp/g.json" --sysfs "$tmp/gaudi" "${enrolled[@]}"
grep -q "\[warn\]" "$tmp/out" && not_ok "collect-complete printed a warning" || ok
# swtpm + sysfs + stand-in NVML -> collect -> verify: GPUs attested, the rest platform-bound.
check e2e-verify 1 "0000:db:00.0  warning  NVIDIA H100 SXM5 80GB  3A090.a.1  attested" -- "$bin" verify \
  "$tmp/t2.json" --key "$key" --nonce $hgx_nonce --time $at --ak-ca "$tmp/ak/sim-ak-ca.pem" --out "$tmp/t2.jwt"
grep -q "pipeline.binding-untrusted" "$tmp/out" && not_ok "e2e-verify: the quote binds nothing" || ok
# The quote binds the inventory, so the serials NVML reported are platform-bound.
check e2e-verify-bound 1 '"inventory_bound": true' -- "$bin" verify "$tmp/t2.json" --key "$key" \
  --nonce $hgx_nonce --time $at --ak-ca "$tmp/ak/sim-ak-ca.pem" --out "$tmp/t2b.jwt" --json
grep -q '"serial_source": "platform-bound"' "$tmp/out" && ok || not_ok "e2e-verify: the serials are not platform-bound"
grep -q "tpm.inventory-mismatch" "$tmp/out" && not_ok "e2e-verify: the quote does not bind the bundle" || ok
check e2e-report 0 "signature verified" -- "$bin" report "$tmp/t2.jwt" -o "$tmp/t2.html" --jwks "$tmp/keys/jwks.json"

# -> serve (memory:) -> attest -> signed result -> report
token=collect-test-token-0123456789
printf '%s' "$token" >"$tmp/token"
printf '%s' "$token" | sha256sum | cut -d' ' -f1 >"$tmp/tokens.sha256"
"$bin" serve --listen 127.0.0.1:0 --port-file "$tmp/port" --key "$key" --store memory: \
  --bearer-tokens "$tmp/tokens.sha256" --ak-ca "$tmp/ak/sim-ak-ca.pem" --at $at >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 600); do [ -s "$tmp/port" ] && break; sleep 0.1; done
sport=$(cat "$tmp/port" 2>/dev/null)
[ -n "$sport" ] && ok || { not_ok "serve did not start"; cat "$tmp/serve.log"; }
url=http://127.0.0.1:$sport
# The stand-in GPUs replay the recording, whose nonce is not the challenge's: the service signs a
# contraindicated result (exit 1), which attest prints and writes.
check e2e-attest 1 "verdict: contraindicated" -- gpu "$bin" attest --server "$url" --token "$tmp/token" \
  --token-out "$tmp/a.jwt" --bundle-out "$tmp/a.json" --host-name attest-test --sysfs "$hgx" \
  --nvml-library "$nvml" "${enrolled[@]}"
for want in "challenge from http://127.0.0.1:$sport: nonce [0-9a-f]{64}" "signed result written to" \
  "nvidia.nonce.mismatch|pipeline.evidence"; do
  grep -qE -- "$want" "$tmp/out" && ok || not_ok "e2e-attest lacks /$want/"
done
check e2e-attest-token 1 "token.status-below-required|contraindicated" -- "$bin" verify-token "$tmp/a.jwt" \
  --jwks "$tmp/keys/jwks.json"
check e2e-attest-report 0 "signature verified" -- "$bin" report "$tmp/a.jwt" -o "$tmp/a.html" \
  --jwks "$tmp/keys/jwks.json"
grep -q "attest-test" "$tmp/a.html" && ok || not_ok "the report does not name the host"
# Without the recording, only the TPM and the NVSwitches: platform-bound, not contraindicated.
check e2e-attest-no-nvml 1 "verdict: (warning|contraindicated)" -- "$bin" attest --server "$url" \
  --token "$tmp/token" --sysfs "$hgx" --no-nvml "${enrolled[@]}"
# Over TLS: the service's certificate checked against --ca; another CA is refused.
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=collect test CA" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign >/dev/null 2>&1
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tmp/tls.key" -out "$tmp/tls.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tmp/ext"
  openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -days 2 \
    -extfile "$tmp/ext" -out "$tmp/tls.pem" >/dev/null 2>&1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=other CA" \
    -keyout "$tmp/other.key" -out "$tmp/other.pem" >/dev/null 2>&1
  "$bin" serve --listen 127.0.0.1:0 --port-file "$tmp/tport" --key "$key" --store memory: \
    --bearer-tokens "$tmp/tokens.sha256" --tls-cert "$tmp/tls.pem" --tls-key "$tmp/tls.key" \
    >"$tmp/tserve.log" 2>&1 &
  tls_pid=$!
  for _ in $(seq 1 600); do [ -s "$tmp/tport" ] && break; sleep 0.1; done
  turl=https://127.0.0.1:$(cat "$tmp/tport" 2>/dev/null)
  check attest-tls 1 "verdict: (warning|contraindicated)" -- "$bin" attest --server "$turl" --ca "$tmp/ca.pem" \
    --token "$tmp/token" --sysfs "$hgx" --no-nvml "${enrolled[@]}"
  check attest-tls-other-ca 3 "attest.service-unreachable" -- "$bin" attest --server "$turl" \
    --ca "$tmp/other.pem" --token "$tmp/token" --sysfs "$hgx" --no-nvml --no-tpm
  kill "$tls_pid" 2>/dev/null; wait "$tls_pid" 2>/dev/null
else
  not_ok "openssl is not installed: no TLS test"
fi
check attest-bad-token 2 "attest.service-error.*HTTP 401 http.unauthorized" -- "$bin" attest --server "$url" \
  --token "$tmp/site.json" --sysfs "$hgx" --no-nvml --no-tpm
check attest-unknown-licence 2 "attest.service-error.*HTTP 4[0-9][0-9]" -- "$bin" attest --server "$url" \
  --token "$tmp/token" --licence no-such-licence --sysfs "$hgx" --no-nvml --no-tpm
check attest-unreachable 3 "attest.service-unreachable" -- "$bin" attest --server "http://127.0.0.1:1" \
  --sysfs "$hgx" --no-nvml --no-tpm
check attest-bad-url 2 "input.bad-value.*--server" -- "$bin" attest --server "ftp://x" --sysfs "$hgx"
check attest-nothing 2 "collect.nothing-to-attest" -- "$bin" attest --server "$url" --token "$tmp/token" \
  --sysfs "$tmp/empty" --no-tpm
finish
