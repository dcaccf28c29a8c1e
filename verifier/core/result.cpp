#include "core/result.h"

namespace aa {

std::string Error::to_string() const {
  std::string out = code;
  if (!field.empty()) out += ": " + field;
  out += ": " + message;
  return out;
}

}  // namespace aa
