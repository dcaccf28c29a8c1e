#!/usr/bin/python3
"""Independent check of an accel-attest result with PyJWT (Debian python3-jwt) and
python3-cryptography: ES256 only, the key from the JWKS by kid, integer iat/exp, the nonce.
Usage: verify_with_pyjwt.py TOKEN JWKS NONCE_HEX. Prints "pyjwt: valid ..." and exits 0, or
prints the reason and exits 1."""
import base64
import json
import sys

import jwt

token = open(sys.argv[1]).read().strip()
jwks = json.load(open(sys.argv[2]))
nonce = bytes.fromhex(sys.argv[3])
try:
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    key = jwt.algorithms.ECAlgorithm.from_jwk(json.dumps(jwk))
    claims = jwt.decode(token, key, algorithms=["ES256"], options={"require": ["iat", "exp"]})
except Exception as e:  # noqa: BLE001 - any failure is a verdict here
    print("pyjwt: invalid:", type(e).__name__, e)
    sys.exit(1)
want = base64.urlsafe_b64encode(nonce).rstrip(b"=").decode()
problems = []
if not isinstance(claims["iat"], int) or not isinstance(claims["exp"], int):
    problems.append("iat/exp are not integers")
if claims.get("eat_nonce") != want:
    problems.append("eat_nonce %r != %r" % (claims.get("eat_nonce"), want))
if not claims.get("eat_profile", "").startswith("tag:accel-attest.example,2026:ear"):
    problems.append("eat_profile %r" % claims.get("eat_profile"))
if "host" not in claims.get("submods", {}):
    problems.append("no host submod")
if problems:
    print("pyjwt: invalid:", "; ".join(problems))
    sys.exit(1)
print("pyjwt: valid, kid %s, status %s, %d submods" % (kid, claims["ear_status"], len(claims["submods"])))
