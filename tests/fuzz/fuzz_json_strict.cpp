// libFuzzer target: the strict JSON reader shared by every JSON input (duplicate keys, depth,
// size limits), checked against nlohmann's own parser: whatever the strict reader accepts,
// nlohmann accepts with the same value and the same number types; whatever it calls a syntax
// error or a non-finite number, nlohmann refuses too (texts with a NUL byte aside: nlohmann
// ends its input there). json_text()'s own compact writer is checked against nlohmann's dump()
// on every document read and on the raw input as one string (any bytes, valid UTF-8 or not).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/json.h"
#include "core/json_text.h"

namespace {

bool same(const aa::Json& a, const aa::Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(), jt = b.begin(); it != a.end(); ++it, ++jt) {
      if (it.key() != jt.key() || !same(it.value(), jt.value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  aa::JsonLimits limits;
  limits.max_depth = 16;
  limits.max_string = 4096;
  auto r = aa::parse_json_strict(text, "fuzz", limits);
  if (!r.ok() && r.error().field.rfind("fuzz#", 0) != 0) std::abort();
  const aa::Json reference = aa::Json::parse(text.begin(), text.end(), nullptr,
                                             /*allow_exceptions=*/false);
  if (r.ok()) {
    if (reference.is_discarded() || !same(*r, reference)) std::abort();
    if (aa::json_text(*r) != r->dump()) std::abort();
  } else if ((r.error().code == "input.bad-json" || r.error().code == "input.not-finite") &&
             text.find('\0') == std::string_view::npos) {
    // (nlohmann stops reading at a NUL byte and ignores what follows; a NUL is never valid
    // JSON, so the strict reader refuses it wherever it stands.)
    if (!reference.is_discarded()) std::abort();
  }
  const aa::Json raw = std::string(text);
  if (aa::json_text(raw) != raw.dump(-1, ' ', false, aa::Json::error_handler_t::replace)) {
    std::abort();
  }
  return 0;
}
