// accel-attest: the command line. Subcommands live in cmd_*.cpp; this file wires them up.
//
// Exit codes (every subcommand; docs/cli.md): 0 no finding / pass, 1 findings / fail, 2 bad
// input or usage, 3 internal error. No input ends the process through an exception: whatever
// escapes a subcommand is reported as internal.error with exit 3 (a bug to fix; the stages
// return Result and do not throw). Output goes through cli/output.h (--json, --quiet).
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "core/terminal.h"

int main(int argc, char** argv) {
  // tpm2-tss logs malformed input to stderr itself; our errors already name the field.
  setenv("TSS2_LOG", "all+NONE", 0);
  aa::cli::begin_output(argc, argv);
  CLI::App app{
      "accel-attest: offline hardware-attestation verifier for AI accelerators.\n"
      "Identifies accelerators, classifies them under ECCN 3A090 from the chip-family "
      "registry, and flags Huawei Ascend and other PRC parts."};
  app.require_subcommand(1);
  // --quiet (and --profiles) may follow the subcommand: options a subcommand does not know
  // fall through to this level. Set before the subcommands are added, which inherit it.
  app.fallthrough();
  aa::cli::Context ctx;
  app.set_version_flag("--version",
                       std::function<std::string()>([&ctx] { return aa::cli::version_text(ctx); }),
                       "print the build and the digests of the reference data, then exit");
  app.add_option("--profiles", ctx.profiles_dir,
                 "reference-data directory (chip registry, policies); default: "
                 "$ACCEL_ATTEST_PROFILES or the bundled firmware-profiles/");
  bool quiet = false;
  app.add_flag("--quiet", quiet,
               "print nothing on stdout when the command passes (exit 0); errors still go to "
               "stderr, and --json output is kept");
  aa::cli::add_identify(app, ctx);
  aa::cli::add_registry(app, ctx);
  aa::cli::add_nvidia(app, ctx);
  aa::cli::add_tpm(app, ctx);
  aa::cli::add_results(app, ctx);
  aa::cli::add_verify(app, ctx);
  aa::cli::add_location(app, ctx);
  aa::cli::add_version(app, ctx);
  aa::cli::add_ledger(app, ctx);
  aa::cli::add_serve(app, ctx);
  aa::cli::add_collect(app, ctx);
  aa::cli::add_generic_json(app);
  aa::cli::add_docs(app, ctx);  // after the --json walk: the generated texts have no document
  if (int rc = aa::cli::check_subcommand_names(app, argc, argv); rc != 0)
    return aa::cli::end_output(rc);
  int rc = 2;
  try {
    app.parse(argc, argv);
    rc = ctx.exit_code;
  } catch (const CLI::CallForHelp& e) {
    rc = app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    rc = app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    rc = app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11's messages quote the option values as given: fail() escapes them for a terminal.
    rc = aa::cli::fail_usage(e.what());
  } catch (const std::exception& e) {
    rc = aa::cli::fail(aa::make_error("internal.error", "accel-attest",
                                      std::string("unexpected failure: ") + e.what()));
  } catch (...) {
    rc = aa::cli::fail(
        aa::make_error("internal.error", "accel-attest", "unexpected failure of unknown type"));
  }
  return aa::cli::end_output(rc);
}
