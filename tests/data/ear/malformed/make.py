#!/usr/bin/python3
"""Writes the malformed tokens of this folder (run from tests/data/ear: python3 malformed/make.py).
Each is a compact JWS whose header or payload is valid base64url of something that is not a JSON
object; payload cases are signed with the published Veraison demo key (veraison-skey.json), so a
verifier reaches the payload only after the signature verifies. Also writes the two S-forms of
real tokens: ear_test-verify-pass.jwt with s replaced by n - s (high-S), arc-testJWT.jwt with
s replaced by n - s (low-S); their signing input is unchanged."""
import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


skey = json.load(open("veraison-skey.json"))
key = ec.derive_private_key(int.from_bytes(unb64(skey["d"]), "big"), ec.SECP256R1())


def sign(header: bytes, payload: bytes) -> str:
    signing_input = b64(header) + "." + b64(payload)
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    s = min(s, N - s)
    return signing_input + "." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


good_header = b'{"alg":"ES256","typ":"JWT"}'
good_payload = json.dumps({"eat_profile": "tag:github.com,2023:veraison/ear", "iat": 1666091373,
                           "ear.verifier-id": {"developer": "d", "build": "b"},
                           "submods": {"test": {"ear.status": "affirming"}}}).encode()
garbage = bytes(range(7, 250, 3))  # not UTF-8 JSON
cases = {"array": b"[]", "number": b"1", "string": b'"x"', "null": b"null", "garbage": garbage}
for name, body in cases.items():
    open(f"malformed/header-{name}.jwt", "w").write(sign(body, good_payload) + "\n")
    open(f"malformed/payload-{name}.jwt", "w").write(sign(good_header, body) + "\n")


def flip(src, dst):
    h, p, sig = open(src).read().strip().split(".")
    raw = unb64(sig)
    s = int.from_bytes(raw[32:], "big")
    open(dst, "w").write(".".join([h, p, b64(raw[:32] + (N - s).to_bytes(32, "big"))]) + "\n")


flip("ear_test-verify-pass.jwt", "ear_test-verify-pass-high-s.jwt")
flip("arc-testJWT.jwt", "arc-testJWT-low-s.jwt")
