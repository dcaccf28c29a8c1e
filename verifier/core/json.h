// Strict JSON for untrusted documents, and typed field access that names the bad field.
//
// Contract: parse_json_strict() accepts one JSON value (RFC 8259) and rejects, each with its
// own error code and a JSON pointer to the place: invalid syntax (input.bad-json), a
// duplicate key in any object (input.duplicate-key), nesting deeper than limits.max_depth
// (input.too-deep), a document larger than limits.max_bytes (input.too-large), any string
// longer than limits.max_string (input.too-large), more than limits.max_values values in all
// (input.too-large: 16 MiB of "{}," would otherwise be 5 million objects, 400 MB in memory)
// and a number that is not a finite double,
// such as 1e400 or -1e400 (input.not-finite). Nothing here throws; core/json_text.h writes JSON
// without throwing on strings that are not UTF-8. `origin` (usually the file path) prefixes
// every field in errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace aa {

using Json = nlohmann::json;

struct JsonLimits {
  size_t max_bytes = 16u << 20;
  size_t max_depth = 32;
  size_t max_string = 1u << 20;
  size_t max_values = 1u << 20;  // every value counts: objects, arrays, members' values, scalars
};

Result<Json> parse_json_strict(std::string_view text, const std::string& origin,
                               const JsonLimits& limits = {});

// Escapes one JSON pointer reference token (RFC 6901: "~" -> "~0", "/" -> "~1").
std::string json_pointer_token(std::string_view key);

// A view of one JSON value together with where it sits, so that every accessor can name the
// field in its error ("origin#/devices/3/vendor_id").
class JsonAt {
 public:
  JsonAt(const Json& value, std::string origin, std::string pointer = "")
      : v_(&value), origin_(std::move(origin)), pointer_(std::move(pointer)) {}

  const Json& json() const { return *v_; }
  std::string where() const { return origin_ + "#" + (pointer_.empty() ? "/" : pointer_); }
  // Never throw: a missing member or element (or a parent of the wrong kind) is viewed as
  // null, so that the next accessor's error names the place.
  JsonAt child(std::string_view key) const;
  JsonAt at(size_t index) const;

  Result<JsonAt> object() const;                     // the value itself, checked to be an object
  Result<JsonAt> array() const;                      // the value itself, checked to be an array
  Result<JsonAt> field(std::string_view key) const;  // required member
  std::optional<JsonAt> optional_field(std::string_view key) const;
  Result<std::string> string() const;
  // The string in place: valid while the viewed document lives (for large members read once).
  Result<std::string_view> string_view() const;
  Result<bool> boolean() const;
  Result<double> number() const;  // finite only (input.not-finite otherwise)
  // A required member that must be a string / a number: field(key) then string() / number().
  Result<std::string> string_field(std::string_view key) const;
  Result<double> number_field(std::string_view key) const;
  // The member `key` ("schema") must be the string `want`; otherwise `code`, naming the member.
  Status expect_string(std::string_view key, std::string_view want,
                       const char* code = "input.bad-value") const;
  // Rejects members other than `allowed` (input.unknown-field).
  Status only_fields(std::initializer_list<std::string_view> allowed) const;

  Error type_error(std::string_view expected) const;

 private:
  const Json* v_;
  std::string origin_;
  std::string pointer_;
};

}  // namespace aa
