#include "tpm/enrolment.h"

namespace aa::tpm {

Result<std::string> sign_enrolment(EVP_PKEY* private_key, const std::string& kid, ByteView ak_name,
                                   const std::optional<std::string>& ek_certificate_sha256,
                                   std::time_t enrolled_at) {
  Json payload = Json::object();
  payload["schema"] = kEnrolmentSchema;
  payload["ak_name"] = hex_encode(ak_name);
  payload["ek_certificate_sha256"] =
      ek_certificate_sha256 ? Json(*ek_certificate_sha256) : Json(nullptr);
  payload["iat"] = static_cast<int64_t>(enrolled_at);
  return jose::sign_es256(private_key, kid, payload);
}

Result<jose::Jwks> enrolment_keys(std::string_view text, const std::string& origin) {
  if (text.find("-----BEGIN") != std::string_view::npos) return jose::jwks_from_pem(text, origin);
  return jose::parse_jwks(text, origin);
}

Result<Enrolment> verify_enrolment(std::string_view record, const jose::Jwks& keys,
                                   const std::string& origin) {
  // (A record file's final newline is dropped by verify_compact.)
  AA_TRY(jws, jose::verify_compact(record, keys, origin));
  const Json& p = jws.payload;
  auto bad = [&](const std::string& member, const std::string& why) {
    return make_error("tpm.enrolment-malformed", origin + "#/" + member, why);
  };
  for (auto it = p.begin(); it != p.end(); ++it) {
    if (it.key() != "schema" && it.key() != "ak_name" && it.key() != "ek_certificate_sha256" &&
        it.key() != "iat") {
      return bad(it.key(), "not a member of " + std::string(kEnrolmentSchema));
    }
  }
  if (!p.contains("schema") || p["schema"] != kEnrolmentSchema) {
    return bad("schema", "expected \"" + std::string(kEnrolmentSchema) + "\"");
  }
  Enrolment e;
  e.kid = jws.kid;
  auto name = p.contains("ak_name") && p["ak_name"].is_string()
                  ? hex_decode(p["ak_name"].get<std::string>())
                  : std::nullopt;
  if (!name || name->size() < 22 || name->size() > 66) {
    return bad("ak_name", "not the hex of a TPM Name (a 2-byte nameAlg and a 20..64-byte digest)");
  }
  e.ak_name = std::move(*name);
  if (p.contains("ek_certificate_sha256") && !p["ek_certificate_sha256"].is_null()) {
    const Json& s = p["ek_certificate_sha256"];
    auto d = s.is_string() ? hex_decode(s.get<std::string>()) : std::nullopt;
    if (!d || d->size() != 32) return bad("ek_certificate_sha256", "not 64 hex digits or null");
    e.ek_certificate_sha256 = hex_encode(*d);
  }
  if (!p.contains("iat") || !p["iat"].is_number_integer()) {
    return bad("iat", "not an integer number of seconds");
  }
  e.enrolled_at = static_cast<std::time_t>(p["iat"].get<int64_t>());
  return e;
}

}  // namespace aa::tpm
