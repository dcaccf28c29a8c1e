#include "identify/render.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/output_json.h"
#include "core/terminal.h"
#include "core/text.h"
#include "registry/describe.h"

namespace aa {

namespace {

std::string pad(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

std::string flag_list(const IdentifiedDevice& d) {
  std::string out;
  for (const auto& f : d.flags) out += (out.empty() ? "" : ",") + f.id + (f.verified ? "" : "*");
  return out.empty() ? "-" : out;
}

}  // namespace

std::string render_identify_table(const IdentifyReport& r) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back(
      {"PCI", "VENDOR", "FAMILY", "NAME", "TPP", "PD", "3A090", "FLAGS", "ATTEST", "ASSURANCE"});
  for (const auto& d : r.devices) {
    // Address and name can come from the host (lspci, sysfs, a bundle): escaped for a terminal.
    rows.push_back({terminal_safe(d.pci.address), terminal_safe(d.vendor), terminal_safe(d.family),
                    terminal_safe(d.name), format_interval(d.tpp, 0), format_interval(d.pd, 2),
                    class_text(d), flag_list(d), d.attestation, to_string(d.assurance)});
  }
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i)
      w[i] = std::max(w[i], std::min<size_t>(row[i].size(), 60));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += (i + 1 == row.size()) ? row[i] : pad(row[i], w[i]) + "  ";
    }
    out += line + "\n";
  }
  out += "\n" + std::to_string(r.devices.size()) +
         " accelerator(s); identity assurance: "
         "reported (PCI IDs are claims, not evidence). Flags marked * rest on sources the "
         "research could not verify.\n";
  if (r.findings.empty()) {
    out += "No findings.\n";
  } else {
    out += "Findings:\n";
    for (const auto& f : r.findings)
      out +=
          "  [" + f.code + "] " + terminal_safe(f.pointer) + ": " + terminal_safe(f.message) + "\n";
  }
  out += "Registry digest: sha256:" + r.registry_digest + "\n";
  return out;
}

Json identify_to_json(const IdentifyReport& r) {
  Json devices = Json::array();
  for (const auto& d : r.devices) {
    Json cands = Json::array();
    for (size_t i = 0; i < d.candidates.size(); ++i) {
      cands.push_back(Json{{"id", d.candidates[i]->id},
                           {"name", d.candidates[i]->name},
                           {"eccn_3a090", eccn_name(d.classifications[i].eccn)},
                           {"tpp", interval_json(d.classifications[i].tpp)}});
    }
    Json flags = Json::array();
    for (const auto& f : d.flags) flags.push_back(flag_json(f));
    Json dev{{"address", d.pci.address},
             {"vendor_id", to_hex(d.pci.vendor, 4)},
             {"device_id", to_hex(d.pci.device, 4)},
             {"subsystem_vendor_id", to_hex(d.pci.subsystem_vendor, 4)},
             {"subsystem_device_id", to_hex(d.pci.subsystem_device, 4)},
             {"class", to_hex(d.pci.class_code, 6)},
             {"vendor", d.vendor},
             {"family", d.family},
             {"name", d.name},
             {"part_id", d.candidates.size() == 1 ? Json(d.candidates[0]->id) : Json(nullptr)},
             {"candidates", cands},
             {"tpp", interval_json(d.tpp)},
             {"performance_density", interval_json(d.pd)},
             {"eccn_3a090", class_text(d)},
             {"flags", flags},
             {"attestation", d.attestation},
             {"assurance", to_string(d.assurance)},
             {"findings", findings_json(d.findings, d.pci.address)}};
    if (d.pci.reported_name) dev["reported_name"] = *d.pci.reported_name;
    devices.push_back(dev);
  }
  Json doc = document("identify", 2);
  doc["registry_digest"] = "sha256:" + r.registry_digest;
  doc["devices"] = devices;
  doc["findings"] = findings_json(r.findings, "host");
  return doc;
}

}  // namespace aa
