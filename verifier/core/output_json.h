// The JSON pieces of the one output model (docs/cli.md, docs/schemas/): a document, a finding,
// a check and an error, written the same way by every command and renderer.
//
// Contract: every document has "schema": "accel-attest/<name>/v<N>". A finding is
// {code, severity, subject, field, message}: `subject` is what it concerns ("host", a PCI
// address, a device label, a file), `field` the JSON pointer, option or part inside it ("" when
// none), both derived from Finding::pointer by split_pointer(). A check is {name, status}; an
// error {code, field, message}. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/json.h"
#include "core/result.h"

namespace aa {

// {"schema": "accel-attest/<name>/v<version>"}; add the document's fields after it.
Json document(std::string_view name, int version = 1);

struct Place {
  std::string subject, field;
};
// Splits a Finding::pointer: "file#/a/b" -> {file, /a/b}; "/a/b" -> {default_subject, /a/b};
// "host" or a PCI address or a device label, optionally followed by a space and a part
// ("GPU-0 driver RIM /x") -> {first word, rest}; "" -> {default_subject, ""}. A pointer that
// starts with a known multi-word subject ("EK certificate ...") keeps it whole as the subject.
Place split_pointer(const std::string& pointer, const std::string& default_subject);

Json finding_json(const Finding& f, const std::string& default_subject);
Json findings_json(const std::vector<Finding>& fs, const std::string& default_subject);
Json check_json(std::string_view name, std::string_view status);
// {"code", "field", "message"}.
Json error_json(const Error& e);

}  // namespace aa
