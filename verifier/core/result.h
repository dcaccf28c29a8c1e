// Error values and Result<T>: how every stage reports failure without exceptions across the API.
//
// Contract: an Error always carries a stable `code` (documented in docs/findings.md), the
// `field` it concerns (a file path, a file path plus JSON pointer, or "file:line"), and a
// human-readable `message`. Functions that can fail on untrusted input return Result<T>.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace aa {

struct Error {
  std::string code;     // stable identifier, e.g. "input.bad-hex"
  std::string field;    // where: "path/to/file", "file#/devices/0/vendor_id", "file:12"
  std::string message;  // what is wrong, in words

  // "code: field: message", the form every command prints on stderr.
  std::string to_string() const;
};

struct Ok {};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

using Status = Result<Ok>;

inline Error make_error(std::string code, std::string field, std::string message) {
  return Error{std::move(code), std::move(field), std::move(message)};
}

}  // namespace aa

// Evaluates `expr` (a Result); on error returns the error from the enclosing function,
// otherwise binds the value to a new variable `var`.
#define AA_TRY(var, expr)               \
  auto var##_r = (expr);                \
  if (!var##_r) return var##_r.error(); \
  auto var = std::move(var##_r).value()

// Evaluates `expr` (a Status or any Result whose value is not needed); on error returns it.
#define AA_CHECK(expr)                                                    \
  do {                                                                    \
    if (auto aa_check_r = (expr); !aa_check_r) return aa_check_r.error(); \
  } while (0)
