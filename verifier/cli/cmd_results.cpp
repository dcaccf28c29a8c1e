// Result keys and tokens: accel-attest keygen, jwks, verify-token.
#include <openssl/pem.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "accel_attest/verify.h"
#include "cli/commands.h"
#include "core/file_out.h"
#include "core/json_text.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "location/attestation.h"
#include "results/ear.h"
#include "results/ear_writer.h"
#include "results/jose.h"
#include "results/token.h"
#include "store/nonce_store.h"

namespace aa::cli {

Result<ossl::PKey> load_signing_key(const std::string& path) {
  AA_TRY(pem, read_file(path, 1u << 16));
  // The one P-256 key check, the library's (accel_attest::load_signer()).
  AA_TRY(signer, accel_attest::load_signer(pem, path));
  return std::move(signer.key);
}

namespace {

Json jwks_of(EVP_PKEY* key) {
  return Json{{"keys", Json::array({jose::public_jwk(key, jose::thumbprint(key))})}};
}

// Writes signing-key.pem (0600 from its first byte) and jwks.json to `dir`; an existing key or
// JWKS is kept (output.exists) unless `force`.
Status keygen(const std::string& dir, bool force) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string priv = (std::filesystem::path(dir) / "signing-key.pem").string();
  std::string pub = (std::filesystem::path(dir) / "jwks.json").string();
  const Overwrite mode = force ? Overwrite::kReplace : Overwrite::kNever;
  for (const auto& path : {priv, pub}) {
    if (!force &&
        std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::not_found) {
      return make_error("output.exists", path,
                        "already exists; keygen does not overwrite a key without --force");
    }
    AA_CHECK(check_writable(path));
  }
  ossl::PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return make_error("internal.error", "keygen", "key generation failed");
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error("internal.error", priv, "cannot encode the key");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0 || data == nullptr) return make_error("internal.error", priv, "cannot encode the key");
  AA_CHECK(
      cli::write_file_atomic(priv, std::string_view(data, static_cast<size_t>(n)), 0600, mode));
  AA_CHECK(cli::write_file_atomic(pub, json_text(jwks_of(key.get()), 2) + "\n", 0644, mode));
  if (output_state().json) {
    Json doc = document("keygen");
    doc["signing_key"] = priv;
    doc["jwks"] = pub;
    doc["kid"] = jose::thumbprint(key.get());
    std::cout << json_text(doc, 2) << "\n";
  } else {
    std::cout << "signing key " << priv << " (kid " << jose::thumbprint(key.get()) << "), JWKS "
              << pub << "\n";
  }
  return Ok{};
}

struct VerifyTokenOptions {
  std::string token, jwks, key, nonce, time, require = "affirming";
  std::vector<std::string> profiles;
  long skew = ear::kDefaultSkew;
  bool json = false, legacy = false;
  std::string fail_on;
};

int verify_token(const VerifyTokenOptions& o) {
  auto token = read_file(o.token, jose::kMaxTokenBytes + 2);
  if (!token) return fail(token.error());
  auto keys = load_verification_keys(o.jwks, o.key);
  if (!keys) return fail(keys.error());
  auto now = verification_time(o.time);
  if (!now) return fail(now.error());
  auto bad = [&](const Error& e) {
    if (o.json) {
      Json doc = document("verify-token");
      doc["valid"] = false;
      doc["findings"] = Json::array({finding_json(Finding{e.code, e.message, e.field}, o.token)});
      std::cout << json_text(doc, 2) << "\n";
    } else {
      std::cout << "INVALID " << e.to_string() << "\n";
    }
    return 1;
  };
  ear::TokenPolicy p;
  p.read.allow_float_times = o.legacy;
  if (!o.nonce.empty()) p.read.expected_nonce = o.nonce;
  p.read.now = *now;
  p.read.skew = o.skew;
  p.profiles = o.profiles;
  auto v = ear::verify_result_token(*token, *keys, o.token, p);
  if (!v) return bad(v.error());
  const ear::Claims& e = v->claims;
  // Verified, but is it good enough? A refusal still shows the verified statuses (and with
  // --json the claims), so that the caller sees why.
  if (auto m = ear::meets(e, o.require, o.token); !m) {
    if (o.json) {
      Json doc = document("verify-token");
      doc["valid"] = false;
      doc["findings"] = Json::array(
          {finding_json(Finding{m.error().code, m.error().message, m.error().field}, o.token)});
      doc["required"] = o.require;
      doc["status"] = e.status ? Json(to_string(*e.status)) : Json(nullptr);
      doc["claims"] = v->jws.payload;
      std::cout << json_text(doc, 2) << "\n";
    } else {
      std::cout << "INVALID " << m.error().to_string() << "\n";
      for (const auto& a : e.submods)
        std::cout << "  " << a.label << ": " << to_string(a.status) << "\n";
    }
    return 1;
  }
  if (o.json) {
    Json subs = Json::object();
    for (const auto& a : e.submods)
      subs[a.label] = {{"status", to_string(a.status)},
                       {"trust_vector", a.trust_vector},
                       {"profile", a.profile ? Json(*a.profile) : Json(nullptr)},
                       {"policy_ids", a.policy_ids}};
    Json doc = document("verify-token");
    doc.update(Json{{"valid", true},
                    {"kid", v->jws.kid},
                    {"thumbprint", v->thumbprint},
                    {"profile", e.profile},
                    {"appraisal_profile", ear::appraisal_profile(e)},
                    {"legacy_profile", e.profile == ear::kProfileAccelAttestV1},
                    {"issued_at", x509::rfc3339(static_cast<std::time_t>(e.iat))},
                    {"status", e.status ? Json(to_string(*e.status)) : Json(nullptr)},
                    {"required", o.require},
                    {"verifier", {{"developer", e.developer}, {"build", e.build}}},
                    {"submods", subs},
                    {"claims", v->jws.payload}});
    std::cout << json_text(doc, 2) << "\n";
  } else {
    std::cout << "VALID EAR, key " << v->jws.kid << ", profile " << ear::profile_summary(e)
              << ", issued " << e.iat
              << (e.status ? ", status " + std::string(to_string(*e.status)) : std::string())
              << " (meets --require " << o.require << ")\n";
    for (const auto& a : e.submods)
      std::cout << "  " << a.label << ": " << to_string(a.status) << "\n";
  }
  return 0;
}

}  // namespace

Result<jose::Jwks> load_verification_keys(const std::string& jwks, const std::string& key) {
  if (!jwks.empty() && !key.empty()) {
    return make_error("input.bad-value", "--key", "give --jwks or --key, not both");
  }
  if (!jwks.empty()) {
    AA_TRY(text, read_file(jwks, 1u << 20));
    return jose::parse_jwks(text, jwks);
  }
  if (!key.empty()) {
    AA_TRY(text, read_file(key, 1u << 16));
    return jose::jwks_from_pem(text, key);
  }
  return make_error("input.missing-field", "--jwks",
                    "a JWKS (--jwks) or a PEM key (--key) is needed");
}

void add_results(CLI::App& app, Context& ctx) {
  auto store = std::make_shared<std::string>("accel-attest.sqlite");
  auto ttl = std::make_shared<long>(600);
  CLI::App* ch = app.add_subcommand(
      "challenge",
      "Issue a fresh 32-byte nonce (hex on stdout), recorded in the nonce store with an expiry; "
      "`verify` accepts each nonce once, before it expires.");
  ch->add_option("--store", *store, "nonce store, an SQLite file (default ./accel-attest.sqlite)");
  ch->add_option("--ttl", *ttl, "seconds until the nonce expires (default 600)")
      ->check(CLI::Range(1L, 86400L * 7));
  ch->add_flag("--json")->description(
      "print JSON (schema accel-attest/challenge/v1: nonce, expires_at)");
  ch->callback([store, ttl, &ctx] {
    auto s = NonceStore::open(*store);
    if (!s) {
      ctx.exit_code = fail(s.error());
      return;
    }
    auto n = s->issue(std::time(nullptr), *ttl);
    if (!n) {
      ctx.exit_code = fail(n.error());
      return;
    }
    if (output_state().json) {
      Json doc = document("challenge");
      doc["nonce"] = *n;
      doc["expires_at"] = x509::rfc3339(std::time(nullptr) + *ttl);
      std::cout << json_text(doc, 2) << "\n";
    } else {
      std::cout << *n << "\n";
    }
    ctx.exit_code = 0;
  });

  auto dir = std::make_shared<std::string>();
  CLI::App* kg = app.add_subcommand(
      "keygen",
      "Write a new ES256 (P-256) result signing key (signing-key.pem, mode 0600) and its "
      "JWKS (jwks.json) to --out; an existing key is never replaced without --force.");
  auto force = std::make_shared<bool>(false);
  kg->add_option("--out", *dir, "output directory")->required();
  kg->add_flag("--force", *force, "replace an existing signing-key.pem and jwks.json");
  kg->add_flag("--json")->description("print JSON (schema accel-attest/keygen/v1)");
  kg->callback([dir, force, &ctx] { ctx.exit_code = exit_code(keygen(*dir, *force)); });
  auto key = std::make_shared<std::string>();
  CLI::App* jw = app.add_subcommand("jwks", "Print the JWKS of a result signing key.");
  jw->add_option("key", *key, "PEM EC P-256 private key ('-' for stdin)")->required();
  jw->add_flag("--json")->description(
      "print the JWKS inside a document (schema accel-attest/jwks/v1)");
  jw->callback([key, &ctx] {
    auto k = load_signing_key(*key);
    if (!k) {
      ctx.exit_code = fail(k.error());
      return;
    }
    if (output_state().json) {
      Json doc = document("jwks");
      doc["jwks"] = jwks_of(k->get());
      std::cout << json_text(doc, 2) << "\n";
    } else {
      std::cout << jwks_of(k->get()).dump(2) << "\n";
    }
    ctx.exit_code = 0;
  });
  auto vo = std::make_shared<VerifyTokenOptions>();
  CLI::App* vt = app.add_subcommand(
      "verify-token",
      "For relying parties: verify an EAR attestation-result JWT with a JWKS or a PEM key (ES256 "
      "pinned, exactly three segments, integer times, exp, nbf and iat at --time, the EAR claims "
      "in draft-03 or dotted names) and require its status. Exit 0: valid and every status "
      "meets --require; 1: invalid or below it; 2: bad input; 3: internal error. So `verify-token "
      "&& provision` "
      "provisions only on a verified result that is good enough.");
  vt->add_option("token", vo->token, "file holding the compact JWT")->required();
  auto* jwks_opt = vt->add_option("--jwks", vo->jwks, "JWKS (or one JWK) of the verifier");
  auto* key_opt = vt->add_option(
      "--key", vo->key, "PEM EC P-256 public key, or a private key whose public half is used");
  jwks_opt->excludes(key_opt);
  vt->add_option("--nonce", vo->nonce,
                 "the nonce the relying party sent (eat_nonce), compared as bytes: hex in "
                 "either case, or base64url / base64 of the same bytes (padding optional); "
                 "accel-attest's tokens carry it as base64url")
      ->check(token_nonce());
  vt->add_option("--profile", vo->profiles,
                 "accept only this eat_profile, the token's or the one all its appraisals carry "
                 "(repeatable); accel-attest's results (draft-03 tokens, and those of its older "
                 "profile tag:accel-attest.example,2026:ear#1) are also checked against its "
                 "extension schema");
  vt->add_option("--time", vo->time, "check exp, nbf and iat at this RFC 3339 time (default now)");
  vt->add_option("--skew", vo->skew,
                 "seconds of clock skew allowed for nbf and a future iat (default 300; exp gets "
                 "none)")
      ->check(CLI::Range(0L, 86400L));
  auto* require = vt->add_option("--require", vo->require,
                                 "the status every appraisal must have: affirming (default), or "
                                 "warning to accept affirming and warning")
                      ->check(CLI::IsMember({"affirming", "warning"}));
  vt->add_option("--fail-on", vo->fail_on,
                 "exit 1 when an appraisal's status reaches this: warning (the default, as "
                 "--require affirming) or fail (as --require warning)")
      ->check(CLI::IsMember({"warning", "fail"}))
      ->excludes(require);
  vt->add_flag("--allow-float-times", vo->legacy,
               "accept floating-point iat/exp (2023 Veraison tokens); EAT forbids them");
  vt->add_flag("--json", vo->json, "print JSON (schema accel-attest/verify-token/v1)");
  vt->callback([vo, &ctx] {
    if (!vo->fail_on.empty()) vo->require = vo->fail_on == "warning" ? "affirming" : "warning";
    ctx.exit_code = verify_token(*vo);
  });
}

}  // namespace aa::cli
