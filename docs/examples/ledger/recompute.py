#!/usr/bin/env python3
"""Recomputes the hash chain of an accel-attest ledger export (docs/ledger.md) with nothing but
the standard library: an auditor's check, independent of accel-attest.

Usage: recompute.py EXPORT.json   (exit 0: every entry_hash and every link recomputed; 1: a break)
"""
import hashlib
import json
import sys


def field(b):
    return len(b).to_bytes(8, "big") + b


def entry_hash(e):
    parts = [b"accel-attest/ledger-entry/v1", str(e["position"]).encode(), e["id"].encode(),
             str(e["verified_at"]).encode(), e["host"].encode(), str(len(e["devices"])).encode()]
    parts += [d.encode() for d in e["devices"]]
    parts += [e[k].encode() for k in ("status", "bundle_sha256", "nonce", "token", "document",
                                      "prev_hash")]
    return hashlib.sha256(b"".join(field(p) for p in parts)).hexdigest()


def main():
    doc = json.load(open(sys.argv[1]))
    assert doc["schema"] == "accel-attest/ledger-archive/v1"
    prev, expect = None, None
    for e in doc["entries"]:
        if e["position"] == 1 and e["prev_hash"] != "0" * 64:
            return fail(e, "prev_hash of position 1 is not 64 zeros")
        if expect is not None and e["position"] != expect:
            return fail(e, "positions are not dense")
        if entry_hash(e) != e["entry_hash"]:
            return fail(e, "entry_hash does not match the entry")
        if prev is not None and e["prev_hash"] != prev:
            return fail(e, "prev_hash is not the entry_hash before it")
        prev, expect = e["entry_hash"], e["position"] + 1
    print("chain intact: %d entries" % len(doc["entries"]))
    return 0


def fail(e, why):
    print("BROKEN at position %d: %s" % (e["position"], why))
    return 1


if __name__ == "__main__":
    sys.exit(main())
