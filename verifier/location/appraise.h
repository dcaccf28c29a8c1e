// Appraising location evidence: the landmarks' signed timing records and the device's signed
// responses, turned into a verdict (verdict.h) that is bound to the attested device.
//
// Contract: appraise_location() is a pure function of its inputs (time passed in). It judges
// all of one device's location evidence as one set: every entry (a bundle may hold several for
// a device) and every landmark in them give caps that must all hold at once, so caps from
// different entries that cannot overlap are location.inconsistent, and the verdict comes from
// every cap and their intersection. Per landmark record (findings, docs/findings.md,
// location.*):
//   location.unknown-landmark   the record's kid / landmark ID is not in the trusted landmarks
//   location.record-invalid     the JWS does not verify with that landmark's key, or the payload
//                               is not a valid timing record
//   location.landmark-moved     the record's position is not the trusted position (> 1 m)
//   location.device-mismatch    the record names another device than the evidence
//   location.response-mismatch  a response's SHA-256 is not the one the landmark recorded, or a
//                               response is missing
//   location.identity-unbound   a response does not verify with the attested device key: the
//                               timing may come from another device (fail)
//   location.stale              the record is older than max_age or from the future, or it does
//                               not carry the verifier's nonce (`expected_nonce`) as its
//                               challenge: the timing may predate this bundle (fail)
//   location.nonce-unchecked    no expected nonce was given: freshness rests on the records'
//                               age alone (warn, once)
//   location.inconsistent       two usable caps do not overlap: no place fits both (fail; no
//                               cap is used then)
//   location.site-contradicted  a cap, or the caps' intersection, provably misses the declared
//                               site country (with the boundary margin), or the declared site
//                               coordinates lie outside a cap by more than the margin: the
//                               device is elsewhere than declared, a diversion signal (fail).
//                               Never the converse: delay never shows the device is at the site.
//   location.indeterminate      no verdict beyond indeterminate (warn)
// Only landmarks whose record and every response verify give a cap; its radius is
// c x (RTT_min - t_proc_min) / 2. No cap: `indeterminate`.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/finding.h"
#include "crypto/ossl.h"
#include "location/boundaries.h"
#include "location/landmarks.h"
#include "location/probe.h"
#include "location/verdict.h"
#include "results/jose.h"

namespace aa::location {

struct LocationReferences {
  const Boundaries* boundaries = nullptr;
  const std::map<std::string, TrustedLandmark>* landmarks = nullptr;
  EVP_PKEY* device_key = nullptr;  // the key the device appraisal attested
  std::string device_identity;     // its UEID or certificate serial, for the result
  double proc_min_ms = 0;          // minimum processing time for the device's scheme
  std::set<std::string> restricted, allowed;
  std::time_t at = 0;
  long max_age_s = 86400;
  // The nonce the verifier issued for this bundle (the store's or --nonce; the bundle's own
  // copy only when nothing else is known): every record's challenge must equal it.
  std::optional<Bytes> expected_nonce;
  // The declared site (host claims), checked against the caps.
  std::optional<std::string> site_country;
  std::optional<LatLon> site_position;
};

struct LandmarkUse {
  std::string id;
  LatLon position;
  std::vector<double> rtts_ms;
  double rtt_min_ms = 0, radius_c_km = 0, radius_fibre_km = 0;
  bool used = false;  // its record and every response verified
};

struct LocationResult {
  std::string device, identity, verdict;
  TrustTier status = TrustTier::kNone;  // of the findings
  double proc_min_ms = 0;
  std::vector<LandmarkUse> landmarks;
  Verdict geometry;
  bool site_contradicted = false;  // the evidence puts the device outside the declared site
  std::vector<Finding> findings;
};

// A device's key and identity from its PEM chain (leaf first) verified to `root` at `at`
// (location.device-untrusted otherwise): a simulated device's chain to its test root, or the
// attestation chain an NVIDIA GPU gives through NVML to NVIDIA's device identity root.
// identity: the leaf's CN and SHA-256 fingerprint; family: the CN's first word (an NVIDIA
// leaf "GH100 A01 GSP FMC LF" gives GH100, the key of processing.json).
struct ChainIdentity {
  ossl::PKey key;
  std::string identity, family;
};
Result<ChainIdentity> chain_device_identity(const std::string& chain_pem, const X509* root,
                                            std::time_t at);

// Whether one probe response is the device's signature over the probe: scheme sim-p384, ECDSA
// P-384 over probe_message(); scheme nvidia-spdm, an SPDM measurement report whose request nonce
// is the probe nonce, signed by the device key.
bool response_signed(const std::string& scheme, EVP_PKEY* key, const std::string& landmark,
                     ByteView nonce, ByteView response);

// One device's evidence entries, judged together (all must name the same device label; the
// first one's label is the result's). One entry: the same as a set of one.
LocationResult appraise_location(const std::vector<const LocationEvidence*>& entries,
                                 const LocationReferences& refs);
LocationResult appraise_location(const LocationEvidence& ev, const LocationReferences& refs);

}  // namespace aa::location
