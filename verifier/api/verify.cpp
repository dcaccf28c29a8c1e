#include "accel_attest/verify.h"

#include <openssl/pem.h>

#include "api/references_data.h"
#include "bundle/bundle.h"
#include "core/bytes.h"
#include "core/country.h"
#include "core/json_text.h"
#include "crypto/digest.h"
#include "location/attestation.h"
#include "results/jose.h"

namespace accel_attest {

Result<aa::Bytes> parse_nonce(std::string_view hex, const std::string& field, size_t min,
                              size_t max) {
  const std::string range = min == max
                                ? std::to_string(min) + " bytes"
                                : std::to_string(min) + " to " + std::to_string(max) + " bytes";
  auto n = aa::hex_decode(std::string(hex));
  if (!n) {
    return aa::make_error("input.bad-nonce", field,
                          "not hex: the nonce is " + range + " of hex (" + std::to_string(min * 2) +
                              " to " + std::to_string(max * 2) + " digits)");
  }
  if (n->size() < min || n->size() > max) {
    return aa::make_error(
        "input.bad-nonce", field,
        "the nonce is " + range + " of hex; this one is " + std::to_string(n->size()) + " bytes");
  }
  return std::move(*n);
}

Result<Verification> verify(const References& references, std::string_view bundle_json,
                            const VerifyOptions& o) {
  const References::Data& d = references.data();
  const std::string origin = o.origin.empty() ? "bundle" : o.origin;
  if (o.expected_nonce && o.nonce_store) {
    return aa::make_error("input.bad-value", "nonce_store",
                          "give the issued nonce or the store that issued it, not both");
  }
  if (o.expected_nonce && (o.expected_nonce->size() < 16 || o.expected_nonce->size() > 64)) {
    return aa::make_error("input.bad-nonce", "expected_nonce",
                          "the nonce is 16 to 64 bytes; this one is " +
                              std::to_string(o.expected_nonce->size()) + " bytes");
  }
  if (o.end_user_hq) {
    if (!aa::is_country_code(*o.end_user_hq)) {
      return aa::make_error("input.bad-value", "end_user_hq", "not an ISO 3166-1 alpha-2 code");
    }
    if (o.licence && o.licence->end_user_hq != *o.end_user_hq) {
      return aa::make_error("input.bad-value", "end_user_hq",
                            "the licence says the end user is headquartered in " +
                                o.licence->end_user_hq + ", not " + *o.end_user_hq);
    }
  }
  if (!o.allowed_locations.empty() && !d.boundaries) {
    return aa::make_error("input.bad-value", "allowed_locations",
                          "location is not appraised: the references have no landmarks");
  }
  for (const auto& c : o.allowed_locations) {
    if (!d.boundaries->find(c)) {
      return aa::make_error("input.bad-value", "allowed_locations",
                            c + " is not an ISO 3166-1 alpha-2 code with boundary data");
    }
  }
  Verification v;
  // parse_bundle() enforces the size limit (input.too-large) before anything is hashed.
  AA_TRY(bundle, aa::parse_bundle(bundle_json, origin));
  v.bundle_sha256 = aa::sha256_hex(bundle_json);
  v.host_name = bundle.host_name;

  aa::PipelineReferences refs;
  refs.registry = &d.registry;
  refs.policy = &d.policy;
  refs.licence = o.licence.get();
  refs.end_user_hq = o.end_user_hq;
  refs.nvidia.device_root = d.nv_device_root.get();
  refs.nvidia.rim_root = d.nv_rim_root.get();
  refs.nvidia.device_root_label = d.nv_device_root_label;
  refs.nvidia.rim_root_label = d.nv_rim_root_label;
  refs.nvidia.rims = d.rims.get();
  refs.nvidia.revocation = d.revocation ? &*d.revocation : nullptr;
  refs.nvidia.profile = &d.nv_profile;
  refs.nvidia.registry = &d.registry;
  refs.nvidia.allow_debug_modes = o.allow_debug_modes;
  refs.nvidia.certificate_cache = o.certificate_cache;
  refs.pcr_policy = d.pcr_policy ? &*d.pcr_policy : nullptr;
  refs.ak_ca = d.ak_ca.get();
  for (const auto& c : d.ak_intermediates) refs.ak_intermediates.push_back(c.get());
  refs.enrolment_keys = d.enrolment_keys.keys.empty() ? nullptr : &d.enrolment_keys;
  refs.at = o.at;
  if (d.boundaries) {
    refs.boundaries = &*d.boundaries;
    refs.landmarks = &d.landmarks;
    refs.processing = d.processing;
    refs.simulated_device_root = d.sim_device_root.get();
    refs.restricted_locations = d.restricted_locations;
    refs.allowed_locations = o.allowed_locations;
    if (o.allowed_locations.empty() && o.licence) {
      refs.allowed_locations.insert(o.licence->destination);
    }
  }
  // Everything that can refuse the call has run: only now is the nonce consumed.
  if (o.expected_nonce) {
    refs.expected_nonce = *o.expected_nonce;
  } else if (o.nonce_store) {
    if (auto s = o.nonce_store->consume(bundle.nonce_hex, o.now); s) {
      refs.expected_nonce = bundle.nonce;
    } else if (s.error().code == "store.io" || !o.appraise_refused_nonce) {
      return s.error();
    } else {
      refs.nonce_refused =
          aa::Finding{s.error().code, s.error().message, "bundle#/nonce", aa::Severity::kFail};
    }
  }
  v.result = aa::run_pipeline(bundle, v.bundle_sha256, refs);
  return v;
}

std::string build_identity() {
  return std::string("accel-attest ") + ACCEL_ATTEST_VERSION;
}

Result<std::shared_ptr<const aa::Licence>> parse_licence(std::string_view json,
                                                         const std::string& origin) {
  AA_TRY(lic, aa::parse_licence(json, origin));
  return std::make_shared<const aa::Licence>(std::move(lic));
}

Result<Signer> load_signer(std::string_view pem, const std::string& origin,
                           const std::string& build) {
  aa::ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  aa::ossl::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_bits(key.get()) != 256) {
    return aa::make_error("input.bad-value", origin, "not a PEM EC P-256 private key");
  }
  Signer s;
  s.kid = aa::jose::thumbprint(key.get());
  s.key = std::move(key);
  s.identity.build = build;
  return s;
}

aa::Json result_claims(const Verification& v, const Signer& s, std::time_t iat, long ttl) {
  // Device and certificate strings can hold bytes that are not UTF-8; the signed claims carry
  // them replaced (U+FFFD), so that signing cannot fail after the nonce is spent.
  return aa::utf8_safe(aa::ear::ear_claims(v.result, s.identity, iat, ttl));
}

Result<aa::Json> location_claims(const References& refs, const Verification& v, const Signer& s,
                                 std::time_t iat, long ttl) {
  const References::Data& d = refs.data();
  if (!d.boundaries) {
    return aa::make_error("input.missing-field", "landmarks",
                          "a location attestation needs references with landmarks");
  }
  std::vector<aa::location::LocationResult> locs;
  for (const auto& sm : v.result.submods)
    if (sm.location) locs.push_back(*sm.location);
  return aa::utf8_safe(
      aa::location::location_claims(locs, *d.boundaries, v.result.host_name, s.identity, iat, ttl));
}

Result<std::string> sign_claims(const Signer& s, const aa::Json& claims) {
  return aa::jose::sign_es256(s.key.get(), s.kid, claims);
}

Result<aa::ear::VerifiedToken> verify_result(std::string_view token, const aa::jose::Jwks& keys,
                                             const std::string& origin,
                                             const aa::ear::TokenPolicy& policy) {
  return aa::ear::verify_result_token(token, keys, origin, policy);
}

}  // namespace accel_attest
