// A stand-in for Huawei's libdcmi.so for the collect tests: simulated Ascend cards that implement
// the DCMI entry points `collect` calls, so that the DCMI path (the library loaded at run time,
// the structures, the card and chip enumeration, the PCI match) runs with real processes on
// machines without an NPU. It is not an NPU and signs nothing (DCMI has nothing signed for these
// parts).
//
// Environment:
//   FAKE_DCMI_CHIPS      a JSON array of chips: {"card", "chip", "bus" ("0000:c1:00.0"),
//                        "vendor", "device", "subsystem_vendor", "subsystem_device" (numbers),
//                        "chip_type", "chip_name", "chip_ver", "serial", "product_name",
//                        "model" (strings, each optional), "vdie" (five numbers, optional),
//                        "pcie_fails" (true: the PCI query of this chip fails)}
//   FAKE_DCMI_INIT_FAIL=1  dcmi_init fails (driver not loaded)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collect/dcmi_abi.h"

using namespace aa::ascend::dcmi_abi;

namespace {

constexpr int kNotFound = -8005;  // any negative code: DCMI's codes are negative

const nlohmann::json& chips() {
  static const nlohmann::json all = [] {
    const char* path = std::getenv("FAKE_DCMI_CHIPS");
    if (!path) return nlohmann::json::array();
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, false);
    return j.is_array() ? j : nlohmann::json::array();
  }();
  return all;
}

const nlohmann::json* find(int card, int chip) {
  for (const auto& c : chips())
    if (c.value("card", -1) == card && c.value("chip", -1) == chip) return &c;
  return nullptr;
}

template <size_t N, typename C>
void put(C (&buf)[N], const nlohmann::json& c, const char* key) {
  std::string v = c.value(key, std::string());
  std::memset(buf, 0, N);
  std::memcpy(buf, v.data(), std::min(v.size(), N - 1));
}

}  // namespace

extern "C" {

int dcmi_init() {
  return std::getenv("FAKE_DCMI_INIT_FAIL") ? -8001 : 0;
}

int dcmi_get_card_list(int* card_num, int* card_list, int list_len) {
  std::vector<int> cards;
  for (const auto& c : chips()) {
    int id = c.value("card", 0);
    if (std::find(cards.begin(), cards.end(), id) == cards.end()) cards.push_back(id);
  }
  if (static_cast<int>(cards.size()) > list_len) return -8002;
  for (size_t i = 0; i < cards.size(); ++i) card_list[i] = cards[i];
  *card_num = static_cast<int>(cards.size());
  return 0;
}

int dcmi_get_device_id_in_card(int card_id, int* device_id_max, int* mcu_id, int* cpu_id) {
  int n = 0;
  for (const auto& c : chips())
    if (c.value("card", -1) == card_id) n = std::max(n, c.value("chip", 0) + 1);
  if (n == 0) return kNotFound;
  *device_id_max = n;
  *mcu_id = n;  // the MCU unit after the chips, as on a real card
  *cpu_id = -1;
  return 0;
}

int dcmi_get_device_pcie_info_v2(int card_id, int device_id, PcieInfoAll* info) {
  const nlohmann::json* c = find(card_id, device_id);
  if (!c || c->value("pcie_fails", false)) return kNotFound;
  std::memset(info, 0, sizeof *info);
  unsigned domain = 0, bus = 0, dev = 0, fn = 0;
  if (std::sscanf(c->value("bus", std::string("0000:00:00.0")).c_str(), "%x:%x:%x.%x", &domain,
                  &bus, &dev, &fn) != 4) {
    return kNotFound;
  }
  info->domain = static_cast<int>(domain);
  info->bdf_busid = bus;
  info->bdf_deviceid = dev;
  info->bdf_funcid = fn;
  info->venderid = c->value("vendor", 0x19e5u);
  info->deviceid = c->value("device", 0xd802u);
  info->subvenderid = c->value("subsystem_vendor", 0x19e5u);
  info->subdeviceid = c->value("subsystem_device", 0u);
  return 0;
}

int dcmi_get_device_chip_info(int card_id, int device_id, ChipInfo* info) {
  const nlohmann::json* c = find(card_id, device_id);
  if (!c || !c->contains("chip_name")) return kNotFound;
  put(info->chip_type, *c, "chip_type");
  put(info->chip_name, *c, "chip_name");
  put(info->chip_ver, *c, "chip_ver");
  info->aicore_cnt = 20;
  return 0;
}

int dcmi_get_device_elabel_info(int card_id, int device_id, ElabelInfo* info) {
  const nlohmann::json* c = find(card_id, device_id);
  if (!c || !c->contains("serial")) return kNotFound;
  put(info->product_name, *c, "product_name");
  put(info->model, *c, "model");
  put(info->manufacturer, *c, "manufacturer");
  put(info->manufacturer_date, *c, "manufacturer_date");
  put(info->serial_number, *c, "serial");
  return 0;
}

int dcmi_get_device_die_v2(int card_id, int device_id, int die_type, DieId* die) {
  const nlohmann::json* c = find(card_id, device_id);
  if (!c || die_type != kDieVdie || !c->contains("vdie")) return kNotFound;
  for (int i = 0; i < 5; ++i) die->soc_die[i] = (*c)["vdie"].at(static_cast<size_t>(i));
  return 0;
}

}  // extern "C"
