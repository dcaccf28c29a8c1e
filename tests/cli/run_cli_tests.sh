#!/usr/bin/env bash
# Runs the accel-attest binary on the example hosts and bad inputs, checking exit codes and
# output. Usage: run_cli_tests.sh BINARY SOURCE_DIR [NO_NETWORK_SHIM]
# With the shim (tests/cli/no_network.cpp), the NVIDIA checks run with it preloaded: any socket
# use aborts the command, so passing them proves the appraisal stays offline.
set -u
bin=$1
src=$2
shim=${3:-}
hosts=$src/docs/examples/hosts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check.sh"

check help 0 "identify" -- "$bin" --help
check version 0 "export policy:  sha256 [0-9a-f]{64} \(eCFR 2026-07-23\)" -- "$bin" version
check version-flag 0 "NVIDIA device:  sha256 102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48" -- "$bin" --version
check version-json 0 '"schema": "accel-attest/version/v1"' -- "$bin" version --json
check version-bad-profiles 2 "input.missing-directory" -- "$bin" --profiles /nonexistent-profiles version
check identify-help 0 "--sysfs-root" -- "$bin" identify --help
check registry-help 0 "classify" -- "$bin" registry --help
check classify-help 0 "worked" -- "$bin" registry classify --help
check no-subcommand 2 "" -- "$bin"
check unknown-option 2 "" -- "$bin" identify --frobnicate
check did-you-mean 2 "usage.unknown-subcommand.*did you mean 'identify'" -- "$bin" identfy
check did-you-mean-nested 2 "did you mean 'classify'" -- "$bin" registry clasify nvidia-h20
check did-you-mean-after-option 2 "did you mean 'registry'" -- "$bin" --profiles "$src/firmware-profiles" registyr list
check unknown-subcommand 2 "usage.unknown-subcommand.*--help" -- "$bin" frobnicate
check empty-lspci 2 "input.no-devices" -- sh -c "printf '' | \"$bin\" identify --lspci -"

check hgx-sysfs 0 "8 accelerator" -- "$bin" identify --sysfs-root "$hosts/hgx-h100/sys"
check hgx-lspci 0 "NVIDIA H100 SXM5 80GB" -- "$bin" identify --lspci "$hosts/hgx-h100/lspci.txt"
check hgx-stdin 0 "3A090.a.1" -- sh -c "\"$bin\" identify --lspci - < \"$hosts/hgx-h100/lspci.txt\""
check ascend-sysfs 1 "identify.ascend-part" -- "$bin" identify --sysfs-root "$hosts/ascend-910b/sys"
check mixed-json 1 '"possible-ascend-part"|identify.possible-ascend-part' -- \
  "$bin" identify --json --sysfs-root "$hosts/mixed/sys"
check mixed-unknown 1 "identify.unknown-accelerator" -- "$bin" identify --lspci "$hosts/mixed/lspci.txt"
check inventory 1 "3A090.a.2" -- "$bin" identify --inventory "$hosts/ascend-910b/inventory.json"
check sysfs-and-lspci 2 "" -- "$bin" identify --sysfs-root /sys --lspci x

# The same host read three ways gives the same JSON.
"$bin" identify --json --sysfs-root "$hosts/mixed/sys" >"$tmp/a.json"
"$bin" identify --json --lspci "$hosts/mixed/lspci.txt" >"$tmp/b.json"
if diff <(grep -v '"origin"' "$tmp/a.json") <(grep -v '"origin"' "$tmp/b.json") >/dev/null; then
  pass=$((pass + 1)); else echo "FAIL sysfs-vs-lspci json differ"; fail=$((fail + 1)); fi

check registry-list 0 "nvidia-h100-sxm5-80gb" -- "$bin" registry list
check registry-show 0 "VS-S13" -- "$bin" registry show nvidia-h20
check registry-classify 0 "decided by: 3A090.a.1" -- "$bin" registry classify nvidia-h100-sxm5-80gb
check registry-classify-4090d 0 "would otherwise be 3A090.a.2" -- "$bin" registry classify nvidia-rtx-4090d
check registry-classify-json 0 '"eccn_3a090": "3A090.b.1"' -- "$bin" registry classify amd-mi210 --json
check registry-unknown 2 "input.unknown-part" -- "$bin" registry show no-such-part
check bad-profiles 2 "input.missing-directory" -- "$bin" --profiles "$tmp/none" registry list

# Bad input: clear error naming the file and field, exit 2.
mkdir -p "$tmp/sys/bus/pci/devices/0000:01:00.0"
for f in vendor device subsystem_vendor subsystem_device; do echo 0x10de >"$tmp/sys/bus/pci/devices/0000:01:00.0/$f"; done
printf '0x0302' >"$tmp/sys/bus/pci/devices/0000:01:00.0/class"
check sysfs-truncated-class 2 "input.bad-hex: .*0000:01:00.0/class" -- "$bin" identify --sysfs-root "$tmp/sys"
printf '0xzz0200\n' >"$tmp/sys/bus/pci/devices/0000:01:00.0/class"
check sysfs-nonhex-class 2 "input.bad-hex" -- "$bin" identify --sysfs-root "$tmp/sys"
check sysfs-missing 2 "input.missing-directory" -- "$bin" identify --sysfs-root "$tmp/nowhere"
printf 'garbage line\n' >"$tmp/bad.lspci"
check lspci-garbage 2 "input.bad-lspci-line: .*bad.lspci:1: slot" -- "$bin" identify --lspci "$tmp/bad.lspci"
printf '{"schema":"accel-attest/inventory/v1","devices":[{"address":"0000:01:00.0","vendor_id":10,"device_id":"2330"}]}' >"$tmp/bad.json"
check inventory-wrong-type 2 "input.wrong-type: .*bad.json#/devices/0/vendor_id" -- "$bin" identify --inventory "$tmp/bad.json"
check inventory-missing 2 "input.missing-file" -- "$bin" identify --inventory "$tmp/none.json"
head -c 3000 /dev/urandom >"$tmp/random.bin"
check lspci-random 2 "input.bad-lspci-line|input.too-large" -- "$bin" identify --lspci "$tmp/random.bin"
check inventory-random 2 "input.bad-json" -- "$bin" identify --inventory "$tmp/random.bin"

# NVIDIA evidence, offline. Nonces from the corpus SOURCES.md.
if [ -n "$shim" ]; then
  # The shim itself works: a plain TCP connect attempt dies.
  if bash -c "LD_PRELOAD='$shim' bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>'$tmp/shim.err'" 2>/dev/null; then
    echo "FAIL no-network shim did not stop a socket"; fail=$((fail + 1))
  elif grep -q "no_network: " "$tmp/shim.err"; then pass=$((pass + 1))
  else echo "FAIL no-network shim: $(cat "$tmp/shim.err")"; fail=$((fail + 1)); fi
  export LD_PRELOAD=$shim
fi
nv=$src/tests/data/nvidia
n931=931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb
n2023=4cff7f5380ead8fad8ec2c531c110aca4302a88f603792801a8ca29ee151af2e
n8=4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e
check nv-help 0 "--rim-store" -- "$bin" nvidia verify --help
check nv-h100 0 "Result: PASS" -- "$bin" nvidia verify --report "$nv/reports/nvtrust-h100.report.txt" \
  --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931
check nv-h100-strict 1 "nvidia.revocation.not-checked" -- "$bin" nvidia verify --strict \
  --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931
check nv-e2e-2023 0 "measurements 32/32 match, 1 skipped" -- "$bin" nvidia verify \
  --report "$nv/reports/nvtrust-2023.report.txt" --chain "$nv/reports/nvtrust-2023.chain.pem" \
  --nonce $n2023 --rim-store "$nv/rim-stores/e2e-2023" --time 2024-01-01T00:00:00Z
check nv-8gpu-json 0 '"result": "pass"' -- "$bin" nvidia verify --json \
  --evidence "$nv/evidence/hgx-8gpu-ppcie.json" --nonce $n8
check nv-switch 0 "SWITCH-3" -- "$bin" nvidia verify --evidence "$nv/evidence/ls10-4switch.json" --nonce $n931
check nv-wrong-nonce 1 "nvidia.nonce.mismatch" -- "$bin" nvidia verify --evidence "$nv/evidence/ls10-4switch.json" --nonce $n8
check nv-bad-signature 1 "nvidia.signature.invalid" -- "$bin" nvidia verify \
  --report "$nv/reports/sdk-h100-invalid-signature.report.txt" --chain "$nv/reports/sdk-h100-570.chain.pem" --nonce $n931
check nv-case3 1 "nvidia.chain.invalid" -- "$bin" nvidia verify \
  --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/trustee-case3.chain.pem" --nonce $n931
check nv-expired-rim 1 "nvidia.rim.expired" -- "$bin" nvidia verify \
  --report "$nv/reports/sdk-h100-570.report.txt" --chain "$nv/reports/sdk-h100-570.chain.pem" --nonce $n931 \
  --rim-store "$nv/rim-stores/expired" --time 2025-03-01T00:00:00Z
check nv-mismatch 1 "nvidia.measurement.mismatch: RIM index" -- "$bin" nvidia verify \
  --report "$nv/reports/sdk-h100-535.report.txt" --chain "$nv/reports/sdk-h100-535.chain.pem" \
  --nonce 27a328247bf7935c993341cf587be6f05986ccce4fe7ba2c54100bd616a58f66 \
  --rim-store "$nv/rim-stores/mismatch" --time 2024-06-01T00:00:00Z
check nv-pci-contradiction 1 "nvidia.sku.pci-contradiction" -- "$bin" nvidia verify \
  --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931 --pci-id 10de:2329
check nv-device-root 1 "replaces the pinned root" -- "$bin" nvidia verify \
  --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931 \
  --device-root "$src/tests/data/revocation/root.pem"
mkdir -p "$tmp/crl" && cp "$src/tests/data/revocation/ica.crl" "$tmp/crl/"
check nv-ocsp-dir 0 '"ocsp_dir"' -- "$bin" nvidia verify --json \
  --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931 \
  --ocsp "$src/tests/data/revocation/ocsp" --crl "$tmp/crl"
# Modes: the real reports carry no CC / devtools / debug state; it is shown as not reported.
check nv-modes-text 0 "modes       CC not reported, devtools not reported, debug not reported, protected PCIe off" -- \
  "$bin" nvidia verify --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931
check nv-modes-json 0 '"devtools": "not reported"' -- "$bin" nvidia verify --json \
  --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931
# RIM identity: NVIDIA's GH100 sample RIM with the switch BIOS version, stored under the
# switch's RIM ID, is not the switch's RIM.
mkdir -p "$tmp/rim-swap"
cp "$nv/rims/NV_SWITCH_BIOS_5612_0002_890_9610550001_measurement_mismatch.xml" \
  "$tmp/rim-swap/NV_SWITCH_BIOS_5612_0002_890_9610550001.xml"
check nv-rim-product-mismatch 1 "nvidia.rim.product-mismatch: Meta@product is \"GH100\"" -- "$bin" nvidia verify \
  --report "$nv/reports/sdk-ls10.report.txt" --chain "$nv/reports/sdk-ls10.chain.pem" --nonce $n931 \
  --rim-store "$tmp/rim-swap" --time 2026-11-27T00:00:00Z
check nv-max-revocation-age-zero 2 "max-revocation-age" -- "$bin" nvidia verify \
  --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931 \
  --crl "$tmp/crl" --max-revocation-age 0
check nv-max-revocation-age 0 "Result: PASS" -- "$bin" nvidia verify \
  --report "$nv/reports/nvtrust-h100.report.txt" --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931 \
  --crl "$tmp/crl" --max-revocation-age 86400
check nv-bad-nonce 2 "input.bad-nonce: --nonce" -- "$bin" nvidia verify --evidence "$nv/evidence/hgx-4gpu.json" --nonce 1234
check nv-no-input 2 "input.missing-field" -- "$bin" nvidia verify --nonce $n931
check nv-random-evidence 2 "input.bad-json" -- "$bin" nvidia verify --evidence "$tmp/random.bin" --nonce $n931
printf '[{"arch":"HOPPER","nonce":"%s","evidence":"!!","certificate":""}]' $n931 >"$tmp/badev.json"
check nv-bad-base64 2 "input.bad-base64: .*badev.json#/0/evidence" -- "$bin" nvidia verify --evidence "$tmp/badev.json" --nonce $n931
check nv-random-report 1 "spdm\." -- "$bin" nvidia verify --report "$tmp/random.bin" \
  --chain "$nv/reports/nvtrust-h100.chain.pem" --nonce $n931
check nv-bad-time 2 "input.bad-value: --time" -- "$bin" nvidia verify --evidence "$nv/evidence/hgx-4gpu.json" \
  --nonce $n931 --time yesterday

# Every shape hosts publish NVIDIA evidence in (issue 16 item 3), built around the real evidence:
# nvattest collect-evidence's object, the inference services' evidence_list object (arch in
# mixed case), and the bare array without arch (the certificate decides GPU-n / SWITCH-n).
python3 - "$nv/evidence" "$tmp" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
gpus = json.load(open(src + "/hgx-4gpu.json"))
sws = json.load(open(src + "/ls10-4switch.json"))
json.dump({"evidences": gpus, "result_code": 0, "result_message": "Ok"}, open(out + "/collect.json", "w"))
json.dump({"evidences": gpus, "result_code": 9, "result_message": "claims success"}, open(out + "/collect-rc.json", "w"))
json.dump({"nonce": gpus[0]["nonce"], "arch": "Hopper", "claims_version": "3.0",
           "evidence_list": [{"evidence": e["evidence"], "certificate": e["certificate"]} for e in gpus]},
          open(out + "/evlist.json", "w"))
bad = {"nonce": "ab" * 32, "arch": "HOPPER", "evidence_list": [{"evidence": e["evidence"], "certificate": e["certificate"]} for e in gpus]}
json.dump(bad, open(out + "/evlist-nonce.json", "w"))
json.dump([{k: v for k, v in e.items() if k != "arch"} for e in sws], open(out + "/noarch.json", "w"))
json.dump({"evidences": gpus, "result_code": 0, "verdict": "pass"}, open(out + "/collect-extra.json", "w"))
PY
n4=e97b23a1718095a0e9e35edca810768c70a6a5a389b705e753b197912bc11576
check nv-shape-collect 0 "GPU-3" -- "$bin" nvidia verify --evidence "$tmp/collect.json" --nonce $n4
check nv-shape-collect-rc 0 "result_code 9 \"claims success\" \(a claim" -- "$bin" nvidia verify --evidence "$tmp/collect-rc.json" --nonce $n4
check nv-shape-evidence-list 0 '"result": "pass"' -- "$bin" nvidia verify --json --evidence "$tmp/evlist.json" --nonce $n4
check nv-shape-evidence-list-nonce 2 "input.evidence-nonce-mismatch: .*evlist-nonce.json#/nonce" -- \
  "$bin" nvidia verify --evidence "$tmp/evlist-nonce.json" --nonce $n4
check nv-shape-no-arch 0 "SWITCH-3" -- "$bin" nvidia verify --evidence "$tmp/noarch.json" --nonce $n931
check nv-shape-unknown-member 2 "input.unknown-field.*verdict" -- "$bin" nvidia verify \
  --evidence "$tmp/collect-extra.json" --nonce $n4

# RIM files as NVIDIA publishes them, into a store `nvidia verify` then reads.
check rim-import 0 "NV_GPU_DRIVER_GH100_545.00: written" -- "$bin" nvidia rim import \
  "$nv/rims/Driver_RIM_test_no_gpu.swidtag" "$nv/rims/1010_0200_882_96005E0001_test_no_gpu.swidtag" \
  --store "$tmp/rims" --time 2024-01-01T00:00:00Z
check rim-import-e2e 0 "measurements 32/32 match, 1 skipped" -- "$bin" nvidia verify \
  --report "$nv/reports/nvtrust-2023.report.txt" --chain "$nv/reports/nvtrust-2023.chain.pem" \
  --nonce $n2023 --rim-store "$tmp/rims" --time 2024-01-01T00:00:00Z
check rim-import-again 0 "unchanged" -- "$bin" nvidia rim import \
  "$nv/rims/1010_0200_882_96005E0001_test_no_gpu.swidtag" --store "$tmp/rims" --time 2024-01-01T00:00:00Z
check rim-import-conflict 2 "rim.import-conflict" -- "$bin" nvidia rim import \
  "$nv/rims/1010_0200_882_96005E0001_PROD.swidtag" --store "$tmp/rims" --time 2024-01-01T00:00:00Z
check rim-import-force 0 "replaced" -- "$bin" nvidia rim import --force \
  "$nv/rims/1010_0200_882_96005E0001_PROD.swidtag" --store "$tmp/rims" --time 2024-01-01T00:00:00Z
check rim-import-bad-signature 2 "rim.signature-invalid" -- "$bin" nvidia rim import \
  "$nv/rims/incorrect_signature_driver_rim.xml" --store "$tmp/rims2"
printf "not a RIM\n" >"$tmp/not-a-rim.swidtag"
check rim-import-not-xml 2 "rim.malformed" -- "$bin" nvidia rim import "$tmp/not-a-rim.swidtag" --store "$tmp/rims2"
if [ ! -e "$tmp/rims2" ] || [ -z "$(ls -A "$tmp/rims2")" ]; then ok; else not_ok "a refused RIM was filed"; fi
check rim-import-expired-now 0 "not valid at" -- "$bin" nvidia rim import \
  "$nv/rims/1010_0205_862_96005E0004_PROD.swidtag" --store "$tmp/rims3"

# TPM quotes, offline (still under the no-network shim when given).
td=$src/tests/data/tpm
sw=$td/swtpm
swn=$(cat "$sw/nonce.hex.txt")
check tpm-help 0 "--ak-public" -- "$bin" tpm verify --help
check tpm-swtpm-rsa 0 "signature=pass" -- "$bin" tpm verify --message "$sw/quote_rsa.tpms_attest.bin" \
  --signature "$sw/quote_rsa.tpmt_signature.bin" --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" \
  --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce "$swn"
check tpm-swtpm-ecc-pem 0 "tpm.ak-attributes-unknown" -- "$bin" tpm verify --message "$sw/quote_ecc.tpms_attest.bin" \
  --signature "$sw/quote_ecc.tpmt_signature.bin" --pcrs "$sw/pcr_values_sha256_0-7_16.bin" \
  --ak-public "$sw/ak_ecc_p256.pub.pem" --nonce "$swn"
check tpm-gce 0 '"verdict": "warning"' -- "$bin" tpm verify --json --message "$td/gce/quote-sha256.tpms_attest.bin" \
  --signature "$td/gce/quote-sha256.tpmt_signature.bin" --pcrs "$td/gce/quote-sha256.pcrs.bin" \
  --ak-public "$td/gce/ak.tpmt_public.bin" --nonce 9009 --ak-cert "$td/gce/ak_cert.der" \
  --ca "$td/certs/tpm_ek_root_1.cer" --intermediate "$td/certs/tpm_ek_intermediate_2.crt" \
  --eventlog "$td/gce/eventlog.bin" --time 2026-11-27T00:00:00Z
check tpm-windows-sha1 1 "tpm.sha1-signature" -- "$bin" tpm verify --message "$td/windows/quote.tpms_attest.bin" \
  --signature "$td/windows/quote.tpmt_signature.bin" --pcrs "$td/windows/pcrs-sha1.bin" \
  --ak-public "$td/windows/ak.tpmt_public.bin" --nonce ""
check tpm-windows-allowed 0 "eventlog=pass" -- "$bin" tpm verify --allow-sha1 --message "$td/windows/quote.tpms_attest.bin" \
  --signature "$td/windows/quote.tpmt_signature.bin" --pcrs "$td/windows/pcrs-sha1.bin" \
  --ak-public "$td/windows/ak.tpmt_public.bin" --nonce "" --eventlog "$td/windows/eventlog.bin"
check tpm-cve-2024-29039 1 "tpm.pcr-digest-mismatch|tpm.pcr-count|tpm.bad-pcr-file" -- "$bin" tpm verify \
  --message "$sw/cve-2024-29039_quote_pcr16.tpms_attest.bin" --signature "$sw/cve-2024-29039_quote_pcr16.tpmt_signature.bin" \
  --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce "$swn"
cp "$sw/quote_rsa.tpms_attest.bin" "$tmp/badmagic.msg"
printf '\x00' | dd of="$tmp/badmagic.msg" bs=1 seek=0 conv=notrunc 2>/dev/null
check tpm-bad-magic 1 "tpm.bad-magic" -- "$bin" tpm verify --message "$tmp/badmagic.msg" \
  --signature "$sw/quote_rsa.tpmt_signature.bin" --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" \
  --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce "$swn"
check tpm-wrong-nonce 1 "tpm.nonce-mismatch" -- "$bin" tpm verify --message "$sw/quote_rsa.tpms_attest.bin" \
  --signature "$sw/quote_rsa.tpmt_signature.bin" --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" \
  --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce 00112233
check tpm-missing-file 2 "input.missing-file" -- "$bin" tpm verify --message "$tmp/none" \
  --signature "$sw/quote_rsa.tpmt_signature.bin" --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" \
  --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce "$swn"
check tpm-random-message 1 "tpm.malformed|tpm.bad-magic" -- "$bin" tpm verify --message "$tmp/random.bin" \
  --signature "$sw/quote_rsa.tpmt_signature.bin" --pcrs "$sw/quote_rsa.tpm2tools_pcrs.bin" \
  --ak-public "$sw/ak_rsa.tpm2b_public.bin" --nonce "$swn"

# Result tokens (offline).
ed=$src/tests/data/ear
check token-veraison 0 "VALID EAR" -- "$bin" verify-token "$ed/arc-testJWT.jwt" --jwks "$ed/veraison-pkey.json"
check token-alg-none 1 "jose.bad-header" -- "$bin" verify-token "$ed/ear_test-neg-alg-none.jwt" --jwks "$ed/veraison-pkey.json"
check token-hs256 1 "jose.bad-header" -- "$bin" verify-token "$ed/ear_test-neg-hs256.jwt" --jwks "$ed/veraison-pkey.json"
check token-trailing 1 "jose.bad-format" -- "$bin" verify-token "$ed/ear_test-neg-trailing-rubbish.jwt" --jwks "$ed/veraison-pkey.json"
check token-empty-claims 1 "ear.missing-claim" -- "$bin" verify-token "$ed/ear_test-neg-empty-claims.jwt" --jwks "$ed/veraison-pkey.json"
check token-bad-format 1 "jose.bad-format" -- "$bin" verify-token "$ed/ear_test-neg-bad-format.jwt" --jwks "$ed/veraison-pkey.json"
check token-float-iat 1 "ear.float-time" -- "$bin" verify-token "$ed/c-ear.jwt" --jwks "$ed/veraison-pkey.json"
check token-float-legacy 0 '"valid": true' -- "$bin" verify-token "$ed/c-ear.jwt" --jwks "$ed/veraison-pkey.json" --allow-float-times --json
check token-private-jwks 2 "jose.bad-key" -- "$bin" verify-token "$ed/arc-testJWT.jwt" --jwks "$ed/veraison-skey.json"
# Both forms of an ECDSA signature: a real low-S token with s replaced by n - s, and the reverse.
check token-high-s 0 "VALID EAR" -- "$bin" verify-token "$ed/ear_test-verify-pass-high-s.jwt" --jwks "$ed/veraison-pkey.json"
check token-low-s 0 "VALID EAR" -- "$bin" verify-token "$ed/arc-testJWT-low-s.jwt" --jwks "$ed/veraison-pkey.json"
# A result issued before the ear-extensions/v2 shape (findings with pointer, devices with
# pci_address; tests/data/ear/accel-attest-v1) still verifies and renders.
v1=$src/tests/data/ear/accel-attest-v1
check token-ext-v1 0 "VALID EAR.*status warning" -- "$bin" verify-token "$v1/hgx-h100.jwt" --jwks "$v1/jwks.json" \
  --require warning --time 2026-12-04T00:00:00Z
check token-ext-v1-json 0 '"schema": "accel-attest/ear-extensions/v1"' -- "$bin" verify-token "$v1/hgx-h100.jwt" \
  --jwks "$v1/jwks.json" --require warning --time 2026-12-04T00:00:00Z --json
grep -q '"pci_address": "0000:db:00.0"' "$tmp/out" && ok || not_ok "the v1 token lacks its pci_address"
check report-ext-v1 0 "signature verified" -- "$bin" report "$v1/hgx-h100.jwt" -o "$tmp/v1.html" \
  --jwks "$v1/jwks.json" --time 2026-12-04T00:00:00Z
grep -q 'nvidia.rim.not-checked' "$tmp/v1.html" && ok || not_ok "the v1 report lacks the findings"
check challenge 0 "^[0-9a-f]{64}$" -- "$bin" challenge --store "$tmp/nonces.sqlite" --ttl 60
check challenge-bad-ttl 2 "" -- "$bin" challenge --store "$tmp/nonces.sqlite" --ttl 0
check keygen 0 "signing key" -- "$bin" keygen --out "$tmp/keys"
check jwks 0 '"kty": "EC"' -- "$bin" jwks "$tmp/keys/signing-key.pem"
# keygen never replaces a key without --force, and the key is 0600 from creation.
sha_key=$(sha256sum <"$tmp/keys/signing-key.pem")
check keygen-exists 2 "output.exists.*--force" -- "$bin" keygen --out "$tmp/keys"
[ "$(sha256sum <"$tmp/keys/signing-key.pem")" = "$sha_key" ] && ok || not_ok "keygen replaced the key"
[ "$(stat -c %a "$tmp/keys/signing-key.pem")" = 600 ] && ok || not_ok "signing key is not 0600"
check keygen-force 0 "signing key" -- "$bin" keygen --out "$tmp/keys" --force
[ "$(sha256sum <"$tmp/keys/signing-key.pem")" != "$sha_key" ] && ok || not_ok "keygen --force kept the key"
[ "$(stat -c %a "$tmp/keys/signing-key.pem")" = 600 ] && ok || not_ok "replaced key is not 0600"
[ -z "$(find "$tmp/keys" -name '.*tmp-*')" ] && ok || not_ok "keygen left a temporary file"
unset LD_PRELOAD

# Numbers are finite: CLI11 would read "nan", "inf" and "1e400" as doubles; every
# floating-point option refuses them (exit 2, naming the option).
for v in nan inf -inf 1e400 NaN; do
  check "bound-rtt-$v" 2 "--rtt-ms.*not a finite number" -- "$bin" location bound \
    --landmark 1.2897,103.8501 --rtt-ms "$v"
done
check bound-proc-nan 2 "--proc-ms.*not a finite number" -- "$bin" location bound \
  --landmark 1.2897,103.8501 --rtt-ms 2 --proc-ms nan
check bound-landmark-nan 2 "input.not-finite.*--landmark" -- "$bin" location bound --landmark nan,0 --rtt-ms 1
check bound-landmark-inf 2 "input.not-finite.*--landmark" -- "$bin" location bound --landmark 1,inf --rtt-ms 1
check enrol-lat-nan 2 "--lat.*not a finite number" -- "$bin" landmark enrol --key "$tmp/keys/signing-key.pem" \
  --id x --lat nan --lon 0 --out "$tmp/lm.json"
check enrol-lon-inf 2 "--lon.*not a finite number" -- "$bin" landmark enrol --key "$tmp/keys/signing-key.pem" \
  --id x --lat 0 --lon 1e400 --out "$tmp/lm.json"
check enrol-lat-range 2 "--lat" -- "$bin" landmark enrol --key "$tmp/keys/signing-key.pem" \
  --id x --lat 91 --lon 0 --out "$tmp/lm.json"
[ ! -e "$tmp/lm.json" ] && ok || not_ok "enrol wrote a landmark with a bad position"
check serve-lat-nan 2 "--lat.*not a finite number" -- "$bin" landmark serve --key "$tmp/keys/signing-key.pem" \
  --id x --lat nan --lon 0 --listen 127.0.0.1:0
check respond-delay-inf 2 "--extra-delay-ms.*not a finite number" -- "$bin" landmark respond \
  --connect 127.0.0.1:1 --device d --device-key k --device-chain c --extra-delay-ms inf --out "$tmp/e.json"
# An output that cannot be written is found before any landmark session or appraisal.
check respond-out-unwritable 2 "output.unwritable.*--out" -- "$bin" landmark respond \
  --connect 127.0.0.1:1 --device d --device-key k --device-chain c --out "$tmp/no-such-dir/e.json"
check loc-verify-out-unwritable 2 "output.unwritable.*--out" -- "$bin" location verify "$tmp/e.json" \
  --landmarks "$tmp" --key "$tmp/keys/signing-key.pem" --out "$tmp"
check loc-verify-proc-nan 2 "--proc-ms.*not a finite number" -- "$bin" location verify "$tmp/e.json" \
  --landmarks "$tmp" --key "$tmp/keys/signing-key.pem" --out "$tmp/l.jwt" --proc-ms nan

# Text output is safe for a terminal: host-supplied strings and error messages that quote input
# show control characters escaped (ESC as \x1b), never raw.
esc=$(printf '\033')
check time-escaped 2 'not an RFC 3339 time: 2026\\x1b\[2J\\x0a' -- "$bin" verify \
  "$src/docs/examples/bundles/mixed/bundle.json" --key "$tmp/keys/signing-key.pem" --out "$tmp/t.jwt" --time "2026${esc}[2J
"
if ! grep -q "$esc" "$tmp/err"; then ok; else not_ok "an error message printed a raw ESC"; fi
check option-escaped 2 'ttl.*x\\x1b\[2J' -- "$bin" challenge --store "$tmp/n.sqlite" --ttl "x${esc}[2J"
if ! grep -q "$esc" "$tmp/err"; then ok; else not_ok "a CLI11 message printed a raw ESC"; fi

# The host side against a real TPM: swtpm started here, on loopback, with a local EK CA.
if command -v swtpm >/dev/null && command -v swtpm_setup >/dev/null; then
  w=$tmp/swtpm
  mkdir -p "$w/ca" "$w/state"
  printf 'statedir = %s\nsigningkey = %s\nissuercert = %s\ncertserial = %s\n' \
    "$w/ca" "$w/ca/signkey.pem" "$w/ca/issuercert.pem" "$w/ca/certserial" >"$w/localca.conf"
  printf 'create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = %s\ncreate_certs_tool_options = /etc/swtpm-localca.options\nactive_pcr_banks = sha256\n' \
    "$w/localca.conf" >"$w/setup.conf"
  swtpm_setup --tpm2 --tpm-state "$w/state" --createek --create-ek-cert --config "$w/setup.conf" \
    --overwrite >"$w/setup.log" 2>&1
  start_swtpm "$w/state" "$w/pid" "$w/swtpm.log" 20000 977
  n=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '{"schema":"accel-attest/inventory/v1","devices":[{"address":"0000:18:00.0","vendor_id":"10de","device_id":"2330","class":"030200"}]}' >"$tmp/inv.json"
  check tpm-quote-swtpm 0 "written to" -- "$bin" tpm quote --tcti "swtpm:host=127.0.0.1,port=$port" \
    --nonce "$n" --out "$tmp/q" --inventory "$tmp/inv.json"
  # extraData binds the inventory, but no certificate vouches for the AK: not bound
  # (binding means signature, AK trust and extraData, docs/inventory-binding.md).
  check tpm-quote-verify 0 "inventory .* v2 digest .*: reported" -- "$bin" tpm verify --message "$tmp/q/quote.msg" \
    --signature "$tmp/q/quote.sig" --pcrs "$tmp/q/quote.pcrs" --ak-public "$tmp/q/ak.pub" --nonce "$n" \
    --inventory "$tmp/inv.json"
  check tpm-quote-other-inventory 1 "tpm.inventory-mismatch" -- "$bin" tpm verify --message "$tmp/q/quote.msg" \
    --signature "$tmp/q/quote.sig" --pcrs "$tmp/q/quote.pcrs" --ak-public "$tmp/q/ak.pub" --nonce "$n" \
    --inventory "$hosts/ascend-910b/inventory.json"
  check tpm-quote-ecc 0 "written to" -- "$bin" tpm quote --ecc --tcti "swtpm:host=127.0.0.1,port=$port" \
    --nonce "$n" --out "$tmp/qe"
  check tpm-quote-ecc-verify 0 "ECC P-256" -- "$bin" tpm verify --message "$tmp/qe/quote.msg" \
    --signature "$tmp/qe/quote.sig" --pcrs "$tmp/qe/quote.pcrs" --ak-public "$tmp/qe/ak.pub" --nonce "$n"
  # Enrolment through the EK: persistent AK, MakeCredential here, ActivateCredential there.
  mkdir -p "$tmp/anchors" && cp "$w/ca/swtpm-localca-rootca-cert.pem" "$w/ca/issuercert.pem" "$tmp/anchors/"
  tcti="swtpm:host=127.0.0.1,port=$port"
  check tpm-create-ak 0 "persistent at 0x81010020" -- "$bin" tpm create-ak --tcti "$tcti" \
    --handle 0x81010020 --out "$tmp/ak"
  check tpm-create-ak-taken 2 "already holds an object" -- "$bin" tpm create-ak --tcti "$tcti" \
    --handle 0x81010020 --out "$tmp/ak2"
  check tpm-challenge-untrusted-ek 1 "tpm.ek-cert-untrusted" -- "$bin" tpm challenge \
    --ek-public "$tmp/ak/ek.pub" --ak-public "$tmp/ak/ak.pub" --ek-cert "$tmp/ak/ek-cert.der" --out "$tmp/ch0"
  check tpm-challenge 0 "challenge for AK" -- "$bin" tpm challenge --ek-public "$tmp/ak/ek.pub" \
    --ak-public "$tmp/ak/ak.pub" --ek-cert "$tmp/ak/ek-cert.der" --anchors "$tmp/anchors" --out "$tmp/ch"
  check tpm-activate 0 "answer written" -- "$bin" tpm activate --tcti "$tcti" --handle 0x81010020 \
    --challenge "$tmp/ch" --out "$tmp/answer.bin"
  check tpm-check-answer 0 "AK enrolled" -- "$bin" tpm check-answer --challenge "$tmp/ch" --answer "$tmp/answer.bin"
  head -c 32 /dev/urandom >"$tmp/wrong.bin"
  check tpm-check-wrong-answer 1 "tpm.activation-failed" -- "$bin" tpm check-answer --challenge "$tmp/ch" \
    --answer "$tmp/wrong.bin"
  check tpm-quote-enrolled 0 "written to" -- "$bin" tpm quote --tcti "$tcti" --handle 0x81010020 \
    --nonce "$n" --out "$tmp/qp"
  if cmp -s "$tmp/qp/ak.pub" "$tmp/ak/ak.pub"; then pass=$((pass + 1)); else
    echo "FAIL tpm-quote-enrolled used another AK"; fail=$((fail + 1)); fi
  check tpm-quote-enrolled-verify 0 "signature=pass" -- "$bin" tpm verify --message "$tmp/qp/quote.msg" \
    --signature "$tmp/qp/quote.sig" --pcrs "$tmp/qp/quote.pcrs" --ak-public "$tmp/ak/ak.pub" --nonce "$n"
  # The enrolment record (docs/tpm.md): check-answer signs one for the AK it enrolled; with the
  # verifier's key configured, quotes by that AK are trusted, and the inventory they bind is
  # platform-bound, without an AK certificate.
  k=$tmp/keys/signing-key.pem
  check tpm-record-wrong-answer 1 "tpm.activation-failed" -- "$bin" tpm check-answer \
    --challenge "$tmp/ch" --answer "$tmp/wrong.bin" --record "$tmp/enrol-wrong.jwt" --key "$k"
  [ ! -e "$tmp/enrol-wrong.jwt" ] && ok || not_ok "tpm-record-wrong-answer wrote a record"
  check tpm-record 0 "enrolment record for AK .* written to" -- "$bin" tpm check-answer \
    --challenge "$tmp/ch" --answer "$tmp/answer.bin" --record "$tmp/enrol.jwt" --key "$k"
  # One record per challenge: its secret is gone once the record is written.
  check tpm-record-again 2 "input.missing-file" -- "$bin" tpm check-answer \
    --challenge "$tmp/ch" --answer "$tmp/answer.bin" --record "$tmp/enrol-again.jwt" --key "$k"
  # A challenge directory whose EK digest is not one (edited) gives no record either.
  check tpm-challenge-2 0 "challenge for AK" -- "$bin" tpm challenge --ek-public "$tmp/ak/ek.pub" \
    --ak-public "$tmp/ak/ak.pub" --ek-cert "$tmp/ak/ek-cert.der" --anchors "$tmp/anchors" --out "$tmp/ch2"
  check tpm-activate-2 0 "answer written" -- "$bin" tpm activate --tcti "$tcti" --handle 0x81010020 \
    --challenge "$tmp/ch2" --out "$tmp/answer2.bin"
  echo hello >"$tmp/ch2/ek-cert.sha256"
  check tpm-record-bad-ek-digest 1 "tpm.ek-cert-untrusted" -- "$bin" tpm check-answer \
    --challenge "$tmp/ch2" --answer "$tmp/answer2.bin" --record "$tmp/enrol2.jwt" --key "$k"
  # A challenge whose EK nobody vouched for never gives a record.
  check tpm-challenge-no-ek-cert 0 "tpm.ek-cert-missing" -- "$bin" tpm challenge --ek-public "$tmp/ak/ek.pub" \
    --ak-public "$tmp/ak/ak.pub" --out "$tmp/ch-noek"
  check tpm-activate-noek 0 "answer written" -- "$bin" tpm activate --tcti "$tcti" --handle 0x81010020 \
    --challenge "$tmp/ch-noek" --out "$tmp/answer-noek.bin"
  check tpm-record-unvouched-ek 1 "tpm.ek-cert-untrusted: AK .* answered, but no enrolment record" -- "$bin" tpm check-answer \
    --challenge "$tmp/ch-noek" --answer "$tmp/answer-noek.bin" --record "$tmp/enrol-noek.jwt" --key "$k"
  [ ! -e "$tmp/enrol-noek.jwt" ] && ok || not_ok "tpm-record-unvouched-ek wrote a record"
  tv=(tpm verify --message "$tmp/qp/quote.msg" --signature "$tmp/qp/quote.sig" --pcrs "$tmp/qp/quote.pcrs"
      --ak-public "$tmp/ak/ak.pub" --nonce "$n")
  check tpm-verify-enrolled 0 "ak_trust=pass" -- "$bin" "${tv[@]}" --enrolment "$tmp/enrol.jwt" \
    --enrolment-key "$k"
  check tpm-verify-enrolled-jwks 0 "ak_trust=pass" -- "$bin" "${tv[@]}" --enrolment "$tmp/enrol.jwt" \
    --enrolment-key "$tmp/keys/jwks.json"
  "$bin" keygen --out "$tmp/keys-other" >/dev/null
  check tpm-verify-enrolled-other-key 1 "tpm.enrolment-invalid" -- "$bin" "${tv[@]}" \
    --enrolment "$tmp/enrol.jwt" --enrolment-key "$tmp/keys-other/signing-key.pem"
  check tpm-verify-enrolled-other-ak 1 "tpm.enrolment-ak-mismatch" -- "$bin" tpm verify \
    --message "$tmp/q/quote.msg" --signature "$tmp/q/quote.sig" --pcrs "$tmp/q/quote.pcrs" \
    --ak-public "$tmp/q/ak.pub" --nonce "$n" --enrolment "$tmp/enrol.jwt" --enrolment-key "$k"
  check tpm-verify-enrolled-before 1 "tpm.enrolment-future" -- "$bin" "${tv[@]}" \
    --enrolment "$tmp/enrol.jwt" --enrolment-key "$k" --time 2020-01-01T00:00:00Z
  # collect with the enrolled AK and its record -> verify: the NVSwitch-free HGX host's GPUs
  # (no NVML here) are platform-bound through the trusted quote.
  check collect-enrolled 1 "AK enrolment record" -- "$bin" collect --nonce "$n" \
    --out "$tmp/enrolled-bundle.json" --sysfs "$hosts/hgx-h100/sys" --no-nvml --tcti "$tcti" \
    --ak-handle 0x81010020 --ak-enrolment "$tmp/enrol.jwt" --host-name enrolled-host
  grep -q "collect.ak-uncertified" "$tmp/out" && not_ok "collect-enrolled: called the AK uncertified" || ok
  check verify-enrolled 1 "platform-bound" -- "$bin" verify "$tmp/enrolled-bundle.json" --key "$k" \
    --nonce "$n" --out "$tmp/enrolled.jwt" --enrolment-key "$k"
  grep -q "platform-bound" "$tmp/out" && ok || not_ok "verify-enrolled: no device platform-bound"
  check verify-enrolled-no-key 1 "tpm.ak-untrusted" -- "$bin" verify "$tmp/enrolled-bundle.json" \
    --key "$k" --nonce "$n" --out "$tmp/enrolled2.jwt"
  grep -q "platform-bound" "$tmp/out" && not_ok "verify-enrolled-no-key: platform-bound without a key" || ok
  check collect-not-a-record 2 "input.bad-value.*not an AK enrolment record|jose.bad" -- "$bin" collect \
    --nonce "$n" --out "$tmp/x.json" --sysfs "$hosts/hgx-h100/sys" --no-nvml --tcti "$tcti" \
    --ak-handle 0x81010020 --ak-enrolment "$tmp/keys/jwks.json"
  # tpm2-tools' own files (tpm2_quote -m/-s/-o, -F serialized and values) from this swtpm, and
  # tpm2_createak's TPM2B_PUBLIC: `tpm verify` reads them as they are.
  if command -v tpm2_quote >/dev/null; then
    export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"
    t2=$tmp/t2
    mkdir -p "$t2"
    # tpm2-tools leaves its transient objects loaded: flush them, or swtpm runs out of slots.
    if tpm2_createek -c "$t2/ek.ctx" -G rsa -u "$t2/ek.pub" >"$t2/log" 2>&1 &&
       tpm2_createak -C "$t2/ek.ctx" -c "$t2/ak.ctx" -G ecc -g sha256 -s ecdsa -u "$t2/ak.pub" \
         -n "$t2/ak.name" >>"$t2/log" 2>&1 && tpm2_flushcontext -t >>"$t2/log" 2>&1 &&
       tpm2_quote -c "$t2/ak.ctx" -l sha256:0,1,2,3,16 -q "$n" -m "$t2/q.msg" -s "$t2/q.sig" \
         -o "$t2/q.pcrs" -g sha256 >>"$t2/log" 2>&1 && tpm2_flushcontext -t >>"$t2/log" 2>&1 &&
       tpm2_quote -c "$t2/ak.ctx" -l sha256:0,1,2,3,16 -q "$n" -m "$t2/v.msg" -s "$t2/v.sig" \
         -o "$t2/v.pcrs" -F values -g sha256 >>"$t2/log" 2>&1 && tpm2_flushcontext -t >>"$t2/log" 2>&1; then
      check tpm2-tools-serialized 0 "signature=pass" -- "$bin" tpm verify --message "$t2/q.msg" \
        --signature "$t2/q.sig" --pcrs "$t2/q.pcrs" --ak-public "$t2/ak.pub" --nonce "$n"
      check tpm2-tools-values 0 "signature=pass" -- "$bin" tpm verify --message "$t2/v.msg" \
        --signature "$t2/v.sig" --pcrs "$t2/v.pcrs" --ak-public "$t2/ak.pub" --nonce "$n"
      # Each PCR file is read by its form: the values file is 5 x 32 bytes, the serialized one larger.
      [ "$(stat -c %s "$t2/v.pcrs")" -eq 160 ] && ok || not_ok "tpm2_quote -F values wrote $(stat -c %s "$t2/v.pcrs") bytes"
      check tpm2-tools-wrong-nonce 1 "tpm.nonce-mismatch" -- "$bin" tpm verify --message "$t2/q.msg" \
        --signature "$t2/q.sig" --pcrs "$t2/q.pcrs" --ak-public "$t2/ak.pub" --nonce "$(printf '%s' "$n" | tr 0-9 1-90)"
    else
      not_ok "tpm2-tools against swtpm: $(tail -3 "$t2/log")"
    fi
    unset TPM2TOOLS_TCTI
  else
    not_ok "tpm2-tools is not installed (tools/setup-debian.sh installs it)"
  fi
  [ -f "$w/pid" ] && kill "$(cat "$w/pid")" 2>/dev/null
else
  echo "FAIL swtpm is not installed (tools/setup-debian.sh installs it)"; fail=$((fail + 1))
fi

finish
