// The verification pipeline: one evidence bundle in, one appraisal per device plus the host
// out, ready to be signed as an EAR (results/ear_writer.h).
//
// Contract: run_pipeline() is a function of the bundle, the references and the verification
// time; it opens no network connection and reads only the RIM store. It never stops early:
// every appraiser runs on what it was given. Stages, in order (docs/pipeline.md):
//   1. nonce      the bundle's nonce against what the verifier issued (`expected_nonce`, after
//                 the nonce store consumed it): pipeline.nonce-mismatch (fail); refused by the
//                 store (`nonce_refused`): every device report is pipeline.evidence-replayed
//                 (fail); with no expectation, pipeline.nonce-unchecked (warn) and each device
//                 pipeline.freshness-unchecked (warn). Every later stage judges freshness
//                 against the issued nonce, never the bundle's own copy.
//   2. identify   every bundle device through the registry (identify.h); Ascend devices whose
//                 npu-smi output is attached get their name (variant) and serial from it
//                 (ascend/npu_smi.h; pipeline.npu-smi-* findings when it does not parse or
//                 lists no chip at the device's address)
//   3. host       the TPM quote (tpm/appraise.h) over the issued nonce with the v2 inventory
//                 digest of the whole bundle (binding/inventory_digest.h); without a quote,
//                 pipeline.no-tpm
//   4. nvidia     each nvidia-spdm device (nvidia/appraise.h) against the issued nonce and the
//                 device's PCI ID; then one device, one piece of evidence: a UEID, leaf
//                 certificate or SPDM report in two slots is pipeline.duplicate-evidence (fail)
//                 on each. The product of a genuine GPU comes from its signed SKU, or, when the
//                 registry does not know it, from its die alone at the die's most controlled
//                 class (identify_signed; pipeline.product-unattested), never from the PCI ID
//   5. assurance  attested (NVIDIA signature, nonce and chain pass, the nonce was issued, the
//                 evidence is unique) > platform-bound (a fresh quote whose inventory_bound
//                 holds: signature, AK trust and extraData) > reported
//   6. policy     the export policy and the licence (policy/export_policy.h), matching licence
//                 entries by the attested identity (PolicyDevice::attested_identity)
//   7. location   each device's location evidence (bundle location.evidence), bound to the key
//                 its appraisal attested: the NVIDIA leaf key of an attested GPU (scheme
//                 nvidia-spdm), or a simulated device's chain to `simulated_device_root`
//                 (sim-p384); otherwise location.identity-unbound
// Each submod gets an AR4SI trust vector (docs/results.md) and a status no better than the
// worst of its vector and its findings; the overall status is the worst submod.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "core/finding.h"
#include "location/appraise.h"
#include "nvidia/appraise.h"
#include "policy/export_policy.h"
#include "registry/registry.h"
#include "tpm/appraise.h"

namespace aa {

struct PipelineReferences {
  const Registry* registry = nullptr;
  const ExportPolicy* policy = nullptr;
  const Licence* licence = nullptr;  // optional
  // The end user's headquarters when no licence gives them (verify --end-user-hq).
  std::optional<std::string> end_user_hq;
  nvidia::References nvidia;  // roots, RIM store, revocation, profile
  const tpm::PcrPolicy* pcr_policy = nullptr;
  const X509* ak_ca = nullptr;  // trust anchor for AK certificates (optional)
  std::vector<const X509*> ak_intermediates;
  const jose::Jwks* enrolment_keys = nullptr;  // AK enrolment records signed by these are trusted
  std::optional<Bytes> expected_nonce;         // what the verifier issued; absent: not checked
  std::optional<Finding> nonce_refused;        // the nonce store refused the nonce (store.*)
  std::time_t at = 0;
  // Location (docs/location-protocol.md); null boundaries: location evidence is not appraised.
  const location::Boundaries* boundaries = nullptr;
  const std::map<std::string, location::TrustedLandmark>* landmarks = nullptr;
  std::set<std::string> restricted_locations, allowed_locations;
  const X509* simulated_device_root = nullptr;  // trust for sim-p384 device chains (tests)
  location::ProcessingTimes processing;         // minimum processing time by chip family
};

// The checks the pipeline itself makes of an NVIDIA device slot (stage 4): freshness, its report
// against the issued nonce (kUnchecked when none was issued); unique, its evidence in no other
// slot.
enum class BundleCheck { kFreshness, kUnique };

}  // namespace aa

template <>
struct aa::EnumNames<aa::BundleCheck> {
  static constexpr std::array kNames = {
      std::pair{aa::BundleCheck::kFreshness, "freshness"},
      std::pair{aa::BundleCheck::kUnique, "unique"},
  };
};

namespace aa {

// A submod's named checks, each appraiser's by its own names: the host's quote checks, an NVIDIA
// device's appraisal and bundle checks. Serialised as one object of name -> status.
struct SubmodChecks {
  std::map<tpm::QuoteCheck, CheckStatus> quote;
  std::map<nvidia::DeviceCheck, CheckStatus> device;
  std::map<BundleCheck, CheckStatus> bundle;
};

// One EAR submod: the host or one device.
struct Submod {
  std::string label;  // "host" or the device's PCI address
  DeviceKind kind = DeviceKind::kPciDevice;
  TrustTier status = TrustTier::kNone;      // settled: affirming | warning | contraindicated
  std::map<std::string, int> trust_vector;  // AR4SI claim name -> value
  std::vector<Finding> findings;
  // Devices only:
  std::string address, pci_id, vendor, family, name, eccn, attestation;
  Assurance assurance = Assurance::kReported;
  std::optional<Interval> tpp, pd;
  std::vector<std::string> flags;
  std::optional<std::string> serial, ueid, evidence_sha256, sku;
  // Where the identity and product come from. ueid_source (with a ueid): attested (a fresh,
  // unique report signed under a chain to the vendor root) or reported (an unverified, replayed
  // or duplicated certificate). serial_source (with a serial): platform-bound (bound by a
  // trusted fresh quote) or reported; a serial is never attested. product_source: core/status.h.
  Assurance ueid_source = Assurance::kReported, serial_source = Assurance::kReported;
  ProductSource product_source = ProductSource::kNone;
  // Devices: where a not-3A090 part falls (3A991.p, or "EAR99 or other: not computed");
  // host: `eccn` holds the host's class as a computer (registry host_class(): 4A090.a/.b,
  // 4A994.l, undetermined), empty when none applies.
  std::string secondary;
  // Every class the export policy judged the device by when its class is not definite (the
  // candidates, ranges and alternative readings of the rule); empty when definite.
  std::set<std::string> eccn_candidates;
  SubmodChecks checks;
  std::optional<location::LocationResult> location;
  // Host only:
  std::optional<std::string> ak_name, inventory_digest, pcr_selection;
  bool inventory_bound = false;
};

struct PipelineResult {
  TrustTier status = TrustTier::kNone;  // the worst submod
  std::vector<Submod> submods;          // host first, then devices by address
  std::string nonce_hex, bundle_sha256, registry_digest, policy_digest, ecfr_date;
  std::optional<std::string> licence_sha256, licence_number, destination, site_country;
  std::optional<std::string> end_user_hq;  // known from the licence or --end-user-hq
  std::string host_name;
  std::time_t at = 0, collected_at = 0;
};

PipelineResult run_pipeline(const Bundle& bundle, const std::string& bundle_sha256,
                            const PipelineReferences& refs);

}  // namespace aa
