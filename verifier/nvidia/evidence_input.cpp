#include "nvidia/evidence_input.h"

#include "core/json.h"

namespace aa::nvidia {

Result<SerializedDevice> read_serialized_device(const JsonAt& at) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields(
      {"arch", "nonce", "evidence", "certificate", "version", "driver_version", "vbios_version"}));
  for (const char* k : {"version", "driver_version", "vbios_version"}) {
    if (auto f = o.optional_field(k)) AA_CHECK(f->string());
  }
  SerializedDevice d;
  AA_TRY(arch_at, o.field("arch"));
  AA_TRY(arch, arch_at.string());
  if (arch != "HOPPER" && arch != "BLACKWELL" && arch != "LS10") {
    return make_error("input.bad-value", arch_at.where(),
                      "arch \"" + arch + "\" is not HOPPER, BLACKWELL or LS10");
  }
  AA_TRY(nonce_at, o.field("nonce"));
  AA_TRY(nonce, nonce_at.string());
  auto nb = hex_decode(nonce);
  if (!nb || nb->size() != 32) {
    return make_error("input.bad-hex", nonce_at.where(), "nonce is not 64 hex digits");
  }
  AA_TRY(ev_at, o.field("evidence"));
  AA_TRY(ev, ev_at.string());
  auto report = base64_decode(ev);
  if (!report) return make_error("input.bad-base64", ev_at.where(), "evidence is not base64");
  AA_TRY(cert_at, o.field("certificate"));
  AA_TRY(cert, cert_at.string());
  auto pem = base64_decode(cert);
  if (!pem) return make_error("input.bad-base64", cert_at.where(), "certificate is not base64");
  d.nonce_hex = nonce;
  d.evidence.arch = arch;
  d.evidence.report = std::move(*report);
  d.evidence.chain_pem.assign(pem->begin(), pem->end());
  d.evidence.origin = at.where();
  return d;
}

Result<std::vector<SerializedDevice>> parse_serialized_evidence(std::string_view json,
                                                                const std::string& origin) {
  AA_TRY(doc, parse_json_strict(json, origin));
  JsonAt root(doc, origin);
  AA_TRY(arr, root.array());
  if (arr.json().empty()) {
    return make_error("input.bad-value", arr.where(), "no devices in the evidence list");
  }
  if (arr.json().size() > 64) {
    return make_error("input.too-large", arr.where(), "more than 64 devices");
  }
  std::vector<SerializedDevice> out;
  size_t gpus = 0, switches = 0;
  for (size_t i = 0; i < arr.json().size(); ++i) {
    AA_TRY(d, read_serialized_device(arr.at(i)));
    d.evidence.label = d.evidence.arch == "LS10" ? "SWITCH-" + std::to_string(switches++)
                                                 : "GPU-" + std::to_string(gpus++);
    out.push_back(std::move(d));
  }
  return out;
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
