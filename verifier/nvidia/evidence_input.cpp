#include "nvidia/evidence_input.h"

#include <cmath>

#include "core/json.h"
#include "core/text.h"

namespace aa::nvidia {

namespace {

// The SPDM GET_MEASUREMENTS request the report starts with: version, code 0xE0, two params,
// the 32-byte nonce, the slot (docs/nvidia.md). nullopt when the report does not start so; the
// appraiser then refuses it (spdm.*), so there is no signed nonce to compare with.
std::optional<Bytes> signed_request_nonce(const Bytes& report) {
  if (report.size() < 37 || report[1] != 0xE0) return std::nullopt;
  return Bytes(report.begin() + 4, report.begin() + 36);
}

Result<Bytes> read_nonce(const JsonAt& at) {
  AA_TRY(nonce, at.string());
  auto nb = hex_decode(nonce);
  if (!nb || nb->size() != 32) {
    return make_error("input.bad-hex", at.where(), "nonce is not 64 hex digits");
  }
  return *nb;
}

// A nonce the document states beside the evidence must be the one the report signed: a host
// that wraps evidence over one nonce in a document claiming another is refused, naming the field.
Status check_nonce(const Bytes& declared, const Bytes& report, const std::string& where,
                   const std::string& item) {
  auto signed_nonce = signed_request_nonce(report);
  if (!signed_nonce || *signed_nonce == declared) return Ok{};
  return make_error("input.evidence-nonce-mismatch", where,
                    "nonce " + hex_encode(declared) + " is not the nonce " +
                        hex_encode(*signed_nonce) + " the report of " + item + " signed");
}

Result<std::string> read_arch(const JsonAt& at) {
  AA_TRY(arch, at.string());
  auto a = normalise_arch(arch);
  if (!a) {
    return make_error(
        "input.bad-value", at.where(),
        "arch \"" + printable(arch) + "\" is not HOPPER, BLACKWELL or LS10 (in any letter case)");
  }
  return *a;
}

// What a wrapper says for all its items.
struct Outer {
  std::optional<std::string> arch;
  std::optional<Bytes> nonce;
  std::string arch_where, nonce_where;
};

Result<SerializedDevice> read_device(const JsonAt& at, bool nonce_required, const Outer& outer) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields(
      {"arch", "nonce", "evidence", "certificate", "version", "driver_version", "vbios_version"}));
  for (const char* k : {"version", "driver_version", "vbios_version"}) {
    if (auto f = o.optional_field(k)) AA_CHECK(f->string());
  }
  SerializedDevice d;
  AA_TRY(ev_at, o.field("evidence"));
  AA_TRY(ev, ev_at.string_view());
  auto report = base64_decode(ev);
  if (!report) return make_error("input.bad-base64", ev_at.where(), "evidence is not base64");
  AA_TRY(cert_at, o.field("certificate"));
  AA_TRY(cert, cert_at.string_view());
  auto pem = base64_decode(cert);
  if (!pem) return make_error("input.bad-base64", cert_at.where(), "certificate is not base64");

  std::optional<std::string> arch = outer.arch;
  if (auto a = o.optional_field("arch")) {
    AA_TRY(mine, read_arch(*a));
    if (outer.arch && *outer.arch != mine) {
      return make_error(
          "input.bad-value", a->where(),
          "arch " + mine + " disagrees with " + outer.arch_where + " (" + *outer.arch + ")");
    }
    arch = mine;
  }
  if (outer.nonce) AA_CHECK(check_nonce(*outer.nonce, *report, outer.nonce_where, at.where()));
  if (auto n = o.optional_field("nonce")) {
    AA_TRY(nb, read_nonce(*n));
    AA_CHECK(check_nonce(nb, *report, n->where(), at.where()));
    d.nonce_hex = hex_encode(nb);
  } else if (nonce_required) {
    AA_CHECK(o.field("nonce"));  // the missing-field error
  } else if (outer.nonce) {
    d.nonce_hex = hex_encode(*outer.nonce);
  }
  d.evidence.arch = arch.value_or("");
  d.evidence.report = std::move(*report);
  d.evidence.chain_pem.assign(pem->begin(), pem->end());
  d.evidence.origin = at.where();
  return d;
}

Result<std::vector<SerializedDevice>> read_list(const JsonAt& at, bool nonce_required,
                                                const Outer& outer, const std::string& why_empty) {
  AA_TRY(arr, at.array());
  if (arr.json().empty()) {
    return make_error("input.bad-value", arr.where(),
                      "no devices in the evidence list" + why_empty);
  }
  if (arr.json().size() > 64) {
    return make_error("input.too-large", arr.where(), "more than 64 devices");
  }
  std::vector<SerializedDevice> out;
  for (size_t i = 0; i < arr.json().size(); ++i) {
    AA_TRY(d, read_device(arr.at(i), nonce_required, outer));
    out.push_back(std::move(d));
  }
  size_t gpus = 0, switches = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    DeviceEvidence& e = out[i].evidence;
    e.label = e.arch.empty()     ? "device-" + std::to_string(i)
              : e.arch == "LS10" ? "SWITCH-" + std::to_string(switches++)
                                 : "GPU-" + std::to_string(gpus++);
  }
  return out;
}

}  // namespace

std::optional<std::string> normalise_arch(std::string_view arch) {
  std::string up;
  for (char c : arch) up += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  if (up == "HOPPER" || up == "BLACKWELL" || up == "LS10") return up;
  return std::nullopt;
}

Result<SerializedDevice> read_serialized_device(const JsonAt& at) {
  return read_device(at, true, Outer{});
}

Result<EvidenceDocument> parse_evidence_document(std::string_view json, const std::string& origin) {
  AA_TRY(doc, parse_json_strict(json, origin));
  JsonAt root(doc, origin);
  EvidenceDocument out;
  if (doc.is_array()) {
    out.shape = "array";
    AA_TRY(list, read_list(root, true, Outer{}, ""));
    out.devices = std::move(list);
    return out;
  }
  if (!doc.is_object()) return root.type_error("an array or an object");
  if (doc.contains("evidences")) {
    out.shape = "nvattest-collect-evidence";
    AA_CHECK(root.only_fields({"evidences", "result_code", "result_message"}));
    if (auto rc = root.optional_field("result_code")) {
      AA_TRY(v, rc->number());
      if (v != std::floor(v) || std::fabs(v) > 9007199254740992.0) {
        return make_error("input.bad-value", rc->where(), "result_code is not an integer");
      }
      out.result_code = static_cast<int64_t>(v);
    }
    if (auto rm = root.optional_field("result_message")) {
      AA_TRY(m, rm->string());
      out.result_message = m;
    }
    std::string why;
    if (out.result_code && *out.result_code != 0) {
      why = " (the host reports result_code " + std::to_string(*out.result_code) +
            (out.result_message.empty() ? "" : ", \"" + printable(out.result_message, 120) + "\"") +
            ")";
    }
    AA_TRY(list, read_list(root.child("evidences"), true, Outer{}, why));
    out.devices = std::move(list);
    return out;
  }
  if (doc.contains("evidence_list")) {
    out.shape = "evidence-list";
    AA_CHECK(root.only_fields({"nonce", "arch", "evidence_list", "claims_version"}));
    Outer outer;
    if (auto a = root.optional_field("arch")) {
      AA_TRY(arch, read_arch(*a));
      outer.arch = arch;
      outer.arch_where = a->where();
    }
    if (auto n = root.optional_field("nonce")) {
      AA_TRY(nb, read_nonce(*n));
      outer.nonce = nb;
      outer.nonce_where = n->where();
    }
    if (auto cv = root.optional_field("claims_version")) {
      AA_TRY(v, cv->string());
      out.claims_version = v;
    }
    AA_TRY(list, read_list(root.child("evidence_list"), false, outer, ""));
    out.devices = std::move(list);
    return out;
  }
  return make_error("input.missing-field", root.where(),
                    "an object of NVIDIA evidence has \"evidences\" (nvattest collect-evidence) "
                    "or \"evidence_list\" (with nonce and arch)");
}

Result<std::vector<SerializedDevice>> parse_serialized_evidence(std::string_view json,
                                                                const std::string& origin) {
  AA_TRY(doc, parse_evidence_document(json, origin));
  return std::move(doc.devices);
}

Result<Bytes> parse_report_file(std::string_view body, const std::string& origin) {
  std::string hex;
  bool is_text = true;
  std::string_view b = body;
  if (b.size() >= 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) b.remove_prefix(2);
  for (char c : b) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (hex_value(c) < 0) {
      is_text = false;
      break;
    }
    hex += c;
  }
  if (!is_text || hex.empty()) return Bytes(body.begin(), body.end());
  auto bytes = hex_decode(hex);
  if (!bytes) return make_error("input.bad-hex", origin, "odd number of hex digits");
  return *bytes;
}

}  // namespace aa::nvidia
