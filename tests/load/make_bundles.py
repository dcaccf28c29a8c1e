#!/usr/bin/env python3
"""Evidence for the load test: bundles answering nonces the servers issued.

  make_bundles.py ca DIR
      a throw-away AK CA (TEST ONLY): DIR/ak-ca.pem (give it to `serve --ak-ca`), DIR/ak-ca.key
  make_bundles.py bundles DIR --url URL [--url URL...] --count N [--token T] [--bin B]
      N bundles of the H20 test host (tests/data/bundles/h20-host/spec.json): for each, a
      challenge from the next URL in turn (POST /v1/challenge), a real TPM2_Quote from one swtpm
      with one persistent AK (`tpm create-ak`, then `tpm quote --handle --bundle`, binding v2)
      over the bundle with that nonce, and the AK's certificate from DIR's CA. Writes DIR/bundles/NNNNN.json and DIR/bundles/NNNNN.nonce.

What is simulated is what tools/simulate-bundle simulates (the TPM is swtpm, the AK CA is a test
CA); one swtpm and one CA serve every bundle, so the servers need only one --ak-ca.
"""
import base64
import datetime
import http.client
import importlib.machinery
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_loader = importlib.machinery.SourceFileLoader("simulate_bundle",
                                               os.path.join(SRC, "tools/simulate-bundle"))
_spec = importlib.util.spec_from_loader("simulate_bundle", _loader)
sim = importlib.util.module_from_spec(_spec)
_loader.exec_module(sim)
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2036, 1, 1, tzinfo=datetime.timezone.utc)
CA_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "accel-attest load-test AK CA (TEST ONLY)")])


def make_ca(d):
    os.makedirs(d, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(CA_NAME).issuer_name(CA_NAME)
          .public_key(key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(START).not_valid_after(END)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .sign(key, hashes.SHA256()))
    open(os.path.join(d, "ak-ca.pem"), "wb").write(ca.public_bytes(serialization.Encoding.PEM))
    open(os.path.join(d, "ak-ca.key"), "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def ak_certificate(d, ak_public, host):
    key = serialization.load_pem_private_key(open(os.path.join(d, "ak-ca.key"), "rb").read(), None)
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "AK of " + host)]))
            .issuer_name(CA_NAME).public_key(ak_public).serial_number(x509.random_serial_number())
            .not_valid_before(START).not_valid_after(END)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(key, hashes.SHA256()))
    return leaf.public_bytes(serialization.Encoding.DER)


def challenge(url, token):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request("POST", "/v1/challenge", headers={"Authorization": "Bearer " + token} if token else {})
    r = c.getresponse()
    body = r.read()
    if r.status != 201:
        raise SystemExit(f"challenge at {url}: {r.status} {body[:200]}")
    return json.loads(body)["nonce"]


def make_bundles(d, urls, count, token, binary):
    spec = json.load(open(os.path.join(SRC, "tests/data/bundles/h20-host/spec.json")))
    out = os.path.join(d, "bundles")
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="aa-load-")
    swtpm = None
    try:
        os.makedirs(os.path.join(work, "state"))
        port = sim.free_port()
        swtpm = subprocess.Popen(
            ["swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + os.path.join(work, "state"),
             "--server", "type=tcp,port=%d,bindaddr=127.0.0.1" % port,
             "--ctrl", "type=tcp,port=%d,bindaddr=127.0.0.1" % (port + 1),
             "--flags", "not-need-init,startup-clear"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        # One persistent AK for every quote (tpm create-ak), so one AK certificate serves all.
        tcti = "swtpm:host=127.0.0.1,port=%d" % port
        akdir = os.path.join(work, "ak")
        subprocess.run([binary, "tpm", "create-ak", "--tcti", tcti, "--handle", "0x81010020",
                        "--out", akdir], check=True, stdout=subprocess.DEVNULL)
        ak = open(os.path.join(akdir, "ak.pub"), "rb").read()
        ak_cert = ak_certificate(d, sim.rsa_public_from_tpm2b(ak), spec["host"]["name"])
        devices = []
        for dev in spec["devices"]:
            x = {k: dev[k] for k in ("address", "vendor_id", "device_id", "subsystem_vendor_id",
                                     "subsystem_device_id", "class") if k in dev}
            if dev.get("reported"):
                x["reported"] = dict(dev["reported"])
            devices.append(x)
        for i in range(count):
            nonce = challenge(urls[i % len(urls)], token)
            bundle = {"schema": "accel-attest/bundle/v1", "nonce": nonce,
                      "collected_at": datetime.datetime.now(datetime.timezone.utc)
                      .strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "host": dict(spec["host"]), "devices": devices}
            bp = os.path.join(work, "bundle.json")
            json.dump(bundle, open(bp, "w"))
            q = os.path.join(work, "q")
            subprocess.run([binary, "tpm", "quote", "--tcti", tcti, "--handle", "0x81010020",
                            "--nonce", nonce, "--out", q, "--bundle", bp],
                           check=True, stdout=subprocess.DEVNULL)
            read = lambda n: open(os.path.join(q, n), "rb").read()
            b64 = lambda b: base64.b64encode(b).decode()
            bundle["host"]["tpm"] = {
                "quote": b64(read("quote.msg")), "signature": b64(read("quote.sig")),
                "pcrs": b64(read("quote.pcrs")), "ak_public": b64(ak),
                "ak_certificate": b64(ak_cert)}
            json.dump(bundle, open(os.path.join(out, "%05d.json" % i), "w"))
            open(os.path.join(out, "%05d.nonce" % i), "w").write(nonce + "\n")
    finally:
        if swtpm:
            swtpm.terminate()
            swtpm.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{count} bundles in {out}")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("ca", "bundles"):
        raise SystemExit(__doc__)
    if argv[1] == "ca":
        make_ca(argv[2])
        return
    urls = [argv[i + 1] for i, a in enumerate(argv) if a == "--url"]
    get = lambda name, default: argv[argv.index(name) + 1] if name in argv else default
    make_bundles(argv[2], urls, int(get("--count", "20")), get("--token", ""),
                 get("--bin", os.path.join(SRC, "build/accel-attest")))


if __name__ == "__main__":
    main(sys.argv)
