#include "cli/output.h"

#include "accel_attest/verify.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "core/json_text.h"
#include "core/terminal.h"
#include "core/text.h"
#include "results/ear.h"

namespace aa::cli {

namespace {

// How much of each input is kept for sniff_file_type(): enough for a whole result token.
constexpr size_t kSniffBytes = 64u << 10;

struct State {
  OutputState out;
  std::optional<Error> error;
  std::unique_ptr<std::ostringstream> captured;
  std::streambuf* real_stdout = nullptr;
  // An output file given as '-' took stdout: the command's own text or JSON goes to stderr,
  // so that stdout holds exactly that file. At most one output may take it, and stdin can be
  // read by one input only.
  bool stdout_file = false, stdin_read = false;
  std::string stdin_reader;
  std::set<std::string> generic;            // commands with the generic document
  std::map<std::string, std::string> read;  // path -> content, for wrong-file-type messages
};

State& state() {
  static State s;
  return s;
}

bool is_pci_address(std::string_view s) {
  // dddd:bb:dd.f
  if (s.size() != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.') return false;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u})
    if (!std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

// The file an error's field names, when this process read it: "path", "path#/x", "path:12".
std::optional<std::string> read_path_of(const std::string& field) {
  for (const auto& [path, content] : state().read) {
    if (field == path) return path;
    if (starts_with(field, path) && field.size() > path.size() &&
        (field[path.size()] == '#' || field[path.size()] == ':' || field[path.size()] == ' '))
      return path;
  }
  return std::nullopt;
}

// Codes that say "this file did not parse as what was expected".
bool is_parse_error(const std::string& code) {
  static const std::set<std::string> kNot = {"input.missing-file", "input.unreadable",
                                             "input.too-large", "input.no-devices"};
  if (kNot.count(code)) return false;
  return starts_with(code, "input.") || starts_with(code, "jose.bad-format") ||
         starts_with(code, "location.bad-record") || starts_with(code, "tpm.bad-") ||
         starts_with(code, "jose.bad-key");
}

}  // namespace

OutputState& output_state() {
  return state().out;
}

int exit_for(const Error& e) {
  return starts_with(e.code, "internal.") || e.code == "output.stdout-failed" ? 3 : 2;
}

int fail(const Error& given) {
  Error e = given;
  if (is_parse_error(e.code)) {
    if (auto path = read_path_of(e.field)) {
      std::string what = sniff_file_type(state().read[*path], output_state().command);
      if (!what.empty()) {
        e = make_error("input.wrong-file-type", *path,
                       "this is " + what + " (" + e.code + ": " + e.message + ")");
      }
    }
  }
  // Messages quote input (names, paths, values): escaped for a terminal.
  std::cerr << "accel-attest: error: " << terminal_safe(e.to_string()) << "\n";
  if (!state().error) state().error = e;
  return exit_for(e);
}

int fail_usage(const std::string& message) {
  const std::string cmd = output_state().command.empty() ? "accel-attest" : output_state().command;
  fail(make_error("usage.bad-arguments", cmd, message));
  std::cerr << "Run accel-attest " << (output_state().command.empty() ? "" : cmd + " ")
            << "--help for more information.\n";
  return 2;
}

void begin_output(int argc, char** argv) {
  State& s = state();
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") break;
    if (a == "--json") s.out.json = true;
    if (a == "--quiet") s.out.quiet = true;
  }
  if (s.out.json || s.out.quiet) {
    s.captured = std::make_unique<std::ostringstream>();
    s.real_stdout = std::cout.rdbuf(s.captured->rdbuf());
  }
}

void add_generic_json(CLI::App& app) {
  std::vector<std::pair<CLI::App*, std::string>> todo;
  for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    todo.emplace_back(sub, sub->get_name());
  while (!todo.empty()) {
    auto [a, path] = todo.back();
    todo.pop_back();
    const auto subs = a->get_subcommands([](const CLI::App*) { return true; });
    if (!subs.empty()) {
      for (CLI::App* sub : subs) todo.emplace_back(sub, path + " " + sub->get_name());
      continue;
    }
    if (a->get_option_no_throw("--json") != nullptr) continue;
    std::string name = path;
    std::replace(name.begin(), name.end(), ' ', '-');
    a->add_flag("--json")->description("print one JSON document (schema accel-attest/" + name +
                                       "/v1: the exit code and the output lines)");
    state().generic.insert(path);
  }
}

int end_output(int rc) {
  State& s = state();
  std::string captured;
  if (s.captured) {
    captured = s.captured->str();
    s.captured.reset();
  }
  if (s.real_stdout) std::cout.rdbuf(s.real_stdout);
  // With stdout holding an output file, the command's report goes to stderr.
  std::ostream& report = s.stdout_file ? std::cerr : std::cout;
  if (s.out.json) {
    if (rc >= 2) {
      Error e = s.error.value_or(make_error(rc == 3 ? "internal.error" : "usage.bad-arguments",
                                            s.out.command.empty() ? "accel-attest" : s.out.command,
                                            "the command failed"));
      Json doc = document("error");
      doc["command"] = s.out.command;
      doc["exit_code"] = rc;
      doc["error"] = error_json(e);
      report << json_text(doc, 2) << "\n";
    } else if (s.generic.count(s.out.command)) {
      std::string name = s.out.command;
      std::replace(name.begin(), name.end(), ' ', '-');
      Json doc = document(name);
      doc["exit_code"] = rc;
      Json lines = Json::array();
      std::istringstream in(captured);
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      doc["output"] = lines;
      report << json_text(doc, 2) << "\n";
    } else {
      report << captured;
    }
  } else if (!(s.out.quiet && rc == 0)) {
    report << captured;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "accel-attest: error: output.stdout-failed: stdout: the output could not be "
                 "written\n";
    return 3;
  }
  return rc;
}

Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  std::string content;
  if (path == "-") {
    if (state().stdin_read) {
      return make_error("input.bad-value", "-",
                        "standard input is already read for another input (" +
                            state().stdin_reader + "): give this one as a file");
    }
    state().stdin_read = true;
    state().stdin_reader = "a file given as -";
    content.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (content.size() > max_bytes)
      return make_error("input.too-large", "-", "stdin holds more than the limit for this input");
  } else {
    AA_TRY(c, aa::read_file(path, max_bytes));
    content = std::move(c);
  }
  state().read[path] = content.substr(0, kSniffBytes);
  return content;
}

Status write_file_atomic(const std::string& path, std::string_view body, mode_t mode,
                         Overwrite overwrite) {
  if (path == "-") {
    State& st = state();
    if (st.stdout_file) {
      return make_error("input.bad-value", "-",
                        "standard output already holds another output file: give this one a "
                        "path");
    }
    st.stdout_file = true;
    // From now on the command's own words go to stderr; stdout holds this file alone.
    if (!st.real_stdout) st.real_stdout = std::cout.rdbuf(std::cerr.rdbuf());
    std::ostream out(st.real_stdout);
    out << body;
    out.flush();
    if (!out) return make_error("output.stdout-failed", "-", "stdout could not be written");
    return Ok{};
  }
  return aa::write_file_atomic(path, body, mode, overwrite);
}

Status check_writable(const std::string& path, std::string_view what) {
  if (path == "-") return Ok{};
  return aa::check_writable(path, what);
}

std::string sniff_file_type(std::string_view content, const std::string& command) {
  const std::string t = trim(content.substr(0, kSniffBytes));
  if (t.empty()) return {};
  // What it is, and the commands that take it.
  std::string what;
  std::set<std::string> takers;
  const std::string low = lower(t.substr(0, 512));
  auto is_b64url = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  };
  const auto dots = std::count(t.begin(), t.end(), '.');
  if (starts_with(t, "eyJ") && (dots == 2 || (dots == 1 && t.size() >= kSniffBytes - 1)) &&
      std::all_of(t.begin(), t.end(), [&](char c) { return is_b64url(c) || c == '.'; })) {
    what = "a JWT (compact JWS): use verify-token (or report)";
    takers = {"verify-token", "report"};
  } else if (starts_with(low, "<!doctype html") || starts_with(low, "<html")) {
    what = "HTML (an audit report is what `accel-attest report` writes, not an input)";
  } else if (starts_with(t, "-----BEGIN CERTIFICATE-----")) {
    what = "a PEM certificate";
    takers = {"nvidia verify", "tpm verify",      "tpm ek-check",    "tpm challenge",
              "verify",        "location verify", "landmark respond"};
  } else if (starts_with(t, "-----BEGIN") && t.find("PRIVATE KEY-----") != std::string::npos) {
    what = "a PEM private key";
    takers = {"verify",         "location verify",  "jwks",
              "verify-token",   "report",           "landmark serve",
              "landmark enrol", "landmark respond", "serve",
              "tpm verify",     "tpm check-answer"};
  } else if (starts_with(t, "-----BEGIN PUBLIC KEY-----")) {
    what = "a PEM public key: use verify-token --key";
    takers = {"verify-token", "report", "verify", "serve", "tpm verify"};  // enrolment keys
  } else if (t[0] == '{' || t[0] == '[') {
    auto j = Json::parse(t, nullptr, false);
    // A cut-off document (only the first kSniffBytes are kept) still names its schema.
    auto schema_in = [&](std::string_view name) {
      return t.find("\"accel-attest/" + std::string(name) + "/") != std::string::npos;
    };
    if (schema_in("bundle")) {
      what = "an evidence bundle: use verify";
      takers = {"verify", "tpm verify", "tpm quote"};
    } else if (schema_in("inventory")) {
      what = "an inventory: use identify --inventory";
      takers = {"identify", "tpm verify", "tpm quote"};
    } else if (schema_in("location-evidence") || schema_in("timing-record")) {
      what = "location evidence: use location verify";
      takers = {"location verify"};
    } else if (j.is_object() && j.contains("keys") && j["keys"].is_array()) {
      what = "a JWKS: give it to verify-token --jwks, report --jwks or --enrolment-key";
      takers = {"verify-token", "report", "verify", "serve", "tpm verify"};
    } else if (j.is_object() && j.contains("eat_profile")) {
      what = "EAR claims (the payload of a signed result), not a signed token";
    } else if ((j.is_array() && !j.empty() && j[0].is_object() && j[0].contains("evidence")) ||
               t.find("\"certificate\"") != std::string::npos) {
      what = "NVIDIA GPU evidence: use nvidia verify --evidence";
      takers = {"nvidia verify"};
    }
  } else if (low.find("npu-smi") != std::string::npos ||
             (low.find("npu") != std::string::npos && low.find("chip") != std::string::npos &&
              low.find("+---") != std::string::npos)) {
    what = "npu-smi output (it belongs in an evidence bundle's host section: use verify)";
  } else if (is_pci_address(t.substr(0, 12)) && t.size() > 13 && t[12] == ' ') {
    what = "lspci output: use identify --lspci";
    takers = {"identify"};
  } else if (content.find('\0') != std::string_view::npos ||
             std::count_if(t.begin(), t.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x09; }) > 0) {
    return {};  // binary: DER, a TPM structure, a report; no guess
  }
  if (what.empty() || takers.count(command)) return {};
  return what;
}

Result<Bytes> parse_nonce(const std::string& hex, const std::string& option, size_t min,
                          size_t max) {
  return accel_attest::parse_nonce(hex, option, min, max);
}

CLI::Validator nonce_given() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        return s.empty() ? "input.bad-nonce: the nonce is empty (an unset variable?); give the "
                           "nonce the verifier issued, or leave the option out"
                         : std::string();
      },
      "NONCE");
}

CLI::Validator token_nonce() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        auto b = aa::ear::nonce_spelling_bytes(s);
        return b && b->size() >= 16 && b->size() <= 64
                   ? std::string()
                   : "input.bad-nonce: the nonce is 16 to 64 bytes, as hex (either case) or as "
                     "base64url or base64 (padding optional)";
      },
      "NONCE");
}

void add_fail_on(CLI::App* cmd, std::string& target) {
  cmd->add_option("--fail-on", target,
                  "exit 1 when the worst finding reaches this severity: warning or fail "
                  "(default " +
                      target + ")")
      ->check(CLI::IsMember({"warning", "fail"}));
}

int findings_exit(const std::vector<Finding>& fs, const std::string& fail_on) {
  for (const auto& f : fs) {
    if (f.severity == Severity::kFail) return 1;
    if (f.severity == Severity::kWarn && fail_on == "warning") return 1;
  }
  return 0;
}

int verdict_exit(TrustTier verdict, const std::string& fail_on) {
  if (verdict == TrustTier::kAffirming) return 0;
  if (verdict == TrustTier::kWarning) return fail_on == "warning" ? 1 : 0;
  return 1;
}

}  // namespace aa::cli
