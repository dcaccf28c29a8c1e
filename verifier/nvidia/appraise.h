// The NVIDIA appraiser: one GPU's or NVSwitch's SPDM attestation report and device chain,
// appraised offline against pinned roots, local RIMs, local revocation data and the registry.
//
// Contract: Appraiser::appraise() is a function of the evidence, the references, the fixed
// verification time and the expected nonce; it reads no file, clock or environment (RIMs come
// through the references' rim::RimSource) and opens no network connection. Every check runs
// that can run: a failed check is a finding, not an early return, except that nothing past
// parsing runs on a report that does not parse. Checks
// and their finding codes (docs/findings.md):
//   parse        spdm.*, nvidia.opaque.*        the report is well-formed (measurements.h,
//                                                opaque.h)
//   signature    nvidia.signature.invalid      ECDSA P-384/SHA-384 over request||response
//                                                minus the signature, key of cert[0]
//   nonce        nvidia.nonce.mismatch         request bytes 4..35 == expected nonce
//   chain        nvidia.chain.*                5 certificates, valid path to the device root
//   fwid         nvidia.fwid.*                 report FWID == the leaf's FWID extension
//   revocation   nvidia.revocation.*           CRL / stored OCSP for every path certificate
//   driver_rim, vbios_rim  nvidia.rim.*        found, well-formed, chain to the RIM root valid
//                                                at the time, XML-DSig valid, version matches,
//                                                identity: a tagId that is an ID (not the
//                                                96-hex digest NVIDIA's RIMs carry) equals the
//                                                RIM ID; SoftwareIdentity@name and
//                                                Meta@product are the family's rim_products;
//                                                Meta@edition is GPU or SWITCH as the device
//   measurements nvidia.measurement.*          active golden values vs runtime blocks
//   sku          nvidia.sku.*                  signed SKU fields -> registry part; PCI cross-check
//   modes        nvidia.cc.*                   CC / devtools / debug state where the evidence
//                                                carries it (opaque.h read_modes): devtools or
//                                                debug on fails (warn with allow_debug_modes),
//                                                CC off warns (NVIDIA's own result does not
//                                                require CC); not reported: skipped, with an
//                                                info finding, never assumed
// A device's verdict is "contraindicated" when any finding has severity fail, "warning" when
// something could not be checked or a mismatch was tolerated, "affirming" otherwise.
//
// The appraiser caches, for its lifetime, verified chain prefixes (crypto/chain.h) and the
// outcome of each RIM it has appraised, so devices sharing CAs and firmware cost only their
// own signatures.
#pragma once

#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/finding.h"
#include "crypto/chain.h"
#include "crypto/revocation.h"
#include "nvidia/evidence.h"
#include "nvidia/opaque.h"
#include "nvidia/profile.h"
#include "registry/registry.h"
#include "rim/rim_source.h"
#include "rim/swid_rim.h"
#include "spdm/measurements.h"

namespace aa::nvidia {

struct References {
  const X509* device_root = nullptr;
  std::string device_root_label;  // "pinned NVIDIA Device Identity CA" or the file given
  const X509* rim_root = nullptr;
  std::string rim_root_label;
  const rim::RimSource* rims = nullptr;         // null: RIMs not appraised
  const RevocationStore* revocation = nullptr;  // null: revocation not checked
  const NvidiaProfile* profile = nullptr;
  const Registry* registry = nullptr;
  bool allow_debug_modes = false;  // devtools / debug on is a warning instead of a failure
  // Chains verified by earlier appraisals (crypto/chain.h); null: each appraiser starts cold.
  CertificateCache* certificate_cache = nullptr;
};

using aa::CheckStatus;  // core/finding.h

// The named checks of a device appraisal (the contract above), in the order reports list them.
enum class DeviceCheck {
  kParse,
  kSignature,
  kNonce,
  kChain,
  kFwid,
  kRevocation,
  kDriverRim,
  kVbiosRim,
  kMeasurements,
  kSku,
  kModes,
};

}  // namespace aa::nvidia

template <>
struct aa::EnumNames<aa::nvidia::DeviceCheck> {
  using C = aa::nvidia::DeviceCheck;
  static constexpr std::array kNames = {
      std::pair{C::kParse, "parse"},
      std::pair{C::kSignature, "signature"},
      std::pair{C::kNonce, "nonce"},
      std::pair{C::kChain, "chain"},
      std::pair{C::kFwid, "fwid"},
      std::pair{C::kRevocation, "revocation"},
      std::pair{C::kDriverRim, "driver_rim"},
      std::pair{C::kVbiosRim, "vbios_rim"},
      std::pair{C::kMeasurements, "measurements"},
      std::pair{C::kSku, "sku"},
      std::pair{C::kModes, "modes"},
  };
};

namespace aa::nvidia {

struct RimOutcome {
  std::string kind;  // "driver" or "vbios"
  std::string id;
  CheckStatus status = CheckStatus::kNotRun;
  bool found = false, parsed = false, chain_ok = false, signature_ok = false, version_ok = false;
  bool identity_ok = false;  // tagId, name, product and edition fit the RIM ID and the device
  std::string version;       // colloquialVersion
  std::string tag_id, product, edition;  // SoftwareIdentity@tagId, Meta@product, Meta@edition
  std::string signer;                    // signer certificate CN
  std::time_t signer_not_after = 0;
  std::vector<CertRevocation> revocation;
  std::vector<Finding> findings;        // about the RIM itself, shared by devices using it
  std::shared_ptr<const rim::Rim> rim;  // null when not found or not parsed
};

struct Mismatch {
  unsigned rim_index = 0;             // SPDM block index = rim_index + 1
  std::string source;                 // "driver" or "vbios"
  std::vector<std::string> expected;  // hex of every alternative
  std::string runtime;                // hex, "" when the block is absent
  bool tolerated = false;
};

struct DeviceResult {
  std::string label, origin;
  DeviceKind kind = DeviceKind::kGpu;
  std::string die, device_id, hwmodel, ueid;
  std::string leaf_sha256;  // SHA-256 of the leaf certificate's DER (empty: no parsable chain)
  std::string declared_arch;
  std::map<DeviceCheck, CheckStatus> checks;  // every check, kNotRun until it runs
  std::optional<spdm::MeasurementReport> report;
  std::optional<OpaqueData> opaque;
  ModeState modes;  // from the opaque data; all "not reported" when it did not parse
  std::vector<std::string> chain_subjects;
  std::string chain_error;
  std::vector<CertRevocation> revocation;
  RimOutcome driver_rim, vbios_rim;
  unsigned measurements_compared = 0, measurements_matched = 0, measurements_skipped = 0;
  std::vector<Mismatch> mismatches;
  std::string sku;  // "G520/0200/885"
  const Part* part = nullptr;
  std::string product;  // registry part name, or the family name for switches
  std::string device_root_label, rim_root_label;
  std::vector<Finding> findings;

  TrustTier verdict() const;  // of the findings (core/finding.h verdict_of)
  bool passed(bool strict) const;
};

// The revocation check of a device chain: findings for what the store answered for each
// certificate (revoked fails; stale, future and, for CA-issued certificates, no answer warn).
CheckStatus revocation_findings(const std::vector<CertRevocation>& rev,
                                const RevocationLimits& limits, const std::string& label,
                                std::vector<Finding>& findings);

// The modes check: findings for what `m` reports, and the check status (kSkipped when the
// evidence reports none of CC, devtools and debug state).
CheckStatus appraise_modes(const ModeState& m, bool allow_debug_modes, const std::string& label,
                           std::vector<Finding>& findings);

class Appraiser {
 public:
  Appraiser(const References& refs, std::time_t at, Bytes expected_nonce);
  ~Appraiser();

  DeviceResult appraise(const DeviceEvidence& ev);

 private:
  const RimOutcome& rim(const std::string& kind, const std::string& id);
  void check_chain(DeviceResult& r, const x509::ParsedChain& chain);
  void check_rims(DeviceResult& r, const Family& fam);
  bool check_rim_identity(DeviceResult& r, const Family& fam, const char* kind, RimOutcome& o);
  void check_measurements(DeviceResult& r, const Family& fam);
  void check_sku(DeviceResult& r, const Family& fam, const DeviceEvidence& ev);

  References refs_;
  std::time_t at_;
  Bytes nonce_;
  x509::ParsedCertCache local_parsed_;  // this appraiser's, when no certificate_cache is given
  x509::ParsedCertCache* parsed_;
  ChainVerifier device_chains_;
  ChainVerifier rim_chains_;
  std::map<std::string, RimOutcome> rim_cache_;
};

}  // namespace aa::nvidia
