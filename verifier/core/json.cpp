#include "core/json.h"
#include "core/json_text.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
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

namespace {

// A JSON string, escaped exactly as nlohmann's dump() escapes one (ensure_ascii off): the
// quote, the backslash, b f n r t, other control bytes as u00xx (lower-case hex), everything
// else as it is. A string that is not valid UTF-8 is left to dump()'s own replacement (U+FFFD
// per bad byte).
void append_string(std::string& out, const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t start = out.size();
  out += '"';
  const char* run = s.data();
  const char* end = s.data() + s.size();
  // Until the first byte that is not ASCII, one test a byte; there the rest of the string is
  // checked once, and from then on only the escapes matter.
  unsigned char high = 0x80;
  for (const char* p = run; p != end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c < high && c != '"' && c != '\\') continue;
    if (c >= 0x80) {
      if (!valid_utf8(std::string_view(p, static_cast<size_t>(end - p)))) {
        out.resize(start);
        out += Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
        return;
      }
      high = 0xff;
      if (c != 0xff) continue;  // (0xff is never valid UTF-8)
    }
    const auto e = static_cast<unsigned char>(*p);
    out.append(run, p);
    run = p + 1;
    switch (e) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[e >> 4];
        out += kHex[e & 0xf];
    }
  }
  out.append(run, end);
  out += '"';
}

// The compact form (dump(-1)), written in one pass into one buffer; numbers other than
// integers, and binary values, are written by dump() itself so that they read alike.
void append_compact(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      out += "null";
      return;
    case Json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case Json::value_t::string:
      append_string(out, v.get_ref<const std::string&>());
      return;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        append_compact(out, e);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ',';
        first = false;
        append_string(out, it.key());
        out += ':';
        append_compact(out, it.value());
      }
      out += '}';
      return;
    }
    default:
      out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

}  // namespace

std::string json_text(const Json& value, int indent) {
  if (indent >= 0) return value.dump(indent, ' ', false, Json::error_handler_t::replace);
  std::string out;
  append_compact(out, value);
  return out;
}

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

namespace {

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

Json utf8_safe(Json value) {
  // Most documents are valid UTF-8 already: checked in one walk, then copied as they are.
  if (all_utf8(value)) return value;
  // The text json_text() writes is valid JSON in valid UTF-8; parsing it back cannot fail, and
  // allow_exceptions=false keeps that true without a throw.
  Json out = Json::parse(json_text(value), nullptr, /*allow_exceptions=*/false);
  return out.is_discarded() ? Json() : out;
}

namespace {

// The strict reader: one pass over the text, building the DOM directly. Strings are scanned a
// run of plain bytes at a time and copied once (the text is mostly base64). It accepts exactly
// RFC 8259 JSON in UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF;
// an escaped surrogate must be a high one followed by an escaped low one), optionally after a
// UTF-8 byte order mark, with numbers typed as nlohmann's own parser types them (non-negative
// integers unsigned, negative ones signed, anything else or anything that overflows 64 bits a
// double). The fuzz target tests/fuzz/fuzz_json_strict.cpp checks it against nlohmann's parser.
class StrictReader {
 public:
  StrictReader(std::string_view text, const JsonLimits& limits)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), limits_(limits) {}

  bool document(Json& out) {
    if (end_ - p_ >= 3 && static_cast<unsigned char>(p_[0]) == 0xef &&
        static_cast<unsigned char>(p_[1]) == 0xbb && static_cast<unsigned char>(p_[2]) == 0xbf) {
      p_ += 3;
    }
    skip_space();
    if (!value(out)) return false;
    skip_space();
    return p_ == end_ || syntax();
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  struct Frame {
    bool array;
    size_t index;            // arrays: elements begun so far
    const std::string* key;  // objects: the member being read (null before the first)
  };

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool value(Json& out) {
    if (p_ == end_) return syntax();
    if (++values_ > limits_.max_values) {
      return fail("input.too-large",
                  "more than " + std::to_string(limits_.max_values) + " JSON values");
    }
    switch (*p_) {
      case '{':
        return object(out);
      case '[':
        return array(out);
      case '"': {
        std::string s;
        if (!string(s)) return false;
        advance();
        if (s.size() > limits_.max_string) {
          return fail("input.too-large",
                      "string longer than " + std::to_string(limits_.max_string) + " bytes");
        }
        out = std::move(s);
        return true;
      }
      case 't':
        return literal("true", Json(true), out);
      case 'f':
        return literal("false", Json(false), out);
      case 'n':
        return literal("null", Json(nullptr), out);
      default:
        return number(out);
    }
  }

  bool literal(std::string_view word, Json v, Json& out) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return syntax();
    }
    p_ += word.size();
    advance();
    out = std::move(v);
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

  bool object(Json& out) {
    if (!open()) return false;
    ++p_;  // '{'
    out = Json::object();
    auto& members = out.get_ref<Json::object_t&>();
    frames_.push_back(Frame{false, 0, nullptr});
    skip_space();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      frames_.pop_back();
      return true;
    }
    for (;;) {
      if (p_ == end_ || *p_ != '"') return syntax();
      std::string k;
      if (!string(k)) return false;
      const size_t key_size = k.size();
      auto [it, inserted] = members.try_emplace(std::move(k));
      frames_.back().key = &it->first;
      if (key_size > limits_.max_string) return fail("input.too-large", "key too long");
      if (!inserted) return fail("input.duplicate-key", "duplicate key \"" + it->first + "\"");
      skip_space();
      if (p_ == end_ || *p_ != ':') return syntax();
      ++p_;
      skip_space();
      if (!value(it->second)) return false;
      skip_space();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        skip_space();
        continue;
      }
      if (p_ != end_ && *p_ == '}') {
        ++p_;
        frames_.pop_back();
        return true;
      }
      return syntax();
    }
  }

  bool array(Json& out) {
    if (!open()) return false;
    ++p_;  // '['
    out = Json::array();
    auto& elements = out.get_ref<Json::array_t&>();
    frames_.push_back(Frame{true, 0, nullptr});
    skip_space();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      frames_.pop_back();
      return true;
    }
    for (;;) {
      elements.emplace_back();
      if (!value(elements.back())) return false;
      skip_space();
      if (p_ != end_ && *p_ == ',') {
        ++p_;
        skip_space();
        continue;
      }
      if (p_ != end_ && *p_ == ']') {
        ++p_;
        frames_.pop_back();
        return true;
      }
      return syntax();
    }
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  bool number(Json& out) {
    const char* start = p_;
    bool negative = false;
    bool integral = true;
    if (*p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ == end_ || !is_digit(*p_)) return syntax();
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return syntax();
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !is_digit(*p_)) return syntax();
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    const std::string token(start, p_);
    if (integral) {
      errno = 0;
      char* stop = nullptr;
      if (negative) {
        const long long v = std::strtoll(token.c_str(), &stop, 10);
        if (errno == 0) {
          advance();
          out = Json(static_cast<Json::number_integer_t>(v));
          return true;
        }
      } else {
        const unsigned long long v = std::strtoull(token.c_str(), &stop, 10);
        if (errno == 0) {
          advance();
          out = Json(static_cast<Json::number_unsigned_t>(v));
          return true;
        }
      }
    }
    char* stop = nullptr;
    const double d = std::strtod(token.c_str(), &stop);
    if (!std::isfinite(d)) {
      // The value is not yet counted in its array: the pointer names the pending element.
      if (!error_) {
        error_ = Error{"input.not-finite", pointer(/*pending=*/true),
                       "number " + token.substr(0, 40) + " is out of range (not a finite double)"};
      }
      return false;
    }
    advance();
    out = Json(d);
    return true;
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after "\u" at p_ (p_ on the 'u').
  bool code_unit(uint32_t& unit) {
    if (end_ - p_ < 5) return syntax();
    unit = 0;
    for (int i = 1; i <= 4; ++i) {
      const int d = hex_digit(p_[i]);
      if (d < 0) return syntax();
      unit = (unit << 4) | static_cast<uint32_t>(d);
    }
    p_ += 5;
    return true;
  }

  static void append_utf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xc0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xe0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      s += static_cast<char>(0xf0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  // The length of the UTF-8 sequence at p_ (a lead byte >= 0x80), 0 when it is not UTF-8.
  size_t utf8_sequence() const {
    const auto at = [&](ptrdiff_t i) { return static_cast<unsigned char>(p_[i]); };
    const ptrdiff_t left = end_ - p_;
    const unsigned char c = at(0);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c == 0xe0) lo = 0xa0;  // overlong
      if (c == 0xed) hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c == 0xf0) lo = 0x90;  // overlong
      if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
    } else {
      return 0;
    }
    if (left < static_cast<ptrdiff_t>(n)) return 0;
    if (at(1) < lo || at(1) > hi) return 0;
    for (size_t k = 2; k < n; ++k) {
      if ((at(static_cast<ptrdiff_t>(k)) & 0xc0u) != 0x80u) return 0;
    }
    return n;
  }

  // A string at p_ (on its opening quote) into `out`; p_ ends after the closing quote.
  bool string(std::string& out) {
    ++p_;
    for (;;) {
      const char* run = p_;
      while (p_ != end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
        ++p_;
      }
      out.append(run, p_);
      if (p_ == end_) return syntax();
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return syntax();
      if (c >= 0x80) {
        const size_t n = utf8_sequence();
        if (n == 0) return syntax();
        out.append(p_, n);
        p_ += n;
        continue;
      }
      // An escape.
      if (end_ - p_ < 2) return syntax();
      ++p_;
      switch (*p_) {
        case '"':
        case '\\':
        case '/':
          out += *p_++;
          break;
        case 'b':
          out += '\b';
          ++p_;
          break;
        case 'f':
          out += '\f';
          ++p_;
          break;
        case 'n':
          out += '\n';
          ++p_;
          break;
        case 'r':
          out += '\r';
          ++p_;
          break;
        case 't':
          out += '\t';
          ++p_;
          break;
        case 'u': {
          uint32_t unit = 0;
          if (!code_unit(unit)) return false;
          if (unit >= 0xdc00 && unit <= 0xdfff) return syntax();  // a lone low surrogate
          if (unit >= 0xd800 && unit <= 0xdbff) {
            uint32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return syntax();
            ++p_;
            if (!code_unit(low)) return false;
            if (low < 0xdc00 || low > 0xdfff) return syntax();
            unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, unit);
          break;
        }
        default:
          return syntax();
      }
    }
  }

  // Called before every value: advances the array index of the enclosing frame.
  void advance() {
    if (!frames_.empty() && frames_.back().array) frames_.back().index++;
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
      } else if (f.key) {
        p += "/" + json_pointer_token(*f.key);
      }
    }
    return p;
  }
  bool fail(std::string code, std::string message) {
    if (!error_) error_ = Error{std::move(code), pointer(), std::move(message)};
    return false;
  }
  bool syntax() {
    const auto at = static_cast<size_t>(p_ - begin_) + 1;
    return fail("input.bad-json",
                "not valid JSON (syntax error near byte " + std::to_string(at) + ")");
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const JsonLimits& limits_;
  size_t values_ = 0;
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
  StrictReader reader(text, limits);
  if (!reader.document(root)) {
    Error e = reader.error() ? *reader.error() : Error{"input.bad-json", "", "not valid JSON"};
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

Result<std::string_view> JsonAt::string_view() const {
  if (!v_->is_string()) return type_error("a string");
  return std::string_view(v_->get_ref<const std::string&>());
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
