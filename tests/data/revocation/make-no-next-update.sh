#!/usr/bin/env bash
# Makes the revocation fixtures that carry no nextUpdate, from the committed test ICA
# (make-fixtures.sh); rerun only to change them. `openssl ca` always writes a nextUpdate, so the
# CRL is ica.crl with its nextUpdate removed from TBSCertList and the result signed again with
# ica.key (DER edit in Python, signature by `openssl dgst`). `openssl ocsp` omits nextUpdate
# when given neither -ndays nor -nmin.
#   ica-no-next.crl        revokes leaf-revoked; thisUpdate as ica.crl, no nextUpdate
#   ocsp-no-next/good.der  leaf-good good, signed by ica; thisUpdate = when this ran, no nextUpdate
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl crl -in ica.crl -outform DER -out "$work/ica.der" 2>/dev/null ||
  cp ica.crl "$work/ica.der"
python3 - "$work" <<'PY'
import subprocess, sys
work = sys.argv[1]
der = open(f"{work}/ica.der", "rb").read()
def tlv(b, i):
    tag = b[i]; n = b[i + 1]; j = i + 2
    if n & 0x80:
        k = n & 0x7f; n = int.from_bytes(b[j:j + k], "big"); j += k
    return tag, j, j + n  # tag, value start, end
def enc(tag, v):
    n = len(v)
    if n < 0x80: l = bytes([n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big"); l = bytes([0x80 | len(nb)]) + nb
    return bytes([tag]) + l + v
_, s, _ = tlv(der, 0)
_, ts, te = tlv(der, s)            # TBSCertList
_, as_, ae = tlv(der, te)          # signatureAlgorithm
elems, i = [], ts
while i < te:
    t, vs, ve = tlv(der, i); elems.append((t, der[i:ve])); i = ve
# version, signature, issuer, thisUpdate, nextUpdate (a time after thisUpdate), ...
assert elems[3][0] in (0x17, 0x18) and elems[4][0] in (0x17, 0x18), "unexpected CRL layout"
del elems[4]
tbs = enc(0x30, b"".join(e for _, e in elems))
open(f"{work}/tbs.der", "wb").write(tbs)
sig = subprocess.run(["openssl", "dgst", "-sha384", "-sign", "ica.key", f"{work}/tbs.der"],
                     check=True, capture_output=True).stdout
crl = enc(0x30, tbs + der[te:ae] + enc(0x03, b"\x00" + sig))
open("ica-no-next.crl", "wb").write(crl)
PY
openssl crl -inform DER -in ica-no-next.crl -noout -CAfile ica.pem 2>&1 | grep -q "verify OK"
mkdir -p ocsp-no-next
printf 'V\t360101000000Z\t\t%s\tunknown\t/CN=Test Leaf Good\n' \
  "$(openssl x509 -in leaf-good.pem -noout -serial | cut -d= -f2)" > "$work/index.txt"
openssl ocsp -issuer ica.pem -cert leaf-good.pem -no_nonce -reqout "$work/good.req" 2>/dev/null
openssl ocsp -index "$work/index.txt" -rsigner ica.pem -rkey ica.key -CA ica.pem \
  -reqin "$work/good.req" -respout ocsp-no-next/good.der >/dev/null 2>&1
