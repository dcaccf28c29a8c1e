#!/usr/bin/python3
"""Independent check of an accel-attest result with PyJWT (Debian python3-jwt) and
python3-cryptography: ES256 only, the key from the JWKS by kid, integer iat/exp, the nonce.
Usage: verify_with_pyjwt.py TOKEN JWKS NONCE_HEX (or - for a token without a nonce, such as a
location attestation). Prints "pyjwt: valid ..." and exits 0, or
prints the reason and exits 1."""
import base64
import json
import sys

import jwt

token = open(sys.argv[1]).read().strip()
jwks = json.load(open(sys.argv[2]))
nonce = None if sys.argv[3] == "-" else bytes.fromhex(sys.argv[3])
try:
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    key = jwt.algorithms.ECAlgorithm.from_jwk(json.dumps(jwk))
    claims = jwt.decode(token, key, algorithms=["ES256"], options={"require": ["iat", "exp"]})
except Exception as e:  # noqa: BLE001 - any failure is a verdict here
    print("pyjwt: invalid:", type(e).__name__, e)
    sys.exit(1)
problems = []
profile = claims.get("eat_profile", "")
if not isinstance(claims["iat"], int) or not isinstance(claims["exp"], int):
    problems.append("iat/exp are not integers")
if nonce is not None:
    want = base64.urlsafe_b64encode(nonce).rstrip(b"=").decode()
    if claims.get("eat_nonce") != want:
        problems.append("eat_nonce %r != %r" % (claims.get("eat_nonce"), want))
ours_v1 = "tag:accel-attest.example,2026:ear#1"  # issued before the draft-03 profile
ours = "tag:accel-attest.example,2026:ear#2"  # each appraisal's profile in a draft-03 EAR
if profile in ("tag:ietf.org,2026:rats/ear#03", ours_v1):
    subs = claims.get("submods", {})
    if "host" not in subs:
        problems.append("no host submod")
    for label, sub in subs.items():
        if profile == ours_v1:
            continue
        if sub.get("eat_profile") != ours:
            problems.append("submod %s: eat_profile %r" % (label, sub.get("eat_profile")))
        ids = sub.get("ear_appraisal_policy_ids")
        if not (isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids)
                and ids[0].startswith("tag:accel-attest.example,2026:policy/")):
            problems.append("submod %s: ear_appraisal_policy_ids %r" % (label, ids))
        vector = sub.get("ear_trustworthiness_vector", {})
        if any(v == 99 for v in vector.values()) and sub.get("ear_status") != "contraindicated":
            problems.append("submod %s: a 99 claim under status %s" % (label, sub.get("ear_status")))
elif profile == "tag:accel-attest.example,2026:location#1":
    ext = "https://accel-attest.example/ear/location"
    for label, sub in claims.get("submods", {}).items():
        if sub.get(ext, {}).get("verdict") not in ("in_allowed", "not_in_restricted", "indeterminate"):
            problems.append("submod %s has no location verdict" % label)
else:
    problems.append("eat_profile %r" % profile)
if problems:
    print("pyjwt: invalid:", "; ".join(problems))
    sys.exit(1)
print("pyjwt: valid, kid %s, status %s, %d submods" % (kid, claims["ear_status"], len(claims["submods"])))
