// Subcommand registration. Each add_* attaches a subcommand whose callback stores its exit
// code in Context::exit_code (0 pass, 1 findings, 2 bad input, 3 internal error; cli/output.h).
#pragma once

#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bundle/bundle.h"
#include "cli/output.h"
#include "core/result.h"
#include "crypto/ossl.h"
#include "location/boundaries.h"
#include "registry/registry.h"
#include "results/jose.h"

namespace aa::cli {

struct Context {
  std::string profiles_dir;
  int exit_code = 2;

  // Loads the registry from --profiles or the default; prints the error and returns null on
  // failure.
  const Registry* registry();
  // The profiles directory in use (--profiles or the default).
  std::string profiles() const;

 private:
  std::optional<Registry> registry_;
};

// 0 for Ok; otherwise prints the error (fail(), cli/output.h) and returns its exit code.
inline int exit_code(const Status& s) {
  return s ? 0 : fail(s.error());
}

// A check for every floating-point option: CLI11 itself turns "nan", "inf" and "1e400" into
// doubles, so each is refused here (input.not-finite, naming the option).
CLI::Validator finite_number();

// The --time option: RFC 3339, or now when empty (input.bad-value otherwise).
Result<std::time_t> verification_time(const std::string& option);

// A certificate file, DER or PEM (input.* errors name the path).
Result<ossl::X509Ptr> read_cert(const std::string& path);

// A PEM EC P-256 private key (the result signing key); input.bad-value otherwise.
Result<ossl::PKey> load_signing_key(const std::string& path);

// The keys a token is verified with: a JWKS file (--jwks) or a PEM public or private key
// (--key, its public half); exactly one of the two (input.* otherwise, jose.bad-key).
Result<jose::Jwks> load_verification_keys(const std::string& jwks, const std::string& key);

// The export policy's restricted locations (China, Hong Kong, Macau, D:5) as ISO codes.
Result<std::set<std::string>> default_restricted_locations(Context& ctx);

// ISO 3166-1 alpha-2 codes from an option, each checked to have boundary data
// (input.bad-value naming `option` otherwise).
Result<std::set<std::string>> country_set(const std::vector<std::string>& given,
                                          const location::Boundaries& b, const char* option);

// The qualifying data a quote over `bundle` carries (binding v2, docs/inventory-binding.md):
// SHA-256(nonce || inventory digest of the bundle, its tpm and location sections aside). One
// function for `tpm quote --bundle` and `collect` (cmd_tpm.cpp).
Bytes bundle_binding_extra_data(const Bundle& bundle, ByteView nonce);

void add_identify(CLI::App& app, Context& ctx);
void add_registry(CLI::App& app, Context& ctx);
void add_nvidia(CLI::App& app, Context& ctx);
void add_tpm(CLI::App& app, Context& ctx);
void add_results(CLI::App& app, Context& ctx);
void add_verify(CLI::App& app, Context& ctx);
void add_location(CLI::App& app, Context& ctx);
void add_version(CLI::App& app, Context& ctx);
void add_ledger(CLI::App& app, Context& ctx);
// `serve` and `keys rotate` (cmd_serve.cpp).
void add_serve(CLI::App& app, Context& ctx);
// `collect` and `attest`: the host side (cmd_collect.cpp, docs/collect.md).
void add_collect(CLI::App& app, Context& ctx);
// Hidden: `completion bash` and `man`, generated from the definitions of `app` (cmd_docs.cpp).
void add_docs(CLI::App& app, Context& ctx);
// Before parsing: a token where a subcommand name is expected that names none gets
// usage.unknown-subcommand with the nearest name ("did you mean"); returns 2 then, else 0.
int check_subcommand_names(const CLI::App& app, int argc, char** argv);
// What `version` prints (also --version): the build and the reference data digests.
std::string version_text(Context& ctx);

}  // namespace aa::cli
