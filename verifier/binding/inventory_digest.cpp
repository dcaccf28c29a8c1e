#include "binding/inventory_digest.h"

#include <algorithm>
#include <cstdio>

#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "identify/identify.h"

namespace aa {

namespace {

void put_u8(std::string& out, uint8_t v) {
  out.push_back(static_cast<char>(v));
}

void put_u16(std::string& out, uint16_t v) {
  put_u8(out, static_cast<uint8_t>(v >> 8));
  put_u8(out, static_cast<uint8_t>(v));
}

void put_u32(std::string& out, uint32_t v) {
  put_u16(out, static_cast<uint16_t>(v >> 16));
  put_u16(out, static_cast<uint16_t>(v));
}

void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

void put_opt(std::string& out, const std::optional<std::string>& s) {
  if (!s) return put_u8(out, 0);
  put_u8(out, 1);
  put_str(out, *s);
}

void put_opt(std::string& out, const std::optional<Bytes>& b) {
  if (!b) return put_u8(out, 0);
  put_u8(out, 1);
  put_str(out, std::string_view(reinterpret_cast<const char*>(b->data()), b->size()));
}

Bytes sha256_bytes(std::string_view s) {
  auto d = sha256(s);
  return Bytes(d.begin(), d.end());
}

BoundDevice from_pci(const PciDevice& p, bool class_known) {
  BoundDevice d;
  d.address = p.address;
  d.vendor = p.vendor;
  d.device = p.device;
  d.subsystem_vendor = p.subsystem_vendor;
  d.subsystem_device = p.subsystem_device;
  if (class_known) d.class_code = p.class_code;
  d.reported_name = p.reported_name;
  if (p.evidence_sha256) {
    if (auto b = hex_decode(*p.evidence_sha256)) {
      d.report_sha256 = *b;
    } else {
      // Not hex (the readers refuse that): bind the text itself rather than drop it.
      d.report_sha256 = sha256_bytes(*p.evidence_sha256);
    }
  }
  return d;
}

}  // namespace

BoundInventory bound_inventory(const Bundle& bundle) {
  BoundInventory out;
  out.host_name = bundle.host_name;
  out.site_country = bundle.site_country;
  out.site_name = bundle.site_name;
  out.collected_at = x509::rfc3339(bundle.collected_at);
  if (bundle.site_position) out.site_position = site_position_text(*bundle.site_position);
  for (const auto& bd : bundle.devices) {
    BoundDevice d = from_pci(bd.pci, bd.class_known);
    d.scheme = bd.scheme;
    d.serial = bd.serial;
    d.npu_smi = bd.npu_smi;
    if (bd.nvidia) {
      const std::string_view report(reinterpret_cast<const char*>(bd.nvidia->report.data()),
                                    bd.nvidia->report.size());
      d.report_sha256 = sha256_bytes(report);
      d.chain_sha256 = sha256_bytes(bd.nvidia->chain_pem);
      d.arch = bd.nvidia->arch;
    }
    out.devices.push_back(std::move(d));
  }
  return out;
}

BoundInventory bound_inventory(const Inventory& inventory) {
  BoundInventory out;
  out.host_name = inventory.host;
  for (size_t i = 0; i < inventory.devices.size(); ++i) {
    const bool known = i < inventory.class_known.size() && inventory.class_known[i];
    out.devices.push_back(from_pci(inventory.devices[i], known));
  }
  return out;
}

std::string canonical_inventory_v2(const BoundInventory& inv) {
  std::string out("accel-attest inventory v2\0", 26);
  put_str(out, inv.host_name);
  put_opt(out, inv.site_country);
  put_opt(out, inv.site_name);
  put_opt(out, inv.collected_at);
  std::vector<const BoundDevice*> sorted;
  for (const auto& d : inv.devices) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const BoundDevice* a, const BoundDevice* b) {
    return a->address < b->address;
  });
  put_u32(out, static_cast<uint32_t>(sorted.size()));
  for (const BoundDevice* d : sorted) {
    put_str(out, d->address);
    put_u16(out, d->vendor);
    put_u16(out, d->device);
    put_u16(out, d->subsystem_vendor);
    put_u16(out, d->subsystem_device);
    if (d->class_code) {
      put_u8(out, 1);
      put_u32(out, 3);
      put_u8(out, static_cast<uint8_t>(*d->class_code >> 16));
      put_u16(out, static_cast<uint16_t>(*d->class_code));
    } else {
      put_u8(out, 0);
    }
    put_str(out, d->scheme);
    put_opt(out, d->reported_name);
    put_opt(out, d->serial);
    put_opt(out, d->npu_smi);
    put_opt(out, d->report_sha256);
    put_opt(out, d->chain_sha256);
    put_opt(out, d->arch);
  }
  if (inv.site_position) {
    put_u8(out, 1);
    put_str(out, "site-position");
    put_str(out, *inv.site_position);
  }
  return out;
}

std::string site_position_text(const location::LatLon& p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g,%.17g", p.lat, p.lon);
  return buf;
}

Bytes inventory_digest_v2(const BoundInventory& inventory) {
  return sha256_bytes(canonical_inventory_v2(inventory));
}

std::vector<PciDevice> inventory_accelerators(const Inventory& inventory,
                                              const Registry& registry) {
  std::vector<PciDevice> out;
  for (const auto& d : identify(inventory.devices, inventory.class_known, registry).devices) {
    out.push_back(d.pci);
  }
  return out;
}

std::string canonical_inventory_v1(const std::vector<PciDevice>& accelerators) {
  std::vector<const PciDevice*> sorted;
  for (const auto& d : accelerators) sorted.push_back(&d);
  std::sort(sorted.begin(), sorted.end(),
            [](const PciDevice* a, const PciDevice* b) { return a->address < b->address; });
  std::string out = "accel-attest/inventory-digest/v1\n";
  for (const PciDevice* d : sorted) {
    out += d->address + " " + to_hex(d->vendor, 4) + ":" + to_hex(d->device, 4) + " " +
           to_hex(d->subsystem_vendor, 4) + ":" + to_hex(d->subsystem_device, 4) + " " +
           d->evidence_sha256.value_or("-") + "\n";
  }
  return out;
}

Bytes inventory_digest_v1(const std::vector<PciDevice>& accelerators) {
  return sha256_bytes(canonical_inventory_v1(accelerators));
}

}  // namespace aa
