#!/usr/bin/env python3
"""Load client for `accel-attest serve`: N concurrent clients for a duration, against one or
more server URLs (replicas sharing one store), with evidence made by make_bundles.py.

Usage: load_client.py --bundles DIR [--clients 4] [--duration 10] [--token T]
                      [--report FILE] URL [URL...]

Every bundle is posted twice, by two different clients (to two different replicas when there
are several), so that the two race for its nonce; once every bundle was posted, they are posted
again (replays, each of which must be refused) until the duration is over (--no-cycle: stop). A request that gets no answer (a replica
killed, a refused connection) is retried on the next URL until it is answered (at most 60 s);
only a request that never is counts as an error. Outcomes: accepted (201, nonce_accepted),
refused (409 store.nonce-reused, or 201 with nonce_accepted false: the replay refusal), error
(anything else). Reported: requests, errors, retries, throughput and p50/p99 latency of the
answered requests. Then checked: every acknowledged result id is retrievable (GET
/v1/results/{id}, at the URL that acknowledged it and, with --shared-store, at every URL), and
no nonce was accepted twice. Exit 0 when there was no error and both checks hold.
"""
import argparse
import http.client
import json
import os
import threading
import time
import urllib.parse


def post(url, path, body, token, timeout=120):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    try:
        c.request("POST", path, body=body, headers=h)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def get(url, path, token, timeout=60):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def percentile(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundles", required=True)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--token", default="")
    ap.add_argument("--report")
    ap.add_argument("--no-cycle", action="store_true",
                    help="stop when every bundle was posted (twice) instead of posting them again")
    ap.add_argument("--shared-store", action="store_true",
                    help="the URLs share one store: every result is checked at every URL")
    ap.add_argument("urls", nargs="+")
    a = ap.parse_args()
    d = os.path.join(a.bundles, "bundles")
    names = sorted(n[:-5] for n in os.listdir(d) if n.endswith(".json"))
    items = []
    for n in names:
        body = open(os.path.join(d, n + ".json"), "rb").read()
        nonce = open(os.path.join(d, n + ".nonce")).read().strip()
        items += [(nonce, body), (nonce, body)]
    lock = threading.Lock()
    state = {"next": 0, "requests": 0, "errors": 0, "retries": 0, "accepted": {},
             "refused": 0, "acked": [], "latency": [], "error_samples": [], "replays": 0}
    deadline = time.monotonic() + a.duration

    def worker(w):
        while time.monotonic() < deadline:
            with lock:
                if state["next"] >= len(items) and a.no_cycle:
                    return
                k = state["next"]
                nonce, body = items[k % len(items)]
                state["next"] += 1
                if k >= len(items):
                    state["replays"] += 1
            i = w
            give_up = time.monotonic() + 60
            while True:
                url = a.urls[i % len(a.urls)]
                t0 = time.monotonic()
                try:
                    st, data = post(url, "/v1/verify", body, a.token)
                    break
                except OSError:
                    with lock:
                        state["retries"] += 1
                    if time.monotonic() > give_up:
                        st, data = None, b""
                        break
                    i += 1
                    time.sleep(0.2)
            dt = time.monotonic() - t0
            with lock:
                state["requests"] += 1
                if st is None:
                    state["errors"] += 1
                    state["error_samples"].append("no answer")
                    continue
                state["latency"].append(dt)
                try:
                    doc = json.loads(data)
                except ValueError:
                    doc = {}
                code = doc.get("error", {}).get("code") if isinstance(doc, dict) else None
                if st == 201 and doc.get("nonce_accepted") is True:
                    state["accepted"].setdefault(nonce, []).append(doc["id"])
                    state["acked"].append((doc["id"], url))
                elif st == 201 and doc.get("nonce_accepted") is False:
                    state["refused"] += 1
                    state["acked"].append((doc["id"], url))
                elif st == 409 and code == "store.nonce-reused":
                    state["refused"] += 1
                else:
                    state["errors"] += 1
                    if len(state["error_samples"]) < 5:
                        state["error_samples"].append(f"{st} {data[:200]!r}")

    t_start = time.monotonic()
    ts = [threading.Thread(target=worker, args=(w,)) for w in range(a.clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - t_start
    missing = []
    for rid, url in state["acked"]:
        for u in (a.urls if a.shared_store else [url]):
            try:
                st, _ = get(u, "/v1/results/" + rid, a.token)
            except OSError:
                st = None
            if st != 200:
                missing.append((rid, u, st))
    twice = {n: ids for n, ids in state["accepted"].items() if len(ids) > 1}
    lat = state["latency"]
    report = {"urls": a.urls, "clients": a.clients, "duration_s": round(elapsed, 3),
              "requests": state["requests"], "errors": state["errors"],
              "retries": state["retries"], "accepted": len(state["accepted"]),
              "refused": state["refused"], "acknowledged": len(state["acked"]),
              "throughput_rps": round(state["requests"] / elapsed, 2) if elapsed else 0,
              "p50_ms": round(percentile(lat, 50) * 1000, 2),
              "p99_ms": round(percentile(lat, 99) * 1000, 2),
              "bundles": len(names), "replays": state["replays"],
              "bundles_unused": max(0, len(items) - state["next"]) // 2,
              "missing_results": len(missing), "nonces_accepted_twice": len(twice),
              "error_samples": state["error_samples"]}
    print(json.dumps(report, indent=1))
    if a.report:
        json.dump(report, open(a.report, "w"), indent=1)
    ok = state["errors"] == 0 and not missing and not twice and state["requests"] > 0
    if missing:
        print("MISSING acknowledged results:", missing[:5])
    if twice:
        print("NONCES ACCEPTED TWICE:", list(twice.items())[:5])
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
