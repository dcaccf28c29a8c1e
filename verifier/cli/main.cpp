// accel-attest: the command line. Subcommands live in cmd_*.cpp; this file wires them up.
//
// Exit codes (every subcommand): 0 no finding / pass, 1 findings / fail, 2 bad input or usage.
// No input ends the process through an exception: whatever escapes a subcommand is reported as
// internal.error with exit 2 (a bug to fix; the stages return Result and do not throw).
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
  CLI::App app{
      "accel-attest: offline hardware-attestation verifier for AI accelerators.\n"
      "Identifies accelerators, classifies them under ECCN 3A090 from the chip-family "
      "registry, and flags Huawei Ascend and other PRC parts."};
  app.require_subcommand(1);
  // CLI11's messages quote the option values as given: escaped for a terminal.
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    std::string out = aa::terminal_safe(e.what()) + "\n";
    if (a->get_help_ptr() != nullptr)
      out += "Run with " + a->get_help_ptr()->get_name() + " for more information.\n";
    return out;
  });
  aa::cli::Context ctx;
  app.set_version_flag("--version",
                       std::function<std::string()>([&ctx] { return aa::cli::version_text(ctx); }),
                       "print the build and the digests of the reference data, then exit");
  app.add_option("--profiles", ctx.profiles_dir,
                 "reference-data directory (chip registry, policies); default: "
                 "$ACCEL_ATTEST_PROFILES or the bundled firmware-profiles/");
  aa::cli::add_identify(app, ctx);
  aa::cli::add_registry(app, ctx);
  aa::cli::add_nvidia(app, ctx);
  aa::cli::add_tpm(app, ctx);
  aa::cli::add_results(app, ctx);
  aa::cli::add_verify(app, ctx);
  aa::cli::add_location(app, ctx);
  aa::cli::add_version(app, ctx);
  if (int rc = aa::cli::check_subcommand_names(app, argc, argv); rc != 0) return rc;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const std::exception& e) {
    return aa::cli::fail(aa::make_error("internal.error", "accel-attest",
                                        std::string("unexpected failure: ") + e.what()));
  } catch (...) {
    return aa::cli::fail(
        aa::make_error("internal.error", "accel-attest", "unexpected failure of unknown type"));
  }
  return ctx.exit_code;
}
