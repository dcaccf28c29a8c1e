#include <gtest/gtest.h>

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

}  // namespace
}  // namespace aa
