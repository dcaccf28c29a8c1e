// The probe protocol on the wire (docs/location-protocol.md): newline-delimited JSON messages
// over one TCP connection, at most 64 KiB each.
//   landmark ->
//   {"type":"hello","protocol":"accel-attest/location-probe/v1","landmark":ID,"probes":K} responder
//   -> {"type":"ready","device":LABEL} K times: landmark -> {"type":"probe","seq":j,"nonce":HEX}
//   (t0 taken after the send)
//            responder -> {"type":"response","seq":j,"signature":BASE64URL}  (t1 on receipt)
//   landmark -> {"type":"record","record":JWS}
// The responder's "ready" may carry "challenge": HEX, the nonce the verifier issued for the
// bundle (16 to 64 bytes); the landmark signs it into the record.
// Contract: serve_session() runs the landmark's side on a connected socket: fresh 32-byte
// nonces from the OS CSPRNG, send and receive timestamped with CLOCK_MONOTONIC, RTT = t1 - t0,
// the timing record signed with the landmark key (ES256). It checks only the framing of the
// responses (signatures are the verifier's job; it records their SHA-256). respond_session()
// runs the host's side: each nonce goes to the device (`answer`: a signature over
// probe_message(), or an NVIDIA GPU's SPDM report over the nonce), after `extra_delay_ms` (a
// test knob standing for a slow or delaying host); a device that cannot answer ends the session
// with its own error. Both time out after `timeout_ms` per
// message and fail with location.protocol naming the message.
#pragma once

#include <functional>
#include <string>

#include "core/result.h"
#include "crypto/ossl.h"
#include "location/probe.h"

namespace aa::location {

struct LandmarkConfig {
  std::string id;
  LatLon position;
  unsigned probes = 5;
  int timeout_ms = 10000;
};

// Returns the signed record it sent.
Result<std::string> serve_session(int fd, const LandmarkConfig& cfg, EVP_PKEY* key,
                                  const std::string& kid);

struct Responder {
  std::string device;
  Bytes challenge;  // the verifier's nonce for this bundle; sent in "ready" (empty: none)
  // The device's response to one probe of `landmark` with `nonce`.
  std::function<Result<Bytes>(const std::string& landmark, ByteView nonce)> answer;
  double extra_delay_ms = 0;
  int timeout_ms = 10000;
};

// Returns the record and the responses, as LandmarkEvidence.
Result<LandmarkEvidence> respond_session(int fd, const Responder& r);

// TCP helpers: "HOST:PORT" (IPv4 literal or name resolving locally).
Result<int> listen_tcp(const std::string& addr);
Result<int> connect_tcp(const std::string& addr, int timeout_ms);

}  // namespace aa::location
