// The canonical digest of what a host reports about itself and its devices, which a TPM quote
// binds through extraData = SHA-256(nonce || inventory digest) (docs/inventory-binding.md).
//
// Contract, binding v2 (the one that binds): canonical_inventory_v2() returns the exact bytes
// hashed, inventory_digest_v2() their SHA-256. The bytes are
//   "accel-attest inventory v2" 0x00, STR(host name), OPT(site country), OPT(site name),
//   OPT(collected_at, RFC 3339), U32(device count), then per device, sorted by address:
//   STR(address), U16 vendor, device, subsystem vendor, subsystem device, OPT(class, 3 bytes),
//   STR(scheme), OPT(reported name), OPT(serial), OPT(npu-smi text), OPT(SHA-256 of the NVIDIA
//   report), OPT(SHA-256 of the NVIDIA certificate chain PEM), OPT(NVIDIA declared arch),
//   and last, only when the host declares site coordinates (bundle host.site lat/lon, which
//   location.site-contradicted reads): 0x01 || STR("site-position") || STR(lat "," lon, each
//   printed with %.17g, which round-trips a double). With no coordinates nothing follows the
//   devices, so bundles without them keep the digest they had; the device count and the
//   length prefixes make the trailing part unambiguous.
// with STR(s) = U32(length) || s, OPT(x) = 0x00 when absent or 0x01 || STR(x), integers big
// endian. Every field the verdict reads from a bundle is in it (the table in
// docs/inventory-binding.md); every device of the bundle is, accelerator or not, so the digest
// does not depend on the verifier's registry. Pure functions, no I/O, never fail.
//
// Binding v1 (canonical_inventory_v1, inventory_digest_v1) is kept only to recognise an old
// quote: it covered PCI IDs and the report digest of the registry's accelerators, not names,
// serials, npu-smi text, chains or the site, so a quote binding it binds nothing the verifier
// accepts (tpm.inventory-binding-v1).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "core/bytes.h"
#include "inventory/inventory_json.h"
#include "inventory/pci_device.h"
#include "registry/registry.h"

namespace aa {

// One device as binding v2 covers it.
struct BoundDevice {
  std::string address;
  uint16_t vendor = 0, device = 0, subsystem_vendor = 0, subsystem_device = 0;
  std::optional<uint32_t> class_code;  // absent: the host gave no class
  std::string scheme = "none";
  std::optional<std::string> reported_name, serial, npu_smi;
  std::optional<Bytes> report_sha256, chain_sha256;  // 32 bytes each
  std::optional<std::string> arch;
};

// The host and its devices as binding v2 covers them.
struct BoundInventory {
  std::string host_name;
  std::optional<std::string> site_country, site_name, collected_at;
  std::optional<std::string> site_position;  // "lat,lon" (%.17g each) when declared
  std::vector<BoundDevice> devices;
};

// What a bundle says (its TPM and location sections aside: they carry their own signatures).
BoundInventory bound_inventory(const Bundle& bundle);
// What an inventory document says: its host and every device, with their evidence digests.
BoundInventory bound_inventory(const Inventory& inventory);

std::string canonical_inventory_v2(const BoundInventory& inventory);
// How declared site coordinates enter binding v2: "lat,lon", %.17g each.
std::string site_position_text(const location::LatLon& p);
Bytes inventory_digest_v2(const BoundInventory& inventory);

// Binding v1, to recognise old quotes only.
// The devices of an inventory that `identify` selects as accelerators with `registry`.
std::vector<PciDevice> inventory_accelerators(const Inventory& inventory, const Registry& registry);
std::string canonical_inventory_v1(const std::vector<PciDevice>& accelerators);
Bytes inventory_digest_v1(const std::vector<PciDevice>& accelerators);

}  // namespace aa
