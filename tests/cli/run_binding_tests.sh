#!/usr/bin/env bash
# Inventory binding v2 end to end (docs/inventory-binding.md): tools/simulate-bundle makes a
# bundle from tests/data/bundles/binding-host/spec.json with a fresh swtpm quote binding it;
# `verify` finds it bound (its reported devices platform-bound); then each bound field is changed
# alone in a copy of that bundle (the tampered bundles are made here, since each needs the live
# quote) and the binding must fail: tpm.inventory-mismatch, nothing platform-bound. A quote made
# by the old simulator (binding v1, tests/data/bundles/binding-v1) binds nothing either.
# Usage: run_binding_tests.sh BINARY SOURCE_DIR
set -u
bin=$1
src=$2
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"
at=2026-11-27T00:00:00Z
nonce=4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e  # the H100 evidence's

if ! command -v swtpm >/dev/null; then
  echo "swtpm missing: tools/setup-debian.sh installs it"; exit 1
fi
check keygen 0 "signing key" -- "$bin" keygen --out "$tmp/k"
check simulate 0 "TPM quote from swtpm" -- "$src/tools/simulate-bundle" \
  "$src/tests/data/bundles/binding-host/spec.json" "$tmp/sim" --bin "$bin"
ca=$tmp/sim/sim-ak-ca.pem
v() {  # v BUNDLE: verify with the simulator's AK CA, JSON out
  "$bin" verify "$1" --key "$tmp/k/signing-key.pem" --out "$tmp/r.jwt" --ak-ca "$ca" \
    --nonce "$nonce" --time "$at" --json
}
# assurance BUNDLE ADDRESS: the device's identity assurance in the signed claims (verify --json
# carries them as "claims").
assurance() {
  v "$1" | $py -c '
import json, sys
subs = json.load(sys.stdin)["claims"]["submods"]
print([x for k, s in subs.items() for e, x in s.items() if e.endswith("/ear/device")
       and x["address"] == sys.argv[1]][0]["identity_assurance"])' "$2"
}

check bound 1 '"inventory_bound": true' -- v "$tmp/sim/bundle.json"
check bound-h100-attested 0 "^attested$" -- assurance "$tmp/sim/bundle.json" 0000:18:00.0
check bound-h20-platform-bound 0 "^platform-bound$" -- assurance "$tmp/sim/bundle.json" 0000:11:00.0
check bound-ascend-platform-bound 0 "^platform-bound$" -- assurance "$tmp/sim/bundle.json" 0000:01:00.0
check bound-no-mismatch 1 "" -- grep -q "tpm.inventory-mismatch" <(v "$tmp/sim/bundle.json")

tamper() {  # tamper NAME PYTHON-ON-b (b: the bundle, dev(address): one device)
  $py - "$tmp/sim/bundle.json" "$tmp/t-$1.json" "$2" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
def dev(a):
    return [d for d in b["devices"] if d["address"] == a][0]
exec(sys.argv[3])
json.dump(b, open(sys.argv[2], "w"))
PY
  check "tamper-$1" 1 "tpm.inventory-mismatch" -- v "$tmp/t-$1.json"
  check "tamper-$1-not-bound" 1 '"inventory_bound": false' -- v "$tmp/t-$1.json"
  check "tamper-$1-h20-reported" 0 "^reported$" -- assurance "$tmp/t-$1.json" 0000:11:00.0
  check "tamper-$1-ascend-reported" 0 "^reported$" -- assurance "$tmp/t-$1.json" 0000:01:00.0
}
tamper subsystem-id 'dev("0000:01:00.0")["subsystem_device_id"] = "0101"'
tamper reported-name 'dev("0000:11:00.0")["reported"]["name"] = "NVIDIA H800"'
tamper serial 'dev("0000:11:00.0")["reported"]["serial"] = "1650724000124"'
tamper npu-smi 'r = dev("0000:01:00.0")["reported"]; r["npu_smi"] = r["npu_smi"].replace("910B1", "910B4", 1)'
tamper evidence 'e = dev("0000:18:00.0")["evidence"]["nvidia"]; raw = bytearray(base64.b64decode(e["evidence"])); raw[-20] ^= 1; e["evidence"] = base64.b64encode(bytes(raw)).decode()'
# The same certificates with one more line feed: the chain still verifies, the binding does not.
tamper certificate-chain 'e = dev("0000:18:00.0")["evidence"]["nvidia"]; e["certificate"] = base64.b64encode(base64.b64decode(e["certificate"]) + b"\n").decode()'
tamper site-country 'b["host"]["site"]["country"] = "SG"'
tamper host-name 'b["host"]["name"] = "another-host"'
tamper device-added 'b["devices"].append({"address": "0000:22:00.0", "vendor_id": "10de", "device_id": "2329", "class": "030200"})'

# binding v1: a real swtpm quote over the old digest of the same host's accelerators.
v1=$src/tests/data/bundles/binding-v1
check v1-recognised 1 "tpm.inventory-binding-v1" -- "$bin" verify "$v1/bundle.json" \
  --key "$tmp/k/signing-key.pem" --out "$tmp/v1.jwt" --ak-ca "$v1/sim-ak-ca.pem" --time "$at"
check v1-reported 1 "Huawei Ascend 910B1  3A090.a.1  reported" -- "$bin" verify "$v1/bundle.json" \
  --key "$tmp/k/signing-key.pem" --out "$tmp/v1.jwt" --ak-ca "$v1/sim-ak-ca.pem" --time "$at"
finish
