// The body of accel_attest::References (include/accel_attest/references.h): everything one
// reference set owns, loaded once and never changed. Internal to verifier/api/.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "accel_attest/references.h"
#include "crypto/ossl.h"
#include "crypto/revocation.h"
#include "location/appraise.h"
#include "location/boundaries.h"
#include "nvidia/profile.h"
#include "policy/export_policy.h"
#include "registry/registry.h"
#include "results/jose.h"
#include "rim/rim_source.h"
#include "tpm/pcrs.h"

namespace accel_attest {

struct References::Data {
  aa::Registry registry;
  aa::ExportPolicy policy;
  aa::nvidia::NvidiaProfile nv_profile;
  aa::ossl::X509Ptr nv_device_root, nv_rim_root;
  std::string nv_device_root_label, nv_rim_root_label;
  std::unique_ptr<const aa::rim::RimSource> rims;  // null: RIMs not appraised
  std::optional<aa::RevocationStore> revocation;
  aa::ossl::X509Ptr ak_ca;
  std::vector<aa::ossl::X509Ptr> ak_intermediates;
  aa::jose::Jwks enrolment_keys;  // empty: AK enrolment records are not trusted
  std::optional<aa::tpm::PcrPolicy> pcr_policy;
  std::optional<aa::location::Boundaries> boundaries;  // set when landmarks were given
  std::map<std::string, aa::location::TrustedLandmark> landmarks;
  aa::location::ProcessingTimes processing;
  aa::ossl::X509Ptr sim_device_root;
  std::set<std::string> restricted_locations;  // the policy's, as ISO codes
};

}  // namespace accel_attest
