#!/usr/bin/env bash
# Generates the test-only PKI, CRLs and OCSP responses in this folder (committed; rerun only to
# change them). Every key here is a throwaway test key; nothing here is ever trusted outside tests.
#   root (P-384) -> ica -> leaf-good, leaf-revoked; ica -> ocsp-responder (id-kp-OCSPSigning)
#   ica.crl        revokes leaf-revoked, next update in 10 years
#   ica-stale.crl  same, next update after 1 day (stale at the tests' frozen time, 2027-01-01)
#   ocsp/good.der  leaf-good good, signed by ica itself
#   ocsp/revoked.der leaf-revoked revoked (keyCompromise), signed by the delegated responder
#   ocsp-bad/forged.der leaf-revoked "good", signed by a key the issuer never certified
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work ocsp ocsp-bad ./*.pem ./*.crl ./*.key
mkdir -p work ocsp ocsp-bad
ec() { openssl ecparam -name secp384r1 -genkey -noout -out "$1.key"; }
cat > work/ext.cnf <<'CNF'
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
[responder]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=OCSPSigning
CNF
for k in root ica leaf-good leaf-revoked ocsp-responder rogue; do ec "$k"; done
openssl req -new -x509 -key root.key -subj "/CN=Test Revocation Root" -days 3650 -sha384 \
  -extensions ca -config work/ext.cnf -out root.pem 2>/dev/null || \
openssl req -new -x509 -key root.key -subj "/CN=Test Revocation Root" -days 3650 -sha384 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
sign() {  # sign NAME CN ISSUER EXT
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "work/$1.csr"
  openssl x509 -req -in "work/$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 3650 \
    -sha384 -extfile work/ext.cnf -extensions "$4" -out "$1.pem" 2>/dev/null
}
sign ica "Test Revocation ICA" root ca
sign leaf-good "Test Leaf Good" ica leaf
sign leaf-revoked "Test Leaf Revoked" ica leaf
sign ocsp-responder "Test OCSP Responder" ica responder
openssl req -new -x509 -key rogue.key -subj "/CN=Test Rogue Responder" -days 3650 -sha384 -out rogue.pem
# A CA database for `openssl ca` (CRLs) and `openssl ocsp` (responses).
: > work/index.txt
echo 1000 > work/crlnumber
cat > work/ca.cnf <<CNF
[ca]
default_ca=ica
[ica]
database=$PWD/work/index.txt
crlnumber=$PWD/work/crlnumber
certificate=$PWD/ica.pem
private_key=$PWD/ica.key
default_md=sha384
default_crl_days=3650
CNF
openssl ca -config work/ca.cnf -valid leaf-good.pem 2>/dev/null
openssl ca -config work/ca.cnf -valid leaf-revoked.pem 2>/dev/null
openssl ca -config work/ca.cnf -revoke leaf-revoked.pem -crl_reason keyCompromise 2>/dev/null
openssl ca -config work/ca.cnf -gencrl -out ica.crl 2>/dev/null
openssl ca -config work/ca.cnf -gencrl -crldays 1 -out ica-stale.crl 2>/dev/null
req() { openssl ocsp -issuer ica.pem -cert "$1.pem" -no_nonce -reqout "work/$1.req"; }
req leaf-good
req leaf-revoked
openssl ocsp -index work/index.txt -rsigner ica.pem -rkey ica.key -CA ica.pem \
  -reqin work/leaf-good.req -respout ocsp/good.der -ndays 3650 >/dev/null 2>&1
openssl ocsp -index work/index.txt -rsigner ocsp-responder.pem -rkey ocsp-responder.key \
  -CA ica.pem -reqin work/leaf-revoked.req -respout ocsp/revoked.der -ndays 3650 >/dev/null 2>&1
# A forgery: claims leaf-revoked is good, signed by a responder the ICA never certified.
: > work/index-forged.txt
openssl ocsp -index work/index-forged.txt -rsigner rogue.pem -rkey rogue.key -CA ica.pem \
  -reqin work/leaf-revoked.req -respout ocsp-bad/forged.der -ndays 3650 >/dev/null 2>&1 || true
rm -rf work ./*.srl
