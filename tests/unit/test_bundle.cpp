// The evidence bundle v1 parser: a real bundle (the 8-GPU NVIDIA vector, a swtpm quote, a
// reported Ascend part) parses; 30+ crafted bad bundles each fail with a clear, located error.
#include <gtest/gtest.h>

#include <functional>

#include "bundle/bundle.h"
#include "core/text.h"

namespace aa {
namespace {

const std::string kData = TEST_DATA_DIR;

std::string b64(const std::string& path) {
  static const char* kAlpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = read_file(path, 16u << 20).value(), out;
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v =
        (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlpha[(v >> s) & 63];
  }
  if (in.size() - i == 1) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out += kAlpha[(v >> 18) & 63];
    out += kAlpha[(v >> 12) & 63];
    out += "==";
  } else if (in.size() - i == 2) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out += kAlpha[(v >> 18) & 63];
    out += kAlpha[(v >> 12) & 63];
    out += kAlpha[(v >> 6) & 63];
    out += "=";
  }
  return out;
}

Json good_bundle() {
  Json gpus = parse_json_strict(
                  read_file(kData + "/nvidia/evidence/hgx-8gpu-ppcie.json", 16u << 20).value(), "e")
                  .value();
  Json devices = Json::array();
  for (size_t i = 0; i < gpus.size(); ++i) {
    char addr[16];
    std::snprintf(addr, sizeof addr, "0000:%02zx:00.0", 0x18 + i * 0x10);
    devices.push_back({{"address", addr},
                       {"vendor_id", "10de"},
                       {"device_id", "2330"},
                       {"class", "030200"},
                       {"evidence", {{"scheme", "nvidia-spdm"}, {"nvidia", gpus[i]}}}});
  }
  devices.push_back({{"address", "0000:c1:00.0"},
                     {"vendor_id", "19e5"},
                     {"device_id", "d802"},
                     {"reported", {{"name", "910B3"}, {"serial", "1024A0012345"}}}});
  std::string sw = kData + "/tpm/swtpm/";
  return Json{{"schema", "accel-attest/bundle/v1"},
              {"nonce", "4760e30534a0621357d458b1a7936551b5dc4cd1e69718adf7ed9fb0252a537e"},
              {"collected_at", "2026-11-27T12:00:00Z"},
              {"host",
               {{"name", "hgx-01"},
                {"site", {{"country", "DE"}, {"name", "Frankfurt DC2"}}},
                {"tpm",
                 {{"quote", b64(sw + "quote_rsa.tpms_attest.bin")},
                  {"signature", b64(sw + "quote_rsa.tpmt_signature.bin")},
                  {"pcrs", b64(sw + "pcr_values_sha256_0-7_16.bin")},
                  {"ak_public", b64(sw + "ak_rsa.tpm2b_public.bin")}}}}},
              {"devices", devices},
              {"location", Json::object()},
              {"usage", Json::object()}};
}

TEST(Bundle, RealBundleParses) {
  auto b = parse_bundle(good_bundle().dump(), "good.json");
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_EQ(b->devices.size(), 9u);
  EXPECT_EQ(b->devices[0].scheme, "nvidia-spdm");
  ASSERT_TRUE(b->devices[0].nvidia.has_value());
  EXPECT_GT(b->devices[0].nvidia->report.size(), 4000u);  // an SPDM report
  EXPECT_EQ(b->devices[0].nvidia->label, "0000:18:00.0");
  EXPECT_EQ(b->devices[0].nvidia->pci_id->second, 0x2330);
  EXPECT_EQ(b->devices[8].scheme, "none");
  EXPECT_EQ(b->devices[8].pci.reported_name, "910B3");
  EXPECT_EQ(b->devices[8].serial, "1024A0012345");
  ASSERT_TRUE(b->tpm.has_value());
  EXPECT_EQ(b->tpm->quote.size(), 133u);
  EXPECT_EQ(b->site_country, "DE");
  EXPECT_EQ(b->collected_at, 1795780800);
}

struct Bad {
  const char* name;
  std::function<void(Json&)> mutate;
  const char* code;
  const char* pointer;  // expected in the error's field
};

TEST(Bundle, CraftedBadBundlesFailWithALocatedError) {
  const std::string huge(9u << 20, 'a');
  std::vector<Bad> cases = {
      {"schema missing", [](Json& j) { j.erase("schema"); }, "input.missing-field", "#/schema"},
      {"schema wrong", [](Json& j) { j["schema"] = "accel-attest/bundle/v2"; }, "input.bad-value",
       "#/schema"},
      {"schema number", [](Json& j) { j["schema"] = 1; }, "input.wrong-type", "#/schema"},
      {"unknown top field", [](Json& j) { j["extra"] = 1; }, "input.unknown-field", "extra"},
      {"nonce missing", [](Json& j) { j.erase("nonce"); }, "input.missing-field", "#/nonce"},
      {"nonce not hex", [](Json& j) { j["nonce"] = "zz"; }, "input.bad-hex", "#/nonce"},
      {"nonce too short", [](Json& j) { j["nonce"] = "00ff"; }, "input.bad-hex", "#/nonce"},
      {"nonce array", [](Json& j) { j["nonce"] = Json::array(); }, "input.wrong-type", "#/nonce"},
      {"time bad", [](Json& j) { j["collected_at"] = "yesterday"; }, "input.bad-value",
       "#/collected_at"},
      {"host missing", [](Json& j) { j.erase("host"); }, "input.missing-field", "#/host"},
      {"host string", [](Json& j) { j["host"] = "h"; }, "input.wrong-type", "#/host"},
      {"host name missing", [](Json& j) { j["host"].erase("name"); }, "input.missing-field",
       "#/host/name"},
      // Host-written names and serials go into every signed result: bounded (1024 bytes).
      {"host name too long", [](Json& j) { j["host"]["name"] = std::string(1025, 'h'); },
       "input.too-large", "#/host/name"},
      {"site name too long", [](Json& j) { j["host"]["site"]["name"] = std::string(1025, 's'); },
       "input.too-large", "#/host/site/name"},
      {"reported name too long",
       [](Json& j) { j["devices"][8]["reported"]["name"] = std::string(4096, 'n'); },
       "input.too-large", "#/devices/8/reported/name"},
      {"reported serial too long",
       [](Json& j) { j["devices"][8]["reported"]["serial"] = std::string(1025, '\x01'); },
       "input.too-large", "#/devices/8/reported/serial"},
      {"tpm enrolment bad base64", [](Json& j) { j["host"]["tpm"]["ak_enrolment"] = "!!"; },
       "input.bad-base64", "#/host/tpm/ak_enrolment"},
      {"country bad", [](Json& j) { j["host"]["site"]["country"] = "Germany"; }, "input.bad-value",
       "#/host/site/country"},
      {"country unassigned", [](Json& j) { j["host"]["site"]["country"] = "XX"; },
       "input.bad-value", "#/host/site/country"},
      {"site unknown field", [](Json& j) { j["host"]["site"]["gps"] = "x"; }, "input.unknown-field",
       "#/host/site"},
      {"tpm quote bad base64", [](Json& j) { j["host"]["tpm"]["quote"] = "!!notbase64"; },
       "input.bad-base64", "#/host/tpm/quote"},
      {"tpm quote empty", [](Json& j) { j["host"]["tpm"]["quote"] = ""; }, "input.bad-base64",
       "#/host/tpm/quote"},
      {"tpm signature missing", [](Json& j) { j["host"]["tpm"].erase("signature"); },
       "input.missing-field", "#/host/tpm/signature"},
      {"tpm unknown field", [](Json& j) { j["host"]["tpm"]["pcr16"] = "AA=="; },
       "input.unknown-field", "#/host/tpm"},
      {"devices missing", [](Json& j) { j.erase("devices"); }, "input.missing-field", "#/devices"},
      {"devices object", [](Json& j) { j["devices"] = Json::object(); }, "input.wrong-type",
       "#/devices"},
      {"device address bad", [](Json& j) { j["devices"][0]["address"] = "18:00.0"; },
       "input.bad-address", "#/devices/0/address"},
      {"device duplicate", [](Json& j) { j["devices"][1]["address"] = j["devices"][0]["address"]; },
       "input.duplicate-device", "#/devices/1/address"},
      {"vendor id short", [](Json& j) { j["devices"][2]["vendor_id"] = "10d"; }, "input.bad-hex",
       "#/devices/2/vendor_id"},
      {"device id number", [](Json& j) { j["devices"][3]["device_id"] = 9008; }, "input.wrong-type",
       "#/devices/3/device_id"},
      {"device unknown field", [](Json& j) { j["devices"][0]["vbios"] = "x"; },
       "input.unknown-field", "#/devices/0"},
      {"scheme unknown", [](Json& j) { j["devices"][0]["evidence"]["scheme"] = "amd-sev"; },
       "input.bad-value", "#/devices/0/evidence/scheme"},
      {"nvidia evidence missing", [](Json& j) { j["devices"][0]["evidence"].erase("nvidia"); },
       "input.missing-field", "#/devices/0/evidence/nvidia"},
      {"nvidia arch bad", [](Json& j) { j["devices"][0]["evidence"]["nvidia"]["arch"] = "AMPERE"; },
       "input.bad-value", "#/devices/0/evidence/nvidia/arch"},
      {"nvidia evidence bad base64",
       [](Json& j) { j["devices"][1]["evidence"]["nvidia"]["evidence"] = "%%%"; },
       "input.bad-base64", "#/devices/1/evidence/nvidia/evidence"},
      {"nvidia certificate number",
       [](Json& j) { j["devices"][1]["evidence"]["nvidia"]["certificate"] = 5; },
       "input.wrong-type", "#/devices/1/evidence/nvidia/certificate"},
      {"evidence for none", [](Json& j) { j["devices"][0]["evidence"]["scheme"] = "none"; },
       "input.bad-value", "#/devices/0/evidence/nvidia"},
      {"reported unknown field", [](Json& j) { j["devices"][8]["reported"]["firmware"] = "x"; },
       "input.unknown-field", "#/devices/8/reported"},
      {"reported name number", [](Json& j) { j["devices"][8]["reported"]["name"] = 910; },
       "input.wrong-type", "#/devices/8/reported/name"},
      {"location array", [](Json& j) { j["location"] = Json::array(); }, "input.wrong-type",
       "#/location"},
      {"huge string", [&](Json& j) { j["host"]["name"] = huge; }, "input.too-large", "good.json"},
  };
  for (const auto& c : cases) {
    Json j = good_bundle();
    c.mutate(j);
    auto r = parse_bundle(j.dump(), "good.json");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().to_string();
    EXPECT_NE(r.error().field.find(c.pointer), std::string::npos)
        << c.name << ": " << r.error().to_string();
  }
  EXPECT_GE(cases.size(), 30u);
  // Text-level damage: duplicate keys, deep nesting, not JSON, trailing garbage.
  std::string good = good_bundle().dump();
  std::string dup = good;
  dup.insert(1, "\"nonce\":\"00\",");
  EXPECT_EQ(parse_bundle(dup, "d").error().code, "input.duplicate-key");
  std::string deep = "{\"schema\":\"accel-attest/bundle/v1\",\"location\":" + std::string(40, '[') +
                     std::string(40, ']') + "}";
  EXPECT_EQ(parse_bundle(deep, "deep").error().code, "input.too-deep");
  EXPECT_EQ(parse_bundle(good.substr(0, good.size() / 2), "cut").error().code, "input.bad-json");
  EXPECT_EQ(parse_bundle(good + "x", "trail").error().code, "input.bad-json");
}

}  // namespace
}  // namespace aa
