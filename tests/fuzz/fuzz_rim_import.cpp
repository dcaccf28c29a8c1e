// libFuzzer target: `nvidia rim import`'s reading of a RIM file (the RIM service's JSON answer or
// the SWID XML, the signature and chain checks, the RIM ID from the file name or the signed
// fields) must refuse or accept any bytes with a coded error, never crash. Nothing is written.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nvidia/profile.h"
#include "nvidia/roots.h"
#include "rim/rim_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const aa::nvidia::NvidiaProfile profile = [] {
    aa::nvidia::NvidiaProfile p;
    aa::nvidia::Family f;
    f.die = "GH100";
    f.arch = "HOPPER";
    f.driver_rim = "NV_GPU_DRIVER_GH100_{DRIVER}";
    f.vbios_rim = "NV_GPU_VBIOS_{PROJECT}_{PROJECT_SKU}_{CHIP_SKU}_{VBIOS}";
    f.rim_products = {"GH100"};
    p.families.push_back(f);
    return p;
  }();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  aa::rim::ImportOptions o;
  o.rim_root = aa::nvidia::pinned_rim_root();
  o.at = 1700000000;
  o.profile = &profile;
  // The file name is one of the inputs: try the sample naming and an NV_ name.
  for (const char* name : {"fuzz.swidtag", "1010_0200_882_96005E0001_PROD.swidtag",
                           "NV_GPU_DRIVER_GH100_545.00.xml"}) {
    std::string xml;
    auto r = aa::rim::check_rim_file(body, name, o, &xml);
    if (!r.ok() && (r.error().code.empty() || r.error().field.empty())) std::abort();
    if (r.ok() && (r->id.empty() || xml.empty())) std::abort();
  }
  return 0;
}
