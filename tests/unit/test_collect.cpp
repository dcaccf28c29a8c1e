// The host side of `collect` that needs no device: the accelerator rule, the site file, the
// event log, running a program, and a collection over a sysfs tree with neither NVML nor npu-smi
// (every device kept, every missing piece a finding that names it).
#include <gtest/gtest.h>

#include "bundle/bundle.h"
#include "collect/host_collect.h"
#include "core/json_text.h"
#include "unit/temp_tree.h"

namespace aa {
namespace {

using collect::select_device;
using collect::Selected;
using test::TempTree;

PciDevice dev(uint16_t vendor, uint16_t device, uint32_t cls) {
  PciDevice d;
  d.address = "0000:18:00.0";
  d.vendor = vendor;
  d.device = device;
  d.class_code = cls;
  return d;
}

TEST(Collect, TheAcceleratorRule) {
  EXPECT_EQ(select_device(dev(0x10de, 0x22a3, 0x068000), false, false), Selected::kNvSwitch);
  EXPECT_EQ(select_device(dev(0x8086, 0x1234, 0x068000), false, false), Selected::kNo);
  for (uint32_t cls : {0x120000u, 0x0b4000u, 0x030200u}) {
    EXPECT_EQ(select_device(dev(0x1234, 0x0001, cls), false, false), Selected::kAccelerator) << cls;
  }
  // VGA and other display: only from accelerator vendors, so the BMC display stays out.
  EXPECT_EQ(select_device(dev(0x1a03, 0x2000, 0x030000), false, false), Selected::kNo);
  EXPECT_EQ(select_device(dev(0x10de, 0x2684, 0x030000), true, false), Selected::kAccelerator);
  EXPECT_EQ(select_device(dev(0x1002, 0x74a1, 0x038000), true, false), Selected::kAccelerator);
  // A part the registry knows, whatever its class says.
  EXPECT_EQ(select_device(dev(0x19e5, 0xd802, 0x020000), false, true), Selected::kAccelerator);
  EXPECT_EQ(select_device(dev(0x15b3, 0x1021, 0x020000), false, false), Selected::kNo);
}

TEST(Collect, Base64MatchesTheBundleDecoder) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "report bytes\x01\xff"}) {
    auto back = base64_decode(collect::base64_encode(as_bytes(s)));
    ASSERT_TRUE(back) << s;
    EXPECT_EQ(std::string(back->begin(), back->end()), s);
  }
}

TEST(Collect, SiteFileIsStrict) {
  TempTree t;
  t.write("ok.json", R"({"country": "AE", "name": "Abu Dhabi", "lat": 24.45, "lon": 54.38})");
  auto ok = collect::read_site_file(t.path("ok.json"));
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ((*ok)["country"], "AE");
  const std::pair<const char*, const char*> bad[] = {
      {R"({"country": "ae"})", "input.bad-value"},
      {R"({"name": "x"})", "input.missing-field"},
      {R"({"country": "AE", "lat": 1})", "input.bad-value"},
      {R"({"country": "AE", "lat": 91, "lon": 0})", "input.bad-value"},
      {R"({"country": "AE", "city": "x"})", "input.unknown-field"},
      {R"({"country": "AE", "country": "US"})", "input.duplicate-key"},
  };
  for (const auto& [text, code] : bad) {
    t.write("bad.json", text);
    auto r = collect::read_site_file(t.path("bad.json"));
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, code) << text;
  }
}

TEST(Collect, EventLogAbsentOrPresent) {
  TempTree t;
  std::string why;
  EXPECT_FALSE(collect::read_event_log(t.path("none"), why));
  EXPECT_NE(why.find("binary_bios_measurements does not exist"), std::string::npos) << why;
  t.write("sfs/tpm0/binary_bios_measurements", "log");
  auto log = collect::read_event_log(t.path("sfs"), why);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->size(), 3u);
}

TEST(Collect, RunProgramReportsWhatWentWrong) {
  auto ok = collect::run_program({"/bin/sh", "-c", "printf hello"}, 100);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(*ok, "hello");
  auto missing = collect::run_program({"/nonexistent/npu-smi", "info"}, 100);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "collect.program-failed");
  auto exit1 = collect::run_program({"/bin/sh", "-c", "exit 3"}, 100);
  ASSERT_FALSE(exit1.ok());
  EXPECT_NE(exit1.error().message.find("exited 3"), std::string::npos);
  auto big = collect::run_program({"/bin/sh", "-c", "head -c 5000 /dev/zero"}, 100);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("more than 100 bytes"), std::string::npos);
}

TEST(Collect, MissingPiecesKeepTheDevicesAndNameThem) {
  TempTree t;
  t.device("0000:18:00.0", "0x10de\n", "0x2330\n", "0x030200\n");
  t.device("0000:c1:00.0", "0x19e5\n", "0xd802\n", "0x120000\n");
  t.device("0000:03:00.0", "0x1a03\n", "0x2000\n", "0x030000\n");
  collect::CollectOptions o;
  o.nonce = Bytes(32, 0x42);
  o.host_name = "h";
  o.sysfs_root = t.path("");
  o.npu_smi = t.path("no-npu-smi");
  o.accelerator_vendor = [](uint16_t v) { return v == 0x10de || v == 0x19e5; };
  auto r = collect::collect_host(o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->devices.size(), 2u);  // not the BMC display
  std::vector<std::string> codes;
  for (const auto& f : r->findings) codes.push_back(f.code + " " + f.pointer);
  EXPECT_EQ(codes, (std::vector<std::string>{"collect.nvml-unavailable 0000:18:00.0",
                                             "collect.npu-smi-unavailable 0000:c1:00.0"}));
  // What is written is a bundle the verifier parses.
  auto b = parse_bundle(json_text(r->bundle), "collected");
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_EQ(b->devices.size(), 2u);
  EXPECT_EQ(b->devices[0].scheme, "none");
  EXPECT_FALSE(b->tpm);
}

}  // namespace
}  // namespace aa
