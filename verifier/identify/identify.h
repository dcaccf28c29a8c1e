// The identify stage: which accelerators a host reports, what the registry says they are,
// and how they are controlled. Every identity here is `reported` (unauthenticated PCI IDs).
//
// Contract: identify() is a pure function of the device list and the registry. A device is
// an accelerator when the registry knows its (vendor, device), when its vendor is 0xFFFF with
// an Ascend device ID (a possible Ascend part), when its PCI class is a processing
// accelerator (0x12) or co-processor (0x0b40), or when its class is display (0x03), from any
// vendor, unless it is a known server-management (BMC) display controller (ASPEED, Matrox
// G200 family, Huawei iBMC: pci.ids names them; they have no compute) — other devices are
// ignored. An accelerator the registry does not know is listed as
// unknown, never dropped. Findings (codes in docs/findings.md):
//   identify.ascend-part, identify.possible-ascend-part, identify.prc-3a090-ic,
//   identify.prc-ic-unclassified, identify.unknown-accelerator.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/finding.h"
#include "inventory/pci_device.h"
#include "registry/classify.h"
#include "registry/registry.h"

namespace aa {

struct IdentifiedDevice {
  PciDevice pci;
  // Registry parts that fit the PCI identity (several when a device ID is shared by variants
  // and no reported name picks one). Empty: an unknown accelerator.
  std::vector<const Part*> candidates;
  std::vector<Classification> classifications;  // parallel to candidates
  bool possible_ascend = false;                 // vendor 0xFFFF with an Ascend device ID

  // The summary over the candidates.
  std::string vendor, family, name, attestation;
  std::optional<Interval> tpp, pd;
  Eccn eccn = Eccn::kUndetermined;
  std::vector<Flag> flags;                     // flags every candidate carries
  Assurance assurance = Assurance::kReported;  // identify alone: what the host reports
  std::vector<Finding> findings;
};

struct IdentifyReport {
  std::vector<IdentifiedDevice> devices;  // accelerators only, in address order
  std::vector<Finding> findings;          // all device findings
  std::string registry_digest;
};

// The device's 3A090 class in words: the class, or for a device whose variant is not
// reported, "undetermined (" + the candidates' classes + ")".
std::string class_text(const IdentifiedDevice& d);

// The more controlled of two classes: 3A090.a.1 > a.2 > b.1 > b.2 > not-3A090. Undetermined
// wins over every class but a.1 (nothing is more controlled than a.1, so a.1 stays a.1);
// 3A090.a (a.1 or a.2) ranks between a.1 and a.2, 3A090.b between b.1 and b.2.
Eccn more_controlled(Eccn a, Eccn b);

// A device whose signed evidence (chain to the vendor root and a valid report signature) names
// what it is. With `part` (a signed SKU the registry knows), that part alone. With no part,
// only the die is attested: every registry part of `dies` is a candidate, the class is the
// most controlled one any of them has (more_controlled; undetermined when no part of the die
// is registered), tpp/pd span them all, and the name says "die attested, product reported".
// The host's PCI IDs never pick the product here. Returns no findings.
IdentifiedDevice identify_signed(const PciDevice& pci, const Part* part,
                                 const std::vector<std::string>& dies, const Registry& registry);

// `class_known[i]` false means the device's class code is unknown (an inventory without it).
IdentifyReport identify(const std::vector<PciDevice>& devices, const std::vector<bool>& class_known,
                        const Registry& registry);

}  // namespace aa
