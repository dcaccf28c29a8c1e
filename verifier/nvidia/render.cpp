#include "nvidia/render.h"

#include "core/output_json.h"
#include "core/terminal.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "registry/classify.h"
#include "registry/describe.h"

namespace aa::nvidia {

namespace {

// A reported state, or "not reported".
Json state_json(const std::optional<bool>& v) {
  return v ? Json(*v) : Json("not reported");
}
std::string state_text(const std::optional<bool>& v, const char* on, const char* off) {
  return v ? (*v ? on : off) : "not reported";
}

Json modes_json(const ModeState& m) {
  Json j{{"cc_mode", state_json(m.cc_on)},
         {"devtools", state_json(m.devtools)},
         {"debug", state_json(m.debug)},
         {"protected_pcie", state_json(m.ppcie)},
         {"cc_variant", m.cc_variant.empty() ? Json("not reported") : Json(m.cc_variant)}};
  return j;
}

Json rim_json(const RimOutcome& o) {
  if (o.id.empty()) return nullptr;
  Json j{{"id", o.id},
         {"status", to_string(o.status)},
         {"found", o.found},
         {"signature_verified", o.signature_ok},
         {"chain_valid", o.chain_ok},
         {"version_match", o.version_ok}};
  if (o.parsed) {
    j["identity_match"] = o.identity_ok;
    j["tag_id"] = o.tag_id;
    j["product"] = o.product;
    j["edition"] = o.edition;
    j["colloquial_version"] = o.version;
    j["signer"] = o.signer;
    j["signer_not_after"] = x509::rfc3339(o.signer_not_after);
  }
  return j;
}

std::string opt(const std::optional<std::string>& s) {
  return s.value_or("");
}

}  // namespace

Json device_to_json(const DeviceResult& r, const Registry& reg) {
  Json checks = Json::array();
  for (DeviceCheck c : all_values<DeviceCheck>()) {
    checks.push_back(check_json(to_string(c), to_string(r.checks.at(c))));
  }
  Json j{{"label", r.label},
         {"origin", r.origin},
         {"kind", to_string(r.kind)},
         {"verdict", to_string(r.verdict())},
         {"assurance", r.checks.at(DeviceCheck::kSignature) == CheckStatus::kPass &&
                               r.checks.at(DeviceCheck::kChain) == CheckStatus::kPass &&
                               r.checks.at(DeviceCheck::kNonce) == CheckStatus::kPass
                           ? to_string(Assurance::kAttested)
                           : "none"},
         {"checks", checks},
         {"die", r.die},
         {"device_id", r.device_id},
         {"hwmodel", r.hwmodel},
         {"ueid", r.ueid},
         {"nonce", r.report ? hex_encode(r.report->request_nonce) : ""},
         {"certificate_chain", r.chain_subjects},
         {"driver_rim", rim_json(r.driver_rim)},
         {"vbios_rim", rim_json(r.vbios_rim)}};
  if (!r.declared_arch.empty()) j["declared_arch"] = r.declared_arch;
  if (!r.chain_error.empty()) j["chain_error"] = r.chain_error;
  if (r.opaque) {
    const OpaqueData& o = *r.opaque;
    Json f{{"driver_version", opt(o.driver_version)},
           {"vbios_version", opt(o.vbios_version)},
           {"project", opt(o.project)},
           {"project_sku", opt(o.project_sku)},
           {"chip_sku", opt(o.chip_sku)}};
    if (o.chip_info) f["chip_info"] = *o.chip_info;
    if (o.board_id) f["board_id"] = *o.board_id;
    if (o.fwid) f["fwid"] = hex_encode(*o.fwid);
    if (o.nvdec0_status) f["nvdec0_enabled"] = *o.nvdec0_status == kEnabled;
    if (o.protected_pcie_status) f["protected_pcie"] = *o.protected_pcie_status == kEnabled;
    if (o.opaque_data_version) f["opaque_data_version"] = *o.opaque_data_version;
    if (o.feature_flag) f["feature_flag"] = *o.feature_flag;
    if (!o.switch_pdis.empty()) f["switch_pdis"] = o.switch_pdis;
    j["signed_fields"] = f;
  }
  if (r.report) {
    j["measurement_blocks"] = r.report->blocks.size();
  }
  j["modes"] = modes_json(r.modes);
  Json rev = Json::array();
  for (const auto& c : r.revocation) {
    rev.push_back({{"index", c.index},
                   {"subject", c.subject},
                   {"status", revocation_name(c.status)},
                   {"source", c.source},
                   {"detail", c.detail}});
  }
  j["revocation"] = rev;
  j["measurements"] = {{"compared", r.measurements_compared},
                       {"matched", r.measurements_matched},
                       {"skipped", r.measurements_skipped}};
  Json mm = Json::array();
  for (const auto& m : r.mismatches) {
    mm.push_back({{"rim_index", m.rim_index},
                  {"spdm_index", m.rim_index + 1},
                  {"source", m.source},
                  {"expected", m.expected},
                  {"runtime", m.runtime},
                  {"tolerated", m.tolerated}});
  }
  j["mismatches"] = mm;
  j["sku"] = r.sku;
  j["product"] = r.product;
  if (r.part) {
    j["registry_part"] = r.part->id;
    j["family"] = r.part->family;
    j["classification"] = classification_to_json(*r.part, classify(*r.part, reg.country_groups()));
  }
  Json fs = Json::array();
  for (const auto& f : r.findings) fs.push_back(finding_json(f, r.label));
  j["findings"] = fs;
  return j;
}

Json appraisal_to_json(const std::vector<DeviceResult>& devices, const RunInfo& run,
                       const Registry& reg) {
  Json ds = Json::array();
  bool all = true;
  for (const auto& d : devices) {
    ds.push_back(device_to_json(d, reg));
    all = all && d.passed(run.strict);
  }
  Json j{{"schema", "accel-attest/nvidia-appraisal/v2"},
         {"verification_time", x509::rfc3339(run.time)},
         {"expected_nonce", run.expected_nonce_hex},
         {"device_root", run.device_root_label},
         {"rim_root", run.rim_root_label},
         {"rim_store", run.rim_store.empty() ? Json(nullptr) : Json(run.rim_store)},
         {"crl_dir", run.crl_dir.empty() ? Json(nullptr) : Json(run.crl_dir)},
         {"ocsp_dir", run.ocsp_dir.empty() ? Json(nullptr) : Json(run.ocsp_dir)},
         {"strict", run.strict},
         {"result", all ? "pass" : "fail"},
         {"devices", ds}};
  if (!run.evidence_shape.empty()) {
    Json e{{"shape", run.evidence_shape}};
    if (run.host_result_code) {
      e["host_result_code"] = *run.host_result_code;
      e["host_result_message"] = run.host_result_message;
    }
    j["evidence"] = std::move(e);
  }
  return j;
}

std::string render_appraisal_text(const std::vector<DeviceResult>& devices, const RunInfo& run) {
  std::string out;
  out += "NVIDIA evidence appraisal at " + x509::rfc3339(run.time) + "\n";
  out += "  expected nonce " + run.expected_nonce_hex + "\n";
  out += "  device root: " + run.device_root_label + "\n";
  out += "  RIM root:    " + run.rim_root_label + "\n";
  out += "  RIM store:   " + (run.rim_store.empty() ? std::string("none") : run.rim_store) + "\n";
  if (!run.evidence_shape.empty()) {
    out += "  evidence:    " + run.evidence_shape;
    if (run.host_result_code) {
      out += "; the host says result_code " + std::to_string(*run.host_result_code) + " \"" +
             terminal_safe(printable(run.host_result_message, 120)) +
             "\" (a claim: not what decides)";
    }
    out += "\n";
  }
  bool all = true;
  for (const auto& d : devices) {
    all = all && d.passed(run.strict);
    // Labels, IDs, versions, SKUs and messages come from the evidence: escaped for a terminal.
    out += "\n" + terminal_safe(d.label) + " (" + to_string(d.kind) + ")  " +
           to_string(d.verdict()) + "\n";
    if (!d.device_id.empty())
      out += "  device      " + terminal_safe(d.device_id) + "  hwmodel " +
             terminal_safe(d.hwmodel) + "\n";
    if (d.opaque) {
      out += "  firmware    driver " + terminal_safe(opt(d.opaque->driver_version)) + ", VBIOS " +
             terminal_safe(opt(d.opaque->vbios_version)) + "\n";
    }
    if (d.opaque) {
      out += "  modes       CC " + state_text(d.modes.cc_on, "on", "off") + ", devtools " +
             state_text(d.modes.devtools, "on", "off") + ", debug " +
             state_text(d.modes.debug, "on", "off") + ", protected PCIe " +
             state_text(d.modes.ppcie, "on", "off") +
             (d.modes.cc_variant.empty() ? "" : ", CC variant " + d.modes.cc_variant) + "\n";
    }
    if (!d.product.empty() || !d.sku.empty()) {
      out += "  product     " +
             (d.product.empty() ? std::string("unknown") : terminal_safe(d.product)) +
             (d.sku.empty() ? "" : "  (SKU " + terminal_safe(d.sku) + ")") +
             (d.part ? "  registry " + d.part->id + " (" + d.part->family + ")" : "") + "\n";
    }
    out += "  checks     ";
    for (DeviceCheck c : all_values<DeviceCheck>())
      out += std::string(" ") + to_string(c) + "=" + to_string(d.checks.at(c));
    out += "\n";
    if (d.measurements_compared > 0) {
      out += "  measurements " + std::to_string(d.measurements_matched) + "/" +
             std::to_string(d.measurements_compared) + " match";
      if (d.measurements_skipped) out += ", " + std::to_string(d.measurements_skipped) + " skipped";
      out += "\n";
    }
    for (const auto& f : d.findings) {
      out += std::string("  [") + to_string(f.severity) + "] " + f.code + ": " +
             terminal_safe(f.message) + "\n";
    }
  }
  out += std::string("\nResult: ") + (all ? "PASS" : "FAIL") + " (" +
         std::to_string(devices.size()) + " device" + (devices.size() == 1 ? "" : "s") +
         (run.strict ? ", strict" : "") + ")\n";
  return out;
}

}  // namespace aa::nvidia
