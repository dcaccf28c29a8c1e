#include "accel_attest/references.h"

#include "api/references_data.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "nvidia/roots.h"
#include "rim/rim_store.h"
#include "tpm/enrolment.h"

namespace accel_attest {

namespace {

aa::Result<aa::ossl::X509Ptr> cert_file(const std::string& path) {
  AA_TRY(s, aa::read_file(path, 1u << 20));
  return aa::x509::parse_cert_any(aa::as_bytes(s), path);
}

aa::ossl::X509Ptr share(const X509* c) {
  X509_up_ref(const_cast<X509*>(c));
  return aa::ossl::X509Ptr(const_cast<X509*>(c));
}

}  // namespace

Result<References> References::load(const ReferenceFiles& f, const ReferenceBytes& b) {
  if (f.profiles_dir.empty()) {
    return aa::make_error("input.missing-field", "profiles_dir",
                          "the profiles directory is needed");
  }
  auto d = std::make_shared<Data>();
  AA_TRY(reg, aa::Registry::load(f.profiles_dir));
  d->registry = std::move(reg);
  if (b.policy_json) {
    AA_TRY(p, aa::parse_export_policy(*b.policy_json, b.policy_origin, d->registry));
    d->policy = std::move(p);
  } else {
    const std::string path =
        f.policy.empty() ? f.profiles_dir + "/policy/export-policy.json" : f.policy;
    AA_TRY(p, aa::load_export_policy(path, d->registry));
    d->policy = std::move(p);
  }
  d->restricted_locations = d->policy.restricted_locations.members(d->registry.country_groups());
  AA_TRY(prof, aa::nvidia::load_nvidia_profile(f.profiles_dir));
  d->nv_profile = std::move(prof);
  if (b.nvidia_device_root) {
    AA_TRY(c, aa::x509::parse_cert_any(*b.nvidia_device_root, "nvidia_device_root"));
    d->nv_device_root = std::move(c);
    d->nv_device_root_label = "the NVIDIA device root given";
  } else {
    d->nv_device_root = share(aa::nvidia::pinned_device_root());
    d->nv_device_root_label = "pinned NVIDIA Device Identity CA (certs/nvidia)";
  }
  if (b.nvidia_rim_root) {
    AA_TRY(c, aa::x509::parse_cert_any(*b.nvidia_rim_root, "nvidia_rim_root"));
    d->nv_rim_root = std::move(c);
    d->nv_rim_root_label = "the NVIDIA RIM root given";
  } else {
    d->nv_rim_root = share(aa::nvidia::pinned_rim_root());
    d->nv_rim_root_label = "pinned NVIDIA CoRIM signing Root CA (certs/nvidia)";
  }
  if (!b.rims.empty()) {
    auto mem = std::make_unique<aa::rim::MemoryRimSource>("RIMs given in memory");
    for (const auto& [id, xml] : b.rims) mem->add(id, xml);
    d->rims = std::move(mem);
  } else if (!f.rim_store.empty()) {
    d->rims = std::make_unique<aa::rim::RimStore>(f.rim_store);
  }
  if (!f.crl_dir.empty() || !f.ocsp_dir.empty()) {
    aa::RevocationLimits limits;
    limits.max_age = f.max_revocation_age;
    AA_TRY(rev, aa::RevocationStore::load(f.crl_dir, f.ocsp_dir, limits));
    d->revocation = std::move(rev);
  }
  if (b.ak_ca) {
    AA_TRY(c, aa::x509::parse_cert_any(*b.ak_ca, b.ak_ca_origin));
    d->ak_ca = std::move(c);
  } else if (!f.ak_ca.empty()) {
    AA_TRY(c, cert_file(f.ak_ca));
    d->ak_ca = std::move(c);
  }
  for (size_t i = 0; i < b.ak_intermediates.size(); ++i) {
    AA_TRY(c, aa::x509::parse_cert_any(b.ak_intermediates[i],
                                       i < b.ak_intermediate_origins.size()
                                           ? b.ak_intermediate_origins[i]
                                           : "ak_intermediates[" + std::to_string(i) + "]"));
    d->ak_intermediates.push_back(std::move(c));
  }
  for (const auto& path : f.ak_intermediates) {
    AA_TRY(c, cert_file(path));
    d->ak_intermediates.push_back(std::move(c));
  }
  auto add_enrolment_keys = [&](std::string_view text, const std::string& origin) -> aa::Status {
    AA_TRY(keys, aa::tpm::enrolment_keys(text, origin));
    for (auto& k : keys.keys) d->enrolment_keys.keys.push_back(std::move(k));
    return aa::Ok{};
  };
  for (size_t i = 0; i < b.enrolment_keys.size(); ++i) {
    AA_CHECK(add_enrolment_keys(aa::as_chars(b.enrolment_keys[i]),
                                "enrolment_keys[" + std::to_string(i) + "]"));
  }
  for (const auto& path : f.enrolment_keys) {
    AA_TRY(text, aa::read_file(path, 1u << 20));
    AA_CHECK(add_enrolment_keys(text, path));
  }
  if (b.pcr_policy_json) {
    AA_TRY(pp, aa::tpm::load_pcr_policy(*b.pcr_policy_json, b.pcr_policy_origin));
    d->pcr_policy = std::move(pp);
  } else if (!f.pcr_policy.empty()) {
    AA_TRY(pt, aa::read_file(f.pcr_policy, 1u << 20));
    AA_TRY(pp, aa::tpm::load_pcr_policy(pt, f.pcr_policy));
    d->pcr_policy = std::move(pp);
  }
  if (!f.landmarks.empty()) {
    AA_TRY(bounds, aa::location::Boundaries::load(f.profiles_dir));
    d->boundaries = std::move(bounds);
    AA_TRY(lms, aa::location::load_landmarks(f.landmarks));
    d->landmarks = std::move(lms);
    AA_TRY(times, aa::location::load_processing_times(f.profiles_dir));
    d->processing = std::move(times);
  }
  if (!f.device_root.empty()) {
    AA_TRY(c, cert_file(f.device_root));
    d->sim_device_root = std::move(c);
  }
  return References(std::move(d));
}

const aa::Registry& References::registry() const {
  return d_->registry;
}
const aa::ExportPolicy& References::policy() const {
  return d_->policy;
}
bool References::locates() const {
  return d_->boundaries.has_value();
}

}  // namespace accel_attest
