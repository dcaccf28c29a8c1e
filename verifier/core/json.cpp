#include "core/json.h"
#include "core/json_text.h"

#include <cmath>
#include <set>
#include <vector>

namespace aa {

std::string json_pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string json_text(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

namespace {

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // the sequence is cut short
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0u) != 0x80u) return false;
      cp = (cp << 6) | (d & 0x3fu);
    }
    // Overlong forms, surrogates and code points above U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

bool all_utf8(const Json& v) {
  if (v.is_string()) return valid_utf8(v.get_ref<const std::string&>());
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!valid_utf8(it.key()) || !all_utf8(it.value())) return false;
    }
  } else if (v.is_array()) {
    for (const auto& e : v)
      if (!all_utf8(e)) return false;
  }
  return true;
}

}  // namespace

Json utf8_safe(const Json& value) {
  // Most documents are valid UTF-8 already: checked in one walk, then copied as they are.
  if (all_utf8(value)) return value;
  // The text json_text() writes is valid JSON in valid UTF-8; parsing it back cannot fail, and
  // allow_exceptions=false keeps that true without a throw.
  Json out = Json::parse(json_text(value), nullptr, /*allow_exceptions=*/false);
  return out.is_discarded() ? Json() : out;
}

namespace {

// A SAX consumer that forwards to nlohmann's DOM builder while enforcing the limits and
// remembering where it is, so that errors carry a JSON pointer.
class StrictSax {
 public:
  StrictSax(Json& root, const JsonLimits& limits) : dom_(root, false), limits_(limits) {}

  bool null() { return scalar() && dom_.null(); }
  bool boolean(bool v) { return scalar() && dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return scalar() && dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return scalar() && dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const std::string& s) {
    if (!std::isfinite(v)) return fail("input.not-finite", "number is not finite: " + s);
    return scalar() && dom_.number_float(v, s);
  }
  bool string(std::string& v) {
    if (!scalar()) return false;
    if (v.size() > limits_.max_string) {
      return fail("input.too-large",
                  "string longer than " + std::to_string(limits_.max_string) + " bytes");
    }
    return dom_.string(v);
  }
  bool binary(Json::binary_t& v) { return scalar() && dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (!open()) return false;
    frames_.push_back(Frame{false, 0, {}, {}});
    return dom_.start_object(n);
  }
  bool key(std::string& k) {
    Frame& f = frames_.back();
    f.key = k;
    if (k.size() > limits_.max_string) return fail("input.too-large", "key too long");
    if (!f.keys.insert(k).second) {
      return fail("input.duplicate-key", "duplicate key \"" + k + "\"");
    }
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (!open()) return false;
    frames_.push_back(Frame{true, 0, {}, {}});
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  bool parse_error(std::size_t pos, const std::string& token,
                   const nlohmann::detail::exception& ex) {
    // nlohmann reports a number that overflows a double (1e400, -1e400) as out_of_range 406;
    // the value is not yet counted in its array, so the pointer names the pending element.
    if (!error_ && ex.id == 406) {
      error_ = Error{"input.not-finite", pointer(/*pending=*/true),
                     "number " + token.substr(0, 40) + " is out of range (not a finite double)"};
    }
    if (!error_) {
      error_ = Error{"input.bad-json", pointer(),
                     "not valid JSON (syntax error near byte " + std::to_string(pos) + ")"};
    }
    return false;
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  struct Frame {
    bool array;
    size_t index;
    std::string key;
    std::set<std::string> keys;
  };

  // Called before every value: advances the array index of the enclosing frame.
  void advance() {
    if (!frames_.empty() && frames_.back().array) frames_.back().index++;
  }
  bool scalar() {
    advance();
    return true;
  }
  bool open() {
    advance();
    if (frames_.size() + 1 > limits_.max_depth) {
      return fail("input.too-deep",
                  "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    return true;
  }
  // `pending`: the innermost array's next element (one not yet passed to advance()).
  std::string pointer(bool pending = false) const {
    std::string p;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.array) {
        if (pending && i + 1 == frames_.size()) {
          p += "/" + std::to_string(f.index);
        } else if (f.index > 0) {
          p += "/" + std::to_string(f.index - 1);
        }
      } else if (!f.key.empty() || !f.keys.empty()) {
        p += "/" + json_pointer_token(f.key);
      }
    }
    return p;
  }
  bool fail(std::string code, std::string message) {
    if (!error_) error_ = Error{std::move(code), pointer(), std::move(message)};
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  const JsonLimits& limits_;
  std::vector<Frame> frames_;
  std::optional<Error> error_;
};

}  // namespace

Result<Json> parse_json_strict(std::string_view text, const std::string& origin,
                               const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return make_error("input.too-large", origin,
                      "document larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  Json root;
  StrictSax sax(root, limits);
  bool ok = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::detail::input_format_t::json,
                            /*strict=*/true, /*ignore_comments=*/false);
  if (!ok || sax.error()) {
    Error e = sax.error() ? *sax.error() : Error{"input.bad-json", "", "not valid JSON"};
    e.field = origin + "#" + (e.field.empty() ? "/" : e.field);
    return e;
  }
  return root;
}

namespace {
// What child() and at() view when the member or element is absent: null, so that the next
// accessor reports a type error naming the place instead of nlohmann throwing.
const Json& absent() {
  static const Json kNull;
  return kNull;
}
}  // namespace

JsonAt JsonAt::child(std::string_view key) const {
  const std::string ptr = pointer_ + "/" + json_pointer_token(key);
  if (!v_->is_object()) return JsonAt(absent(), origin_, ptr);
  auto it = v_->find(std::string(key));
  return JsonAt(it == v_->end() ? absent() : *it, origin_, ptr);
}

JsonAt JsonAt::at(size_t index) const {
  const std::string ptr = pointer_ + "/" + std::to_string(index);
  if (!v_->is_array() || index >= v_->size()) return JsonAt(absent(), origin_, ptr);
  return JsonAt((*v_)[index], origin_, ptr);
}

Error JsonAt::type_error(std::string_view expected) const {
  return make_error("input.wrong-type", where(),
                    "expected " + std::string(expected) + ", found " + v_->type_name());
}

Result<JsonAt> JsonAt::object() const {
  if (!v_->is_object()) return type_error("an object");
  return *this;
}

Result<JsonAt> JsonAt::array() const {
  if (!v_->is_array()) return type_error("an array");
  return *this;
}

Result<JsonAt> JsonAt::field(std::string_view key) const {
  if (!v_->is_object()) return type_error("an object");
  if (!v_->contains(std::string(key))) {
    return make_error("input.missing-field",
                      where() + (pointer_.empty() ? "" : "/") + json_pointer_token(key),
                      "required field \"" + std::string(key) + "\" is missing");
  }
  return child(key);
}

std::optional<JsonAt> JsonAt::optional_field(std::string_view key) const {
  if (!v_->is_object() || !v_->contains(std::string(key))) return std::nullopt;
  return child(key);
}

Result<std::string> JsonAt::string() const {
  if (!v_->is_string()) return type_error("a string");
  return v_->get<std::string>();
}

Result<bool> JsonAt::boolean() const {
  if (!v_->is_boolean()) return type_error("a boolean");
  return v_->get<bool>();
}

Result<double> JsonAt::number() const {
  if (!v_->is_number()) return type_error("a number");
  const double d = v_->get<double>();
  if (!std::isfinite(d)) return make_error("input.not-finite", where(), "number is not finite");
  return d;
}

Result<std::string> JsonAt::string_field(std::string_view key) const {
  AA_TRY(f, field(key));
  return f.string();
}

Result<double> JsonAt::number_field(std::string_view key) const {
  AA_TRY(f, field(key));
  return f.number();
}

Status JsonAt::expect_string(std::string_view key, std::string_view want, const char* code) const {
  AA_TRY(s, string_field(key));
  if (s != want) return make_error(code, child(key).where(), "expected " + std::string(want));
  return Ok{};
}

Status JsonAt::only_fields(std::initializer_list<std::string_view> allowed) const {
  if (!v_->is_object()) return type_error("an object");
  for (const auto& [k, _] : v_->items()) {
    bool found = false;
    for (auto a : allowed) found = found || a == k;
    if (!found) {
      return make_error("input.unknown-field", child(k).where(), "unknown field \"" + k + "\"");
    }
  }
  return Ok{};
}

}  // namespace aa
