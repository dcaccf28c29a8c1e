#include "inventory/inventory_json.h"

#include <set>

#include "core/bytes.h"
#include "core/json.h"
#include "core/text.h"

namespace aa {

namespace {
constexpr size_t kMaxDevices = 4096;

Result<uint32_t> hex_field(const JsonAt& obj, std::string_view key, size_t digits) {
  AA_TRY(f, obj.field(key));
  AA_TRY(s, f.string());
  auto v = parse_hex_exact(s, digits);
  if (!v) {
    return make_error(
        "input.bad-hex", f.where(),
        "expected " + std::to_string(digits) + " hex digits, found \"" + printable(s) + "\"");
  }
  return *v;
}
}  // namespace

Result<PciDevice> read_pci_identity(const JsonAt& eo, std::set<std::string>& seen) {
  PciDevice d;
  d.origin = eo.where();
  AA_TRY(addr_at, eo.field("address"));
  AA_TRY(addr_s, addr_at.string());
  auto addr = normalize_pci_address(addr_s);
  if (!addr) {
    return make_error("input.bad-address", addr_at.where(),
                      "\"" + printable(addr_s) + "\" is not DDDD:BB:DD.F");
  }
  if (!seen.insert(*addr).second) {
    return make_error("input.duplicate-device", addr_at.where(),
                      "address " + *addr + " listed twice");
  }
  d.address = *addr;
  AA_TRY(v, hex_field(eo, "vendor_id", 4));
  d.vendor = static_cast<uint16_t>(v);
  AA_TRY(dv, hex_field(eo, "device_id", 4));
  d.device = static_cast<uint16_t>(dv);
  if (eo.optional_field("subsystem_vendor_id")) {
    AA_TRY(sv, hex_field(eo, "subsystem_vendor_id", 4));
    d.subsystem_vendor = static_cast<uint16_t>(sv);
  }
  if (eo.optional_field("subsystem_device_id")) {
    AA_TRY(sd, hex_field(eo, "subsystem_device_id", 4));
    d.subsystem_device = static_cast<uint16_t>(sd);
  }
  if (eo.optional_field("class")) {
    AA_TRY(c, hex_field(eo, "class", 6));
    d.class_code = c;
  }
  return d;
}

Result<Inventory> parse_inventory_json(std::string_view text, const std::string& origin) {
  JsonLimits limits;
  limits.max_bytes = 4u << 20;
  limits.max_depth = 8;
  limits.max_string = 256;
  AA_TRY(doc, parse_json_strict(text, origin, limits));
  JsonAt root(doc, origin);
  AA_TRY(obj, root.object());
  AA_CHECK(obj.only_fields({"schema", "host", "devices"}));
  AA_TRY(schema, obj.field("schema"));
  AA_TRY(schema_s, schema.string());
  if (schema_s != "accel-attest/inventory/v1") {
    return make_error(
        "input.bad-value", schema.where(),
        "unsupported schema \"" + printable(schema_s) + "\" (expected accel-attest/inventory/v1)");
  }
  Inventory inv;
  if (auto h = obj.optional_field("host")) {
    AA_TRY(hs, h->string());
    inv.host = hs;
  }
  AA_TRY(devs, obj.field("devices"));
  AA_TRY(arr, devs.array());
  if (arr.json().size() > kMaxDevices) {
    return make_error("input.too-large", arr.where(), "more than 4096 devices");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < arr.json().size(); ++i) {
    JsonAt e = arr.at(i);
    AA_TRY(eo, e.object());
    AA_CHECK(eo.only_fields({"address", "vendor_id", "device_id", "subsystem_vendor_id",
                             "subsystem_device_id", "class", "reported_name", "evidence_sha256"}));
    AA_TRY(d, read_pci_identity(eo, seen));
    bool class_known = eo.optional_field("class").has_value();
    if (auto rn = eo.optional_field("reported_name")) {
      AA_TRY(n, rn->string());
      d.reported_name = n;
    }
    if (auto ev = eo.optional_field("evidence_sha256")) {
      AA_TRY(h, ev->string());
      auto b = hex_decode(h);
      if (!b || b->size() != 32) {
        return make_error("input.bad-hex", ev->where(), "not 64 hex digits (SHA-256)");
      }
      d.evidence_sha256 = hex_encode(*b);
    }
    inv.devices.push_back(std::move(d));
    inv.class_known.push_back(class_known);
  }
  return inv;
}

}  // namespace aa
