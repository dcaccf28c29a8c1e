// A finding: one verification result a person or a policy acts on.
//
// Contract: `code` is stable and documented in docs/findings.md; `pointer` says what the
// finding concerns (a PCI address, a device label plus a field, a file); `severity` says how
// it counts: kFail makes the device fail, kWarn leaves it passing but not fully appraised
// (something could not be checked, a mismatch was tolerated by policy), kInfo is a note.
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace aa {

enum class Severity { kFail, kWarn, kInfo };

template <>
struct EnumNames<Severity> {
  static constexpr std::array kNames = {
      std::pair{Severity::kFail, "fail"},
      std::pair{Severity::kWarn, "warn"},
      std::pair{Severity::kInfo, "info"},
  };
};

struct Finding {
  std::string code;
  std::string message;
  std::string pointer;
  Severity severity = Severity::kFail;
};

// The outcome of one named check of an appraisal. kUnchecked: nothing to judge against (a
// device report's freshness when no nonce was issued), as opposed to kNotRun (the check could
// not run) and kSkipped (it does not apply).
enum class CheckStatus { kPass, kFail, kWarn, kNotRun, kSkipped, kUnchecked };

template <>
struct EnumNames<CheckStatus> {
  static constexpr std::array kNames = {
      std::pair{CheckStatus::kPass, "pass"},       std::pair{CheckStatus::kFail, "fail"},
      std::pair{CheckStatus::kWarn, "warn"},       std::pair{CheckStatus::kNotRun, "not-run"},
      std::pair{CheckStatus::kSkipped, "skipped"}, std::pair{CheckStatus::kUnchecked, "unchecked"},
  };
};

// The AR4SI tier of a set of findings: contraindicated when any fails, warning when any warns,
// affirming otherwise.
inline TrustTier verdict_of(const std::vector<Finding>& findings) {
  bool warn = false;
  for (const auto& f : findings) {
    if (f.severity == Severity::kFail) return TrustTier::kContraindicated;
    warn = warn || f.severity == Severity::kWarn;
  }
  return warn ? TrustTier::kWarning : TrustTier::kAffirming;
}

}  // namespace aa
