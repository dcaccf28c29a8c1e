// The structures and entry points of Huawei's DCMI library (libdcmi.so, "DaVinci Card Management
// Interface", installed with the Ascend driver as /usr/local/dcmi/libdcmi.so with its header
// dcmi_interface_api.h), as far as collect reads them: declared here from the published header's
// layout (shared/research/device-identity.md, section 1.3), so that nothing builds against the
// driver. Every function returns 0 on success and a negative DCMI error code otherwise.
#pragma once

#include <cstdint>

namespace aa::ascend::dcmi_abi {

inline constexpr int kMaxChipNameLen = 32;  // MAX_CHIP_NAME_LEN
inline constexpr int kElabelLen = 256;

struct ChipInfo {  // struct dcmi_chip_info
  unsigned char chip_type[kMaxChipNameLen];
  unsigned char chip_name[kMaxChipNameLen];
  unsigned char chip_ver[kMaxChipNameLen];
  unsigned int aicore_cnt;
};
static_assert(sizeof(ChipInfo) == 100);

struct PcieInfoAll {  // struct dcmi_pcie_info_all
  unsigned int venderid;
  unsigned int subvenderid;
  unsigned int deviceid;
  unsigned int subdeviceid;
  int domain;
  unsigned int bdf_busid;
  unsigned int bdf_deviceid;
  unsigned int bdf_funcid;
  unsigned char reserved[32];
};
static_assert(sizeof(PcieInfoAll) == 64);

struct ElabelInfo {  // struct dcmi_elabel_info
  char product_name[kElabelLen];
  char model[kElabelLen];
  char manufacturer[kElabelLen];
  char manufacturer_date[kElabelLen];
  char serial_number[kElabelLen];
};
static_assert(sizeof(ElabelInfo) == 1280);

struct DieId {  // struct dcmi_die_id
  unsigned int soc_die[5];
};
static_assert(sizeof(DieId) == 20);

inline constexpr int kDieVdie = 1;  // enum dcmi_die_type: NDIE 0 (910 only), VDIE 1, DDIE 2

using InitFn = int (*)();
using CardListFn = int (*)(int* card_num, int* card_list, int list_len);
using DeviceIdInCardFn = int (*)(int card_id, int* device_id_max, int* mcu_id, int* cpu_id);
using PcieInfoFn = int (*)(int card_id, int device_id, PcieInfoAll* info);
using ChipInfoFn = int (*)(int card_id, int device_id, ChipInfo* info);
using ElabelFn = int (*)(int card_id, int device_id, ElabelInfo* info);
using DieFn = int (*)(int card_id, int device_id, int die_type, DieId* die);

}  // namespace aa::ascend::dcmi_abi
