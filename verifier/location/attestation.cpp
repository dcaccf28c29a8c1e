#include "location/attestation.h"

#include "crypto/x509.h"
#include "results/ear.h"

namespace aa::location {

Json region_json(const RegionOutcome& r) {
  if (!r.used) return nullptr;
  return {{"empty", r.empty},
          {"misses_restricted", r.misses_restricted},
          {"inside_allowed", r.inside_allowed},
          {"touching_restricted", r.touching_restricted},
          {"touching_other", r.touching_other}};
}

Json location_claims(const std::vector<LocationResult>& devices, const Boundaries& b,
                     const std::string& host, const ear::VerifierIdentity& id, std::time_t iat,
                     long ttl) {
  Json submods = Json::object();
  TrustTier worst = TrustTier::kAffirming;
  for (const auto& d : devices) {
    // An indeterminate verdict is no better than a warning.
    const TrustTier status =
        worse(worse(TrustTier::kAffirming, d.status),
              d.verdict == "indeterminate" ? TrustTier::kWarning : TrustTier::kAffirming);
    // A failed signature (an unknown landmark key, a response the device key did not sign, an
    // untrusted device chain) is AR4SI 99; any other contradiction 96.
    int sourced = status == TrustTier::kAffirming ? 2 : (status == TrustTier::kWarning ? 32 : 96);
    if (!ear::crypto_failures(d.findings).empty()) sourced = ear::kCryptoValidationFailed;
    Json lms = Json::array();
    for (const auto& l : d.landmarks) {
      lms.push_back({{"id", l.id},
                     {"lat", l.position.lat},
                     {"lon", l.position.lon},
                     {"rtts_ms", l.rtts_ms},
                     {"rtt_min_ms", l.rtt_min_ms},
                     {"radius_km_at_c", l.radius_c_km},
                     {"radius_km_at_two_thirds_c", l.radius_fibre_km},
                     {"used", l.used}});
    }
    Json caps = Json::array();
    for (const auto& c : d.geometry.caps) {
      caps.push_back({{"landmark", c.cap.landmark},
                      {"nearest_restricted", c.nearest_restricted.code},
                      {"nearest_restricted_km", c.nearest_restricted.km},
                      {"misses_restricted", c.misses_restricted},
                      {"inside_allowed", c.inside_allowed}});
    }
    submods[d.device] = {{"ear_status", to_string(status)},
                         {"ear_trustworthiness_vector", {{"sourced-data", sourced}}},
                         {ear::ext("location"),
                          {{"verdict", d.verdict},
                           {"device_identity", d.identity},
                           {"landmarks", lms},
                           {"caps", caps},
                           {"region", region_json(d.geometry.region)},
                           // A diversion signal: the caps put the device outside the site
                           // the host declared (location.site-contradicted).
                           {"site_contradicted", d.site_contradicted},
                           {"speed_km_per_ms", kSpeedOfLightKmPerMs},
                           {"processing_min_ms", d.proc_min_ms},
                           {"margin_km", b.margin_km()},
                           {"boundaries", {{"version", b.version()}, {"sha256", b.sha256()}}},
                           {"findings", ear::findings_json(d.findings)}}}};
    worst = worse(worst, status);
  }
  return {{"eat_profile", kProfileLocation},
          {"iat", static_cast<int64_t>(iat)},
          {"exp", static_cast<int64_t>(iat) + ttl},
          {"ear_verifier_id", {{"developer", id.developer}, {"build", id.build}}},
          {"ear_status", to_string(worst)},
          {"submods", submods},
          {ear::ext("host"), {{"name", host}, {"verified_at", x509::rfc3339(iat)}}}};
}

Status check_location_claims(const Json& claims, const std::string& origin) {
  // A token payload: find, not at(), so that a missing member is an error and not an exception.
  const auto sit = claims.is_object() ? claims.find("submods") : claims.end();
  if (!claims.is_object() || sit == claims.end() || !sit->is_object()) {
    return make_error("ear.missing-claim", origin + "#/submods", "required");
  }
  const Json& subs = *sit;
  for (const auto& [label, a] : subs.items()) {
    const std::string where = origin + "#/submods/" + label + "/" + ear::ext("location");
    auto e = a.find(ear::ext("location"));
    if (e == a.end() || !e->is_object())
      return make_error("ear.missing-claim", where, "no location extension");
    for (const char* m :
         {"verdict", "device_identity", "landmarks", "boundaries", "speed_km_per_ms"})
      if (!e->contains(m)) return make_error("ear.missing-claim", where + "/" + m, "required");
    const Json& v = (*e)["verdict"];
    if (v != "in_allowed" && v != "not_in_restricted" && v != "indeterminate") {
      return make_error("ear.bad-claim", where + "/verdict", "not a location verdict");
    }
  }
  return Ok{};
}

}  // namespace aa::location
