#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "binding/inventory_digest.h"
#include "bundle/bundle.h"
#include "core/bytes.h"
#include "crypto/digest.h"
#include "inventory/inventory_json.h"

namespace aa {
namespace {

TEST(Inventory, ParsesDevicesWithOptionalFields) {
  auto r = parse_inventory_json(R"({"schema":"accel-attest/inventory/v1","host":"n1","devices":[
    {"address":"0000:C1:00.0","vendor_id":"19e5","device_id":"d802","class":"120000","reported_name":"910B3"},
    {"address":"0000:18:00.0","vendor_id":"10DE","device_id":"2330","subsystem_vendor_id":"10de","subsystem_device_id":"16c1"}]})",
                                "inv.json");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->host, "n1");
  ASSERT_EQ(r->devices.size(), 2u);
  EXPECT_EQ(r->devices[0].address, "0000:c1:00.0");
  EXPECT_EQ(r->devices[0].reported_name, "910B3");
  EXPECT_TRUE(r->class_known[0]);
  EXPECT_FALSE(r->class_known[1]);
  EXPECT_EQ(r->devices[1].vendor, 0x10de);
  EXPECT_EQ(r->devices[1].origin, "inv.json#/devices/1");
}

struct Bad {
  const char* doc;
  const char* code;
  const char* field;
};

class InventoryBad : public ::testing::TestWithParam<Bad> {};

TEST_P(InventoryBad, NamesTheField) {
  auto r = parse_inventory_json(GetParam().doc, "inv.json");
  ASSERT_FALSE(r.ok()) << GetParam().doc;
  EXPECT_EQ(r.error().code, GetParam().code) << r.error().to_string();
  EXPECT_EQ(r.error().field, GetParam().field) << r.error().to_string();
}

#define INV(devs) R"({"schema":"accel-attest/inventory/v1","devices":[)" devs "]}"
#define DEV(extra) R"({"address":"0000:18:00.0","vendor_id":"10de","device_id":"2330")" extra "}"

INSTANTIATE_TEST_SUITE_P(
    Cases, InventoryBad,
    ::testing::Values(
        Bad{"[]", "input.wrong-type", "inv.json#/"}, Bad{"{", "input.bad-json", "inv.json#/"},
        Bad{R"({"devices":[]})", "input.missing-field", "inv.json#/schema"},
        Bad{R"({"schema":"other","devices":[]})", "input.bad-value", "inv.json#/schema"},
        Bad{R"({"schema":"accel-attest/inventory/v1"})", "input.missing-field",
            "inv.json#/devices"},
        Bad{R"({"schema":"accel-attest/inventory/v1","devices":{}})", "input.wrong-type",
            "inv.json#/devices"},
        Bad{INV("[]"), "input.wrong-type", "inv.json#/devices/0"},
        Bad{INV(R"({"vendor_id":"10de","device_id":"2330"})"), "input.missing-field",
            "inv.json#/devices/0/address"},
        Bad{INV(DEV(R"(,"vendor_id":"10de")")), "input.duplicate-key",
            "inv.json#/devices/0/vendor_id"},
        Bad{INV(R"({"address":"0000:18:00.0","vendor_id":4318,"device_id":"2330"})"),
            "input.wrong-type", "inv.json#/devices/0/vendor_id"},
        Bad{INV(R"({"address":"0000:18:00.0","vendor_id":"10d","device_id":"2330"})"),
            "input.bad-hex", "inv.json#/devices/0/vendor_id"},
        Bad{INV(DEV(R"(,"class":"0302")")), "input.bad-hex", "inv.json#/devices/0/class"},
        Bad{INV(DEV(R"(,"colour":"green")")), "input.unknown-field", "inv.json#/devices/0/colour"},
        Bad{INV(R"({"address":"18:00.0","vendor_id":"10de","device_id":"2330"})"),
            "input.bad-address", "inv.json#/devices/0/address"},
        Bad{INV(DEV("") "," DEV("")), "input.duplicate-device", "inv.json#/devices/1/address"},
        Bad{INV(DEV(R"(,"reported_name":[[[[[[[[[[1]]]]]]]]]])")), "input.too-deep",
            "inv.json#/devices/0/reported_name/0/0/0/0/0"}));

TEST(Inventory, RejectsHugeStrings) {
  std::string doc =
      std::string(
          R"({"schema":"accel-attest/inventory/v1","devices":[{"address":"0000:18:00.0","vendor_id":"10de","device_id":"2330","reported_name":")") +
      std::string(10000, 'A') + "\"}]}";
  auto r = parse_inventory_json(doc, "inv.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.too-large");
  EXPECT_EQ(r.error().field, "inv.json#/devices/0/reported_name");
}

// ---------------------------------------------------------------- binding v2

Bytes sha(std::string_view s) {
  auto d = sha256(s);
  return Bytes(d.begin(), d.end());
}

// The worked example of docs/inventory-binding.md, devices given out of address order.
BoundInventory doc_example() {
  BoundInventory inv;
  inv.host_name = "example-host";
  inv.site_country = "AE";
  inv.collected_at = "2026-11-27T00:00:00Z";
  BoundDevice npu;
  npu.address = "0000:2a:00.0";
  npu.vendor = 0x19e5;
  npu.device = 0xd802;
  npu.subsystem_vendor = 0x0200;
  npu.subsystem_device = 0x0100;
  npu.class_code = 0x120000;
  npu.reported_name = "910B1";
  npu.serial = "033VNY10M3000123";
  BoundDevice gpu;
  gpu.address = "0000:18:00.0";
  gpu.vendor = 0x10de;
  gpu.device = 0x2330;
  gpu.subsystem_vendor = 0x10de;
  gpu.subsystem_device = 0x16c1;
  gpu.class_code = 0x030200;
  gpu.scheme = "nvidia-spdm";
  gpu.report_sha256 = sha("report");
  gpu.chain_sha256 = sha("chain");
  gpu.arch = "HOPPER";
  inv.devices = {npu, gpu};
  return inv;
}

const char kDocExampleDigest[] = "46d8d91dde968d843a5b743498281a7cf57e278ba4381f29431df95e1504dba5";

TEST(InventoryBindingV2, DocumentedExampleGivesTheDocumentedBytesAndDigest) {
  const BoundInventory inv = doc_example();
  const std::string m = canonical_inventory_v2(inv);
  ASSERT_EQ(m.size(), 289u);
  EXPECT_EQ(m.substr(0, 26), std::string("accel-attest inventory v2\0", 26));
  EXPECT_EQ(m.substr(26, 16), std::string("\0\0\0\x0c"
                                          "example-host",
                                          16));
  EXPECT_EQ(m.back(), '\0');  // the last device's absent arch
  EXPECT_EQ(hex_encode(inventory_digest_v2(inv)), kDocExampleDigest);
  // The document states the same digest (and the test would catch an edit of either).
  std::ifstream doc(std::string(EXAMPLES_DIR) + "/../inventory-binding.md");
  std::stringstream text;
  text << doc.rdbuf();
  EXPECT_NE(text.str().find(kDocExampleDigest), std::string::npos);
}

TEST(InventoryBindingV2, OrderOfDevicesDoesNotMatterButEveryBoundFieldDoes) {
  const BoundInventory base = doc_example();
  const Bytes d0 = inventory_digest_v2(base);
  BoundInventory reordered = base;
  std::swap(reordered.devices[0], reordered.devices[1]);
  EXPECT_EQ(inventory_digest_v2(reordered), d0);

  const std::vector<std::pair<const char*, std::function<void(BoundInventory&)>>> changes = {
      {"host name", [](BoundInventory& i) { i.host_name += "x"; }},
      {"site country", [](BoundInventory& i) { i.site_country = "US"; }},
      {"site country absent", [](BoundInventory& i) { i.site_country.reset(); }},
      {"site name empty", [](BoundInventory& i) { i.site_name = ""; }},
      {"collected_at", [](BoundInventory& i) { i.collected_at = "2026-11-27T00:00:01Z"; }},
      {"address", [](BoundInventory& i) { i.devices[0].address = "0000:2b:00.0"; }},
      {"vendor", [](BoundInventory& i) { i.devices[0].vendor = 0x19e6; }},
      {"device", [](BoundInventory& i) { i.devices[0].device = 0xd803; }},
      {"subsystem vendor", [](BoundInventory& i) { i.devices[0].subsystem_vendor = 0x0201; }},
      {"subsystem device", [](BoundInventory& i) { i.devices[0].subsystem_device = 0x0101; }},
      {"class", [](BoundInventory& i) { i.devices[0].class_code = 0x120001; }},
      {"class unknown", [](BoundInventory& i) { i.devices[0].class_code.reset(); }},
      {"class 0 vs unknown", [](BoundInventory& i) { i.devices[1].class_code = 0; }},
      {"scheme", [](BoundInventory& i) { i.devices[1].scheme = "none"; }},
      {"name", [](BoundInventory& i) { i.devices[0].reported_name = "910B2"; }},
      {"name empty", [](BoundInventory& i) { i.devices[0].reported_name = ""; }},
      {"name absent", [](BoundInventory& i) { i.devices[0].reported_name.reset(); }},
      {"serial", [](BoundInventory& i) { i.devices[0].serial = "033VNY10M3000124"; }},
      {"npu-smi", [](BoundInventory& i) { i.devices[0].npu_smi = ""; }},
      {"report", [](BoundInventory& i) { i.devices[1].report_sha256 = sha("report2"); }},
      {"chain", [](BoundInventory& i) { i.devices[1].chain_sha256 = sha("chain2"); }},
      {"arch", [](BoundInventory& i) { i.devices[1].arch = "BLACKWELL"; }},
      {"device removed", [](BoundInventory& i) { i.devices.pop_back(); }},
      // Length prefixes: moving bytes from one field to the next changes the digest.
      {"field boundary",
       [](BoundInventory& i) {
         i.devices[0].reported_name = "910B10";
         i.devices[0].serial = "33VNY10M3000123";
       }},
  };
  for (const auto& [what, change] : changes) {
    BoundInventory other = base;
    change(other);
    EXPECT_NE(inventory_digest_v2(other), d0) << what;
  }
}

TEST(InventoryBindingV2, BundleFieldsReachTheDigest) {
  const std::string text = [] {
    std::ifstream f(std::string(EXAMPLES_DIR) + "/bundles/ascend-910b/bundle.json");
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }();
  auto b = parse_bundle(text, "ascend-910b");
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  const BoundInventory inv = bound_inventory(*b);
  EXPECT_EQ(inv.host_name, "ascend-910b-example");
  EXPECT_EQ(inv.site_country, "MY");
  EXPECT_EQ(inv.devices.size(), b->devices.size());  // every device, accelerator or not
  const Bytes d0 = inventory_digest_v2(inv);
  auto differs = [&](const char* what, const std::function<void(Bundle&)>& change) {
    Bundle other = *b;
    change(other);
    EXPECT_NE(inventory_digest_v2(bound_inventory(other)), d0) << what;
  };
  auto at = [](Bundle& x, const char* address) -> BundleDevice& {
    for (auto& d : x.devices)
      if (d.pci.address == address) return d;
    ADD_FAILURE() << address;
    return x.devices.front();
  };
  differs("npu-smi", [&](Bundle& x) { *at(x, "0000:01:00.0").npu_smi += " "; });
  differs("serial", [&](Bundle& x) { at(x, "0000:02:00.0").serial = "1"; });
  differs("name", [&](Bundle& x) { at(x, "0000:02:00.0").pci.reported_name = "910B4"; });
  differs("subsystem", [&](Bundle& x) { at(x, "0000:02:00.0").pci.subsystem_device = 0x0101; });
  differs("site", [&](Bundle& x) { x.site_country = "SG"; });
  differs("site name", [&](Bundle& x) { x.site_name.reset(); });
  differs("a NIC", [&](Bundle& x) { at(x, "0000:81:00.1").pci.device = 0x101c; });
  // Declared site coordinates (location.site-contradicted reads them): present binds them, and
  // each coordinate counts; absent leaves the digest of a bundle without them unchanged.
  EXPECT_FALSE(b->site_position.has_value());
  differs("site position", [&](Bundle& x) { x.site_position = location::LatLon{3.139, 101.6869}; });
  Bundle kl = *b;
  kl.site_position = location::LatLon{3.139, 101.6869};
  Bundle kl2 = kl;
  kl2.site_position->lon = 101.6870;
  EXPECT_NE(inventory_digest_v2(bound_inventory(kl)), inventory_digest_v2(bound_inventory(kl2)));
  const std::string m = canonical_inventory_v2(bound_inventory(kl));
  EXPECT_EQ(m.substr(canonical_inventory_v2(inv).size()),
            std::string("\x01\0\0\0\x0dsite-position", 18) + std::string("\0\0\0\x25", 4) +
                "3.1389999999999998,101.68689999999999");
  // What the quote and the location evidence carry is not in it (they are signed on their own).
  Bundle no_tpm = *b;
  no_tpm.tpm.reset();
  EXPECT_EQ(inventory_digest_v2(bound_inventory(no_tpm)), d0);
}

TEST(InventoryBindingV2, InventoryDocumentBindsItsHostAndEveryDevice) {
  auto r = parse_inventory_json(R"({"schema":"accel-attest/inventory/v1","host":"n1","devices":[
    {"address":"0000:c1:00.0","vendor_id":"19e5","device_id":"d802","class":"120000","reported_name":"910B3"},
    {"address":"0000:18:00.0","vendor_id":"10de","device_id":"2330"}]})",
                                "inv.json");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const BoundInventory inv = bound_inventory(*r);
  EXPECT_EQ(inv.host_name, "n1");
  ASSERT_EQ(inv.devices.size(), 2u);
  EXPECT_EQ(inv.devices[0].class_code, 0x120000u);
  EXPECT_FALSE(inv.devices[1].class_code.has_value());
  EXPECT_EQ(inv.devices[0].reported_name, "910B3");
  EXPECT_FALSE(inv.site_country.has_value());
  EXPECT_NE(inventory_digest_v2(inv), inventory_digest_v1(r->devices));
}

}  // namespace
}  // namespace aa
