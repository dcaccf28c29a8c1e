// The one output model of the command line: how every command writes a device, a finding, a
// check, an error and a whole JSON document, and the conventions around it (--json, --quiet,
// '-' for stdin and stdout, exit codes, --fail-on, the nonce rule, wrong-file-type messages).
//
// Contract:
// - A JSON document always has "schema": "accel-attest/<name>/v<N>" (docs/schemas/).
// - A finding is {code, severity, subject, field, message}: `subject` is what it concerns
//   ("host", a PCI address, a device label, a file), `field` the JSON pointer, option or part
//   inside it ("" when none). Both are derived from Finding::pointer (split_pointer()).
// - Exit codes: 0 pass, 1 findings / failed devices, 2 bad input or usage, 3 internal error
//   (internal.* and output.stdout-failed). exit_for() is the one mapping.
// - With --json anywhere on the command line, stdout carries exactly one JSON document: the
//   command's, or on exit 2 or 3 an error document (schema accel-attest/error/v1); what the
//   command had printed before the error is discarded, never half-written. Errors are also
//   printed as text on stderr. With --quiet, the human text of a successful (exit 0) run is
//   dropped; errors still go to stderr.
// - Not thread-safe: the output state is process-global and belongs to main().
#pragma once

#include <sys/types.h>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/bytes.h"
#include "core/file_out.h"
#include "core/finding.h"
#include "core/json.h"
#include "core/output_json.h"
#include "core/result.h"

namespace aa::cli {

// The JSON pieces (document, finding, check, error) are in core/output_json.h.

// ---- the output state (set by main) ----

struct OutputState {
  bool json = false, quiet = false;
  std::string command;  // the subcommand path, e.g. "tpm verify"
};
OutputState& output_state();

// Before parsing: records --json and --quiet from argv (up to "--") and starts capturing stdout
// when either is given.
void begin_output(int argc, char** argv);
// Leaf commands that have no --json of their own get one here; with it, their document is the
// generic accel-attest/<command>/v1 {exit_code, output: [lines of text]}.
void add_generic_json(CLI::App& app);
// After the command: prints what was captured (or the error document, or nothing under
// --quiet), flushes stdout, and returns the exit code (3 when stdout could not be written).
int end_output(int rc);

// Prints an error (stderr text; the JSON error document at end_output under --json) and returns
// its exit code: 3 for internal.* and output.stdout-failed, 2 otherwise. A parse error on a
// file this process read whose content looks like another kind of file becomes
// input.wrong-file-type naming what it looks like (sniff_file_type()).
int fail(const Error& e);
// Records a CLI11 parse error as usage.bad-arguments and returns 2.
int fail_usage(const std::string& message);
int exit_for(const Error& e);

// ---- files: '-' is stdin or stdout ----
// These hide aa::read_file, aa::write_file_atomic and aa::check_writable inside aa::cli on
// purpose: every command that takes a file takes '-'. stdin is read once.
Result<std::string> read_file(const std::string& path, size_t max_bytes);
Status write_file_atomic(const std::string& path, std::string_view body, mode_t mode = 0644,
                         Overwrite overwrite = Overwrite::kReplace);
Status check_writable(const std::string& path, std::string_view what = {});

// What a file's content looks like when it is not what a command expected: e.g. "a JWT
// (compact JWS): use verify-token"; empty when nothing is recognised or when it is something
// `command` itself takes.
std::string sniff_file_type(std::string_view content, const std::string& command);

// ---- the nonce rule ----
// 16 to 64 bytes of hex (input.bad-nonce naming `option` otherwise). `min`/`max` narrow it only
// where a format forces it (docs/cli.md lists each exception).
Result<Bytes> parse_nonce(const std::string& hex, const std::string& option, size_t min = 16,
                          size_t max = 64);
// For every nonce option: a value given empty (`--nonce ""`, an unset shell variable) is bad
// input, never "no nonce", which would skip the freshness check.
CLI::Validator nonce_given();
// verify-token --nonce: the nonce as hex (the one rule) or as the token's base64url eat_nonce.
CLI::Validator token_nonce();

// ---- --fail-on ----
// Adds --fail-on warning|fail to `cmd`, storing into `target` (which holds the default).
void add_fail_on(CLI::App* cmd, std::string& target);
// 1 when the worst severity in `fs` reaches `fail_on` ("warning": warn or fail; "fail": fail).
int findings_exit(const std::vector<Finding>& fs, const std::string& fail_on);
// 1 when an AR4SI verdict ("affirming", "warning", "contraindicated") reaches `fail_on`.
int verdict_exit(TrustTier verdict, const std::string& fail_on);

}  // namespace aa::cli
