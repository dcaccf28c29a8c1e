#!/usr/bin/env python3
"""Makes the fixed location evidence in this directory (run once; see README.md).

Each landmark key (P-256) and the simulated device's key (P-384, under a test root) is made
fresh here and only its public half is kept: the trust entries in lms/, root.pem, and per
file the device chain inside the evidence. Each timing record carries RTTs chosen here, not
measured, so the verdicts that tests assert from these files cannot depend on machine load.
Usage: make-fixtures.py [OUT_DIR]  (default: this directory)
"""
import base64, datetime, hashlib, json, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
T0 = int(datetime.datetime(2026, 11, 28, 3, 0, 0, tzinfo=datetime.timezone.utc).timestamp())
# The challenge of the standalone files, and the nonce of docs/examples/bundles/mixed.
CHALLENGE = hashlib.sha256(b"accel-attest location fixtures").hexdigest()
MIXED_NONCE = "1e0a4d7e80f0a50405ffb0171ce3e4daf2d3730dc9731c31c7877fe1efcd3ce5"
LANDMARKS = {"sg-1": (1.2897, 103.8501), "mad-1": (40.4168, -3.7038), "jb-1": (1.4927, 103.7414)}


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def raw(sig, n):
    r, s = decode_dss_signature(sig)
    return r.to_bytes(n, "big") + s.to_bytes(n, "big")


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject, key, issuer, issuer_key, ca):
    b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
         .not_valid_after(datetime.datetime(2036, 1, 1, tzinfo=datetime.timezone.utc))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return b.sign(issuer_key, hashes.SHA384())


root_key = ec.generate_private_key(ec.SECP384R1())
root = cert("accel-attest test device root (location fixtures)", root_key,
            "accel-attest test device root (location fixtures)", root_key, True)
dev_key = ec.generate_private_key(ec.SECP384R1())
dev = cert("SIM-dev", dev_key, "accel-attest test device root (location fixtures)", root_key, False)
pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()
chain = pem(dev)

lm_keys = {i: ec.generate_private_key(ec.SECP256R1()) for i in LANDMARKS}
os.makedirs(os.path.join(out, "lms"), exist_ok=True)
for i, (lat, lon) in LANDMARKS.items():
    n = lm_keys[i].public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": b64u(n.x.to_bytes(32, "big")),
           "y": b64u(n.y.to_bytes(32, "big")), "kid": "fixture-" + i, "alg": "ES256", "use": "sig"}
    with open(os.path.join(out, "lms", i + ".json"), "w") as f:
        json.dump({"id": i, "lat": lat, "lon": lon, "jwk": jwk,
                   "note": "test landmark for tests/data/location (make-fixtures.py)"}, f, indent=1)
with open(os.path.join(out, "root.pem"), "w") as f:
    f.write(pem(root))


def session(lm, device, rtts_ms, challenge):
    """One landmark session: the record (signed by the landmark) and the device's responses."""
    probes, responses = [], []
    for seq, rtt in enumerate(rtts_ms, 1):
        nonce = hashlib.sha256(f"{lm} {device} {challenge} {rtts_ms} {seq}".encode()).digest()
        msg = b"accel-attest/location-probe/v1\0" + lm.encode() + b"\0" + nonce
        resp = raw(dev_key.sign(msg, ec.ECDSA(hashes.SHA384())), 48)
        probes.append({"seq": seq, "nonce": nonce.hex(), "rtt_ns": int(round(rtt * 1e6)),
                       "response_sha256": hashlib.sha256(resp).hexdigest()})
        responses.append(b64u(resp))
    lat, lon = LANDMARKS[lm]
    rec = {"schema": "accel-attest/timing-record/v1", "landmark": {"id": lm, "lat": lat, "lon": lon},
           "device": device, "clock": "CLOCK_MONOTONIC", "probes": probes,
           "rtt_min_ns": min(p["rtt_ns"] for p in probes), "issued_at": T0}
    if challenge:
        rec["challenge"] = challenge
    head = b64u(json.dumps({"alg": "ES256", "typ": "JWT", "kid": "fixture-" + lm}).encode())
    body = b64u(json.dumps(rec).encode())
    sig = raw(lm_keys[lm].sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256())), 32)
    return {"record": f"{head}.{body}.{b64u(sig)}", "responses": responses}


def evidence(fname, device, sessions, challenge=CHALLENGE):
    ev = {"schema": "accel-attest/location-evidence/v1", "device": device, "scheme": "sim-p384",
          "device_chain": chain,
          "landmarks": [session(lm, device, rtts, challenge) for lm, rtts in sessions]}
    with open(os.path.join(out, fname), "w") as f:
        json.dump(ev, f, indent=1)


D = "0000:18:00.0"
# Singapore at 2 ms: a 300 km cap, which misses every restricted country.
evidence("sg-2ms.json", D, [("sg-1", [2.4, 2.0, 2.2, 2.1, 2.3])])
# Madrid at 0.5 ms: a 75 km cap, only Spain.
evidence("mad-0.5ms.json", D, [("mad-1", [0.6, 0.5, 0.55, 0.7, 0.52])])
# The same device seen from Singapore and from Madrid at 1 ms, in two separate entries: caps of
# 150 km that are 10,000 km apart.
evidence("sg-1ms.json", D, [("sg-1", [1.0, 1.1, 1.05])])
evidence("mad-1ms.json", D, [("mad-1", [1.0, 1.2, 1.1])])
# Singapore and Johor Bahru (25 km apart) at 1.2 ms: the caps' intersection.
evidence("sgjb.json", D, [("sg-1", [1.2, 1.3, 1.25]), ("jb-1", [1.2, 1.4, 1.3])])
# Singapore at 2 ms, a record that names no verifier challenge (made before records carried
# one): stale against any nonce.
evidence("sg-2ms-no-challenge.json", D, [("sg-1", [2.0, 2.2, 2.1])], challenge=None)
# For docs/examples/bundles/mixed (its nonce), device 0000:11:00.0 (the H20).
evidence("h20-sg.json", "0000:11:00.0", [("sg-1", [2.0, 2.1, 2.3])], challenge=MIXED_NONCE)
evidence("h20-mad.json", "0000:11:00.0", [("mad-1", [0.5, 0.6, 0.7])], challenge=MIXED_NONCE)
print("challenge", CHALLENGE)
