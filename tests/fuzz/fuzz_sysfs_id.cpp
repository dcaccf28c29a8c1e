// libFuzzer target: a sysfs PCI ID file body (vendor/device: 4 digits, class: 6).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/text.h"
#include "inventory/pci_device.h"
#include "inventory/sysfs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (size_t digits : {4u, 6u}) {
    auto r = aa::parse_sysfs_id_file(body, digits, "fuzz/vendor");
    if (r.ok() && aa::to_hex(*r, digits).size() != digits) std::abort();
    if (!r.ok() && r.error().field != "fuzz/vendor") std::abort();
  }
  (void)aa::normalize_pci_address(body);
  return 0;
}
