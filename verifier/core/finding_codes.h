// The finding table: every finding and error code the library and the CLI emit, with how it
// counts and where docs/findings.md documents it.
//
// Contract: each row of finding_codes.inc is AA_CODE(constant, code, severity, anchor): the
// constant names the code for code that constructs findings and errors (codes::kTpmMalformed),
// `code` is the stable text, `severity` how it counts where it appears (CodeSeverity), and
// `anchor` the GitHub anchor of the docs/findings.md section whose table lists it. A code is
// added here and documented there in the same change: tests/unit/test_finding_codes.cpp checks
// that both list the same codes, that a severity the doc states agrees, that every code-shaped
// string literal in verifier/ is a row, and that every row is used somewhere in verifier/.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace aa {

// How a code counts. kFail, kWarn, kInfo: a finding of that severity (core/finding.h);
// kVaries: a finding whose severity depends on an option or on the case (the doc says which);
// kError: an error that stops a command (input, reference data, a token that does not verify).
enum class CodeSeverity { kFail, kWarn, kInfo, kVaries, kError };

constexpr std::string_view code_severity_name(CodeSeverity s) {
  switch (s) {
    case CodeSeverity::kFail:
      return "fail";
    case CodeSeverity::kWarn:
      return "warn";
    case CodeSeverity::kInfo:
      return "info";
    case CodeSeverity::kVaries:
      return "varies";
    case CodeSeverity::kError:
      return "error";
  }
  return "error";
}

struct CodeInfo {
  std::string_view constant;  // the name of its constant in aa::codes
  std::string_view code;
  CodeSeverity severity;
  std::string_view anchor;  // docs/findings.md#<anchor>
};

namespace codes {

// The sections of docs/findings.md, by their GitHub anchors.
inline constexpr std::string_view kDocFindings = "findings-verification-results-exit-1";
inline constexpr std::string_view kDocNvidia =
    "nvidia-appraisal-findings-accel-attest-nvidia-verify";
inline constexpr std::string_view kDocTpm =
    "tpm-quote-findings-accel-attest-tpm-verify-tpm-ek-check";
inline constexpr std::string_view kDocPipeline = "pipeline-findings-accel-attest-verify";
inline constexpr std::string_view kDocPolicy =
    "export-policy-findings-accel-attest-verify-docspolicymd";
inline constexpr std::string_view kDocLocation =
    "location-findings-accel-attest-location-verify-docslocation-protocolmd";
inline constexpr std::string_view kDocToken =
    "result-token-errors-accel-attest-verify-token-exit-1";
inline constexpr std::string_view kDocInput = "input-errors-exit-2";
inline constexpr std::string_view kDocReference = "reference-data-errors-exit-2";
inline constexpr std::string_view kDocLedger = "ledger-breaks-accel-attest-ledger-verify-exit-1";
inline constexpr std::string_view kDocService = "service-errors-accel-attest-serve-docsservicemd";
inline constexpr std::string_view kDocCollect =
    "collection-findings-accel-attest-collect-attest-docscollectmd";

// One constant per code: codes::kNvidiaSignatureInvalid == "nvidia.signature.invalid".
#define AA_CODE(name, text, sev, anchor) inline constexpr const char* name = text;
#include "core/finding_codes.inc"
#undef AA_CODE

// Every row, in the order of docs/findings.md. The size is counted, not deduced: clang's
// deduction guide for std::array folds over every element and stops at 256.
#define AA_CODE(name, text, sev, anchor) +1
inline constexpr std::size_t kCount = 0
#include "core/finding_codes.inc"
    ;
#undef AA_CODE
inline constexpr std::array<CodeInfo, kCount> kTable = {{
#define AA_CODE(name, text, sev, anchor) CodeInfo{#name, text, CodeSeverity::sev, anchor},
#include "core/finding_codes.inc"
#undef AA_CODE
}};

}  // namespace codes

// The row of `code`; nullopt when the table does not list it.
constexpr std::optional<CodeInfo> find_code(std::string_view code) {
  for (const auto& row : codes::kTable)
    if (row.code == code) return row;
  return std::nullopt;
}

}  // namespace aa
