// A finding: one verification result a person or a policy acts on.
//
// Contract: `code` is stable and documented in docs/findings.md; `pointer` says what the
// finding concerns (a PCI address, a device label plus a field, a file); `severity` says how
// it counts: kFail makes the device fail, kWarn leaves it passing but not fully appraised
// (something could not be checked, a mismatch was tolerated by policy), kInfo is a note.
#pragma once

#include <string>
#include <vector>

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

// The outcome of one named check of an appraisal.
enum class CheckStatus { kPass, kFail, kWarn, kNotRun, kSkipped };

inline const char* check_name(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kWarn:
      return "warn";
    case CheckStatus::kNotRun:
      return "not-run";
    case CheckStatus::kSkipped:
      return "skipped";
  }
  return "not-run";
}

// The AR4SI-style tier of a set of findings: "contraindicated" when any fails, "warning" when
// any warns, "affirming" otherwise.
inline const char* verdict_of(const std::vector<Finding>& findings) {
  bool warn = false;
  for (const auto& f : findings) {
    if (f.severity == Severity::kFail) return "contraindicated";
    warn = warn || f.severity == Severity::kWarn;
  }
  return warn ? "warning" : "affirming";
}

}  // namespace aa
