// accel-attest tpm verify: appraise a TPM 2.0 quote of the host, offline.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <tss2/tss2_mu.h>

#include "binding/inventory_digest.h"
#include "bundle/bundle.h"
#include "cli/commands.h"
#include "cli/paths.h"
#include "collect/tpm_host.h"
#include "core/file_out.h"
#include "core/json.h"
#include "core/json_text.h"
#include "core/terminal.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "inventory/inventory_json.h"
#include "results/jose.h"
#include "tpm/appraise.h"
#include "tpm/credential.h"
#include "tpm/ek.h"
#include "tpm/enrolment.h"

namespace aa::cli {

namespace {

struct TpmVerifyOptions {
  std::string message, signature, pcrs, ak_public, nonce, ak_cert, ca, policy, eventlog, inventory,
      bundle, time;
  std::vector<std::string> intermediates;
  std::string enrolment;                    // an AK enrolment record
  std::vector<std::string> enrolment_keys;  // JWKS or PEM
  bool json = false, allow_sha1 = false;
  std::string fail_on = "fail";
};

Result<Bytes> read_bytes(const std::string& path) {
  AA_TRY(s, read_file(path, 16u << 20));
  return Bytes(s.begin(), s.end());
}

// What a quote binds (docs/inventory-binding.md): the v2 digest of an inventory file or of an
// evidence bundle (its TPM and location sections aside), and the v1 digest of its accelerators,
// only to recognise an old quote.
struct Binding {
  Bytes v2, v1;
  std::vector<std::string> addresses;
};

Result<Binding> load_binding(const std::string& inventory, const std::string& bundle,
                             Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return make_error("profile.bad-value", "--profiles", "registry not loaded");
  Binding b;
  Inventory inv;
  BoundInventory bound;
  if (!bundle.empty()) {
    AA_TRY(text, read_file(bundle, 32u << 20));
    AA_TRY(parsed, parse_bundle(text, bundle));
    bound = bound_inventory(parsed);
    inv.host = parsed.host_name;
    for (const auto& d : parsed.devices) {
      inv.devices.push_back(d.pci);
      inv.class_known.push_back(d.class_known);
    }
  } else {
    AA_TRY(text, read_file(inventory, 4u << 20));
    AA_TRY(parsed, parse_inventory_json(text, inventory));
    inv = std::move(parsed);
    bound = bound_inventory(inv);
  }
  b.v2 = inventory_digest_v2(bound);  // = bundle_binding_digest() for a bundle
  b.v1 = inventory_digest_v1(inventory_accelerators(inv, *reg));
  for (const auto& d : bound.devices) b.addresses.push_back(d.address);
  std::sort(b.addresses.begin(), b.addresses.end());
  return b;
}

struct Loaded {
  tpm::QuoteEvidence ev;
  tpm::QuoteReferences refs;
  std::optional<tpm::PcrPolicy> policy;
  ossl::X509Ptr ca;
  std::vector<ossl::X509Ptr> intermediates;
  jose::Jwks enrolment_keys;
  std::vector<std::string> bound_devices;
};

Result<std::unique_ptr<Loaded>> load(const TpmVerifyOptions& o, Context& ctx) {
  auto l = std::make_unique<Loaded>();
  AA_TRY(m, read_bytes(o.message));
  AA_TRY(s, read_bytes(o.signature));
  AA_TRY(p, read_bytes(o.pcrs));
  AA_TRY(ak, read_bytes(o.ak_public));
  l->ev.attest = std::move(m);
  l->ev.signature = std::move(s);
  l->ev.pcrs = std::move(p);
  l->ev.ak_public = std::move(ak);
  l->ev.origin = o.message;
  if (!o.eventlog.empty()) {
    AA_TRY(log, read_bytes(o.eventlog));
    l->ev.eventlog = std::move(log);
  }
  // The nonce rule's documented exception: a quote captured elsewhere carries whatever its
  // qualifying data was (empty or short: tpm.nonce-empty), so 0 to 64 bytes.
  AA_TRY(nonce, parse_nonce(o.nonce, "--nonce", 0, 64));
  l->refs.nonce = std::move(nonce);
  l->refs.allow_sha1 = o.allow_sha1;
  AA_TRY(at, verification_time(o.time));
  l->refs.at = at;
  if (!o.ak_cert.empty()) {
    AA_TRY(c, read_bytes(o.ak_cert));
    l->ev.ak_cert_der = std::move(c);
  }
  if (!o.enrolment.empty()) {
    AA_TRY(r, read_bytes(o.enrolment));
    l->ev.ak_enrolment = std::move(r);
  }
  for (const auto& k : o.enrolment_keys) {
    AA_TRY(text, read_file(k, 1u << 20));
    AA_TRY(keys, tpm::enrolment_keys(text, k));
    for (auto& j : keys.keys) l->enrolment_keys.keys.push_back(std::move(j));
  }
  if (!l->enrolment_keys.keys.empty()) l->refs.enrolment_keys = &l->enrolment_keys;
  if (!o.ca.empty()) {
    AA_TRY(ca, read_cert(o.ca));
    l->ca = std::move(ca);
    l->refs.ak_ca = l->ca.get();
  }
  for (const auto& i : o.intermediates) {
    AA_TRY(c, read_cert(i));
    l->refs.ak_intermediates.push_back(c.get());
    l->intermediates.push_back(std::move(c));
  }
  if (!o.policy.empty()) {
    AA_TRY(text, read_file(o.policy, 4u << 20));
    AA_TRY(pol, tpm::load_pcr_policy(text, o.policy));
    l->policy = std::move(pol);
    l->refs.policy = &*l->policy;
  }
  if (!o.inventory.empty() || !o.bundle.empty()) {
    AA_TRY(b, load_binding(o.inventory, o.bundle, ctx));
    l->bound_devices = std::move(b.addresses);
    l->refs.inventory_digest = std::move(b.v2);
    l->refs.v1_inventory_digest = std::move(b.v1);
  }
  return l;
}

Json to_json(const tpm::QuoteAppraisal& a, const Loaded& l) {
  Json checks = Json::array();
  for (const auto& [k, v] : a.checks) checks.push_back(check_json(to_string(k), to_string(v)));
  Json pcrs = Json::array();
  for (const auto& p : a.pcrs) {
    pcrs.push_back(
        {{"bank", tpm::hash_name(p.bank)}, {"index", p.index}, {"value", hex_encode(p.digest)}});
  }
  Json fs = findings_json(a.findings, l.ev.origin);
  Json j{{"schema", "accel-attest/tpm-appraisal/v2"},
         {"verdict", to_string(a.verdict())},
         {"checks", checks},
         {"ak", a.ak_description},
         {"ak_name", hex_encode(a.ak_name)},
         {"pcrs", pcrs},
         {"inventory_bound", tpm::makes_platform_bound(a, /*nonce_issued=*/true)},
         {"findings", fs}};
  if (a.quote) {
    const auto& c = a.quote->attest.clockInfo;
    j["selection"] = tpm::selection_text(a.quote->selection());
    j["extra_data"] = hex_encode(a.quote->extra_data());
    j["clock"] = {{"clock_ms", c.clock},
                  {"reset_count", c.resetCount},
                  {"restart_count", c.restartCount},
                  {"safe", c.safe == 1}};
  }
  if (l.refs.inventory_digest) {
    j["inventory_digest"] = hex_encode(*l.refs.inventory_digest);
    Json devs = Json::array();
    for (const auto& d : l.bound_devices) devs.push_back(d);
    j["inventory_devices"] = devs;
    j["inventory_assurance"] =
        to_string(tpm::makes_platform_bound(a, /*nonce_issued=*/true) ? Assurance::kPlatformBound
                                                                      : Assurance::kReported);
  }
  return j;
}

int run(const TpmVerifyOptions& o, Context& ctx) {
  auto l = load(o, ctx);
  if (!l) return fail(l.error());
  tpm::QuoteAppraisal a = tpm::appraise_quote((*l)->ev, (*l)->refs);
  Json j = to_json(a, **l);
  if (o.json) {
    std::cout << json_text(j, 2) << "\n";
  } else {
    std::cout << "TPM quote appraisal: " << to_string(a.verdict()) << "\n";
    std::cout << "  AK          " << terminal_safe(a.ak_description) << "  name "
              << hex_encode(a.ak_name) << "\n";
    if (a.quote) std::cout << "  selection   " << tpm::selection_text(a.quote->selection()) << "\n";
    std::cout << "  checks     ";
    for (const auto& [k, v] : a.checks) std::cout << " " << to_string(k) << "=" << to_string(v);
    std::cout << "\n";
    if (j.contains("inventory_assurance")) {
      std::cout << "  inventory   " << (*l)->bound_devices.size() << " device(s), v2 digest "
                << j["inventory_digest"].get<std::string>() << ": "
                << j["inventory_assurance"].get<std::string>() << "\n";
    }
    for (const auto& f : a.findings) {
      std::cout << "  [" << to_string(f.severity) << "] " << f.code << ": "
                << terminal_safe(f.message) << "\n";
    }
  }
  return verdict_exit(a.verdict(), o.fail_on);
}

struct EkCheckOptions {
  std::string cert, ek_public, anchors, time;
  bool json = false;
};

int ek_check(const EkCheckOptions& o) {
  auto body = read_file(o.cert, 1u << 20);
  if (!body) return fail(body.error());
  auto cert = tpm::parse_ek_certificate(as_bytes(*body), o.cert);
  if (!cert) return fail(cert.error());
  std::optional<TPMT_PUBLIC> ek;
  if (!o.ek_public.empty()) {
    auto b = read_bytes(o.ek_public);
    if (!b) return fail(b.error());
    auto p = tpm::parse_public(*b, o.ek_public);
    if (!p) return fail(p.error());
    if (!p->area) return fail(make_error("input.bad-value", o.ek_public, "give the TPM2B_PUBLIC"));
    ek = p->area;
  }
  std::string dir = o.anchors.empty() ? default_certs_dir() + "/tpm" : o.anchors;
  auto anchors = tpm::EkAnchors::load(dir);
  if (!anchors) return fail(anchors.error());
  auto at = verification_time(o.time);
  if (!at) return fail(at.error());
  auto r = tpm::check_ek_certificate(cert->get(), ek, *anchors, *at);
  if (o.json) {
    Json doc = document("tpm-ek-check");
    doc["certificate"] = o.cert;
    doc["trusted"] = r.ok;
    doc["path"] = r.path;
    doc["ek_eku"] = r.has_ek_eku;
    doc["anchors"] = dir;
    doc["findings"] = findings_json(r.findings, o.cert);
    std::cout << json_text(doc, 2) << "\n";
  } else {
    std::cout << terminal_safe(o.cert) << ": "
              << (r.ok ? "chains to a root of the anchor store" : "NOT trusted") << "\n";
    for (size_t i = 0; i < r.path.size(); ++i)
      std::cout << "  [" << i << "] " << terminal_safe(r.path[i]) << "\n";
    for (const auto& f : r.findings) {
      std::cout << "  [" << to_string(f.severity) << "] " << f.code << ": "
                << terminal_safe(f.message) << "\n";
    }
  }
  return r.ok ? 0 : 1;
}

struct TpmQuoteOptions {
  std::string tcti, nonce, out, inventory, bundle, pcrs = "sha256:0,1,2,3,4,5,6,7,16", handle;
  bool ecc = false;
};

// Atomically (core/file_out.h); `mode` 0600 for secrets.
Status write_file(const std::string& path, ByteView data, mode_t mode = 0644) {
  return write_file_atomic(
      path, std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), mode);
}

// Enrolment: the host makes a persistent AK, the verifier challenges it through the EK
// (MakeCredential), the host answers (ActivateCredential), the verifier checks the answer.
struct EnrolOptions {
  std::string tcti, handle, out, ek_public, ak_public, ek_cert, anchors, challenge, answer, time;
  std::string record, key;  // check-answer: the enrolment record to write, and the key to sign it
  bool ecc = false;
};

Result<TPM2_HANDLE> parse_handle(const std::string& s) {
  std::string h = s.rfind("0x", 0) == 0 ? s.substr(2) : s;
  auto v = parse_hex_exact(h, 8);
  if (!v || *v < 0x81000000 || *v > 0x81ffffff) {
    return make_error("input.bad-value", "--handle", "a persistent handle 0x81000000..0x81ffffff");
  }
  return static_cast<TPM2_HANDLE>(*v);
}

std::string in_dir(const std::string& dir, const char* name) {
  return (std::filesystem::path(dir) / name).string();
}

Status create_ak(const EnrolOptions& o) {
  AA_TRY(handle, parse_handle(o.handle));
  AA_TRY(host, tpm::TpmHost::open(o.tcti));
  AA_TRY(ek, host->ek());
  AA_TRY(ak, host->create_ak(ek.handle, o.ecc));
  AA_CHECK(host->persist(ak, handle));
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  AA_CHECK(write_file(in_dir(o.out, "ak.pub"), tpm::marshal_public(ak.pub)));
  AA_CHECK(write_file(in_dir(o.out, "ak.name"), tpm::ak_name(ak.pub.publicArea)));
  AA_CHECK(write_file(in_dir(o.out, "ek.pub"), tpm::marshal_public(ek.pub)));
  AA_TRY(cert, host->nv_read(0x01c00002));
  if (cert) AA_CHECK(write_file(in_dir(o.out, "ek-cert.der"), *cert));
  std::cout << "AK " << hex_encode(tpm::ak_name(ak.pub.publicArea)) << " persistent at " << o.handle
            << "; ak.pub, ek.pub" << (cert ? ", ek-cert.der" : "") << " in " << o.out << "\n";
  return Ok{};
}

// Verifier side. Exit 1 when the EK certificate or the AK is not acceptable.
int challenge(const EnrolOptions& o) {
  auto run = [&]() -> Result<int> {
    AA_TRY(ekb, read_bytes(o.ek_public));
    AA_TRY(ek, tpm::parse_public(ekb, o.ek_public));
    AA_TRY(akb, read_bytes(o.ak_public));
    AA_TRY(ak, tpm::parse_public(akb, o.ak_public));
    if (!ek.area || !ak.area) {
      return make_error("input.bad-value", "--ek-public/--ak-public",
                        "give TPM2B_PUBLIC areas, not PEM");
    }
    int rc = 0;
    std::string ek_vouched;  // the SHA-256 of the EK certificate, when it chains to a vendor root
    if (!tpm::is_attestation_key(*ak.area)) {
      std::cout << "[fail] tpm.ak-attributes: the AK is not a restricted, fixed, TPM-generated "
                   "signing key\n";
      rc = 1;
    }
    if (!o.ek_cert.empty()) {
      AA_TRY(cb, read_bytes(o.ek_cert));
      AA_TRY(cert, tpm::parse_ek_certificate(cb, o.ek_cert));
      AA_TRY(anchors,
             tpm::EkAnchors::load(o.anchors.empty() ? default_certs_dir() + "/tpm" : o.anchors));
      AA_TRY(at, verification_time(o.time));
      auto r = tpm::check_ek_certificate(cert.get(), ek.area, anchors, at);
      for (const auto& f : r.findings) {
        std::cout << "[" << to_string(f.severity) << "] " << f.code << ": "
                  << terminal_safe(f.message) << "\n";
      }
      if (!r.ok) rc = 1;
      // What check-answer --record needs to know: the EK this challenge is for is vouched for.
      if (r.ok) ek_vouched = sha256_hex(as_chars(x509::der(cert.get())));
    } else {
      std::cout << "[warn] tpm.ek-cert-missing: no EK certificate: the EK itself is not vouched "
                   "for\n";
    }
    Bytes secret(32);
    RAND_bytes(secret.data(), static_cast<int>(secret.size()));
    AA_TRY(cred, tpm::make_credential(*ek.area, ak.name, secret));
    uint8_t buf[sizeof(TPM2B_ENCRYPTED_SECRET) + sizeof(TPM2B_ID_OBJECT)];
    size_t off = 0;
    Tss2_MU_TPM2B_ID_OBJECT_Marshal(&cred.blob, buf, sizeof buf, &off);
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    AA_CHECK(write_file(in_dir(o.out, "credential.bin"), ByteView(buf, off)));
    off = 0;
    Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal(&cred.secret, buf, sizeof buf, &off);
    AA_CHECK(write_file(in_dir(o.out, "encrypted-secret.bin"), ByteView(buf, off)));
    AA_CHECK(write_file(in_dir(o.out, "expected-secret.bin"), secret, 0600));
    AA_CHECK(write_file(in_dir(o.out, "ak.name"), ak.name, 0600));
    std::filesystem::remove(in_dir(o.out, "ek-cert.sha256"), ec);
    if (!ek_vouched.empty() && rc == 0) {
      AA_CHECK(write_file(in_dir(o.out, "ek-cert.sha256"), as_bytes(ek_vouched + "\n"), 0600));
    }
    std::cout << "challenge for AK " << hex_encode(ak.name) << " in " << o.out
              << " (send credential.bin and encrypted-secret.bin; keep expected-secret.bin)\n";
    return rc;
  };
  auto r = run();
  return r ? *r : fail(r.error());
}

Status activate(const EnrolOptions& o) {
  AA_TRY(handle, parse_handle(o.handle));
  AA_TRY(cb, read_bytes(in_dir(o.challenge, "credential.bin")));
  AA_TRY(sb, read_bytes(in_dir(o.challenge, "encrypted-secret.bin")));
  TPM2B_ID_OBJECT blob{};
  TPM2B_ENCRYPTED_SECRET secret{};
  size_t off = 0;
  if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(cb.data(), cb.size(), &off, &blob) != TSS2_RC_SUCCESS ||
      off != cb.size()) {
    return make_error("tpm.malformed", in_dir(o.challenge, "credential.bin"),
                      "not a TPM2B_ID_OBJECT");
  }
  off = 0;
  if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(sb.data(), sb.size(), &off, &secret) !=
          TSS2_RC_SUCCESS ||
      off != sb.size()) {
    return make_error("tpm.malformed", in_dir(o.challenge, "encrypted-secret.bin"),
                      "not a TPM2B_ENCRYPTED_SECRET");
  }
  AA_TRY(host, tpm::TpmHost::open(o.tcti));
  AA_TRY(ek, host->ek());
  AA_TRY(ak, host->load_persistent(handle));
  AA_TRY(answer, host->activate(ak.handle, ek.handle, blob, secret));
  AA_CHECK(write_file(o.answer, answer));
  std::cout << "answer written to " << o.answer << "\n";
  return Ok{};
}

int check_answer(const EnrolOptions& o) {
  auto want = read_bytes(in_dir(o.challenge, "expected-secret.bin"));
  if (!want) return fail(want.error());
  auto got = read_bytes(o.answer);
  if (!got) return fail(got.error());
  auto name = read_bytes(in_dir(o.challenge, "ak.name"));
  bool ok =
      got->size() == want->size() && CRYPTO_memcmp(got->data(), want->data(), want->size()) == 0;
  const std::string who = name ? hex_encode(*name) : std::string("?");
  if (!ok) {
    std::cout << "[fail] tpm.activation-failed: wrong answer for AK " << who << "\n";
    return 1;
  }
  if (o.record.empty()) {
    std::cout << "AK enrolled: " << who << "\n";
    return 0;
  }
  // The record vouches for the AK to later verifications: only for an AK of a TPM whose EK a
  // vendor root vouched for (tpm challenge --ek-cert, with it chaining to --anchors). The
  // challenge directory is the verifier's own state (docs/tpm.md): what it says is believed.
  if (!name) return fail(name.error());
  auto ek = read_file(in_dir(o.challenge, "ek-cert.sha256"), 128);
  std::string ek_sha = ek ? *ek : std::string();
  while (!ek_sha.empty() && (ek_sha.back() == '\n' || ek_sha.back() == '\r')) ek_sha.pop_back();
  auto ek_digest = hex_decode(ek_sha);
  if (!ek || !ek_digest || ek_digest->size() != 32) {
    std::cout << "[fail] tpm.ek-cert-untrusted: AK " << who
              << " answered, but no enrolment record: the challenge's EK certificate was not "
                 "given or did not chain to a TPM vendor root (tpm challenge --ek-cert "
                 "--anchors), so the AK's TPM is not known to be genuine\n";
    return 1;
  }
  auto key = load_signing_key(o.key);
  if (!key) return fail(key.error());
  auto at = verification_time(o.time);
  if (!at) return fail(at.error());
  auto record = tpm::sign_enrolment(key->get(), jose::thumbprint(key->get()), *name, ek_sha, *at);
  if (!record) return fail(record.error());
  if (auto s = write_file(o.record, as_bytes(*record + "\n")); !s) return fail(s.error());
  // One record per challenge: the secret goes, so the challenge cannot be answered again.
  std::error_code ec;
  std::filesystem::remove(in_dir(o.challenge, "expected-secret.bin"), ec);
  std::cout << "AK enrolled: " << who << "\n";
  std::cout << "enrolment record for AK " << who << " written to " << o.record << " (signed by "
            << jose::thumbprint(key->get()) << ")\n";
  return 0;
}

Status quote_to_dir(const TpmQuoteOptions& o, Context& ctx) {
  // The nonce rule, narrowed: the quote's qualifying data holds at most a SHA-256 digest.
  AA_TRY(nonce, parse_nonce(o.nonce, "--nonce", 16, 32));
  AA_TRY(sel, tpm::parse_pcr_selection(o.pcrs));
  Bytes extra = nonce;
  std::optional<Bytes> digest;
  if (!o.inventory.empty() || !o.bundle.empty()) {
    AA_TRY(b, load_binding(o.inventory, o.bundle, ctx));
    digest = b.v2;
    extra = tpm::binding_extra_data(nonce, *digest);
  }
  std::optional<TPM2_HANDLE> handle;
  if (!o.handle.empty()) {
    AA_TRY(h, parse_handle(o.handle));
    handle = h;
  }
  AA_TRY(q, tpm::quote_host(o.tcti, extra, sel, handle, o.ecc));
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  auto at = [&](const char* name) { return (std::filesystem::path(o.out) / name).string(); };
  AA_CHECK(write_file(at("quote.msg"), q.attest));
  AA_CHECK(write_file(at("quote.sig"), q.signature));
  AA_CHECK(write_file(at("quote.pcrs"), q.pcrs));
  AA_CHECK(write_file(at("ak.pub"), q.ak_public));
  AA_CHECK(write_file(at("ak.name"), q.ak_name));
  AA_CHECK(write_file(at("ek.pub"), q.ek_public));
  const bool cert = q.ek_certificate.has_value();
  if (cert) AA_CHECK(write_file(at("ek-cert.der"), *q.ek_certificate));
  if (digest) {
    std::string h = hex_encode(*digest) + "\n";
    AA_CHECK(write_file(at("inventory-digest.hex"), as_bytes(h)));
  }
  std::cout << "quote over " << tpm::selection_text(sel) << " with extraData " << hex_encode(extra)
            << " written to " << o.out << (cert ? " (with the EK certificate)" : "") << "\n";
  return Ok{};
}

}  // namespace

Bytes bundle_binding_extra_data(const Bundle& bundle, ByteView nonce) {
  return tpm::binding_extra_data(nonce, inventory_digest_v2(bound_inventory(bundle)));
}

void add_tpm(CLI::App& app, Context& ctx) {
  CLI::App* t = app.add_subcommand("tpm", "the host's TPM 2.0: quotes and their appraisal");
  t->require_subcommand(1);
  auto o = std::make_shared<TpmVerifyOptions>();
  CLI::App* v = t->add_subcommand(
      "verify",
      "Appraise a TPM 2.0 quote offline: strict parsing (magic, type, no trailing bytes), the "
      "AK signature (RSASSA, RSAPSS, ECDSA), AK attributes, the nonce or nonce+inventory binding, "
      "PCR values against the signed selection and digest, a PCR policy, and the AK certificate. "
      "Exit 0: pass (warnings allowed; --fail-on warning makes a warning exit 1); 1: fail; 2: bad "
      "input; 3: internal error.");
  v->add_option("--message", o->message, "TPMS_ATTEST (tpm2_quote -m)")->required();
  v->add_option("--signature", o->signature, "TPMT_SIGNATURE (tpm2_quote -s)")->required();
  v->add_option("--pcrs", o->pcrs,
                "PCR values: tpm2_quote -o file, or raw digests in selection order")
      ->required();
  v->add_option("--ak-public", o->ak_public,
                "AK public: TPM2B_PUBLIC (tpm2_createak -u), TPMT_PUBLIC or PEM")
      ->required();
  v->add_option("--nonce", o->nonce, "the nonce the verifier issued, hex")->required();
  auto* cert = v->add_option("--ak-cert", o->ak_cert, "AK certificate (DER or PEM)");
  v->add_option("--ca", o->ca, "trust anchor for the AK certificate (DER or PEM)")->needs(cert);
  v->add_option("--intermediate", o->intermediates,
                "intermediate CA certificate(s) for the AK certificate");
  auto* enr =
      v->add_option("--enrolment", o->enrolment,
                    "AK enrolment record (tpm check-answer --record), used without --ak-cert");
  v->add_option("--enrolment-key", o->enrolment_keys,
                "key(s) whose enrolment records are trusted: JWKS or PEM EC P-256")
      ->needs(enr);
  v->add_option("--policy", o->policy, "PCR policy JSON (schema accel-attest/pcr-policy/v1)");
  v->add_option(
      "--eventlog", o->eventlog,
      "TCG PC Client firmware event log (binary_bios_measurements) to replay into PCRs 0-7");
  auto* vi = v->add_option("--inventory", o->inventory,
                           "inventory JSON the quote must bind (binding v2, "
                           "docs/inventory-binding.md)");
  v->add_option("--bundle", o->bundle,
                "evidence bundle whose host and devices the quote must bind (binding v2)")
      ->excludes(vi);
  v->add_option("--time", o->time, "verification time, RFC 3339 (default now)");
  v->add_flag("--allow-sha1", o->allow_sha1,
              "accept quotes signed over SHA-1 (reported as a warning)");
  v->add_flag("--json", o->json, "print JSON (schema accel-attest/tpm-appraisal/v2)");
  add_fail_on(v, o->fail_on);
  v->callback([o, &ctx] { ctx.exit_code = run(*o, ctx); });

  auto e = std::make_shared<EkCheckOptions>();
  CLI::App* ec = t->add_subcommand(
      "ek-check",
      "Check an EK certificate (DER as read from NV, fill allowed, or PEM) against the TPM vendor "
      "roots in certs/tpm (or --anchors DIR), and against the EK public area when given. Exit 0: "
      "trusted; 1: not; 2: bad input.");
  ec->add_option("--cert", e->cert, "EK certificate")->required();
  ec->add_option("--ek-public", e->ek_public, "the TPM's EK public area (TPM2B_PUBLIC)");
  ec->add_option("--anchors", e->anchors, "directory of vendor CA certificates");
  ec->add_option("--time", e->time, "verification time, RFC 3339 (default now)");
  ec->add_flag("--json", e->json, "print JSON (schema accel-attest/tpm-ek-check/v1)");
  ec->callback([e, &ctx] { ctx.exit_code = ek_check(*e); });

  auto q = std::make_shared<TpmQuoteOptions>();
  CLI::App* qc = t->add_subcommand(
      "quote",
      "Host side: create an AK under the TPM's EK and quote the nonce (bound to the inventory "
      "with --inventory), writing quote.msg, quote.sig, quote.pcrs, ak.pub, ak.name, ek.pub and "
      "ek-cert.der to DIR for `tpm verify`. Exit 0: written; 2: error.");
  qc->add_option("--tcti", q->tcti,
                 "TCTI, e.g. swtpm:host=127.0.0.1,port=2321 or device:/dev/tpmrm0")
      ->required();
  qc->add_option("--nonce", q->nonce, "the verifier's nonce, hex (16 to 32 bytes)")->required();
  qc->add_option("--out", q->out, "output directory")->required();
  auto* qi = qc->add_option("--inventory", q->inventory,
                            "inventory JSON to bind (binding v2, docs/inventory-binding.md)");
  qc->add_option("--bundle", q->bundle,
                 "evidence bundle (its tpm section, if any, ignored) whose host and devices to "
                 "bind (binding v2)")
      ->excludes(qi);
  qc->add_option("--pcrs", q->pcrs, "PCR selection BANK:I,J,... (default sha256:0-7,16)");
  qc->add_flag("--ecc", q->ecc, "an ECC P-256 AK instead of RSA-2048");
  qc->add_option("--handle", q->handle,
                 "quote with the persistent AK at this handle (tpm create-ak)");

  auto en = std::make_shared<EnrolOptions>();
  CLI::App* ca = t->add_subcommand(
      "create-ak",
      "Host side: create an AK under the EK and make it persistent at --handle; write "
      "ak.pub, ak.name, ek.pub and ek-cert.der to --out. Exit 0 or 2.");
  ca->add_option("--tcti", en->tcti, "TCTI string")->required();
  ca->add_option("--handle", en->handle, "persistent handle, e.g. 0x81010020")->required();
  ca->add_option("--out", en->out, "output directory")->required();
  ca->add_flag("--ecc", en->ecc, "an ECC P-256 AK instead of RSA-2048");
  ca->callback([en, &ctx] { ctx.exit_code = exit_code(create_ak(*en)); });
  CLI::App* ch = t->add_subcommand(
      "challenge",
      "Verifier side: check the AK's attributes and the EK certificate (against certs/tpm or "
      "--anchors), then MakeCredential to the EK for the AK's Name. Writes credential.bin, "
      "encrypted-secret.bin (for the host) and expected-secret.bin (keep it). Exit 0: challenge "
      "made; 1: the AK or EK certificate is not acceptable; 2: bad input.");
  ch->add_option("--ek-public", en->ek_public, "EK public area (TPM2B_PUBLIC)")->required();
  ch->add_option("--ak-public", en->ak_public, "AK public area (TPM2B_PUBLIC)")->required();
  ch->add_option("--ek-cert", en->ek_cert, "EK certificate (DER from NV, or PEM)");
  ch->add_option("--anchors", en->anchors, "TPM vendor CA directory (default certs/tpm)");
  ch->add_option("--time", en->time, "verification time, RFC 3339 (default now)");
  ch->add_option("--out", en->out, "output directory")->required();
  ch->callback([en, &ctx] { ctx.exit_code = challenge(*en); });
  CLI::App* ac = t->add_subcommand(
      "activate",
      "Host side: answer a challenge with TPM2_ActivateCredential using the EK and "
      "the persistent AK. Exit 0 or 2.");
  ac->add_option("--tcti", en->tcti, "TCTI string")->required();
  ac->add_option("--handle", en->handle, "the AK's persistent handle")->required();
  ac->add_option("--challenge", en->challenge, "directory from `tpm challenge`")->required();
  ac->add_option("--out", en->answer, "file for the recovered secret")->required();
  ac->callback([en, &ctx] { ctx.exit_code = exit_code(activate(*en)); });
  CLI::App* ck = t->add_subcommand(
      "check-answer",
      "Verifier side: the host's answer equals the challenge's secret, so the AK "
      "lives in the TPM that holds the EK. Exit 0: enrolled; 1: not; 2: bad input.");
  ck->add_option("--challenge", en->challenge, "directory from `tpm challenge`")->required();
  ck->add_option("--answer", en->answer, "the host's answer")->required();
  auto* rec = ck->add_option("--record", en->record,
                             "write a signed AK enrolment record here (docs/tpm.md): verifiers "
                             "given --enrolment-key then trust quotes by this AK");
  ck->add_option("--key", en->key, "the ES256 key (PEM) that signs the record")->needs(rec);
  rec->needs("--key");
  ck->add_option("--time", en->time, "the enrolment time (RFC 3339; default now)");
  ck->callback([en, &ctx] { ctx.exit_code = check_answer(*en); });
  qc->callback([q, &ctx] { ctx.exit_code = exit_code(quote_to_dir(*q, ctx)); });
}

}  // namespace aa::cli
