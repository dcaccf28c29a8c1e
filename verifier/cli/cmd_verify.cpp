// accel-attest verify (the pipeline: bundle in, signed EAR out) and accel-attest report (the
// HTML audit report of a signed result).
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>

#include "accel_attest/accel_attest.h"
#include "bundle/bundle.h"
#include "cli/commands.h"
#include "core/bytes.h"
#include "core/country.h"
#include "core/file_out.h"
#include "core/json_text.h"
#include "core/terminal.h"
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
#include "results/token.h"
#include "rim/rim_store.h"
#include "store/nonce_store.h"

namespace aa::cli {

namespace {

constexpr size_t kMaxBundle = 32u << 20;

struct VerifyOptions {
  std::string bundle, key, out, store, nonce, policy, licence, time, end_user_hq;
  std::string rim_store, crl, ocsp, ak_ca, pcr_policy, report;
  std::string landmarks, device_root, location_out;
  std::vector<std::string> allowed;
  std::vector<std::string> ak_intermediates;
  std::vector<std::string> enrolment_keys;
  long ttl = 86400;
  long max_revocation_age = RevocationLimits::kDefaultMaxAge;
  bool json = false, allow_debug_modes = false;
  std::string fail_on = "warning";
};

// Atomically: a failed or killed write leaves the old file (core/file_out.h).
Status write_file(const std::string& path, const std::string& body) {
  return write_file_atomic(path, body);
}

// Every output of `verify` can be written; checked before the nonce is consumed, so that an
// output that cannot be written does not cost the caller its evidence.
Status check_outputs(const VerifyOptions& o) {
  AA_CHECK(check_writable(o.out, "--out"));
  if (!o.location_out.empty()) AA_CHECK(check_writable(o.location_out, "--location-out"));
  if (!o.report.empty()) AA_CHECK(check_writable(o.report, "--report"));
  return Ok{};
}

// The token verified as `verify-token` would (any status), for the report's signature
// section: the key named by kid and thumbprint, and the command that re-verifies it. The
// verified claims are moved to `claims` when it is given.
Result<ReportSignature> report_signature(const std::string& token, const jose::Jwks& keys,
                                         const std::string& token_path, std::time_t now, long skew,
                                         const std::string& reverify, Json* claims = nullptr) {
  ear::TokenPolicy p;
  p.read.now = now;
  p.read.skew = skew;
  AA_TRY(v, ear::verify_result_token(token, keys, token_path, p));
  ReportSignature sig;
  sig.verified = true;
  sig.kid = v.jws.kid;
  sig.alg = "ES256";
  sig.token_sha256 = sha256_hex(token);
  sig.jwk = v.jwk;
  sig.thumbprint = v.thumbprint;
  sig.checked_at = x509::rfc3339(now);
  sig.reverify = reverify;
  if (claims) *claims = std::move(v.jws.payload);
  return sig;
}

// `verify --report`: the token just signed, verified with the public half of the signing key
// (the one in memory, not the file again).
Result<ReportSignature> own_report_signature(const std::string& token,
                                             const std::string& token_path, EVP_PKEY* key,
                                             const std::string& key_path) {
  AA_TRY(keys, jose::parse_jwks(jose::public_jwk(key, jose::thumbprint(key)).dump(), key_path));
  return report_signature(token, keys, token_path, std::time(nullptr), ear::kDefaultSkew,
                          "accel-attest verify-token " + ear::shell_word(token_path) + " --key " +
                              ear::shell_word(key_path));
}

// No output overwrites an input or another output: `--out signing-key.pem` would destroy the
// key, `--report` on `--out` the token. Compared as absolute, normalised paths.
using Named = std::vector<std::pair<std::string, std::string>>;  // option, path

Status no_overwrite(const Named& inputs, const Named& outputs) {
  namespace fs = std::filesystem;
  auto norm = [](const std::string& p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
    return ec ? fs::absolute(p).lexically_normal().string() : c.string();
  };
  int to_stdout = 0;
  for (const auto& [name, path] : outputs) {
    if (path == "-" && ++to_stdout > 1) {
      return make_error("input.bad-value", name,
                        "only one output can go to standard output ('-'): give this one a path");
    }
  }
  for (size_t a = 0; a < outputs.size(); ++a) {
    const auto& [name, path] = outputs[a];
    if (path.empty() || path == "-") continue;
    for (const auto& [iname, ipath] : inputs) {
      if (!ipath.empty() && ipath != "-" && norm(ipath) == norm(path)) {
        return make_error("input.bad-value", name,
                          "is the " + iname + " input: it would be overwritten");
      }
    }
    for (size_t b = a + 1; b < outputs.size(); ++b) {
      const auto& [oname, opath] = outputs[b];
      if (!opath.empty() && opath != "-" && norm(opath) == norm(path)) {
        return make_error("input.bad-value", oname,
                          "is also " + name + ": give each output its own file");
      }
    }
  }
  return Ok{};
}

Status check_output_paths(const VerifyOptions& o) {
  Named inputs = {{"bundle", o.bundle},   {"--key", o.key},     {"--licence", o.licence},
                  {"--policy", o.policy}, {"--ak-ca", o.ak_ca}, {"--pcr-policy", o.pcr_policy}};
  for (const auto& i : o.ak_intermediates) inputs.emplace_back("--ak-intermediate", i);
  for (const auto& i : o.enrolment_keys) inputs.emplace_back("--enrolment-key", i);
  return no_overwrite(
      inputs, {{"--out", o.out}, {"--report", o.report}, {"--location-out", o.location_out}});
}

// The library's errors name its members; the CLI's name the options that feed them.
Error as_option_error(Error e) {
  static const std::map<std::string, std::string> kOption = {{"end_user_hq", "--end-user-hq"},
                                                             {"allowed_locations", "--allowed"},
                                                             {"expected_nonce", "--nonce"}};
  if (auto it = kOption.find(e.field); it != kOption.end()) e.field = it->second;
  return e;
}

int run_verify(const VerifyOptions& o, Context& ctx, const std::string& build) {
  auto key_pem = read_file(o.key, 1u << 16);
  if (!key_pem) return fail(key_pem.error());
  auto signer = accel_attest::load_signer(*key_pem, o.key, build);
  if (!signer) return fail(signer.error());
  if (auto s = check_output_paths(o); !s) return fail(s.error());
  accel_attest::ReferenceFiles files;
  accel_attest::ReferenceBytes bytes;
  files.profiles_dir = ctx.profiles();
  files.rim_store = o.rim_store;
  files.crl_dir = o.crl;
  files.ocsp_dir = o.ocsp;
  files.max_revocation_age = o.max_revocation_age;
  files.landmarks = o.landmarks;
  files.device_root = o.device_root;
  // Directories and the test root are read by the library; a file the CLI reads itself ('-'
  // is stdin, once) goes to it as bytes.
  for (auto [opt, value] : {std::pair{"--rim-store", &o.rim_store}, std::pair{"--crl", &o.crl},
                            std::pair{"--ocsp", &o.ocsp}, std::pair{"--landmarks", &o.landmarks},
                            std::pair{"--device-root", &o.device_root}}) {
    if (*value == "-") {
      return fail(make_error("input.bad-value", opt, "a directory or file path; '-' is not one"));
    }
  }
  if (!o.policy.empty()) {
    auto t = read_file(o.policy, 1u << 20);
    if (!t) return fail(t.error());
    bytes.policy_json = std::move(*t);
    bytes.policy_origin = o.policy;
  }
  if (!o.ak_ca.empty()) {
    auto t = read_file(o.ak_ca, 1u << 20);
    if (!t) return fail(t.error());
    bytes.ak_ca = Bytes(t->begin(), t->end());
    bytes.ak_ca_origin = o.ak_ca;
  }
  for (const auto& path : o.ak_intermediates) {
    auto t = read_file(path, 1u << 20);
    if (!t) return fail(t.error());
    bytes.ak_intermediates.emplace_back(t->begin(), t->end());
    bytes.ak_intermediate_origins.push_back(path);
  }
  files.enrolment_keys = o.enrolment_keys;
  if (!o.pcr_policy.empty()) {
    auto t = read_file(o.pcr_policy, 1u << 20);
    if (!t) return fail(t.error());
    bytes.pcr_policy_json = std::move(*t);
    bytes.pcr_policy_origin = o.pcr_policy;
  }
  auto refs = accel_attest::References::load(files, bytes);
  if (!refs) return fail(refs.error());
  accel_attest::VerifyOptions vo;
  vo.origin = o.bundle;
  vo.allow_debug_modes = o.allow_debug_modes;
  if (!o.licence.empty()) {
    auto lt = read_file(o.licence, 4u << 20);
    if (!lt) return fail(lt.error());
    auto lic = accel_attest::parse_licence(*lt, o.licence);
    if (!lic) return fail(lic.error());
    vo.licence = std::move(*lic);
  }
  if (!o.end_user_hq.empty()) vo.end_user_hq = o.end_user_hq;
  auto at = verification_time(o.time);
  if (!at) return fail(at.error());
  vo.at = *at;
  if (!o.location_out.empty() && !refs->locates()) {
    return fail(make_error("input.missing-field", "--location-out", "needs --landmarks"));
  }
  if (auto s = check_outputs(o); !s) return fail(s.error());
  vo.allowed_locations.insert(o.allowed.begin(), o.allowed.end());
  std::unique_ptr<accel_attest::NonceStore> store;
  if (!o.nonce.empty()) {
    auto n = accel_attest::parse_nonce(o.nonce, "--nonce");
    if (!n) return fail(n.error());
    vo.expected_nonce = std::move(*n);
  } else if (!o.store.empty()) {
    auto st = accel_attest::open_sqlite_nonce_store(o.store);
    if (!st) return fail(st.error());
    store = std::move(*st);
    vo.nonce_store = store.get();
  }
  const std::time_t now = std::time(nullptr);
  vo.now = now;
  auto text = read_file(o.bundle, kMaxBundle);
  if (!text) return fail(text.error());
  // Every check that can refuse the options runs inside verify() before the nonce is consumed.
  auto v = accel_attest::verify(*refs, *text, vo);
  if (!v) return fail(as_option_error(v.error()));
  const PipelineResult& r = v->result;
  Json claims = accel_attest::result_claims(*v, *signer, now, o.ttl);
  const std::string& kid = signer->kid;
  auto signed_token = accel_attest::sign_claims(*signer, claims);
  if (!signed_token) return fail(signed_token.error());
  const std::string token = *signed_token;
  if (auto s = write_file(o.out, token + "\n"); !s) return fail(s.error());
  if (!o.location_out.empty()) {
    auto lc = accel_attest::location_claims(*refs, *v, *signer, now, o.ttl);
    if (!lc) return fail(lc.error());
    auto location_token = accel_attest::sign_claims(*signer, *lc);
    if (!location_token) return fail(location_token.error());
    if (auto s = write_file(o.location_out, *location_token + "\n"); !s) return fail(s.error());
  }
  if (!o.report.empty()) {
    auto sig = own_report_signature(token, o.out, signer->key.get(), o.key);
    if (!sig) return fail(sig.error());
    if (auto s = write_file(o.report, render_html_report(claims, *sig)); !s) return fail(s.error());
  }
  if (o.json) {
    Json doc = document("verify");
    doc["token"] = o.out;
    doc["kid"] = kid;
    doc["status"] = to_string(r.status);
    Json fs = Json::array();
    for (const auto& s : r.submods)
      for (const auto& f : s.findings) fs.push_back(finding_json(f, s.label));
    doc["findings"] = fs;
    doc["claims"] = claims;
    std::cout << json_text(doc, 2) << "\n";
  } else {
    // The host name, labels, names and messages come from the bundle: escaped for a terminal.
    std::cout << "host " << terminal_safe(r.host_name) << ": " << to_string(r.status) << "  (nonce "
              << terminal_safe(r.nonce_hex) << ", verified at " << x509::rfc3339(r.at) << ")\n";
    for (const auto& s : r.submods) {
      std::cout << "  " << terminal_safe(s.label) << "  " << to_string(s.status);
      if (s.kind != DeviceKind::kHost) {
        std::cout << "  " << terminal_safe(s.name) << "  " << s.eccn
                  << (s.secondary.empty() ? "" : " (" + s.secondary + ")") << "  "
                  << to_string(s.assurance);
      } else if (!s.eccn.empty()) {
        std::cout << "  as a computer: " << s.eccn;
      }
      std::cout << "\n";
      if (s.location) std::cout << "      location: " << s.location->verdict << "\n";
      for (const auto& f : s.findings) {
        if (f.severity == Severity::kInfo) continue;
        std::cout << "      [" << to_string(f.severity) << "] " << f.code << ": "
                  << terminal_safe(f.message) << "\n";
      }
    }
    std::cout << "signed EAR (kid " << kid << ") written to " << terminal_safe(o.out) << "\n";
  }
  return verdict_exit(r.status, o.fail_on);
}

struct ReportOptions {
  std::string token, out, jwks, key, time;
  long skew = ear::kDefaultSkew;
  bool unverified = false;
};

int run_report(const ReportOptions& o, Context& ctx) {
  if (auto s = no_overwrite({{"token", o.token}, {"--jwks", o.jwks}, {"--key", o.key}},
                            {{"--out", o.out}});
      !s) {
    return fail(s.error());
  }
  if (o.jwks.empty() && o.key.empty() && !o.unverified) {
    return fail(make_error("input.missing-field", "--jwks",
                           "the report verifies the token first: give --jwks or --key (or "
                           "--unverified for a page marked UNVERIFIED, with no verdict)"));
  }
  auto token_text = read_file(o.token, jose::kMaxTokenBytes + 2);
  if (!token_text) return fail(token_text.error());
  std::string token = *token_text;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  ReportSignature sig;
  Json claims;
  if (!o.unverified) {
    auto keys = load_verification_keys(o.jwks, o.key);
    if (!keys) return fail(keys.error());
    auto now = verification_time(o.time);
    if (!now) return fail(now.error());
    std::string cmd = "accel-attest verify-token " + ear::shell_word(o.token) +
                      (o.jwks.empty() ? " --key " + ear::shell_word(o.key)
                                      : " --jwks " + ear::shell_word(o.jwks));
    if (!o.time.empty()) cmd += " --time " + ear::shell_word(o.time);
    if (o.skew != ear::kDefaultSkew) cmd += " --skew " + std::to_string(o.skew);
    auto s = report_signature(token, *keys, o.token, *now, o.skew, cmd, &claims);
    if (!s) return fail(s.error());  // fail closed: no page for a result that does not verify
    sig = std::move(*s);
  } else {
    auto d = jose::decode_unverified(token, o.token);
    if (!d) return fail(d.error());
    JsonAt h(d->header, o.token + " header");
    for (auto [name, into] : {std::pair{"kid", &sig.kid}, std::pair{"alg", &sig.alg}}) {
      if (auto f = h.optional_field(name)) {
        auto v = f->string();
        if (!v) return fail(make_error("jose.bad-header", v.error().field, v.error().message));
        *into = *v;
      }
    }
    sig.token_sha256 = sha256_hex(token);
    sig.reverify = "accel-attest verify-token " + ear::shell_word(o.token) + " --jwks jwks.json";
    claims = std::move(d->payload);
  }
  std::string html;
  auto profile = claims.find("eat_profile");
  if (profile != claims.end() && *profile == location::kProfileLocation) {
    auto b = location::Boundaries::load(ctx.profiles());
    if (!b) return fail(b.error());
    auto restricted = default_restricted_locations(ctx);
    if (!restricted) return fail(restricted.error());
    html = render_location_report(claims, sig, *b, *restricted);
  } else {
    html = render_html_report(claims, sig);
  }
  if (auto s = write_file(o.out, html); !s) return fail(s.error());
  if (output_state().json) {
    Json doc = document("report");
    doc["out"] = o.out;
    doc["verified"] = sig.verified;
    doc["kid"] = sig.kid;
    doc["thumbprint"] = sig.thumbprint;
    std::cout << json_text(doc, 2) << "\n";
  } else if (sig.verified) {
    std::cout << "report written to " << o.out << " (signature verified, kid " << sig.kid
              << ", thumbprint " << sig.thumbprint << ")\n";
  } else {
    std::cout << "report written to " << o.out
              << " (UNVERIFIED: signature NOT verified, --unverified; the page gives no verdict)\n";
  }
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
      "affirming; 1: warning or contraindicated (with --fail-on fail: contraindicated only); 2: "
      "bad "
      "input; 3: internal error.");
  v->add_option("bundle", o->bundle, "evidence bundle JSON (docs/bundle.schema.json)")->required();
  v->add_option("--key", o->key, "result signing key (PEM EC P-256, accel-attest keygen)")
      ->required();
  v->add_option("--out", o->out, "where to write the signed result (compact JWT)")->required();
  auto* store = v->add_option("--store", o->store,
                              "nonce store (SQLite) that issued the nonce; it is consumed");
  auto* nonce =
      v->add_option("--nonce", o->nonce, "the nonce the caller issued, in hex (instead of --store)")
          ->check(nonce_given());
  store->excludes(nonce);
  v->add_option("--policy", o->policy,
                "export policy (default firmware-profiles/policy/export-policy.json)");
  v->add_option("--licence", o->licence, "licence file (docs/policy.md)");
  v->add_option("--end-user-hq", o->end_user_hq,
                "country (ISO 3166-1 alpha-2) of the end user's headquarters when no licence "
                "gives it: the headquarters rule is checked against it (docs/policy.md)");
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
  v->add_flag("--allow-debug-modes", o->allow_debug_modes,
              "an NVIDIA device reporting devtools or debug mode is a warning, not a failure");
  v->add_option("--ak-ca", o->ak_ca, "trust anchor for the TPM AK certificate (DER or PEM)");
  v->add_option("--ak-intermediate", o->ak_intermediates, "intermediate CA for the AK certificate");
  v->add_option("--enrolment-key", o->enrolment_keys,
                "key(s) whose AK enrolment records are trusted (tpm check-answer --record): JWKS "
                "or PEM EC P-256");
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
  v->add_flag("--json", o->json,
              "print the status, the findings and the signed claims as JSON (schema "
              "accel-attest/verify/v1)");
  add_fail_on(v, o->fail_on);
  v->callback([o, &ctx] {
    ctx.exit_code = run_verify(*o, ctx, std::string("accel-attest ") + ACCEL_ATTEST_VERSION);
  });

  auto r = std::make_shared<ReportOptions>();
  CLI::App* rep = app.add_subcommand(
      "report",
      "Write the HTML audit report of a signed result: one self-contained page with the verdict, "
      "a row per device, the findings explained, digests, the signing key and the command that "
      "re-verifies the result. The token is verified first with --jwks or --key, as "
      "verify-token does (any status): exit 2, and no page, when it does not verify. Only "
      "--unverified renders without a key, on a page marked UNVERIFIED with no verdict.");
  rep->add_option("token", r->token, "the signed result (compact JWT)")->required();
  rep->add_option("-o,--out", r->out, "HTML file to write")->required();
  auto* rj = rep->add_option("--jwks", r->jwks, "JWKS of the verifier, to verify the token");
  auto* rk = rep->add_option("--key", r->key,
                             "PEM EC P-256 public key (or a private key: its public half is used)");
  auto* ru = rep->add_flag("--unverified", r->unverified,
                           "render without verifying: the page says UNVERIFIED, no verdict");
  rj->excludes(rk);
  rj->excludes(ru);
  rk->excludes(ru);
  rep->add_option("--time", r->time, "check exp, nbf and iat at this RFC 3339 time (default now)");
  rep->add_option("--skew", r->skew, "seconds of clock skew for nbf and iat (default 300)")
      ->check(CLI::Range(0L, 86400L));
  rep->add_flag("--json")->description("print JSON (schema accel-attest/report/v1)");
  rep->callback([r, &ctx] { ctx.exit_code = run_report(*r, ctx); });
}

}  // namespace aa::cli
