// Presentation of identify results: a fixed-width table for people, JSON for machines.
//
// Contract: both forms carry the same facts per device (PCI address, vendor, family, name,
// TPP, density, 3A090 class, flags, attestation capability, assurance level) and the findings.
// Numbers: TPP rounded to an integer, density to two decimals; ranges as "lo-hi"; unknown
// values as "?" in the table and null in JSON.
#pragma once

#include <string>

#include "core/json.h"
#include "identify/identify.h"

namespace aa {

std::string render_identify_table(const IdentifyReport& report);
Json identify_to_json(const IdentifyReport& report);

}  // namespace aa
