// accel-attest verify (the pipeline: bundle in, signed EAR out) and accel-attest report (the
// HTML audit report of a signed result).
#include <ctime>
#include <fstream>
#include <iostream>

#include "bundle/bundle.h"
#include "cli/commands.h"
#include "core/bytes.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "location/attestation.h"
#include "location/boundaries.h"
#include "nvidia/roots.h"
#include "pipeline/pipeline.h"
#include "report/html_report.h"
#include "results/ear.h"
#include "results/ear_writer.h"
#include "results/jose.h"
#include "store/nonce_store.h"

namespace aa::cli {

namespace {

constexpr size_t kMaxBundle = 32u << 20;

struct VerifyOptions {
  std::string bundle, key, out, store, nonce, policy, licence, time;
  std::string rim_store, crl, ocsp, ak_ca, pcr_policy, report;
  std::string landmarks, device_root, location_out;
  std::vector<std::string> allowed;
  std::vector<std::string> ak_intermediates;
  long ttl = 86400;
  long max_revocation_age = RevocationLimits::kDefaultMaxAge;
  bool json = false;
};

Status write_file(const std::string& path, const std::string& body) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << body;
  f.close();
  if (!f) return make_error("input.unreadable", path, "cannot write");
  return Ok{};
}

// Everything the pipeline refers to, owned here.
struct Loaded {
  Bundle bundle;
  std::string bundle_sha256;
  ExportPolicy policy;
  std::optional<Licence> licence;
  nvidia::NvidiaProfile nv_profile;
  std::optional<RevocationStore> revocation;
  std::optional<rim::RimStore> rims;
  ossl::X509Ptr ak_ca;
  std::vector<ossl::X509Ptr> ak_intermediates;
  std::optional<tpm::PcrPolicy> pcr_policy;
  std::optional<location::Boundaries> boundaries;
  std::map<std::string, location::TrustedLandmark> landmarks;
  location::ProcessingTimes processing;
  ossl::X509Ptr device_root;
  ossl::PKey key;
  std::time_t at = 0;
};

Result<Loaded> load(const VerifyOptions& o, Context& ctx, const Registry& reg) {
  Loaded l;
  AA_TRY(key, load_signing_key(o.key));
  l.key = std::move(key);
  AA_TRY(text, read_file(o.bundle, kMaxBundle));
  l.bundle_sha256 = sha256_hex(text);
  AA_TRY(b, parse_bundle(text, o.bundle));
  l.bundle = std::move(b);
  const std::string policy_path =
      o.policy.empty() ? ctx.profiles() + "/policy/export-policy.json" : o.policy;
  AA_TRY(p, load_export_policy(policy_path, reg));
  l.policy = std::move(p);
  if (!o.licence.empty()) {
    AA_TRY(lt, read_file(o.licence, 4u << 20));
    AA_TRY(lic, parse_licence(lt, o.licence));
    l.licence = std::move(lic);
  }
  AA_TRY(at, verification_time(o.time));
  l.at = at;
  AA_TRY(prof, nvidia::load_nvidia_profile(ctx.profiles()));
  l.nv_profile = std::move(prof);
  if (!o.crl.empty() || !o.ocsp.empty()) {
    RevocationLimits limits;
    limits.max_age = o.max_revocation_age;
    AA_TRY(rev, RevocationStore::load(o.crl, o.ocsp, limits));
    l.revocation = std::move(rev);
  }
  if (!o.rim_store.empty()) l.rims.emplace(o.rim_store);
  if (!o.ak_ca.empty()) {
    AA_TRY(c, read_cert(o.ak_ca));
    l.ak_ca = std::move(c);
  }
  for (const auto& path : o.ak_intermediates) {
    AA_TRY(c, read_cert(path));
    l.ak_intermediates.push_back(std::move(c));
  }
  if (!o.pcr_policy.empty()) {
    AA_TRY(pt, read_file(o.pcr_policy, 1u << 20));
    AA_TRY(pp, tpm::load_pcr_policy(pt, o.pcr_policy));
    l.pcr_policy = std::move(pp);
  }
  if (!o.landmarks.empty()) {
    AA_TRY(bounds, location::Boundaries::load(ctx.profiles()));
    l.boundaries = std::move(bounds);
    AA_TRY(lms, location::load_landmarks(o.landmarks));
    l.landmarks = std::move(lms);
    AA_TRY(times, location::load_processing_times(ctx.profiles()));
    l.processing = std::move(times);
  }
  if (!o.device_root.empty()) {
    AA_TRY(c, read_cert(o.device_root));
    l.device_root = std::move(c);
  }
  return l;
}

int run_verify(const VerifyOptions& o, Context& ctx, const std::string& build) {
  const Registry* reg = ctx.registry();
  if (!reg) return 2;
  auto l = load(o, ctx, *reg);
  if (!l) return fail(l.error());

  PipelineReferences refs;
  refs.registry = reg;
  refs.policy = &l->policy;
  refs.licence = l->licence ? &*l->licence : nullptr;
  refs.nvidia.device_root = nvidia::pinned_device_root();
  refs.nvidia.rim_root = nvidia::pinned_rim_root();
  refs.nvidia.device_root_label = "pinned NVIDIA Device Identity CA (certs/nvidia)";
  refs.nvidia.rim_root_label = "pinned NVIDIA CoRIM signing Root CA (certs/nvidia)";
  refs.nvidia.rims = l->rims ? &*l->rims : nullptr;
  refs.nvidia.revocation = l->revocation ? &*l->revocation : nullptr;
  refs.nvidia.profile = &l->nv_profile;
  refs.nvidia.registry = reg;
  refs.pcr_policy = l->pcr_policy ? &*l->pcr_policy : nullptr;
  refs.ak_ca = l->ak_ca.get();
  for (const auto& c : l->ak_intermediates) refs.ak_intermediates.push_back(c.get());
  refs.at = l->at;
  const std::time_t now = std::time(nullptr);
  if (!o.nonce.empty()) {
    auto n = hex_decode(o.nonce);
    if (!n || n->size() < 16 || n->size() > 64) {
      return fail(make_error("input.bad-hex", "--nonce", "16 to 64 bytes of hex"));
    }
    refs.expected_nonce = *n;
  } else if (!o.store.empty()) {
    auto store = NonceStore::open(o.store);
    if (!store) return fail(store.error());
    if (auto s = store->consume(l->bundle.nonce_hex, now); s) {
      refs.expected_nonce = l->bundle.nonce;
    } else if (s.error().code == "store.io") {
      return fail(s.error());
    } else {
      refs.nonce_refused =
          Finding{s.error().code, s.error().message, "bundle#/nonce", Severity::kFail};
    }
  }

  if (l->boundaries) {
    refs.boundaries = &*l->boundaries;
    refs.landmarks = &l->landmarks;
    refs.processing = l->processing;
    refs.simulated_device_root = l->device_root.get();
    auto allowed = country_set(o.allowed, *l->boundaries, "--allowed");
    if (!allowed) return fail(allowed.error());
    // The restricted locations of the policy in use (--policy), not the default file's.
    refs.restricted_locations = l->policy.restricted_locations.members(reg->country_groups());
    refs.allowed_locations = *allowed;
    if (o.allowed.empty() && l->licence) refs.allowed_locations.insert(l->licence->destination);
  }
  PipelineResult r = run_pipeline(l->bundle, l->bundle_sha256, refs);
  ear::VerifierIdentity id;
  id.build = build;
  Json claims = ear::ear_claims(r, id, now, o.ttl);
  const std::string kid = jose::thumbprint(l->key.get());
  const std::string token = jose::sign_es256(l->key.get(), kid, claims);
  if (auto s = write_file(o.out, token + "\n"); !s) return fail(s.error());
  if (!o.location_out.empty()) {
    if (!l->boundaries) {
      return fail(make_error("input.missing-field", "--location-out", "needs --landmarks"));
    }
    std::vector<location::LocationResult> locs;
    for (const auto& s : r.submods)
      if (s.location) locs.push_back(*s.location);
    Json lc = location::location_claims(locs, *l->boundaries, r.host_name, id, now, o.ttl);
    if (auto s = write_file(o.location_out, jose::sign_es256(l->key.get(), kid, lc) + "\n"); !s)
      return fail(s.error());
  }
  if (!o.report.empty()) {
    ReportSignature sig{true, kid, "ES256", sha256_hex(token), jose::public_jwk(l->key.get(), kid)};
    if (auto s = write_file(o.report, render_html_report(claims, sig)); !s) return fail(s.error());
  }
  if (o.json) {
    std::cout << claims.dump(2) << "\n";
  } else {
    std::cout << "host " << r.host_name << ": " << r.status << "  (nonce " << r.nonce_hex
              << ", verified at " << x509::rfc3339(r.at) << ")\n";
    for (const auto& s : r.submods) {
      std::cout << "  " << s.label << "  " << s.status;
      if (s.kind != "host") {
        std::cout << "  " << s.name << "  " << s.eccn << "  " << s.assurance;
      }
      std::cout << "\n";
      if (s.location) std::cout << "      location: " << s.location->verdict << "\n";
      for (const auto& f : s.findings) {
        if (f.severity == Severity::kInfo) continue;
        std::cout << "      [" << severity_name(f.severity) << "] " << f.code << ": " << f.message
                  << "\n";
      }
    }
    std::cout << "signed EAR (kid " << kid << ") written to " << o.out << "\n";
  }
  return r.status == "affirming" ? 0 : 1;
}

struct ReportOptions {
  std::string token, out, jwks;
};

Result<Json> segment_json(std::string_view seg, const std::string& where) {
  auto b = base64url_decode(seg);
  if (!b) return make_error("jose.bad-format", where, "not base64url");
  return parse_json_strict(std::string_view(reinterpret_cast<const char*>(b->data()), b->size()),
                           where);
}

int run_report(const ReportOptions& o, Context& ctx) {
  auto token_text = read_file(o.token, 1u << 20);
  if (!token_text) return fail(token_text.error());
  std::string token = *token_text;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  ReportSignature sig;
  sig.token_sha256 = sha256_hex(token);
  Json claims;
  if (!o.jwks.empty()) {
    auto keys_text = read_file(o.jwks, 1u << 20);
    if (!keys_text) return fail(keys_text.error());
    auto keys = jose::parse_jwks(*keys_text, o.jwks);
    if (!keys) return fail(keys.error());
    auto v = jose::verify_compact(token, *keys, o.token);
    if (!v) {
      std::cerr << "INVALID " << v.error().to_string() << "\n";
      return 1;
    }
    ear::ReadOptions ro;
    auto e = ear::read_ear(v->payload, o.token, ro);
    if (!e) {
      std::cerr << "INVALID " << e.error().to_string() << "\n";
      return 1;
    }
    sig.verified = true;
    sig.kid = v->kid;
    sig.alg = "ES256";
    for (const auto& k : keys->keys)
      if (k.kid == v->kid) sig.jwk = jose::public_jwk(k.key.get(), k.kid);
    claims = v->payload;
  } else {
    const size_t a = token.find('.'), b = a == std::string::npos ? a : token.find('.', a + 1);
    if (b == std::string::npos)
      return fail(make_error("jose.bad-format", o.token, "not a compact JWS"));
    auto header = segment_json(std::string_view(token).substr(0, a), o.token + " header");
    if (!header) return fail(header.error());
    auto payload =
        segment_json(std::string_view(token).substr(a + 1, b - a - 1), o.token + " payload");
    if (!payload) return fail(payload.error());
    sig.kid = header->value("kid", "");
    sig.alg = header->value("alg", "");
    claims = std::move(*payload);
  }
  std::string html;
  if (claims.value("eat_profile", "") == location::kProfileLocation) {
    auto b = location::Boundaries::load(ctx.profiles());
    if (!b) return fail(b.error());
    auto restricted = default_restricted_locations(ctx);
    if (!restricted) return fail(restricted.error());
    html = render_location_report(claims, sig, *b, *restricted);
  } else {
    html = render_html_report(claims, sig);
  }
  if (auto s = write_file(o.out, html); !s) return fail(s.error());
  std::cout << "report written to " << o.out
            << (sig.verified ? " (signature verified)" : " (signature NOT verified: no --jwks)")
            << "\n";
  return 0;
}

}  // namespace

void add_verify(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* v = app.add_subcommand(
      "verify",
      "The pipeline: appraise an evidence bundle (nonce, host TPM quote with the inventory "
      "binding, NVIDIA evidence, reported devices through the registry, npu-smi output), apply "
      "the export policy and licence, and write a signed EAR result. Offline. Exit 0: "
      "affirming; 1: warning or contraindicated; 2: bad input.");
  v->add_option("bundle", o->bundle, "evidence bundle JSON (docs/bundle.schema.json)")->required();
  v->add_option("--key", o->key, "result signing key (PEM EC P-256, accel-attest keygen)")
      ->required();
  v->add_option("--out", o->out, "where to write the signed result (compact JWT)")->required();
  auto* store = v->add_option("--store", o->store,
                              "nonce store (SQLite) that issued the nonce; it is consumed");
  auto* nonce = v->add_option("--nonce", o->nonce,
                              "the nonce the caller issued, in hex (instead of --store)");
  store->excludes(nonce);
  v->add_option("--policy", o->policy,
                "export policy (default firmware-profiles/policy/export-policy.json)");
  v->add_option("--licence", o->licence, "licence file (docs/policy.md)");
  v->add_option("--time", o->time,
                "verification time, RFC 3339 (default now): certificates, RIM signers and the "
                "licence are checked at this time");
  v->add_option("--rim-store", o->rim_store, "directory of NVIDIA RIMs named <RIM_ID>.xml");
  v->add_option("--crl", o->crl, "directory of CRL files");
  v->add_option("--ocsp", o->ocsp, "directory of stored DER OCSP responses");
  v->add_option("--max-revocation-age", o->max_revocation_age,
                "seconds a CRL or OCSP response without nextUpdate stays current after its "
                "thisUpdate (default 604800, 7 days); older ones are stale")
      ->check(CLI::Range(1L, 86400L * 366));
  v->add_option("--ak-ca", o->ak_ca, "trust anchor for the TPM AK certificate (DER or PEM)");
  v->add_option("--ak-intermediate", o->ak_intermediates, "intermediate CA for the AK certificate");
  v->add_option("--pcr-policy", o->pcr_policy, "PCR policy JSON (docs/tpm.md)");
  v->add_option("--ttl", o->ttl, "seconds the result stays valid (exp = iat + ttl; default 86400)")
      ->check(CLI::Range(60L, 86400L * 366));
  v->add_option("--report", o->report, "also write the HTML audit report here");
  v->add_option("--landmarks", o->landmarks,
                "trusted landmarks (certs/landmarks): appraise the bundle's location evidence");
  v->add_option("--allowed", o->allowed,
                "countries a device may be in (default: the licence's destination)")
      ->delimiter(',');
  v->add_option("--device-root", o->device_root,
                "root for simulated (sim-p384) device chains in location evidence; tests only");
  v->add_option("--location-out", o->location_out,
                "also write the host's signed location attestation here (needs --landmarks)");
  v->add_flag("--json", o->json, "print the signed claims as JSON");
  v->callback([o, &ctx] {
    ctx.exit_code = run_verify(*o, ctx, std::string("accel-attest ") + ACCEL_ATTEST_VERSION);
  });

  auto r = std::make_shared<ReportOptions>();
  CLI::App* rep = app.add_subcommand(
      "report",
      "Write the HTML audit report of a signed result: one self-contained page with the verdict, "
      "a row per device, the findings explained, digests and the signing key. With --jwks the "
      "signature is verified first (exit 1 if it does not verify).");
  rep->add_option("token", r->token, "the signed result (compact JWT)")->required();
  rep->add_option("-o,--out", r->out, "HTML file to write")->required();
  rep->add_option("--jwks", r->jwks, "JWKS of the verifier, to verify the signature");
  rep->callback([r, &ctx] { ctx.exit_code = run_report(*r, ctx); });
}

}  // namespace aa::cli
