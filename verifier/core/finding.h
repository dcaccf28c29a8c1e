// A finding: one verification result a person or a policy acts on.
//
// Contract: `code` is stable and documented in docs/findings.md; `pointer` says what the
// finding concerns (a PCI address, a device label plus a field, a file); `severity` says how
// it counts: kFail makes the device fail, kWarn leaves it passing but not fully appraised
// (something could not be checked, a mismatch was tolerated by policy), kInfo is a note.
#pragma once

#include <string>

namespace aa {

enum class Severity { kFail, kWarn, kInfo };

inline const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kFail:
      return "fail";
    case Severity::kWarn:
      return "warn";
    case Severity::kInfo:
      return "info";
  }
  return "fail";
}

struct Finding {
  std::string code;
  std::string message;
  std::string pointer;
  Severity severity = Severity::kFail;
};

}  // namespace aa
