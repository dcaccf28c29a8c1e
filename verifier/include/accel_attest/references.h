// accel-attest public API: the reference set a verification is judged against.
//
// Contract:
//   - A References value is immutable once loaded and cheap to copy (it shares one
//     reference-counted, const body). Copies may be used from any number of threads at once;
//     nothing in it changes after load(). It lives as long as any copy of it.
//   - load() reads every file it is given, once, and keeps what it parsed; verification then
//     reads nothing but the RIM source (which it queries by RIM ID) and never the network, the
//     environment or the clock.
//   - Each failure is an aa::Error whose code is documented in docs/findings.md and whose
//     field names the file (and JSON pointer) or the ReferenceFiles member at fault.
//   - What it holds: the chip registry and country groups, the export policy, the NVIDIA
//     family profile, the pinned NVIDIA device and RIM roots (compiled in, certs/nvidia) or
//     others given as bytes, a RIM source (a directory, or RIMs given as bytes), CRLs and OCSP
//     responses, the TPM AK trust anchor and intermediates, the PCR policy, and, for location,
//     the boundaries, trusted landmarks and processing times.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace aa {
class Registry;
struct ExportPolicy;
}  // namespace aa

namespace accel_attest {

using aa::Error;
using aa::Result;
using aa::Status;

// Where the references come from. Only `profiles_dir` is required; every empty member means
// "not given", with the consequence stated (docs/pipeline.md).
struct ReferenceFiles {
  std::string profiles_dir;  // firmware-profiles/: registry, NVIDIA families, policy, geo
  std::string policy;        // export policy JSON; empty: <profiles_dir>/policy/export-policy.json
  std::string rim_store;     // directory of NVIDIA RIMs named <RIM_ID>.xml; empty: not appraised
  std::string crl_dir, ocsp_dir;     // revocation data; both empty: revocation not checked
  long max_revocation_age = 604800;  // seconds a CRL/OCSP without nextUpdate stays current
  std::string ak_ca;                 // TPM AK trust anchor (DER or PEM); empty: AK untrusted
  std::vector<std::string> ak_intermediates;
  // Keys whose AK enrolment records are trusted (docs/tpm.md): JWKS or PEM EC P-256 files (a
  // private key gives its public half); empty: records are not trusted (tpm.ak-untrusted).
  std::vector<std::string> enrolment_keys;
  std::string pcr_policy;   // PCR policy JSON (docs/tpm.md); empty: boot state unchecked
  std::string landmarks;    // trusted landmarks directory; empty: location not appraised
  std::string device_root;  // root for simulated sim-p384 device chains (tests only)
};

// What may be given as bytes instead of files (for a service holding its references in
// memory). A member set here replaces the matching ReferenceFiles member.
struct ReferenceBytes {
  std::optional<std::string> policy_json;
  std::optional<std::string> pcr_policy_json;
  std::optional<aa::Bytes> ak_ca;  // DER or PEM
  std::vector<aa::Bytes> ak_intermediates;
  std::vector<aa::Bytes> enrolment_keys;  // JWKS or PEM, added to ReferenceFiles' ones
  // What errors call each of them (a file name); default the member's name.
  std::string policy_origin = "policy", pcr_policy_origin = "pcr_policy", ak_ca_origin = "ak_ca";
  std::vector<std::string> ak_intermediate_origins;
  std::optional<aa::Bytes> nvidia_device_root, nvidia_rim_root;  // DER or PEM; default pinned
  std::map<std::string, std::string> rims;  // RIM ID -> RIM XML (replaces rim_store)
};

class References {
 public:
  static Result<References> load(const ReferenceFiles& files, const ReferenceBytes& bytes = {});

  const aa::Registry& registry() const;
  const aa::ExportPolicy& policy() const;
  // Whether location evidence is appraised (landmarks were given).
  bool locates() const;

  struct Data;  // defined in verifier/api/references_data.h, used by verify.cpp
  const Data& data() const { return *d_; }

 private:
  explicit References(std::shared_ptr<const Data> d) : d_(std::move(d)) {}
  std::shared_ptr<const Data> d_;
};

}  // namespace accel_attest
