// The SPDM report parser against NVIDIA's own expected parse outputs, and against broken
// reports: every rejection must be a specific error, never a crash.
#include <gtest/gtest.h>

#include <set>

#include "core/json.h"
#include "nvidia/opaque.h"
#include "spdm/measurements.h"
#include "unit/nvidia_fixture.h"

namespace aa {
namespace {

using test::kNvData;

std::string hex0x(ByteView b) {
  return "0x" + hex_encode(b);
}

// Compares a parse with NVIDIA's spdm_*parsed_output.json for the same report.
void expect_matches_golden(const std::string& report, const std::string& golden,
                           nvidia::DeviceKind kind) {
  Bytes blob = test::report_bytes(report);
  auto rep = spdm::parse_measurement_report(blob, 96, report);
  ASSERT_TRUE(rep.ok()) << rep.error().to_string();
  std::string gpath = kNvData + "/reports/" + golden;
  Json g = parse_json_strict(test::slurp(gpath), gpath).value();
  EXPECT_EQ(g["SPDMVersion"], "0x11");
  EXPECT_EQ(rep->version, 0x11);
  EXPECT_EQ(rep->code, 0x60);
  EXPECT_EQ(g["NumberOfBlocks"].get<int>(), rep->number_of_blocks);
  EXPECT_EQ(g["MeasurementRecordLength"].get<uint32_t>(), rep->record_length);
  EXPECT_EQ(g["Nonce"].get<std::string>(), hex0x(rep->responder_nonce));
  EXPECT_EQ(g["OpaqueLength"].get<size_t>(), rep->opaque.size());
  EXPECT_EQ(g["Signature"].get<std::string>(), hex0x(rep->signature));
  const Json& blocks = g["MeasurementRecord"]["MeasurementBlocks"];
  ASSERT_EQ(blocks.size(), rep->blocks.size());
  for (const auto& b : rep->blocks) {
    const Json& gb = blocks.at(std::to_string(b.index));
    EXPECT_EQ(gb["DMTFSpecMeasurementValueType"].get<int>(), b.value_type) << int(b.index);
    EXPECT_EQ(gb["DMTFSpecMeasurementValueSize"].get<size_t>(), b.value.size());
    EXPECT_EQ(gb["DMTFSpecMeasurementValue"].get<std::string>(), hex0x(b.value)) << int(b.index);
  }
  auto op = nvidia::parse_opaque_data(rep->opaque, rep->opaque_offset, kind, report);
  ASSERT_TRUE(op.ok()) << op.error().to_string();
  const Json& fields = g["OpaqueData"]["OpaqueDataField"];
  size_t compared = 0;
  std::set<std::string> checked;
  for (const auto& f : op->fields) {
    std::string name = nvidia::opaque_type_name(f.type);
    // The switch table names a few types differently; NVIDIA's golden uses those names.
    for (const auto& [k, v] : fields.items()) {
      if (k != "OPAQUE_FIELD_ID_" + name &&
          !(kind == nvidia::DeviceKind::kSwitch &&
            ((f.type == 22 && k == "OPAQUE_FIELD_ID_DEVICE_PDI") ||
             (f.type == 25 && k == "OPAQUE_FIELD_ID_SWITCH_LOCK_STATUS") ||
             (f.type == 24 && k == "OPAQUE_FIELD_ID_SWITCH_POSITION_ID")))) {
        continue;
      }
      ++compared;
      checked.insert(k);
      if (v.is_string()) {
        EXPECT_EQ(v.get<std::string>(), hex0x(f.value)) << k;
      } else if (f.type == nvidia::kMsrsCnt) {
        ASSERT_EQ(v.size(), op->msrs_count.size());
        for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i].get<uint32_t>(), op->msrs_count[i]);
      } else if (f.type == nvidia::kSwitchGpuPdis) {
        // 8 GPU PDIs of 8 bytes, then the 64-byte port map NVIDIA lists as SWITCH_PORT.
        ASSERT_EQ(v.size() * 8 + 64, f.value.size());
        for (size_t i = 0; i < v.size(); ++i) {
          EXPECT_EQ(v[i].get<std::string>(), hex0x(ByteView(f.value).subspan(i * 8, 8)));
        }
        const Json& ports = fields["OPAQUE_FIELD_ID_SWITCH_PORT"];
        checked.insert("OPAQUE_FIELD_ID_SWITCH_PORT");
        ASSERT_EQ(ports.size(), 64u);
        for (size_t i = 0; i < 64; ++i) {
          EXPECT_EQ(ports[i].get<std::string>(), hex0x(ByteView(f.value).subspan(64 + i, 1)));
        }
      }
    }
  }
  EXPECT_GE(compared, kind == nvidia::DeviceKind::kGpu ? 14u : 5u);
  // Every golden field is compared, except one: NVIDIA's switch golden lists 64 DISABLED_PORTS
  // flags (ports 0-11 and 16-23 set), but this report's type-23 value is the 2 bytes ec 00,
  // which cannot encode that list, so the golden entry was made from other bytes. Named here so
  // that nothing else can go uncompared unnoticed.
  std::set<std::string> unchecked;
  for (const auto& [k, v] : fields.items()) {
    if (!checked.count(k)) unchecked.insert(k);
  }
  std::set<std::string> expected;
  if (kind == nvidia::DeviceKind::kSwitch) expected.insert("OPAQUE_FIELD_ID_DISABLED_PORTS");
  EXPECT_EQ(unchecked, expected);
}

TEST(Spdm, MatchesNvidiaGoldenParseHopper) {
  expect_matches_golden("sdk-h100-580", "sdk-h100-580.parsed.json", nvidia::DeviceKind::kGpu);
}

TEST(Spdm, MatchesNvidiaGoldenParseSwitch) {
  expect_matches_golden("sdk-ls10", "sdk-ls10.parsed.json", nvidia::DeviceKind::kSwitch);
}

TEST(Spdm, RequestMatchesNvidiaGoldenParse) {
  Bytes blob = test::report_bytes("sdk-h100-580");
  auto rep = spdm::parse_measurement_report(blob, 96, "r").value();
  std::string gpath = kNvData + "/reports/sdk-h100-580.request.parsed.json";
  Json g = parse_json_strict(test::slurp(gpath), gpath).value();
  EXPECT_EQ(g["RequestResponseCode"], "0xe0");
  EXPECT_EQ(rep.request_code, 0xe0);
  EXPECT_EQ(rep.request_param1, 0x01);
  EXPECT_EQ(rep.request_param2, 0xff);
  EXPECT_EQ(g["Nonce"].get<std::string>(), hex0x(rep.request_nonce));
  EXPECT_EQ(rep.slot_id, 0);
}

TEST(Spdm, DecodesOpaqueFieldsOfTheNvtrustSample) {
  Bytes blob = test::report_bytes("nvtrust-h100");
  EXPECT_EQ(blob.size(), 4117u);
  auto rep = spdm::parse_measurement_report(blob, 96, "r").value();
  EXPECT_EQ(rep.blocks.size(), 64u);
  EXPECT_EQ(rep.record_length, 3520u);
  EXPECT_EQ(rep.opaque.size(), 422u);
  EXPECT_EQ(rep.opaque_offset, 3599u);
  EXPECT_EQ(rep.signed_length, 4117u - 96);
  auto op = nvidia::parse_opaque_data(rep.opaque, rep.opaque_offset, nvidia::DeviceKind::kGpu, "r")
                .value();
  EXPECT_EQ(op.vbios_version, "96.00.9F.00.01");
  EXPECT_EQ(op.driver_version, "550.90.07");
  EXPECT_EQ(op.project, "1010");
  EXPECT_EQ(op.project_sku, "0200");
  EXPECT_EQ(op.chip_sku, "882");
  EXPECT_EQ(op.board_id, 945u);
  EXPECT_EQ(op.nvdec0_status, nvidia::kDisabled);
  EXPECT_TRUE(op.fwid.has_value());
  EXPECT_EQ(op.msrs_count.size(), 64u);
  // Field order as NVIDIA emits it (research section 1.4), at these offsets in OpaqueData.
  const std::pair<uint16_t, size_t> order[] = {{6, 0},    {14, 12},  {15, 20},  {16, 33}, {17, 42},
                                               {18, 51},  {19, 60},  {3, 66},   {4, 80},  {12, 92},
                                               {13, 352}, {11, 360}, {20, 365}, {21, 417}};
  ASSERT_EQ(op.fields.size(), std::size(order));
  for (size_t i = 0; i < op.fields.size(); ++i) {
    EXPECT_EQ(op.fields[i].type, order[i].first);
    EXPECT_EQ(op.fields[i].offset, 3599 + order[i].second);
  }
}

TEST(Spdm, SwitchVbiosIsAsciiAndBlackwellHasChipInfo) {
  auto sw = spdm::parse_measurement_report(test::report_bytes("sdk-ls10"), 96, "s").value();
  EXPECT_EQ(sw.blocks.size(), 31u);
  auto sop =
      nvidia::parse_opaque_data(sw.opaque, sw.opaque_offset, nvidia::DeviceKind::kSwitch, "s")
          .value();
  EXPECT_EQ(sop.vbios_version, "96.10.55.00.01");
  auto bw = spdm::parse_measurement_report(test::report_bytes("trustee-gb202"), 96, "b").value();
  auto bop =
      nvidia::parse_opaque_data(bw.opaque, bw.opaque_offset, nvidia::DeviceKind::kGpu, "b").value();
  EXPECT_EQ(bop.chip_info, "GB202");
  EXPECT_EQ(bop.opaque_data_version, 1);
  EXPECT_EQ(bop.nvdec0_status, nvidia::kEnabled);
  EXPECT_EQ(bop.vbios_version, "98.02.74.00.01");
  EXPECT_EQ(bop.driver_version, "595.58.03");
}

TEST(Spdm, TrailingZeroIsAcceptedAndCountedNonZeroRefused) {
  Bytes blob = test::report_bytes("trustee-h100-trailing");
  EXPECT_EQ(blob.size(), 4130u);
  auto rep = spdm::parse_measurement_report(blob, 96, "r");
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->trailing_zeros, 1u);
  EXPECT_EQ(rep->signed_length, 4130u - 1 - 96);
  blob.back() = 0x01;
  auto bad = spdm::parse_measurement_report(blob, 96, "r");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "spdm.trailing-bytes");
}

TEST(Spdm, EveryTruncationIsRejectedWithASpecificError) {
  Bytes blob = test::report_bytes("nvtrust-h100");
  for (size_t len = 0; len < blob.size(); ++len) {
    auto r = spdm::parse_measurement_report(ByteView(blob.data(), len), 96, "r");
    ASSERT_FALSE(r.ok()) << len;
    const std::string& c = r.error().code;
    EXPECT_TRUE(c == "spdm.truncated" || c == "spdm.length-overrun") << len << " " << c;
    EXPECT_NE(r.error().field.find("r#"), std::string::npos);
  }
}

TEST(Spdm, LengthFieldsThatOverrunAreNamed) {
  Bytes blob = test::report_bytes("nvtrust-h100");
  {
    Bytes b = blob;  // MeasurementRecordLength (3 bytes at 42)
    b[42] = 0xff, b[43] = 0xff, b[44] = 0x7f;
    auto r = spdm::parse_measurement_report(b, 96, "r");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "spdm.length-overrun");
    EXPECT_NE(r.error().field.find("MeasurementRecordLength"), std::string::npos);
  }
  {
    Bytes b = blob;  // OpaqueLength (2 bytes at 3597)
    b[3597] = 0xff, b[3598] = 0xff;
    auto r = spdm::parse_measurement_report(b, 96, "r");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "spdm.length-overrun");
    EXPECT_NE(r.error().field.find("OpaqueLength"), std::string::npos);
  }
  {
    Bytes b = blob;  // first block's MeasurementSize (2 bytes at 45 + 2)
    b[47] = 0xff, b[48] = 0x0f;
    auto r = spdm::parse_measurement_report(b, 96, "r");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "spdm.length-overrun");
    EXPECT_NE(r.error().field.find("block[0].MeasurementSize"), std::string::npos);
  }
  {
    Bytes b = blob;  // NumberOfBlocks disagrees with the record
    b[41] = 63;
    auto r = spdm::parse_measurement_report(b, 96, "r");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "spdm.unexpected-value");
    EXPECT_NE(r.error().field.find("NumberOfBlocks"), std::string::npos);
  }
  {
    Bytes b = blob;  // an opaque TLV length past the opaque data (first TLV at 3599)
    b[3601] = 0xff, b[3602] = 0x01;
    auto r = spdm::parse_measurement_report(b, 96, "r").value();
    auto op = nvidia::parse_opaque_data(r.opaque, r.opaque_offset, nvidia::DeviceKind::kGpu, "r");
    ASSERT_FALSE(op.ok());
    EXPECT_EQ(op.error().code, "spdm.length-overrun");
    EXPECT_NE(op.error().field.find("VBIOS_VERSION"), std::string::npos);
  }
  {
    Bytes b = blob;  // wrong SPDM version in the response
    b[37] = 0x12;
    auto r = spdm::parse_measurement_report(b, 96, "r");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "spdm.unexpected-value");
    EXPECT_NE(r.error().field.find("response.SPDMVersion"), std::string::npos);
  }
}

TEST(NvidiaOpaque, RefusesVersionedFormatUnknownAndDuplicateTypes) {
  Bytes magic = {'N', 'V', 'D', 'A', 'O', 'D', 0, 0, 2, 0, 0, 0};
  auto v = nvidia::parse_opaque_data(magic, 100, nvidia::DeviceKind::kGpu, "r");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "nvidia.opaque.versioned-format");
  Bytes unknown = {37, 0, 1, 0, 0};
  auto u = nvidia::parse_opaque_data(unknown, 0, nvidia::DeviceKind::kGpu, "r");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code, "nvidia.opaque.unknown-type");
  Bytes dup = {11, 0, 1, 0, 0x55, 11, 0, 1, 0, 0xaa};
  auto d = nvidia::parse_opaque_data(dup, 0, nvidia::DeviceKind::kGpu, "r");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "nvidia.opaque.duplicate-type");
  EXPECT_NE(d.error().field.find("NVDEC0_STATUS"), std::string::npos);
  Bytes fwid_short = {20, 0, 2, 0, 1, 2};
  auto f = nvidia::parse_opaque_data(fwid_short, 0, nvidia::DeviceKind::kGpu, "r");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, "nvidia.opaque.bad-length");
  Bytes bad_text = {3, 0, 3, 0, '5', 0x01, 0};
  auto t = nvidia::parse_opaque_data(bad_text, 0, nvidia::DeviceKind::kGpu, "r");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "nvidia.opaque.bad-value");
  Bytes reserved = {30, 0, 1, 0, 7};  // 28..31 are within 1..36: kept raw
  EXPECT_TRUE(nvidia::parse_opaque_data(reserved, 0, nvidia::DeviceKind::kGpu, "r").ok());
}

}  // namespace
}  // namespace aa

namespace aa {
namespace {

// An independent parser (confidential-containers/trustee) read the same nvtrust report; its
// fields and all 64 measurements agree with ours.
TEST(Spdm, AgreesWithTrusteeIndependentParse) {
  Bytes blob = test::report_bytes("nvtrust-h100");
  auto rep = spdm::parse_measurement_report(blob, 96, "r").value();
  auto op = nvidia::parse_opaque_data(rep.opaque, rep.opaque_offset, nvidia::DeviceKind::kGpu, "r")
                .value();
  std::string path = test::kNvData + "/reports/nvtrust-h100.trustee-parse.json";
  Json t = parse_json_strict(test::slurp(path), path).value();
  const Json& c = t["config"];
  EXPECT_EQ(c["driver_version"], *op.driver_version);
  EXPECT_EQ(c["vbios_version"], "96.00.9f.00.01");
  EXPECT_EQ(*op.vbios_version, "96.00.9F.00.01");
  EXPECT_EQ(c["project"], *op.project);
  EXPECT_EQ(c["project_sku"], *op.project_sku);
  EXPECT_EQ(c["chip_sku"], *op.chip_sku);
  EXPECT_EQ(c["fwid"], hex_encode(*op.fwid));
  EXPECT_EQ(c["board_id"], hex_encode(op.find(nvidia::kBoardId)->value));
  const Json& counts = c["measurement_count"];
  ASSERT_EQ(counts.size(), op.msrs_count.size());
  for (size_t i = 0; i < op.msrs_count.size(); ++i) {
    EXPECT_EQ(counts[std::to_string(i + 1)].get<uint32_t>(), op.msrs_count[i]);
  }
  const Json& m = t["measurements"];
  ASSERT_EQ(m.size(), rep.blocks.size());
  for (const auto& b : rep.blocks) {
    EXPECT_EQ(m[std::to_string(b.index)].get<std::string>(), hex_encode(b.value));
  }
}

}  // namespace
}  // namespace aa
