#include "nvidia/opaque.h"

#include <cstdio>
#include <cstring>

namespace aa::nvidia {

namespace {

struct TypeInfo {
  uint16_t type;
  const char* name;
  const char* switch_name;  // the NVSwitch table where it differs
};

constexpr TypeInfo kTypes[] = {
    {kCertIssuerName, "CERT_ISSUER_NAME", nullptr},
    {kCertAuthorityKeyId, "CERT_AUTHORITY_KEY_IDENTIFIER", nullptr},
    {kDriverVersion, "DRIVER_VERSION", nullptr},
    {kGpuInfo, "GPU_INFO", nullptr},
    {kSku, "SKU", nullptr},
    {kVbiosVersion, "VBIOS_VERSION", nullptr},
    {kManufacturerId, "MANUFACTURER_ID", nullptr},
    {kTamperDetection, "TAMPER_DETECTION", nullptr},
    {kSmc, "SMC", nullptr},
    {kVpr, "VPR", nullptr},
    {kNvdec0Status, "NVDEC0_STATUS", nullptr},
    {kMsrsCnt, "MSRSCNT", nullptr},
    {kCprInfo, "CPRINFO", nullptr},
    {kBoardId, "BOARD_ID", nullptr},
    {kChipSku, "CHIP_SKU", nullptr},
    {kChipSkuMod, "CHIP_SKU_MOD", nullptr},
    {kProject, "PROJECT", nullptr},
    {kProjectSku, "PROJECT_SKU", nullptr},
    {kProjectSkuMod, "PROJECT_SKU_MOD", nullptr},
    {kFwid, "FWID", nullptr},
    {kProtectedPcieStatus, "PROTECTED_PCIE_STATUS", nullptr},
    {kSwitchPdi, "SWITCH_PDI", "DEVICE_PDI"},
    {kFloorsweptPorts, "FLOORSWEPT_PORTS", "DISABLED_PORTS"},
    {kPositionId, "POSITION_ID", "SWITCH_POSITION_ID"},
    {kLockSwitchStatus, "LOCK_SWITCH_STATUS", "SWITCH_LOCK_STATUS"},
    {kSwitchGpuPdis, "SWITCH_GPU_PDIS", nullptr},
    {kSwitchPorts, "SWITCH_PORT", nullptr},
    {28, "RESERVED_28", nullptr},
    {29, "RESERVED_29", nullptr},
    {30, "RESERVED_30", nullptr},
    {31, "RESERVED_31", nullptr},
    {kGpuLinkConn, "GPU_LINK_CONN", nullptr},
    {kSysEnableStatus, "SYS_ENABLE_STATUS", nullptr},
    {kOpaqueDataVersion, "OPAQUE_DATA_VERSION", nullptr},
    {kChipInfo, "CHIP_INFO", nullptr},
    {kFeatureFlag, "FEATURE_FLAG", nullptr},
};

const TypeInfo* info(uint16_t type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

// ASCII text up to the first NUL; every byte after it must be NUL as well.
std::optional<std::string> ascii_field(ByteView v) {
  std::string s;
  size_t i = 0;
  for (; i < v.size() && v[i] != 0; ++i) {
    if (v[i] < 0x20 || v[i] > 0x7e) return std::nullopt;
    s += static_cast<char>(v[i]);
  }
  for (; i < v.size(); ++i) {
    if (v[i] != 0) return std::nullopt;
  }
  return s;
}

std::string gpu_vbios(ByteView v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02X.%02X.%02X.%02X.%02X", v[3], v[2], v[1], v[0], v[4]);
  return buf;
}

}  // namespace

const char* opaque_type_name(uint16_t type) {
  const TypeInfo* t = info(type);
  return t ? t->name : "";
}

const OpaqueField* OpaqueData::find(uint16_t type) const {
  for (const auto& f : fields) {
    if (f.type == type) return &f;
  }
  return nullptr;
}

Result<OpaqueData> parse_opaque_data(ByteView opaque, size_t base, DeviceKind kind,
                                     const std::string& origin) {
  OpaqueData out;
  if (opaque.size() >= 6 && std::memcmp(opaque.data(), "NVDAOD", 6) == 0) {
    return make_error("nvidia.opaque.versioned-format", origin + "#response.OpaqueData",
                      "opaque data at offset " + std::to_string(base) +
                          " starts with the NVDAOD magic (NVIDIA's versioned opaque format, "
                          "CUDA 13.5+ drivers); its entry layout is not published, so the "
                          "report is refused rather than misread");
  }
  size_t pos = 0;
  while (pos < opaque.size()) {
    const size_t n = out.fields.size();
    const size_t at = base + pos;
    // The field's name for an error; built only on the error path (a report has ~30 TLVs).
    auto tlv_field = [&] { return origin + "#response.OpaqueData.tlv[" + std::to_string(n) + "]"; };
    if (opaque.size() - pos < 4) {
      return make_error("spdm.truncated", tlv_field(),
                        "TLV header at offset " + std::to_string(at) + " needs 4 bytes, " +
                            std::to_string(opaque.size() - pos) + " left in OpaqueData");
    }
    uint16_t type = le16(&opaque[pos]);
    uint16_t len = le16(&opaque[pos + 2]);
    const TypeInfo* ti = info(type);
    if (!ti) {
      return make_error("nvidia.opaque.unknown-type", tlv_field(),
                        "type " + std::to_string(type) + " at offset " + std::to_string(at) +
                            " is outside NVIDIA's table (1..36)");
    }
    auto named_field = [&] {
      return origin + "#response.OpaqueData.OPAQUE_FIELD_ID_" +
             (kind == DeviceKind::kSwitch && ti->switch_name ? ti->switch_name : ti->name);
    };
    if (len > opaque.size() - pos - 4) {
      return make_error("spdm.length-overrun", named_field(),
                        "length " + std::to_string(len) + " at offset " + std::to_string(at + 2) +
                            " runs past the OpaqueData (" +
                            std::to_string(opaque.size() - pos - 4) + " bytes left)");
    }
    if (out.find(type)) {
      return make_error(
          "nvidia.opaque.duplicate-type", named_field(),
          "type " + std::to_string(type) + " at offset " + std::to_string(at) + " appears twice");
    }
    ByteView v = opaque.subspan(pos + 4, len);
    auto bad_len = [&](const std::string& want) {
      return make_error("nvidia.opaque.bad-length", named_field(),
                        "length " + std::to_string(len) + " at offset " + std::to_string(at + 2) +
                            ", expected " + want);
    };
    auto text = [&]() -> Result<std::string> {
      auto s = ascii_field(v);
      if (!s) {
        return make_error(
            "nvidia.opaque.bad-value", named_field(),
            "not NUL-terminated printable ASCII (offset " + std::to_string(at + 4) + ")");
      }
      return std::move(*s);
    };
    switch (type) {
      case kDriverVersion: {
        AA_TRY(s, text());
        out.driver_version = s;
        break;
      }
      case kVbiosVersion:
        if (kind == DeviceKind::kSwitch) {
          AA_TRY(s, text());
          out.vbios_version = s;
        } else {
          if (len != 8) return bad_len("8 (binary VBIOS version)");
          out.vbios_version = gpu_vbios(v);
        }
        break;
      case kProject: {
        AA_TRY(s, text());
        out.project = s;
        break;
      }
      case kProjectSku: {
        AA_TRY(s, text());
        out.project_sku = s;
        break;
      }
      case kProjectSkuMod: {
        AA_TRY(s, text());
        out.project_sku_mod = s;
        break;
      }
      case kChipSku: {
        AA_TRY(s, text());
        out.chip_sku = s;
        break;
      }
      case kChipSkuMod: {
        AA_TRY(s, text());
        out.chip_sku_mod = s;
        break;
      }
      case kChipInfo: {
        AA_TRY(s, text());
        out.chip_info = s;
        break;
      }
      case kBoardId:
        if (len != 4) return bad_len("4");
        out.board_id = le32(v.data());
        break;
      case kGpuInfo:
        if (len != 8) return bad_len("8");
        out.gpu_info = std::array<uint32_t, 2>{le32(v.data()), le32(v.data() + 4)};
        break;
      case kFwid:
        if (len != 48) return bad_len("48 (SHA-384)");
        out.fwid.emplace();
        std::memcpy(out.fwid->data(), v.data(), 48);
        break;
      case kNvdec0Status:
        if (len != 1) return bad_len("1");
        out.nvdec0_status = v[0];
        break;
      case kProtectedPcieStatus:
        if (len != 1) return bad_len("1");
        out.protected_pcie_status = v[0];
        break;
      case kOpaqueDataVersion:
        if (len != 2) return bad_len("2");
        out.opaque_data_version = le16(v.data());
        break;
      case kFeatureFlag:
        if (len != 2) return bad_len("2");
        out.feature_flag = le16(v.data());
        break;
      case kMsrsCnt:
        if (len % 4 != 0) return bad_len("a multiple of 4");
        for (size_t i = 0; i < len; i += 4) out.msrs_count.push_back(le32(v.data() + i));
        break;
      case kSwitchPdi:
        if (len % 8 != 0) return bad_len("a multiple of 8");
        for (size_t i = 0; i < len; i += 8) {
          Bytes item(v.begin() + static_cast<long>(i), v.begin() + static_cast<long>(i + 8));
          Bytes rev(item.rbegin(), item.rend());
          std::string h = hex_encode(rev);
          for (char& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          out.switch_pdis.push_back(h);
        }
        break;
      default:
        break;
    }
    out.fields.push_back({type, Bytes(v.begin(), v.end()), at});
    pos += 4 + len;
  }
  return out;
}

ModeState read_modes(const OpaqueData& o) {
  ModeState m;
  if (o.protected_pcie_status == kEnabled) m.ppcie = true;
  if (o.protected_pcie_status == kDisabled) m.ppcie = false;
  if (o.feature_flag && o.opaque_data_version && *o.opaque_data_version >= 1) {
    m.feature_flag = o.feature_flag;
    switch (*o.feature_flag) {
      case 0:
      case 1:
        m.cc_variant = "SPT or MPT";
        break;
      case 2:
        m.cc_variant = "PPCIE";
        break;
      default:
        m.cc_variant = "unknown (" + std::to_string(*o.feature_flag) + ")";
    }
  }
  return m;
}

}  // namespace aa::nvidia
