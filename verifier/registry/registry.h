// The chip-family registry: every known accelerator part, looked up by PCI identity or id.
//
// Contract: Registry::load() reads every *.json part file of firmware-profiles/registry/ plus
// policy/country-groups.json, validates each field (a bad file is an input.* error naming
// the file and JSON pointer), rejects duplicate part ids, and returns an immutable registry.
// digest() is the SHA-256 over the loaded files (sorted by name), so a result can say which
// reference data it used. Nothing here reads the clock or the network.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "registry/part.h"

namespace aa {

struct CountryGroups {
  std::string ecfr_date;
  std::map<std::string, std::set<std::string>> groups;  // "D:5" -> {"CN", ...}
  std::map<std::string, std::string> aliases;           // "HK" -> "CN"

  bool in(const std::string& group, const std::string& country) const;
  // D:5 or Macau: the scope of the GP10 guidance and the headquarters rule.
  bool d5_or_macau(const std::string& country) const;
};

class Registry {
 public:
  static Result<Registry> load(const std::string& profiles_dir);

  const std::vector<Part>& parts() const { return parts_; }
  const Part* find(const std::string& id) const;

  // Every part whose PCI list has (vendor, device). Where some of them name subsystems and
  // the given subsystem matches, only those are returned.
  std::vector<const Part*> match(uint16_t vendor, uint16_t device, uint16_t sub_vendor,
                                 uint16_t sub_device) const;

  // The part whose nvidia_sku list holds this PROJECT / PROJECT_SKU / CHIP_SKU, with the entry;
  // {nullptr, nullptr} when none does.
  std::pair<const Part*, const NvidiaSku*> find_nvidia_sku(const std::string& project,
                                                           const std::string& project_sku,
                                                           const std::string& chip_sku) const;

  // Parts whose device ID is an Ascend ID (for vendor 0xFFFF, the Ascend driver's
  // "diversity" vendor).
  std::vector<const Part*> match_ascend_device(uint16_t device) const;

  // Vendors that make accelerators (every vendor with a part in the registry).
  bool is_accelerator_vendor(uint16_t vendor) const { return vendors_.count(vendor) > 0; }
  // The registry's short vendor key ("nvidia"), or the 4-digit hex ID for other vendors.
  std::string vendor_name(uint16_t vendor) const;

  const CountryGroups& country_groups() const { return groups_; }
  const std::string& digest() const { return digest_; }
  const std::map<std::string, std::string>& sources() const { return sources_; }

 private:
  std::vector<Part> parts_;
  std::map<uint16_t, std::string> vendors_;
  CountryGroups groups_;
  std::map<std::string, std::string> sources_;
  std::string digest_;
};

}  // namespace aa
