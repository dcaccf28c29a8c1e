#!/usr/bin/env python3
"""accel-attest serve end to end, on loopback, against docs/openapi.yaml.

Usage: serve_tests.py ACCEL_ATTEST SOURCE_DIR

Three servers, each on a port it picks itself (--listen 127.0.0.1:0 --port-file):
  A: frozen at the HGX example bundle's time (--at), bearer tokens, a short read timeout: every
     bad request gets its code and A keeps serving after each (a slow body 408, headers that never
     end 400 and the connection closed); the HGX bundle, whose nonce A never
     issued (the GPUs signed a fixed one), is refused with store.nonce-unknown and nothing is
     ledgered.
  B: the clock's time: the full flow challenge -> evidence answering it (tools/simulate-bundle
     with swtpm; its AK CA is put in place and loaded with SIGHUP) -> verify -> results -> the
     token checked by `verify-token` against the served JWKS; a replay; a nonce raced by 4
     clients (exactly one accepted); `keys rotate` + SIGHUP, after which the first token still
     verifies against the JWKS; SIGTERM with a request in flight (it is answered, exit 0).
  C: HTTPS with mutual TLS (certificates made here with openssl): public endpoints without a
     client certificate, the API with one from --client-ca or a token, another CA refused.
Every response body is validated against the OpenAPI schema of its path, method and status,
and the routes the server registers (serve --list-routes) are exactly the documented ones.
No assertion depends on timing: waits are polls with generous limits.
"""
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import jsonschema
import yaml

BIN, SRC = sys.argv[1], sys.argv[2]
EX = os.path.join(SRC, "docs/examples/bundles/hgx-h100")
HGX_AT = "2026-11-27T00:00:00Z"
TOKEN = "serve-test-token-0123456789"
API = yaml.safe_load(open(os.path.join(SRC, "docs/openapi.yaml")))
RESOLVER = jsonschema.RefResolver.from_schema(API)
failures = []
count = 0


def check(name, cond, detail=""):
    global count
    count += 1
    if cond:
        print(f"ok {count} - {name}")
    else:
        print(f"not ok {count} - {name} {detail}")
        failures.append(name)


def validate(schema, doc):
    jsonschema.Draft202012Validator(schema, resolver=RESOLVER).validate(doc)


def template_of(path):
    path = path.split("?")[0]
    if path.startswith("/v1/results/"):
        return "/v1/results/{id}"
    return path


def conforms(method, path, status, ctype, body):
    """The body against the OpenAPI schema of (path, method, status); errors of undocumented
    paths against the Error schema. Returns '' or what is wrong."""
    op = API["paths"].get(template_of(path), {}).get(method.lower())
    if op is None:
        if status in (404, 405):
            schema = API["components"]["schemas"]["Error"]
            ctype_want = "application/json"
        else:
            return f"{method} {path} is not documented"
    else:
        resp = op["responses"].get(str(status))
        if resp is None:
            return f"status {status} of {method} {template_of(path)} is not documented"
        if "$ref" in resp:
            resp = API["components"]["responses"][resp["$ref"].split("/")[-1]]
        (ctype_want, media), = resp["content"].items()
        schema = media["schema"]
    if not ctype.startswith(ctype_want):
        return f"content type {ctype}, documented {ctype_want}"
    if ctype_want != "application/json":
        return ""
    try:
        validate(schema, json.loads(body))
    except (ValueError, jsonschema.ValidationError) as e:
        return f"schema: {str(e)[:400]}"
    return ""


class Server:
    def __init__(self, name, tmp, *extra):
        self.tmp = tmp
        self.port_file = os.path.join(tmp, name + ".port")
        self.log = open(os.path.join(tmp, name + ".log"), "w+")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--listen", "127.0.0.1:0", "--port-file", self.port_file,
             "--store", "memory:", "--head-interval", "0", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                self.log.seek(0)
                raise SystemExit(f"serve {name} did not start: {self.log.read()}")
            time.sleep(0.05)
        self.port = int(open(self.port_file).read())

    def request(self, method, path, body=None, ctype="application/json", auth=True,
                headers=None, timeout=120):
        h = dict(headers or {})
        if auth:
            h["Authorization"] = "Bearer " + TOKEN
        if body is not None and ctype:
            h["Content-Type"] = ctype
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        problem = conforms(method, path, r.status, r.getheader("Content-Type", ""), data)
        check(f"{method} {path[:60]} {r.status} conforms to docs/openapi.yaml", not problem,
              problem)
        return r.status, data

    def json(self, *a, **k):
        st, data = self.request(*a, **k)
        try:
            return st, json.loads(data)
        except ValueError:
            return st, {"raw": data[:200]}

    def metric(self, name):
        st, data = self.request("GET", "/metrics")
        total = 0.0
        for line in data.decode().splitlines():
            if line.startswith(name):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def wait_for(self, what, cond, limit=120):
        deadline = time.time() + limit
        while time.time() < deadline:
            if cond():
                return True
            time.sleep(0.1)
        check(what, False, "(not within %d s)" % limit)
        return False

    def alive(self):
        st, doc = self.json("GET", "/healthz", auth=False)
        return st == 200 and doc.get("status") == "ok"


def error_code(doc):
    return doc.get("error", {}).get("code")


def raw(port, data, read_timeout=60):
    """Send raw bytes, return what comes back until the server closes (or the timeout)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out


def body_of(response):
    return json.loads(response.split(b"\r\n\r\n", 1)[1] or b"{}")


def status_of(response):
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else 0


def run(cmd, **k):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **k)


def main():
    tmp = tempfile.mkdtemp(prefix="aa-serve-")
    servers = []
    try:
        tests(tmp, servers)
    finally:
        for s in servers:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
        if failures:
            for s in servers:
                s.log.seek(0)
                print(f"--- log of {s.port_file}:\n{s.log.read()[-4000:]}")
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{count}")
    if failures:
        print("FAILED:", ", ".join(failures))
        sys.exit(1)


def tests(tmp, servers):
    # The routes the server registers are the documented ones.
    out = run([BIN, "serve", "--list-routes"])
    registered = {(r["method"].lower(), r["path"]) for r in json.loads(out.stdout)}
    documented = {(m, p) for p, item in API["paths"].items() for m in item
                  if m in ("get", "post", "put", "delete", "patch")}
    check("every registered route is documented", registered <= documented,
          str(registered - documented))
    check("every documented route is registered", documented <= registered,
          str(documented - registered))

    keys = os.path.join(tmp, "keys")
    check("keys rotate makes a first key", run([BIN, "keys", "rotate", "--dir", keys]).returncode == 0)
    with open(os.path.join(tmp, "tokens"), "w") as f:
        f.write("# test token\n" + hashlib.sha256(TOKEN.encode()).hexdigest() + "\n")
    lic = os.path.join(tmp, "licences")
    os.makedirs(lic)
    shutil.copy(os.path.join(EX, "licence.json"), os.path.join(lic, "hgx.json"))
    common = ["--keys", keys, "--bearer-tokens", os.path.join(tmp, "tokens"), "--licence-dir", lic]

    refused = run([BIN, "serve", "--listen", "127.0.0.1:0", "--keys", keys, "--store", "memory:"])
    check("serve refuses to run without authentication", refused.returncode == 2 and
          "--bearer-tokens" in refused.stdout, refused.stdout)

    a = Server("a", tmp, *common, "--ak-ca", os.path.join(EX, "sim-ak-ca.pem"), "--at", HGX_AT,
               "--read-timeout", "2", "--max-body", "262144")
    servers.append(a)
    bundle = open(os.path.join(EX, "bundle.json"), "rb").read()

    st, doc = a.json("GET", "/readyz", auth=False)
    check("readyz: ready", st == 200 and doc["status"] == "ready")
    st, doc = a.json("GET", "/.well-known/jwks.json", auth=False)
    check("jwks is public and lists the key", st == 200 and len(doc["keys"]) == 1)

    # Each bad request: its code, and the server keeps serving.
    def bad(name, want_status, want_code, response):
        st, doc = response
        check(f"{name}: {want_status} {want_code}", st == want_status and
              error_code(doc) == want_code, f"got {st} {doc}")
        check(f"{name}: the server keeps serving", a.alive())

    bad("malformed JSON", 400, "input.bad-json", a.json("POST", "/v1/verify", b'{"schema": '))
    bad("oversize body", 413, "input.too-large",
        a.json("POST", "/v1/verify", b"[" + b"1," * 200000 + b"1]"))
    bad("wrong content type", 415, "http.unsupported-media-type",
        a.json("POST", "/v1/verify", bundle, ctype="text/plain"))
    bad("no content type", 415, "http.unsupported-media-type",
        a.json("POST", "/v1/verify", bundle, ctype=None))
    bad("no token", 401, "http.unauthorized", a.json("POST", "/v1/verify", bundle, auth=False))
    bad("wrong token", 401, "http.unauthorized",
        a.json("GET", "/v1/results", auth=False, headers={"Authorization": "Bearer nope"}))
    bad("unknown route", 404, "http.not-found", a.json("GET", "/v1/nothing"))
    bad("wrong method", 405, "http.method-not-allowed", a.json("GET", "/v1/verify"))
    bad("unknown licence", 400, "input.bad-value",
        a.json("POST", "/v1/verify?licence=..%2Fetc", bundle))
    bad("unknown query parameter", 400, "input.unknown-field",
        a.json("GET", "/v1/results?colour=red"))
    bad("bad limit", 400, "input.bad-value", a.json("GET", "/v1/results?limit=0"))
    bad("unknown result", 404, "http.not-found", a.json("GET", "/v1/results/" + "0" * 32))
    bad("not a result id", 404, "http.not-found", a.json("GET", "/v1/results/%27%20OR%201=1"))
    bad("not a bundle", 400, "input.wrong-type", a.json("POST", "/v1/verify", b"[]"))
    # The HGX bundle answers a nonce the GPUs signed, which this server never issued.
    bad("unknown nonce", 409, "store.nonce-unknown",
        a.json("POST", "/v1/verify?licence=hgx", bundle))
    st, doc = a.json("GET", "/v1/results")
    check("a refused nonce ledgers nothing", st == 200 and doc["results"] == [] and
          doc["next"] is None, str(doc))
    # A slow client: the body never arrives in full; the read times out (--read-timeout 2).
    resp = raw(a.port, b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
               TOKEN.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: 1000"
               b"\r\n\r\n{\"schema\":")
    check("slow body: 408 http.timeout", status_of(resp) == 408 and
          error_code(body_of(resp)) == "http.timeout", resp[:300])
    check("slow body: conforms", not conforms("POST", "/v1/verify", 408, "application/json",
                                              resp.split(b"\r\n\r\n", 1)[1]))
    check("slow body: the server keeps serving", a.alive())
    # Headers that never end: the server cannot tell a stall from a broken header, answers 400
    # and closes the connection (raw() returns only once it is closed).
    resp = raw(a.port, b"POST /v1/verify HTTP/1.1\r\nHost: x\r\n")
    check("slow headers: 400 http.bad-request, connection closed", status_of(resp) == 400 and
          error_code(body_of(resp)) == "http.bad-request", resp[:200])
    check("slow headers: the server keeps serving", a.alive())
    st, e = a.json("POST", "/v1/challenge?ttl=5")
    check("challenge: a query parameter is refused", st == 400 and
          e["error"]["code"] == "input.unknown-field", e)
    st, e = a.json("POST", "/v1/challenge", body=b"garbage")
    check("challenge: a body that is not a JSON object is refused", st == 400, e)
    st, e = a.json("GET", "/v1/results/" + "0" * 32 + "?x=1")
    check("result: a query parameter is refused", st == 400 and
          e["error"]["code"] == "input.unknown-field", e)
    # Slowloris: a header line every 0.5 s, for up to 30 s. The read timeout (2 s) is a deadline
    # for the whole request, not for each read: the server closes the connection long before
    # the client is done (a busy machine only makes it later; 30 s leaves it 15 times the room).
    s = socket.create_connection(("127.0.0.1", a.port), timeout=60)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    cut = False
    for _ in range(60):
        try:
            s.sendall(b"X-Drip: y\r\n")
            s.settimeout(0.5)
            if s.recv(65536) == b"":
                cut = True
                break
        except socket.timeout:
            continue
        except OSError:
            cut = True
            break
    s.close()
    check("a request dripping header lines is cut off at the read deadline", cut)
    check("drip: the server keeps serving", a.alive())
    # Keep-alive capture: more connections than workers (8), each sending a complete request
    # every 0.5 s on one kept-alive connection, for up to 30 s. While another client waits for a
    # worker, connections are closed after their response: the other client is answered while
    # the attack is still going, not after it.
    stop_at = time.time() + 30
    attack_done = threading.Event()

    def keep_alive_client():
        c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
        while time.time() < stop_at and not attack_done.is_set():
            try:
                c.request("GET", "/healthz")
                c.getresponse().read()
            except (OSError, http.client.HTTPException):
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
            time.sleep(0.5)
        c.close()

    attackers = [threading.Thread(target=keep_alive_client) for _ in range(12)]
    for t in attackers:
        t.start()
    time.sleep(1)
    c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
    c.request("GET", "/healthz")
    answered = c.getresponse().status == 200 and time.time() < stop_at
    c.close()
    attack_done.set()
    for t in attackers:
        t.join()
    check("kept-alive connections cannot hold every worker: another client is answered during "
          "the attack", answered)
    taken = run([BIN, "serve", "--listen", f"127.0.0.1:{a.port}", "--keys", keys, "--store",
                 "memory:", "--allow-unauthenticated"])
    check("a second server cannot bind the same port (no SO_REUSEPORT)",
          taken.returncode == 2 and "cannot bind" in taken.stdout, taken.stdout)
    wide = run([BIN, "serve", "--listen", "0.0.0.0:0", "--keys", keys, "--store", "memory:",
                "--allow-unauthenticated"])
    check("--allow-unauthenticated is refused on a non-loopback address",
          wide.returncode == 2 and "--allow-unauthenticated" in wide.stdout, wide.stdout)
    resp = raw(a.port, b"NOT-HTTP\r\n\r\n")
    check("garbage request: 400 http.bad-request", status_of(resp) == 400 and
          error_code(body_of(resp)) == "http.bad-request", resp[:200])
    check("garbage request: the server keeps serving", a.alive())
    check("metrics count the refusals by endpoint and code",
          a.metric('accel_attest_http_requests_total{endpoint="/v1/verify",code="415"}') == 2)
    check("metrics: the ledger is empty", a.metric("accel_attest_ledger_length") == 0)
    st, _ = a.request("GET", "/metrics", auth=False)
    check("metrics need the token without --public-metrics", st == 401)

    tls_tests(tmp, servers, common)

    # B: the full flow with evidence answering B's own challenge.
    ak = os.path.join(tmp, "ak-ca.pem")
    shutil.copy(os.path.join(EX, "sim-ak-ca.pem"), ak)
    b = Server("b", tmp, *common, "--ak-ca", ak, "--read-timeout", "60")
    servers.append(b)
    spec = os.path.join(SRC, "tests/data/bundles/h20-host/spec.json")

    def fresh_bundle(tag):
        st, ch = b.json("POST", "/v1/challenge")
        check(f"{tag}: challenge 201", st == 201, str(ch))
        out = os.path.join(tmp, tag)
        sim = run([os.path.join(SRC, "tools/simulate-bundle"), spec, out, "--bin", BIN,
                   "--nonce", ch["nonce"]])
        check(f"{tag}: simulated evidence answers the challenge", sim.returncode == 0, sim.stdout)
        shutil.copy(os.path.join(out, "sim-ak-ca.pem"), ak)  # the AK CA of this host
        reloads = b.metric('accel_attest_reference_reloads_total{outcome="ok"}')
        b.proc.send_signal(signal.SIGHUP)
        b.wait_for(f"{tag}: SIGHUP reloads the references", lambda: b.metric(
            'accel_attest_reference_reloads_total{outcome="ok"}') == reloads + 1)
        return ch["nonce"], open(os.path.join(out, "bundle.json"), "rb").read()

    n1, sim1 = fresh_bundle("sim1")
    st, r1 = b.json("POST", "/v1/verify", sim1)
    check("verify: 201, the nonce accepted", st == 201 and r1.get("nonce_accepted") is True and
          r1.get("nonce") == n1, str(r1)[:400])
    # The H20 is a policy warning (tests/cli/run_pipeline_tests.sh, store-first-use).
    check("verify: status warning", r1.get("status") == "warning", r1.get("status"))
    st, got = b.json("GET", "/v1/results/" + r1["id"])
    check("results/{id} returns the result", st == 200 and got == r1)
    st, page = b.json("GET", "/v1/results?host=h20-test-host&status=warning&limit=1")
    check("results query finds it", st == 200 and [x["id"] for x in page["results"]] == [r1["id"]])
    st, page = b.json("GET", "/v1/results?host=nobody")
    check("results query filters", st == 200 and page["results"] == [])
    jwks = os.path.join(tmp, "served-jwks.json")

    def save_jwks():
        st, data = b.request("GET", "/.well-known/jwks.json", auth=False)
        open(jwks, "wb").write(data)
        return json.loads(data)

    save_jwks()
    t1 = os.path.join(tmp, "t1.jwt")
    open(t1, "w").write(r1["token"] + "\n")
    vt = run([BIN, "verify-token", t1, "--jwks", jwks, "--nonce", n1, "--require", "warning"])
    check("the token verifies against the served JWKS", vt.returncode == 0 and
          "VALID EAR" in vt.stdout, vt.stdout)
    st, doc = b.json("POST", "/v1/verify", sim1)
    check("replay: 409 store.nonce-reused", st == 409 and
          error_code(doc) == "store.nonce-reused", str(doc))

    # Rotation: a new key signs, the old one stays in the JWKS.
    rot = run([BIN, "keys", "rotate", "--dir", keys])
    check("keys rotate", rot.returncode == 0, rot.stdout)
    n2, sim2 = fresh_bundle("sim2")  # its SIGHUP also loads the rotated keys
    served = save_jwks()
    check("the JWKS lists the new and the previous key", len(served["keys"]) == 2 and
          r1["kid"] in [k["kid"] for k in served["keys"]])
    vt = run([BIN, "verify-token", t1, "--jwks", jwks, "--nonce", n1, "--require", "warning"])
    check("a token signed before the rotation still verifies", vt.returncode == 0, vt.stdout)
    # Four clients race on one fresh nonce: exactly one is accepted.
    answers = []

    def post():
        answers.append(b.json("POST", "/v1/verify", sim2))

    ts = [threading.Thread(target=post) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    accepted = [d for st, d in answers if st == 201 and d.get("nonce_accepted")]
    others_ok = all((st == 409 and error_code(d) == "store.nonce-reused") or
                    (st == 201 and d.get("nonce_accepted") is False and
                     d.get("status") == "contraindicated") for st, d in answers
                    if not (st == 201 and d.get("nonce_accepted")))
    check("raced nonce: exactly one accepted", len(accepted) == 1, str([s for s, _ in answers]))
    check("raced nonce: the others refused, never passed", others_ok)
    if accepted:
        r2 = accepted[0]
        check("the new token has the new key", r2["kid"] != r1["kid"])
        t2 = os.path.join(tmp, "t2.jwt")
        open(t2, "w").write(r2["token"] + "\n")
        vt = run([BIN, "verify-token", t2, "--jwks", jwks, "--nonce", n2, "--require", "warning"])
        check("the new token verifies against the JWKS", vt.returncode == 0, vt.stdout)
    st, page = b.json("GET", "/v1/results?limit=1")
    check("paging: a next cursor", st == 200 and page["next"] is not None)
    st, page2 = b.json("GET", "/v1/results?limit=1&after=" + (page.get("next") or "0"))
    check("paging: the next page", st == 200 and page2["results"] and
          page2["results"][0]["position"] == 2)
    check("verdict metrics", b.metric('accel_attest_verdicts_total{status="warning"}') == 2)

    # A failed reload keeps the old references and keeps serving, and /readyz says so.
    open(ak, "w").write("not a certificate\n")
    b.proc.send_signal(signal.SIGHUP)
    b.wait_for("a failed reload is counted", lambda: b.metric(
        'accel_attest_reference_reloads_total{outcome="failed"}') == 1)
    st, ready = b.json("GET", "/readyz", auth=False)
    check("after a failed reload: not ready (503, field reload) until a reload succeeds",
          st == 503 and ready.get("error", {}).get("field") == "reload", ready)
    check("after a failed reload: still serving", b.json("GET", "/v1/results?limit=1")[0] == 200)

    # SIGTERM with a request in flight: half its body is sent, then SIGTERM; once the listener
    # is closed the rest is sent; the request is answered and the process exits 0.
    body = bundle
    s = socket.create_connection(("127.0.0.1", b.port), timeout=120)
    s.sendall(b"POST /v1/verify?licence=hgx HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
              TOKEN.encode() + b"\r\nContent-Type: application/json\r\nContent-Length: " +
              str(len(body)).encode() + b"\r\n\r\n" + body[:1000])
    # In flight means the server has taken the connection and read what was sent so far: its
    # side of the connection is one of its open files and holds no unread bytes (on loopback
    # the bytes are queued at the server before sendall() returns). Waiting for that, rather
    # than for time to pass, keeps the outcome independent of machine load.
    client_port = s.getsockname()[1]

    def server_reading():
        fds = set()
        for fd in os.listdir("/proc/%d/fd" % b.proc.pid):
            try:
                fds.add(os.readlink("/proc/%d/fd/%s" % (b.proc.pid, fd)))
            except OSError:
                pass
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = open(table).read().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                f = line.split()
                local, remote, queues, inode = f[1], f[2], f[4], f[9]
                if (int(local.rsplit(":", 1)[1], 16) == b.port and
                        int(remote.rsplit(":", 1)[1], 16) == client_port):
                    return ("socket:[%s]" % inode) in fds and int(queues.split(":")[1], 16) == 0
        return False

    b.wait_for("SIGTERM: the server is reading the request", server_reading)
    b.proc.send_signal(signal.SIGTERM)

    def refused():
        try:
            socket.create_connection(("127.0.0.1", b.port), timeout=5).close()
            return False
        except OSError:
            return True

    b.wait_for("SIGTERM: the listener closes", refused)
    s.sendall(body[1000:])
    resp = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        resp += chunk
        if b"\r\n\r\n" in resp:
            head, rest = resp.split(b"\r\n\r\n", 1)
            length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                      if l.lower().startswith(b"content-length:")]
            if length and len(rest) >= length[0]:
                break
    s.close()
    # The evidence answers a nonce B never issued: the answer is the refusal, in full.
    check("SIGTERM: the request in flight is answered", status_of(resp) == 409 and
          error_code(body_of(resp)) == "store.nonce-unknown", resp[:300])
    try:
        rc = b.proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        rc = None
    check("SIGTERM: exit 0", rc == 0, str(rc))


def openssl(*args):
    r = run(["openssl", *args])
    if r.returncode != 0:
        raise SystemExit("openssl " + " ".join(args) + ": " + r.stdout)


def make_ca(tmp, name):
    key, crt = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", crt, "-days", "3650", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE")
    return key, crt


def issue(tmp, ca, name, ext):
    key, csr, crt = (os.path.join(tmp, name + x) for x in (".key", ".csr", ".pem"))
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=" + name)
    extfile = os.path.join(tmp, name + ".ext")
    open(extfile, "w").write(ext + "\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0], "-CAcreateserial",
            "-out", crt, "-days", "3650", "-extfile", extfile)
    return key, crt


def tls_tests(tmp, servers, common):
    """HTTPS with mutual TLS: the public endpoints need no client certificate, the API takes a
    certificate from --client-ca instead of a token, and one from another CA ends the handshake."""
    server_ca, client_ca, other_ca = (make_ca(tmp, n) for n in ("server-ca", "client-ca", "other-ca"))
    srv = issue(tmp, server_ca, "server", "subjectAltName=IP:127.0.0.1")
    good = issue(tmp, client_ca, "client", "extendedKeyUsage=clientAuth")
    bad = issue(tmp, other_ca, "intruder", "extendedKeyUsage=clientAuth")
    c = Server("c", tmp, *common, "--tls-cert", srv[1], "--tls-key", srv[0], "--client-ca",
               client_ca[1], "--at", HGX_AT)
    servers.append(c)

    def get(path, cert=None, token=False):
        ctx = ssl.create_default_context(cafile=server_ca[1])
        if cert:
            ctx.load_cert_chain(cert[1], cert[0])
        conn = http.client.HTTPSConnection("127.0.0.1", c.port, context=ctx, timeout=60)
        conn.request("GET", path, headers={"Authorization": "Bearer " + TOKEN} if token else {})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        problem = conforms("GET", path, r.status, r.getheader("Content-Type", ""), data)
        check(f"TLS GET {path} {r.status} conforms to docs/openapi.yaml", not problem, problem)
        return r.status, json.loads(data)

    st, doc = get("/healthz")
    check("TLS: healthz without a client certificate", st == 200)
    st, doc = get("/v1/results")
    check("TLS: the API without a certificate or token: 401", st == 401 and
          error_code(doc) == "http.unauthorized", str(doc))
    st, doc = get("/v1/results", cert=good)
    check("TLS: the API with a client certificate from --client-ca", st == 200, str(doc))
    st, doc = get("/v1/results", token=True)
    check("TLS: the API with a bearer token", st == 200, str(doc))
    try:
        get("/v1/results", cert=bad)
        check("TLS: a certificate from another CA ends the handshake", False)
    except (ssl.SSLError, ConnectionError, OSError):
        check("TLS: a certificate from another CA ends the handshake", True)
    st, doc = get("/healthz")
    check("TLS: the server keeps serving", st == 200)
    c.proc.send_signal(signal.SIGTERM)
    check("TLS: exit 0 on SIGTERM", c.proc.wait(timeout=120) == 0)


if __name__ == "__main__":
    main()
