// The location probe protocol's data (docs/location-protocol.md): what a device signs for a
// landmark, the landmark's signed timing record, and the evidence a responder keeps.
//
// Contract:
//   probe_message(): the bytes a device signs for one probe: "accel-attest/location-probe/v1",
//     0x00, the landmark ID, 0x00, the 32-byte nonce. (An NVIDIA GPU signs the nonce inside an
//     SPDM GET_MEASUREMENTS report instead: scheme nvidia-spdm.)
//   TimingRecord: one landmark's measurement of one device: the landmark's ID and position, the
//     device label, the verifier's challenge the responder named for the session (the nonce
//     the verifier issued for this bundle; empty: none named), per probe its nonce, RTT in
//     nanoseconds (CLOCK_MONOTONIC, send to receive) and the SHA-256 of the device's response,
//     the minimum RTT, the issue time. It travels as an ES256 JWS signed by the landmark
//     (payload schema accel-attest/timing-record/v1; `challenge` optional, 16 to 64 bytes of
//     hex), so the landmark's signature commits the probes to the verifier's nonce.
//   parse_timing_record() reads an untrusted payload strictly (unknown members, bad hex, a
//     probe count outside 1..64, duplicate sequence numbers or nonces, an rtt_min that is not
//     the minimum, are location.bad-record errors naming the JSON pointer).
//   LocationEvidence: what the host keeps for the verifier (schema
//     accel-attest/location-evidence/v1): the device label, its certificate chain (PEM), the
//     signature scheme, and per landmark the record and the device's responses.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/json.h"
#include "core/result.h"
#include "location/geo.h"

namespace aa::location {

inline constexpr char kProbeContext[] = "accel-attest/location-probe/v1";
inline constexpr size_t kMaxProbes = 64;

Bytes probe_message(const std::string& landmark_id, ByteView nonce);

struct ProbeTiming {
  unsigned seq = 0;
  Bytes nonce;
  int64_t rtt_ns = 0;
  std::string response_sha256;
};

inline constexpr size_t kMinChallenge = 16, kMaxChallenge = 64;

struct TimingRecord {
  std::string landmark_id, device;
  Bytes challenge;  // the verifier's nonce the session was run for; empty: none
  LatLon position;
  std::vector<ProbeTiming> probes;
  int64_t rtt_min_ns = 0;
  std::time_t issued_at = 0;
};

Json timing_record_json(const TimingRecord& r);
Result<TimingRecord> parse_timing_record(const Json& payload, const std::string& origin);

struct LandmarkEvidence {
  std::string record;            // the landmark's JWS
  std::vector<Bytes> responses;  // by probe, in record order
};

struct LocationEvidence {
  std::string device, scheme = "sim-p384", chain_pem;
  std::vector<LandmarkEvidence> landmarks;
};

Json location_evidence_json(const LocationEvidence& e);
Result<LocationEvidence> parse_location_evidence(std::string_view json, const std::string& origin);
// The same on a value already parsed (an element of a bundle's location.evidence).
Result<LocationEvidence> read_location_evidence(const JsonAt& at);

}  // namespace aa::location
