// The NVIDIA appraisal profile (firmware-profiles/nvidia/families.json): per certificate die
// family, how evidence is appraised.
//
// Contract: load_nvidia_profile() validates the whole file (unknown fields, kinds, templates
// with unknown placeholders, tolerated-mismatch sources) and reports errors as profile.* with
// a JSON pointer. expand_rim_id() fills a template from the report's signed fields; a
// placeholder with no value and no default is an error (nvidia.rim.id-underivable) naming it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "nvidia/opaque.h"

namespace aa::nvidia {

struct ToleratedMismatch {
  unsigned rim_index = 0;
  std::string source;  // "driver", "vbios" or "any"
  std::string reason;
};

struct Family {
  std::string die;  // certificate die name: GH100, GB100, GB20X, LS_10
  DeviceKind kind = DeviceKind::kGpu;
  std::string arch;                        // evidence "arch" value: HOPPER, BLACKWELL, LS10
  std::vector<std::string> registry_dies;  // registry Part::die values of this family
  std::string name;                        // product name for devices outside the registry
  std::vector<uint16_t> pci_devices;       // their PCI device IDs (vendor 10de)
  std::string fwid_extension;
  std::string driver_rim, vbios_rim;  // templates; "" when the family has none
  // What this family's RIMs name as SoftwareIdentity@name and Meta@product ("GH100", "LS10");
  // empty: not known, the RIM's product is not compared (nvidia.rim.product-unchecked).
  std::vector<std::string> rim_products;
  std::vector<ToleratedMismatch> tolerated;

  const ToleratedMismatch* tolerates(unsigned rim_index, const std::string& source) const;
};

struct NvidiaProfile {
  std::vector<Family> families;
  std::string digest;  // SHA-256 of the file

  const Family* find(const std::string& die) const;
  // The arch of the family the chain's leaf certificate names (its die, device_cert.h): what a
  // device whose evidence declares no arch is. "" when the chain or its die cannot be read or
  // the die is in no family (the appraiser then reports why).
  std::string arch_of_chain(std::string_view chain_pem) const;
};

Result<NvidiaProfile> load_nvidia_profile(const std::string& profiles_dir);

Result<std::string> expand_rim_id(const std::string& tmpl,
                                  const std::map<std::string, std::string>& values,
                                  const std::string& origin);

}  // namespace aa::nvidia
