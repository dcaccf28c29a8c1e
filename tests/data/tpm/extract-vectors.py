#!/usr/bin/env python3
"""Extracts the TPM test vectors the C++ tests read from shared/corpus/tpm/ into plain binary
files (run once by a developer; the outputs are committed, CI never runs this).

- gce/: google/go-tpm-tools internal/test/attestations/gce-cos-85-nonce9009.pb, a protobuf
  `Attestation` (proto/attest.proto): field 1 ak_pub (TPMT_PUBLIC), 2 quotes {1 TPMS_ATTEST,
  2 TPMT_SIGNATURE, 3 pcrs {1 hash, 2 map<index, digest>}}, 3 event_log, 6 ak_cert (DER).
  Each quote's PCR values are written as raw digests in ascending index order.
- windows/: google/go-attestation attest/testdata/windows_gcp_shielded_vm.json (AK.Public
  TPMT_PUBLIC, Quote.Quote TPMS_ATTEST, Quote.Signature TPMT_SIGNATURE, Log.PCRs).
Usage: extract-vectors.py CORPUS_TPM_DIR
"""
import base64, json, os, sys

corpus = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))

def varint(b, i):
    r = s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80:
            return r, i

def fields(b):
    i, out = 0, []
    while i < len(b):
        k, i = varint(b, i); f, t = k >> 3, k & 7
        if t == 0:
            v, i = varint(b, i)
        elif t == 2:
            n, i = varint(b, i); v = b[i:i + n]; i += n
        else:
            raise ValueError("wire type %d" % t)
        out.append((f, v))
    return out

def write(rel, data):
    p = os.path.join(here, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(data)

pb = open(os.path.join(corpus, "google__go-tpm-tools/internal/test/attestations/gce-cos-85-nonce9009.pb"), "rb").read()
names = {4: "sha1", 11: "sha256", 12: "sha384"}
for f, v in fields(pb):
    if f == 1:
        write("gce/ak.tpmt_public.bin", v)
    elif f == 6:
        write("gce/ak_cert.der", v)
    elif f == 3:
        write("gce/eventlog.bin", v)
    elif f == 2:
        q = dict((k, x) for k, x in fields(v) if k in (1, 2))
        pcrs = [x for k, x in fields(v) if k == 3][0]
        hash_alg, values = None, {}
        for k, x in fields(pcrs):
            if k == 1:
                hash_alg = x
            elif k == 2:
                e = dict(fields(x))
                values[e.get(1, 0)] = e[2]
        bank = names[hash_alg]
        write("gce/quote-%s.tpms_attest.bin" % bank, q[1])
        write("gce/quote-%s.tpmt_signature.bin" % bank, q[2])
        write("gce/quote-%s.pcrs.bin" % bank, b"".join(values[i] for i in sorted(values)))

w = json.load(open(os.path.join(corpus, "google__go-attestation/attest/testdata/windows_gcp_shielded_vm.json")))
write("windows/ak.tpmt_public.bin", base64.b64decode(w["AK"]["Public"]))
write("windows/quote.tpms_attest.bin", base64.b64decode(w["Quote"]["Quote"]))
write("windows/quote.tpmt_signature.bin", base64.b64decode(w["Quote"]["Signature"]))
pcrs = dict((p["Index"], base64.b64decode(p["Digest"])) for p in w["Log"]["PCRs"] if p["DigestAlg"] == 3)
write("windows/pcrs-sha1.bin", b"".join(pcrs[i] for i in sorted(pcrs)))
write("windows/eventlog.bin", base64.b64decode(w["Log"]["Raw"]))
