// Serialising JSON that may hold bytes from a host, a device or a certificate. Defined in
// core/json.cpp.
#pragma once

#include <string>
#include <string_view>

#include "core/json.h"

namespace aa {

// Serialises `value` (indent as for nlohmann's dump). Never throws: a string that is not valid
// UTF-8 (from a certificate, a device, a host file) has each bad byte replaced by U+FFFD, where
// dump() would throw type_error 316.
std::string json_text(const Json& value, int indent = -1);

// `value` with every string (member names too) made valid UTF-8 the way json_text() does it, so
// that code downstream (signing, the report) can serialise it with plain dump(). Never throws.
Json utf8_safe(Json value);

// Whether `s` is UTF-8 as RFC 3629 defines it (no overlong forms, no surrogates, nothing above
// U+10FFFF): exactly the strings utf8_safe() and json_text() leave as they are.
bool valid_utf8(std::string_view s);  // by value: a valid document passed as a temporary is moved

}  // namespace aa
