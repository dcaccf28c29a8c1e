// `accel-attest version` and `--version`: the build, and the digest of every piece of reference
// data a verdict rests on (registry, export policy, boundaries, pinned NVIDIA roots), so that a
// result can be tied to exactly what judged it.
#include <iostream>
#include <memory>
#include <sstream>
#include <utility>

#include "cli/commands.h"
#include "core/json.h"
#include "core/json_text.h"
#include "crypto/x509.h"
#include "location/boundaries.h"
#include "nvidia/roots.h"
#include "policy/export_policy.h"

namespace aa::cli {

namespace {

Result<Json> version_document(Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return make_error("input.bad-value", ctx.profiles(), "the registry did not load");
  AA_TRY(policy, load_export_policy(ctx.profiles() + "/policy/export-policy.json", *reg));
  AA_TRY(bounds, location::Boundaries::load(ctx.profiles()));
  auto root = [](const X509* c) {
    return Json{{"subject", x509::subject_text(c)}, {"sha256", x509::fingerprint_sha256(c)}};
  };
  return Json{{"schema", "accel-attest/version/v1"},
              {"version", ACCEL_ATTEST_VERSION},
              {"profiles", ctx.profiles()},
              {"registry", {{"sha256", reg->digest()}, {"parts", reg->parts().size()}}},
              {"export_policy", {{"sha256", policy.digest}, {"ecfr_date", policy.ecfr_date}}},
              {"boundaries", {{"sha256", bounds.sha256()}, {"version", bounds.version()}}},
              {"nvidia_roots",
               {{"device_identity", root(nvidia::pinned_device_root())},
                {"rim_signing", root(nvidia::pinned_rim_root())}}}};
}

std::string text_of(const Json& d) {
  std::ostringstream out;
  out << "accel-attest " << d["version"].get<std::string>() << "\n"
      << "profiles:       " << d["profiles"].get<std::string>() << "\n"
      << "registry:       sha256 " << d["registry"]["sha256"].get<std::string>() << " ("
      << d["registry"]["parts"].get<size_t>() << " parts)\n"
      << "export policy:  sha256 " << d["export_policy"]["sha256"].get<std::string>() << " (eCFR "
      << d["export_policy"]["ecfr_date"].get<std::string>() << ")\n"
      << "boundaries:     sha256 " << d["boundaries"]["sha256"].get<std::string>() << " ("
      << d["boundaries"]["version"].get<std::string>() << ")\n";
  for (const auto& [k, label] : {std::pair{"device_identity", "NVIDIA device:  "},
                                 std::pair{"rim_signing", "NVIDIA RIM:     "}}) {
    const Json& r = d["nvidia_roots"][k];
    out << label << "sha256 " << r["sha256"].get<std::string>() << " ("
        << r["subject"].get<std::string>() << ")\n";
  }
  return out.str();
}

int run(Context& ctx, bool json) {
  if (!ctx.registry()) return 2;  // registry() has said why
  auto doc = version_document(ctx);
  if (!doc) return fail(doc.error());
  std::cout << (json ? json_text(*doc, 2) + "\n" : text_of(*doc));
  return 0;
}

}  // namespace

std::string version_text(Context& ctx) {
  auto doc = version_document(ctx);
  if (!doc) {
    return std::string("accel-attest ") + ACCEL_ATTEST_VERSION +
           "\n(reference data did not load: " + doc.error().to_string() + ")";
  }
  std::string t = text_of(*doc);
  if (!t.empty() && t.back() == '\n') t.pop_back();
  return t;
}

void add_version(CLI::App& app, Context& ctx) {
  auto* v = app.add_subcommand(
      "version",
      "Print the build and the SHA-256 of the reference data verdicts rest on: the registry, "
      "the export policy (with the eCFR issue it encodes), the country boundaries and the "
      "pinned NVIDIA roots. Exit 0; 2 if the reference data does not load.");
  auto json = std::make_shared<bool>(false);
  v->add_flag("--json", *json, "one JSON document (schema accel-attest/version/v1)");
  v->callback([json, &ctx] { ctx.exit_code = run(ctx, *json); });
}

}  // namespace aa::cli
