#include "collect/dcmi_npu.h"

#include <cstdio>

#include "collect/dcmi_abi.h"
#include "collect/dl.h"
#include "inventory/pci_device.h"

namespace aa::ascend {

using namespace dcmi_abi;

struct DcmiSession::Api {
  // Required.
  InitFn init = nullptr;
  CardListFn card_list = nullptr;
  DeviceIdInCardFn device_id_in_card = nullptr;
  PcieInfoFn pcie_info = nullptr;
  // Optional: absent means the field is unknown.
  ChipInfoFn chip_info = nullptr;
  ElabelFn elabel = nullptr;
  DieFn die = nullptr;
};

namespace {

constexpr int kMaxCards = 64;
constexpr int kMaxChipsPerCard = 64;

Error call_error(const char* fn, int rc, const std::string& where = "") {
  return make_error("dcmi.call", fn,
                    (where.empty() ? "" : where + ": ") + "DCMI error code " + std::to_string(rc));
}

template <typename F>
Status resolve(void* lib, const char* name, F& out) {
  return collect::resolve(lib, name, out, "dcmi.unavailable", "DCMI");
}

template <typename C, size_t N>
std::optional<std::string> text(const C (&buf)[N]) {
  std::string s = collect::text_of(buf, N);
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

Result<std::shared_ptr<DcmiSession>> DcmiSession::open(const std::string& library) {
  std::shared_ptr<DcmiSession> s(new DcmiSession());
  AA_TRY(handle, collect::open_library(
                     library, "dcmi.unavailable",
                     "the Ascend driver installs it as " + std::string(kDefaultDcmiLibrary)));
  s->library_ = std::move(handle);
  void* lib = s->library_.get();
  s->api_ = std::make_unique<Api>();
  Api& api = *s->api_;
  AA_CHECK(resolve(lib, "dcmi_init", api.init));
  AA_CHECK(resolve(lib, "dcmi_get_card_list", api.card_list));
  AA_CHECK(resolve(lib, "dcmi_get_device_id_in_card", api.device_id_in_card));
  AA_CHECK(resolve(lib, "dcmi_get_device_pcie_info_v2", api.pcie_info));
  collect::resolve_optional(lib, "dcmi_get_device_chip_info", api.chip_info);
  collect::resolve_optional(lib, "dcmi_get_device_elabel_info", api.elabel);
  collect::resolve_optional(lib, "dcmi_get_device_die_v2", api.die);
  if (int rc = api.init(); rc != 0) return call_error("dcmi_init", rc);
  return s;
}

DcmiSession::~DcmiSession() = default;

Result<DcmiChips> DcmiSession::chips() const {
  const Api& api = *api_;
  int cards[kMaxCards] = {};
  int count = 0;
  if (int rc = api.card_list(&count, cards, kMaxCards); rc != 0) {
    return call_error("dcmi_get_card_list", rc);
  }
  if (count < 0 || count > kMaxCards) {
    return make_error("dcmi.call", "dcmi_get_card_list",
                      std::to_string(count) + " cards, outside 0.." + std::to_string(kMaxCards));
  }
  DcmiChips out;
  for (int i = 0; i < count; ++i) {
    const int card = cards[i];
    int chips = 0, mcu = -1, cpu = -1;
    if (int rc = api.device_id_in_card(card, &chips, &mcu, &cpu); rc != 0) {
      out.skipped.push_back(
          call_error("dcmi_get_device_id_in_card", rc, "card " + std::to_string(card)).to_string());
      continue;
    }
    if (chips < 0 || chips > kMaxChipsPerCard) {
      out.skipped.push_back("card " + std::to_string(card) + ": " + std::to_string(chips) +
                            " chips, outside 0.." + std::to_string(kMaxChipsPerCard));
      continue;
    }
    for (int dev = 0; dev < chips; ++dev) {
      const std::string where = "card " + std::to_string(card) + " chip " + std::to_string(dev);
      PcieInfoAll p{};
      if (int rc = api.pcie_info(card, dev, &p); rc != 0) {
        out.skipped.push_back(call_error("dcmi_get_device_pcie_info_v2", rc, where).to_string());
        continue;
      }
      char bdf[32];
      std::snprintf(bdf, sizeof bdf, "%04x:%02x:%02x.%x", static_cast<unsigned>(p.domain) & 0xffffu,
                    p.bdf_busid & 0xffu, p.bdf_deviceid & 0x1fu, p.bdf_funcid & 0x7u);
      auto addr = normalize_pci_address(bdf);
      if (!addr || p.domain < 0 || p.domain > 0xffff || p.bdf_busid > 0xff ||
          p.bdf_deviceid > 0x1f || p.bdf_funcid > 7) {
        out.skipped.push_back(where + ": dcmi_get_device_pcie_info_v2 gave no PCI address");
        continue;
      }
      DcmiChip c;
      c.card = card;
      c.device = dev;
      c.address = *addr;
      c.vendor = static_cast<uint16_t>(p.venderid);
      c.device_id = static_cast<uint16_t>(p.deviceid);
      c.subsystem_vendor = static_cast<uint16_t>(p.subvenderid);
      c.subsystem_device = static_cast<uint16_t>(p.subdeviceid);
      if (ChipInfo ci{}; api.chip_info && api.chip_info(card, dev, &ci) == 0) {
        c.chip_type = text(ci.chip_type);
        c.chip_name = text(ci.chip_name);
        c.chip_version = text(ci.chip_ver);
      }
      if (ElabelInfo e{}; api.elabel && api.elabel(card, dev, &e) == 0) {
        c.serial = text(e.serial_number);
        c.product_name = text(e.product_name);
        c.model = text(e.model);
      }
      if (DieId d{}; api.die && api.die(card, dev, kDieVdie, &d) == 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%08X-%08X-%08X-%08X-%08X", d.soc_die[0], d.soc_die[1],
                      d.soc_die[2], d.soc_die[3], d.soc_die[4]);
        c.vdie_id = buf;
      }
      out.chips.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace aa::ascend
