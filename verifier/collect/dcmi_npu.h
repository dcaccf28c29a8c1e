// The host side of Huawei Ascend identity through DCMI: the NPU chips the driver's management
// library knows, with their PCI address, chip name and electronic-label serial. This runs on the
// host being attested (`collect`), never inside the verifier; DCMI has no signed evidence for
// these parts (shared/research/device-identity.md), so everything it gives is a claim.
//
// Contract:
//   - DcmiSession::open() loads the library at run time (dlopen of `library`, by default
//     /usr/local/dcmi/libdcmi.so where the Ascend driver installs it), so nothing here builds
//     against or needs Huawei's driver, and calls dcmi_init. dcmi_init, dcmi_get_card_list,
//     dcmi_get_device_id_in_card and dcmi_get_device_pcie_info_v2 are required (dcmi.unavailable
//     names the one missing); the chip, electronic-label and die queries are optional: a driver
//     without one, or a chip that refuses one, gives "absent" for those fields, never an error.
//     The library is unloaded with the session (DCMI has no shutdown call).
//   - chips(): every NPU chip of every card (at most 64 cards, 64 chips a card; the MCU and CPU
//     units a card also has are not chips), each with its PCI identity from
//     dcmi_get_device_pcie_info_v2 (the address normalised to "0000:c1:00.0"), its chip type,
//     name and version (dcmi_get_device_chip_info: "Ascend", "910B3", "V1"), the electronic
//     label's serial number, product name and model (dcmi_get_device_elabel_info), and the VDie
//     ID (dcmi_get_device_die_v2, five 32-bit words as %08X joined by "-"). A chip whose PCI
//     query fails is left out, with the reason in `skipped`.
//   Errors: dcmi.unavailable (library or function missing: field "library" or the function's
//   name), dcmi.call (field the function's name, message DCMI's code).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace aa::ascend {

inline constexpr char kDefaultDcmiLibrary[] = "/usr/local/dcmi/libdcmi.so";

struct DcmiChip {
  int card = 0, device = 0;  // DCMI's addressing
  std::string address;       // normalised PCI address
  uint16_t vendor = 0, device_id = 0, subsystem_vendor = 0, subsystem_device = 0;
  std::optional<std::string> chip_type, chip_name, chip_version;
  std::optional<std::string> serial, product_name, model;  // the electronic label
  std::optional<std::string> vdie_id;
};

struct DcmiChips {
  std::vector<DcmiChip> chips;
  std::vector<std::string> skipped;  // "card 0 chip 1: dcmi_get_device_pcie_info_v2 ..."
};

class DcmiSession {
 public:
  static Result<std::shared_ptr<DcmiSession>> open(const std::string& library);
  DcmiSession(const DcmiSession&) = delete;
  DcmiSession& operator=(const DcmiSession&) = delete;
  ~DcmiSession();

  Result<DcmiChips> chips() const;

  struct Api;

 private:
  DcmiSession() = default;
  std::shared_ptr<void> library_;  // dlclose on release
  std::unique_ptr<Api> api_;
};

}  // namespace aa::ascend
