// Country codes a destination, site or headquarters may name.
//
// Contract: is_country_code() holds for exactly the 249 officially assigned ISO 3166-1 alpha-2
// codes plus XK (Kosovo: user-assigned, but used by the EU and by BIS's Country Chart for a
// destination the EAR names). Anything else ("XX", "ZZ", lower case, other lengths) is not a
// country: parsers reject it with input.bad-value naming the field.
#pragma once

#include <string_view>

namespace aa {

bool is_country_code(std::string_view code);

}  // namespace aa
