// How NVIDIA appraisal results are shown: a text report for people and JSON
// (schema accel-attest/nvidia-appraisal/v1, documented in docs/nvidia.md) for machines.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "nvidia/appraise.h"

namespace aa::nvidia {

struct RunInfo {
  std::time_t time = 0;
  std::string expected_nonce_hex;
  std::string rim_store, crl_dir, ocsp_dir;
  std::string device_root_label, rim_root_label;
  bool strict = false;
  // --evidence only: the document's shape (nvidia/evidence_input.h) and what the host says of
  // its own collection (nvattest's result_code / result_message): shown as claims, never judged.
  std::string evidence_shape;
  std::optional<int64_t> host_result_code;
  std::string host_result_message;
};

Json device_to_json(const DeviceResult& r, const Registry& reg);
Json appraisal_to_json(const std::vector<DeviceResult>& devices, const RunInfo& run,
                       const Registry& reg);
std::string render_appraisal_text(const std::vector<DeviceResult>& devices, const RunInfo& run);

}  // namespace aa::nvidia
