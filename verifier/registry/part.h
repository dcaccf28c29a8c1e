// One registry entry: what a chip family member is, with every fact's source and confidence.
//
// Contract: a Part is immutable reference data loaded from firmware-profiles/registry/. A
// value the research does not know is absent (std::nullopt / an unknown Fact), never guessed.
// Derived values (TPP, density, 3A090 class, flags) are not stored here: classify() computes
// them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aa {

// A numeric fact: an exact value (lo == hi), a range of published values (lo < hi), or
// unknown. `conf` is the research tag: V verified, D datasheet recalled, E estimate,
// U unverified/conflicting.
struct Fact {
  std::optional<double> lo, hi;
  std::string conf, source, note;

  bool known() const { return lo.has_value(); }
  bool exact() const { return lo.has_value() && *lo == *hi; }
};

struct TextFact {
  std::optional<std::string> value;
  std::string conf, source, note;
};

struct BoolFact {
  std::optional<bool> value;
  std::string conf, source, note;
};

// Precisions the registry knows, with the bit length the 3A090 technical note uses (the
// largest bit length of the multiply inputs; TF32 inputs are 19 bits wide).
struct Precision {
  const char* name;
  int bits;
};
inline constexpr Precision kPrecisions[] = {
    {"fp64", 64}, {"fp32", 32}, {"tf32", 19}, {"fp16", 16}, {"bf16", 16},
    {"fp8", 8},   {"int8", 8},  {"fp6", 6},   {"fp4", 4},   {"int4", 4},
};

struct PciId {
  uint16_t device = 0;
  // Subsystem (vendor, device) pairs that identify this SKU; empty means any.
  std::vector<std::pair<uint16_t, uint16_t>> subsystems;
};

// A reading of the rule text other than the default dense tensor peak (vector units
// aggregated, a firmware limiter removed, an unverified figure), with the TPP it gives.
struct AltReading {
  std::string id, description;
  Fact tpp;
};

// A combination of the signed NVIDIA opaque fields PROJECT / PROJECT_SKU / CHIP_SKU that
// names this part (the VBIOS RIM ID is built from the same three).
struct NvidiaSku {
  std::string project, project_sku, chip_sku;
  std::string conf, source, note;
};

struct Part {
  std::string id;
  std::string vendor;  // short vendor key, e.g. "nvidia"
  uint16_t vendor_id = 0;
  bool vendor_id_known = true;  // false: no public PCI vendor ID ("vendor_id": null, pci empty)
  std::vector<PciId> pci;
  std::string pci_source;
  std::string die, family, name;
  std::vector<std::string> variant_names;  // names tools such as npu-smi print for this part
  BoolFact datacenter;
  std::string designer, designer_hq, country_of_design;  // ISO 3166-1 alpha-2
  std::map<std::string, Fact> dense_peak;                // TFLOPS / TOPS, dense
  Fact die_area;                                         // applicable logic die area, mm2
  std::string die_area_kind;                             // official | die-shot | estimate
  int dies_per_ic = 1;
  int ics_per_board = 1;
  TextFact memory_type;
  Fact memory_size_gb, memory_bandwidth_gbps, scale_up_gbps;
  TextFact attestation;  // none | nvidia-spdm | habana-sec-attest | ascend-iak | unknown
  std::vector<AltReading> alt_readings;
  std::vector<NvidiaSku> nvidia_skus;
  std::string notes;
};

}  // namespace aa
