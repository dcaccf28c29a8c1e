#include "results/ear.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/bytes.h"

namespace aa::ear {

namespace {

// Each failed signature or chain check, by the code of its finding, and the AR4SI claims it
// underwrites (docs/results.md "Trust-vector values"). A device's SPDM report signature and its
// certificate chain carry everything the report says; a RIM's signature and chain carry the
// reference values the measurements are judged by; the TPM quote's signature carries the whole
// host appraisal and the AK certificate chain the TPM's identity; a location record's landmark
// signature, a device's signed probe response and a simulated device chain carry the location
// data, which is sourced data.
struct CryptoRule {
  const char* code;
  std::vector<std::string> claims;
  const char* pointer_part = nullptr;  // only findings whose pointer contains it
};

const std::vector<CryptoRule>& crypto_rules() {
  static const std::vector<std::string> report = {"instance-identity", "hardware", "executables",
                                                  "configuration"};
  static const std::vector<std::string> quote = {"instance-identity", "hardware", "executables"};
  static const std::vector<CryptoRule> rules = {
      {"nvidia.signature.invalid", report},
      {"nvidia.chain.invalid", report},
      {"nvidia.chain.expired", report},
      {"nvidia.rim.signature-invalid", {"executables"}},
      {"nvidia.rim.chain-invalid", {"executables"}},
      {"nvidia.rim.expired", {"executables"}},
      {"tpm.signature-invalid", quote},
      {"tpm.ak-cert-invalid", {"instance-identity"}},
      {"location.unknown-landmark", {"sourced-data"}},
      {"location.device-untrusted", {"sourced-data"}},
      // location.identity-unbound also says "no key was attested" (pointer: the device); only a
      // probe response that fails the device key's signature check is a cryptographic failure.
      {"location.identity-unbound", {"sourced-data"}, "/responses/"},
  };
  return rules;
}

Error missing(const std::string& where, const std::string& claim) {
  return make_error("ear.missing-claim", where + "#/" + claim, "required claim absent");
}

Result<int64_t> time_claim(const JsonAt& at, bool allow_float) {
  const Json& v = at.json();
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX}) {
    return make_error("ear.bad-claim", at.where(), "out of range");  // it would wrap negative
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    if (!allow_float) {
      return make_error("ear.float-time", at.where(),
                        "EAT times are integers; a floating-point time is an error");
    }
    double d = v.get<double>();
    if (!std::isfinite(d) || d < 0 || d > 9.2e18)
      return make_error("ear.bad-claim", at.where(), "out of range");
    return static_cast<int64_t>(d);
  }
  return make_error("ear.bad-claim", at.where(), "not a number");
}

}  // namespace

TrustTier tier_of_value(int v) {
  int a = std::abs(v);
  if (a <= 1) return TrustTier::kNone;
  if (a <= 31) return TrustTier::kAffirming;
  if (a <= 95) return TrustTier::kWarning;
  return TrustTier::kContraindicated;
}

std::optional<Bytes> nonce_spelling_bytes(std::string_view s) {
  const bool hex = !s.empty() && s.size() % 2 == 0 &&
                   std::all_of(s.begin(), s.end(), [](char c) { return hex_value(c) >= 0; });
  if (hex) return hex_decode(s);
  std::string t(s);
  while (!t.empty() && t.back() == '=') t.pop_back();
  const bool standard = t.find_first_of("+/") != std::string::npos;
  const bool url = t.find_first_of("-_") != std::string::npos;
  if (standard && url) return std::nullopt;  // two alphabets in one spelling
  for (char& c : t) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return base64url_decode(t);
}

bool eat_nonce_matches(std::string_view eat_nonce, std::string_view expected) {
  if (eat_nonce == expected) return true;
  auto want = nonce_spelling_bytes(expected);
  auto have = base64url_decode(eat_nonce);
  return want && have && *want == *have;
}

Result<Claims> read_ear(const Json& claims, const std::string& origin, const ReadOptions& o) {
  JsonAt root(claims, origin);
  AA_TRY(obj, root.object());
  Claims r;
  bool has_dotted = claims.contains("ear.verifier-id") || claims.contains("ear.status");
  bool has_ietf = claims.contains("ear_verifier_id") || claims.contains("ear_status");
  if (has_dotted && has_ietf) {
    return make_error("ear.bad-claim", origin, "mixes dotted and draft-03 claim names");
  }
  r.dotted_names = has_dotted;
  const char* k_vid = r.dotted_names ? "ear.verifier-id" : "ear_verifier_id";
  const char* k_status = r.dotted_names ? "ear.status" : "ear_status";
  const char* k_tv = r.dotted_names ? "ear.trustworthiness-vector" : "ear_trustworthiness_vector";

  auto prof = obj.optional_field("eat_profile");
  if (!prof) return missing(origin, "eat_profile");
  AA_TRY(ps, prof->string());
  r.profile = ps;
  auto iat = obj.optional_field("iat");
  if (!iat) return missing(origin, "iat");
  AA_TRY(iv, time_claim(*iat, o.allow_float_times));
  r.iat = iv;
  if (o.now && r.iat > *o.now + o.skew) {
    return make_error("token.iat-future", iat->where(),
                      "issued at " + std::to_string(r.iat) + ", more than " +
                          std::to_string(o.skew) + " s after the verification time " +
                          std::to_string(*o.now));
  }
  if (auto exp = obj.optional_field("exp")) {
    AA_TRY(ev, time_claim(*exp, o.allow_float_times));
    r.exp = ev;
    if (o.now && *o.now >= ev) {
      return make_error("ear.expired", exp->where(), "the result expired at " + std::to_string(ev));
    }
  }
  if (auto nbf = obj.optional_field("nbf")) {
    AA_TRY(nv, time_claim(*nbf, o.allow_float_times));
    r.nbf = nv;
    if (o.now && *o.now + o.skew < nv) {
      return make_error("token.nbf", nbf->where(),
                        "not valid before " + std::to_string(nv) + " (verification time " +
                            std::to_string(*o.now) + ", skew " + std::to_string(o.skew) + " s)");
    }
  }
  if (auto n = obj.optional_field("eat_nonce")) {
    AA_TRY(ns, n->string());
    r.nonce = ns;
  }
  if (o.expected_nonce) {
    const std::string& want = *o.expected_nonce;
    if (!r.nonce || !eat_nonce_matches(*r.nonce, want)) {
      return make_error("ear.nonce-mismatch", origin + "#/eat_nonce",
                        "eat_nonce " + r.nonce.value_or("(absent)") + " is not " + want);
    }
  }
  auto vid = obj.optional_field(k_vid);
  if (!vid) return missing(origin, k_vid);
  AA_TRY(vo, vid->object());
  auto dev = vo.optional_field("developer");
  auto bld = vo.optional_field("build");
  if (!dev) return missing(vo.where(), "developer");
  if (!bld) return missing(vo.where(), "build");
  AA_TRY(ds, dev->string());
  AA_TRY(bs, bld->string());
  r.developer = ds;
  r.build = bs;
  auto subs = obj.optional_field("submods");
  if (!subs) return missing(origin, "submods");
  AA_TRY(so, subs->object());
  if (so.json().empty()) return make_error("ear.bad-claim", so.where(), "no appraisals in submods");
  TrustTier worst = TrustTier::kNone;
  for (const auto& [label, _] : so.json().items()) {
    AA_TRY(ao, so.child(label).object());
    Appraisal a;
    a.label = label;
    auto st = ao.optional_field(k_status);
    if (!st) return missing(ao.where(), k_status);
    AA_TRY(sv, st->string());
    const auto tier = from_string<TrustTier>(sv);
    if (!tier) return make_error("ear.bad-claim", st->where(), "unknown status \"" + sv + "\"");
    a.status = *tier;
    TrustTier vector_worst = TrustTier::kNone;
    if (auto tv = ao.optional_field(k_tv)) {
      AA_TRY(to, tv->object());
      for (const auto& [claim, val] : to.json().items()) {
        // An unsigned value above INT64_MAX would wrap through int64_t: range-check each kind.
        bool in_range = (val.is_number_unsigned() && val.get<uint64_t>() <= 127) ||
                        (val.is_number_integer() && !val.is_number_unsigned() &&
                         val.get<int64_t>() >= -128 && val.get<int64_t>() <= 127);
        if (!in_range) {
          return make_error("token.vector-range", to.child(claim).where(),
                            "a trustworthiness claim is an integer -128..127, not " + val.dump());
        }
        int v = static_cast<int>(val.get<int64_t>());
        a.trust_vector[claim] = v;
        vector_worst = worse(vector_worst, tier_of_value(v));
      }
    }
    if (auto pr = ao.optional_field("eat_profile")) {
      AA_TRY(pv, pr->string());
      a.profile = pv;
    }
    if (r.dotted_names) {
      if (auto pid = ao.optional_field("ear.appraisal-policy-id")) {
        AA_TRY(pv, pid->string());
        a.policy_ids.push_back(pv);
      }
    } else if (auto pids = ao.optional_field("ear_appraisal_policy_ids")) {
      const Json& arr = pids->json();
      if (!arr.is_array() || arr.empty()) {
        return make_error("ear.bad-claim", pids->where(), "not a non-empty array of strings");
      }
      for (size_t i = 0; i < arr.size(); ++i) {
        if (!arr[i].is_string()) {
          return make_error("ear.bad-claim", pids->where() + "/" + std::to_string(i),
                            "not a string");
        }
        a.policy_ids.push_back(arr[i].get<std::string>());
      }
    }
    if (better(*tier, vector_worst)) {
      return make_error("ear.status-too-good", st->where(),
                        "status \"" + sv + "\" is better than its worst trustworthiness claim");
    }
    worst = worse(worst, *tier);
    r.submods.push_back(std::move(a));
  }
  if (auto st = obj.optional_field(k_status)) {
    AA_TRY(sv, st->string());
    const auto tier = from_string<TrustTier>(sv);
    if (!tier) return make_error("ear.bad-claim", st->where(), "unknown status \"" + sv + "\"");
    if (better(*tier, worst)) {
      return make_error("ear.status-too-good", st->where(),
                        "top-level status \"" + sv + "\" is better than the worst appraisal");
    }
    r.status = *tier;
  }
  return r;
}

Status meets(const Claims& c, const std::string& required, const std::string& origin) {
  const auto req = from_string<TrustTier>(required);
  if (!req || (*req != TrustTier::kAffirming && *req != TrustTier::kWarning)) {
    return make_error("input.bad-value", "--require", "affirming or warning, not " + required);
  }
  auto ok = [&](TrustTier s) {
    return s != TrustTier::kNone && !better(*req, s);  // no claim never meets a requirement
  };
  const char* k_status = c.dotted_names ? "ear.status" : "ear_status";
  auto refuse = [&](const std::string& where, TrustTier s) {
    return make_error(
        "token.status-below-required", where,
        "status " + std::string(to_string(s)) + " does not meet --require " + required);
  };
  if (c.status && !ok(*c.status)) return refuse(origin + "#/" + k_status, *c.status);
  for (const auto& a : c.submods) {
    if (!ok(a.status)) {
      return refuse(origin + "#/submods/" + json_pointer_token(a.label) + "/" + k_status, a.status);
    }
    // AR4SI 1 (the verifier could not make the claim) and -1 (it malfunctioned) are no verdict,
    // and a contraindicated value (99: the Evidence failed cryptographic validation) is a
    // verdict against: a submod carrying one never meets a requirement, whatever its status
    // says (read_ear() already refuses such a status; Claims may come from elsewhere).
    for (const auto& [claim, v] : a.trust_vector) {
      const bool no_verdict = v == 1 || v == -1;
      if (no_verdict || tier_of_value(v) == TrustTier::kContraindicated) {
        return make_error(
            "token.status-below-required",
            origin + "#/submods/" + json_pointer_token(a.label) + "/" +
                (c.dotted_names ? "ear.trustworthiness-vector" : "ear_trustworthiness_vector") +
                "/" + json_pointer_token(claim),
            "trustworthiness claim " + claim + " is " + std::to_string(v) +
                (no_verdict ? " (no verdict)"
                 : v == kCryptoValidationFailed
                     ? " (cryptographic validation of the Evidence failed)"
                     : " (contraindicated)") +
                ": it does not meet --require " + required);
      }
    }
  }
  return Ok{};
}

std::vector<CryptoFailure> crypto_failures(const std::vector<Finding>& findings) {
  std::vector<CryptoFailure> out;
  for (const auto& f : findings) {
    if (f.severity != Severity::kFail) continue;
    for (const auto& rule : crypto_rules()) {
      if (f.code != rule.code) continue;
      if (rule.pointer_part && f.pointer.find(rule.pointer_part) == std::string::npos) continue;
      bool seen = std::any_of(out.begin(), out.end(),
                              [&](const CryptoFailure& c) { return c.code == f.code; });
      if (!seen) out.push_back({f.code, rule.claims});
    }
  }
  return out;
}

Json findings_json(const std::vector<Finding>& fs) {
  Json a = Json::array();
  for (const auto& f : fs) {
    a.push_back({{"code", f.code},
                 {"severity", to_string(f.severity)},
                 {"message", f.message},
                 {"pointer", f.pointer}});
  }
  return a;
}

std::string ext(const char* name) {
  return std::string(kExtPrefix) + name;
}

}  // namespace aa::ear
