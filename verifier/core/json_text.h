// Serialising JSON that may hold bytes from a host, a device or a certificate. Defined in
// core/json.cpp.
#pragma once

#include <string>

#include "core/json.h"

namespace aa {

// Serialises `value` (indent as for nlohmann's dump). Never throws: a string that is not valid
// UTF-8 (from a certificate, a device, a host file) has each bad byte replaced by U+FFFD, where
// dump() would throw type_error 316.
std::string json_text(const Json& value, int indent = -1);

}  // namespace aa
