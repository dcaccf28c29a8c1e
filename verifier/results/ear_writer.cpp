#include "results/ear_writer.h"

#include <algorithm>

#include "core/bytes.h"
#include "core/output_json.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "results/ear.h"

namespace aa::ear {

namespace {

Json interval(const std::optional<Interval>& i) {
  if (!i) return nullptr;
  if (i->exact()) return i->lo;
  return Json{{"min", i->lo}, {"max", i->hi}};
}

template <typename T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json location_summary(const std::optional<location::LocationResult>& l) {
  if (!l) return nullptr;
  Json lms = Json::array();
  for (const auto& u : l->landmarks) {
    lms.push_back({{"id", u.id},
                   {"rtt_min_ms", u.rtt_min_ms},
                   {"radius_km_at_c", u.radius_c_km},
                   {"used", u.used}});
  }
  return {{"verdict", l->verdict},
          {"bound_to", l->identity},
          {"site_contradicted", l->site_contradicted},  // diversion signal
          {"landmarks", lms}};
}

// The submod's checks as one object of name -> status (an appraiser's checks and the pipeline's).
Json checks_json(const SubmodChecks& c) {
  Json j = Json::object();
  for (const auto& [k, v] : c.quote) j[to_string(k)] = to_string(v);
  for (const auto& [k, v] : c.device) j[to_string(k)] = to_string(v);
  for (const auto& [k, v] : c.bundle) j[to_string(k)] = to_string(v);
  return j;
}

// The extension objects are built member by member: nlohmann's initializer lists copy every
// nested value (the findings, the checks), and these run once per device per result.
Json device_ext(const Submod& s) {
  Json j = Json::object();
  j["location"] = location_summary(s.location);
  j["kind"] = to_string(s.kind);
  j["address"] = s.address;
  j["pci_id"] = s.pci_id;
  j["vendor"] = s.vendor;
  j["chip_family"] = s.family;
  j["marketing_name"] = s.name;
  j["tpp"] = interval(s.tpp);
  j["performance_density"] = interval(s.pd);
  j["eccn_3a090"] = s.eccn;
  j["outside_3a090"] = s.secondary.empty() ? Json(nullptr) : Json(s.secondary);
  j["eccn_candidates"] = s.eccn_candidates.empty() ? Json(nullptr) : Json(s.eccn_candidates);
  j["flags"] = s.flags;
  j["identity_assurance"] = to_string(s.assurance);
  j["attestation_capability"] = s.attestation;
  j["serial"] = opt(s.serial);
  j["serial_source"] = s.serial ? Json(to_string(s.serial_source)) : Json(nullptr);
  j["ueid"] = opt(s.ueid);
  j["ueid_source"] = s.ueid ? Json(to_string(s.ueid_source)) : Json(nullptr);
  j["product_source"] = to_string(s.product_source);
  j["nvidia_sku"] = opt(s.sku);
  j["evidence_sha256"] = opt(s.evidence_sha256);
  j["checks"] = checks_json(s.checks);
  j["findings"] = aa::findings_json(s.findings, s.label);
  return j;
}

Json host_ext(const Submod& s, const PipelineResult& r) {
  Json j = Json::object();
  j["name"] = r.host_name;
  j["declared_site"] = opt(r.site_country);
  j["eccn"] = s.eccn.empty() ? Json(nullptr) : Json(s.eccn);
  j["ak_name"] = opt(s.ak_name);
  j["pcr_selection"] = opt(s.pcr_selection);
  j["inventory_digest"] = opt(s.inventory_digest);
  j["inventory_bound"] = s.inventory_bound;
  j["checks"] = checks_json(s.checks);
  j["findings"] = aa::findings_json(s.findings, "host");
  return j;
}

Error missing_claim(const std::string& where) {
  return make_error("ear.missing-claim", where, "required by " + std::string(kExtSchema));
}

Status require(const Json& o, const std::string& where,
               std::initializer_list<const char*> members) {
  if (!o.is_object()) return make_error("ear.bad-claim", where, "not an object");
  for (const char* m : members)
    if (!o.contains(m)) return missing_claim(where + "/" + m);
  return Ok{};
}

}  // namespace

std::vector<CryptoFailure> crypto_failures(const Submod& s) {
  return crypto_failures(s.findings);
}

std::map<std::string, int> appraisal_vector(const Submod& s) {
  std::map<std::string, int> v = s.trust_vector;
  for (const auto& c : crypto_failures(s))
    for (const auto& claim : c.claims) v[claim] = kCryptoValidationFailed;
  return v;
}

std::string appraisal_policy_id(DeviceKind kind, const PipelineResult& r) {
  return std::string(kPolicyIdPrefix) + to_string(kind) + "/v1#" +
         sha256_hex(r.policy_digest + ":" + r.registry_digest).substr(0, 16);
}

bool is_ours(const Json& claims) {
  if (!claims.is_object()) return false;
  auto p = claims.find("eat_profile");
  if (p != claims.end() && *p == kProfileAccelAttestV1) return true;
  if (claims.contains(ext("verification"))) return true;
  auto subs = claims.find("submods");
  if (subs == claims.end() || !subs->is_object()) return false;
  for (const auto& [_, a] : subs->items()) {
    if (!a.is_object()) continue;
    auto ap = a.find("eat_profile");
    if (ap != a.end() && *ap == kProfileAccelAttest) return true;
  }
  return false;
}

Json ear_claims(const PipelineResult& r, const VerifierIdentity& id, std::time_t iat, long ttl) {
  Json submods = Json::object();
  TrustTier overall = r.status;
  for (const auto& s : r.submods) {
    const std::map<std::string, int> vector = appraisal_vector(s);
    TrustTier status = s.status;
    for (const auto& [_, v] : vector)
      if (tier_of_value(v) == TrustTier::kContraindicated)
        status = worse(status, TrustTier::kContraindicated);
    overall = worse(overall, status);
    Json a = Json::object();
    a["eat_profile"] = kProfileAccelAttest;
    a["ear_status"] = to_string(status);
    a["ear_trustworthiness_vector"] = vector;
    a["ear_appraisal_policy_ids"] = Json::array({appraisal_policy_id(s.kind, r)});
    if (s.kind == DeviceKind::kHost) {
      a[ext("host")] = host_ext(s, r);
    } else {
      a[ext("device")] = device_ext(s);
    }
    submods[s.label] = std::move(a);
  }
  Json verification = {{"schema", kExtSchema},
                       {"bundle_sha256", r.bundle_sha256},
                       {"registry_sha256", r.registry_digest},
                       {"policy_sha256", r.policy_digest},
                       {"ecfr_date", r.ecfr_date},
                       {"licence", opt(r.licence_number)},
                       {"licence_sha256", opt(r.licence_sha256)},
                       {"destination", opt(r.destination)},
                       {"end_user_hq", opt(r.end_user_hq)},
                       {"verified_at", x509::rfc3339(r.at)},
                       {"collected_at", x509::rfc3339(r.collected_at)}};
  Bytes nonce = hex_decode(r.nonce_hex).value_or(Bytes{});
  Json out = Json::object();
  out["eat_profile"] = kProfileIetf03;
  out["iat"] = static_cast<int64_t>(iat);
  out["exp"] = static_cast<int64_t>(iat) + ttl;
  out["eat_nonce"] = base64url_encode(nonce);
  out["ear_verifier_id"] = {{"developer", id.developer}, {"build", id.build}};
  out["ear_status"] = to_string(overall);
  out["submods"] = std::move(submods);
  out[ext("verification")] = std::move(verification);
  return out;
}

Status check_accel_attest_claims(const Json& claims, const std::string& origin) {
  if (!claims.is_object()) return make_error("ear.bad-claim", origin + "#/", "not an object");
  const std::string top = origin + "#/" + ext("verification");
  auto v = claims.find(ext("verification"));
  if (v == claims.end()) return missing_claim(top);
  AA_CHECK(require(
      *v, top,
      {"schema", "bundle_sha256", "registry_sha256", "policy_sha256", "ecfr_date", "verified_at"}));
  // v1 (findings with pointer, devices with pci_address) is still read: a stored result stays
  // checkable for as long as its exp allows.
  const bool ext_v1 = (*v)["schema"] == kExtSchemaV1;
  if ((*v)["schema"] != kExtSchema && !ext_v1) {
    return make_error("ear.bad-claim", top + "/schema",
                      "expected " + std::string(kExtSchema) + " (or " + kExtSchemaV1 + ")");
  }
  if (!claims.contains("ear_status")) return missing_claim(origin + "#/ear_status");
  if (!claims.contains("eat_nonce")) return missing_claim(origin + "#/eat_nonce");
  if (!claims.contains("exp")) return missing_claim(origin + "#/exp");
  auto subs_at = claims.find("submods");
  if (subs_at == claims.end()) return missing_claim(origin + "#/submods");
  const Json& subs = *subs_at;
  if (!subs.is_object()) return make_error("ear.bad-claim", origin + "#/submods", "not an object");
  if (!subs.contains("host")) return missing_claim(origin + "#/submods/host");
  const bool v1 = claims.value("eat_profile", Json()) == kProfileAccelAttestV1;
  if (!v1 && claims.value("eat_profile", Json()) != kProfileIetf03) {
    return make_error("ear.bad-claim", origin + "#/eat_profile",
                      "accel-attest appraisals come in " + std::string(kProfileIetf03) +
                          " (or, issued before it, " + kProfileAccelAttestV1 + ")");
  }
  for (const auto& [label, a] : subs.items()) {
    const std::string where = origin + "#/submods/" + json_pointer_token(label) + "/";
    const char* name = label == "host" ? "host" : "device";
    if (!a.is_object()) return make_error("ear.bad-claim", where, "not an object");
    if (!v1) {  // tokens issued before the draft-03 profile carry neither
      auto ap = a.find("eat_profile");
      if (ap == a.end()) return missing_claim(where + "eat_profile");
      if (*ap != kProfileAccelAttest) {
        return make_error("ear.bad-claim", where + "eat_profile",
                          "expected " + std::string(kProfileAccelAttest));
      }
      auto ids = a.find("ear_appraisal_policy_ids");
      if (ids == a.end()) return missing_claim(where + "ear_appraisal_policy_ids");
      if (!ids->is_array() || ids->empty() || !(*ids)[0].is_string() ||
          (*ids)[0].get<std::string>().rfind(kPolicyIdPrefix, 0) != 0) {
        return make_error("ear.bad-claim", where + "ear_appraisal_policy_ids",
                          "expected [\"" + std::string(kPolicyIdPrefix) + "...\", ...]");
      }
    }
    auto e = a.find(ext(name));
    if (e == a.end()) return missing_claim(where + ext(name));
    if (label == "host") {
      AA_CHECK(require(*e, where + ext(name), {"name", "checks", "findings"}));
    } else {
      AA_CHECK(require(*e, where + ext(name),
                       {"kind", ext_v1 ? "pci_address" : "address", "chip_family", "marketing_name",
                        "eccn_3a090", "identity_assurance", "flags", "findings"}));
      const Json& level = (*e)["identity_assurance"];
      if (!level.is_string() || !from_string<Assurance>(level.get<std::string>())) {
        return make_error("ear.bad-claim", where + ext(name) + "/identity_assurance",
                          "not attested, platform-bound or reported");
      }
    }
    if (!(*e)["findings"].is_array()) {
      return make_error("ear.bad-claim", where + ext(name) + "/findings", "not an array");
    }
  }
  return Ok{};
}

}  // namespace aa::ear
