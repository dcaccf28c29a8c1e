// The evidence bundle, format v1 (schema: docs/bundle.schema.json): everything collected on
// one host for one verification, in one JSON document.
//
// Contract: parse_bundle() reads untrusted JSON with limits (32 MiB, depth 16, strings of 8 MiB,
// 512 devices), rejects unknown members, and names the field in every error as
// "origin#/json/pointer" (input.* codes, docs/findings.md). Binary members are standard base64.
// It only parses: nonce freshness, signatures and the rest belong to the appraisers.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/json.h"
#include "core/result.h"
#include "inventory/pci_device.h"
#include "location/probe.h"
#include "nvidia/evidence.h"

namespace aa {

// Names and serials the host writes (host and site names, reported names and serials, and
// those npu-smi's output gives) end up in signed results and reports: no real one is near this,
// and a longer one is refused rather than carried into every result.
inline constexpr size_t kMaxShortText = 1024;

struct BundleTpm {
  Bytes quote, signature, pcrs, ak_public;  // TPMS_ATTEST, TPMT_SIGNATURE, PCR values, AK
  std::optional<Bytes> ak_certificate, eventlog;
  std::optional<Bytes> ak_enrolment;  // an AK enrolment record (tpm/enrolment.h), the JWS text
};

struct BundleDevice {
  PciDevice pci;
  bool class_known = false;
  std::string scheme = "none";  // "nvidia-spdm" or "none" (reported only)
  std::optional<nvidia::DeviceEvidence> nvidia;
  std::optional<std::string> npu_smi;  // raw `npu-smi info` output
  std::optional<std::string> serial;
};

struct Bundle {
  Bytes nonce;
  std::string nonce_hex;
  std::time_t collected_at = 0;
  std::string host_name;
  std::optional<std::string> site_country, site_name;
  std::optional<location::LatLon> site_position;  // host.site lat/lon, declared (a claim)
  std::optional<BundleTpm> tpm;
  std::vector<BundleDevice> devices;
  std::vector<location::LocationEvidence> location_evidence;  // location.evidence, per device
  Json usage = Json::object();
};

Result<Bundle> parse_bundle(std::string_view json, const std::string& origin);

}  // namespace aa
