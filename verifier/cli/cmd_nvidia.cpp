// accel-attest nvidia verify: offline appraisal of NVIDIA GPU and NVSwitch evidence.
#include <ctime>
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "core/json_text.h"
#include "core/output_json.h"
#include "core/terminal.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "nvidia/appraise.h"
#include "nvidia/evidence_input.h"
#include "nvidia/render.h"
#include "nvidia/roots.h"
#include "rim/rim_import.h"
#include "rim/rim_store.h"

namespace aa::cli {

namespace {

struct NvidiaOptions {
  std::string evidence, report, chain, nonce, rim_store, crl, ocsp, time, device_root, rim_root;
  std::vector<std::string> pci_ids;
  long max_revocation_age = RevocationLimits::kDefaultMaxAge;
  bool json = false, strict = false, allow_debug_modes = false;
  std::string fail_on = "fail";
};

constexpr size_t kMaxEvidence = 16u << 20;

Result<std::pair<uint16_t, uint16_t>> parse_pci_id(const std::string& s) {
  auto v = s.size() == 9 && s[4] == ':' ? parse_hex_exact(s.substr(0, 4), 4) : std::nullopt;
  auto d = s.size() == 9 ? parse_hex_exact(s.substr(5), 4) : std::nullopt;
  if (!v || !d) return make_error("input.bad-value", "--pci-id " + s, "expected VVVV:DDDD");
  return std::pair{static_cast<uint16_t>(*v), static_cast<uint16_t>(*d)};
}

struct Inputs {
  std::vector<nvidia::DeviceEvidence> devices;
  std::time_t at = 0;
  Bytes nonce;
  ossl::X509Ptr device_root, rim_root;  // only when given on the command line
  std::optional<RevocationStore> revocation;
  nvidia::NvidiaProfile profile;
  std::string shape;  // of the --evidence document
  std::optional<int64_t> host_result_code;
  std::string host_result_message;
};

Result<Inputs> load_inputs(const NvidiaOptions& o, const std::string& profiles) {
  Inputs in;
  // The one nonce rule, narrowed: an SPDM GET_MEASUREMENTS nonce is exactly 32 bytes.
  AA_TRY(n, parse_nonce(o.nonce, "--nonce", 32, 32));
  in.nonce = std::move(n);
  AA_TRY(at, verification_time(o.time));
  in.at = at;
  if (!o.evidence.empty()) {
    AA_TRY(text, read_file(o.evidence, kMaxEvidence));
    AA_TRY(doc, nvidia::parse_evidence_document(text, o.evidence));
    for (auto& d : doc.devices) in.devices.push_back(std::move(d.evidence));
    in.shape = doc.shape;
    in.host_result_code = doc.result_code;
    in.host_result_message = doc.result_message;
  } else {
    AA_TRY(body, read_file(o.report, kMaxEvidence));
    AA_TRY(bytes, nvidia::parse_report_file(body, o.report));
    AA_TRY(chain, read_file(o.chain, 1u << 20));
    nvidia::DeviceEvidence d;
    d.label = "device";
    d.origin = o.report;
    d.report = std::move(bytes);
    d.chain_pem = std::move(chain);
    in.devices.push_back(std::move(d));
  }
  if (!o.pci_ids.empty()) {
    if (o.pci_ids.size() != in.devices.size()) {
      return make_error("input.bad-value", "--pci-id",
                        std::to_string(o.pci_ids.size()) + " PCI IDs for " +
                            std::to_string(in.devices.size()) + " devices (give one per device)");
    }
    for (size_t i = 0; i < o.pci_ids.size(); ++i) {
      AA_TRY(id, parse_pci_id(o.pci_ids[i]));
      in.devices[i].pci_id = id;
    }
  }
  if (!o.device_root.empty()) {
    AA_TRY(c, x509::load_pem_file(o.device_root));
    in.device_root = std::move(c);
  }
  if (!o.rim_root.empty()) {
    AA_TRY(c, x509::load_pem_file(o.rim_root));
    in.rim_root = std::move(c);
  }
  if (!o.crl.empty() || !o.ocsp.empty()) {
    RevocationLimits limits;
    limits.max_age = o.max_revocation_age;
    AA_TRY(store, RevocationStore::load(o.crl, o.ocsp, limits));
    in.revocation = std::move(store);
  }
  AA_TRY(prof, nvidia::load_nvidia_profile(profiles));
  in.profile = std::move(prof);
  // Evidence that declares no arch: the certificate's family decides (GPU-n or SWITCH-n).
  if (!o.evidence.empty()) {
    nvidia::label_devices(in.devices, [&in](const nvidia::DeviceEvidence& d) {
      return in.profile.arch_of_chain(d.chain_pem);
    });
  }
  return in;
}

std::string root_label(const X509* root, const std::string& given, const char* pinned) {
  if (given.empty()) return std::string("pinned ") + pinned + " (certs/nvidia)";
  return given + " (" + x509::subject_cn(root) + ", sha256 " + x509::fingerprint_sha256(root) +
         "; replaces the pinned root)";
}

int run(const NvidiaOptions& o, Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return 2;
  auto in = load_inputs(o, ctx.profiles());
  if (!in) return fail(in.error());
  rim::RimStore store(o.rim_store);
  nvidia::References refs;
  refs.device_root = in->device_root ? in->device_root.get() : nvidia::pinned_device_root();
  refs.rim_root = in->rim_root ? in->rim_root.get() : nvidia::pinned_rim_root();
  refs.device_root_label = root_label(refs.device_root, o.device_root, "NVIDIA Device Identity CA");
  refs.rim_root_label = root_label(refs.rim_root, o.rim_root, "NVIDIA CoRIM signing Root CA");
  refs.rims = o.rim_store.empty() ? nullptr : &store;
  refs.revocation = in->revocation ? &*in->revocation : nullptr;
  refs.profile = &in->profile;
  refs.registry = reg;
  refs.allow_debug_modes = o.allow_debug_modes;
  nvidia::Appraiser appraiser(refs, in->at, in->nonce);
  std::vector<nvidia::DeviceResult> results;
  bool all = true;
  for (const auto& d : in->devices) {
    results.push_back(appraiser.appraise(d));
    all = all && results.back().passed(o.strict) &&
          (o.fail_on != "warning" || findings_exit(results.back().findings, "warning") == 0);
  }
  nvidia::RunInfo run;
  run.time = in->at;
  run.expected_nonce_hex = hex_encode(in->nonce);
  run.rim_store = o.rim_store;
  run.crl_dir = o.crl;
  run.ocsp_dir = o.ocsp;
  run.device_root_label = refs.device_root_label;
  run.rim_root_label = refs.rim_root_label;
  run.strict = o.strict;
  run.evidence_shape = in->shape;
  run.host_result_code = in->host_result_code;
  run.host_result_message = in->host_result_message;
  if (o.json) {
    std::cout << json_text(nvidia::appraisal_to_json(results, run, *reg), 2) << "\n";
  } else {
    std::cout << nvidia::render_appraisal_text(results, run);
  }
  return all ? 0 : 1;
}

struct RimImportOptions {
  std::vector<std::string> files;
  std::string store, id, rim_root, time;
  bool force = false, json = false;
};

int run_rim_import(const RimImportOptions& o, Context& ctx) {
  if (!o.id.empty() && o.files.size() != 1) {
    return fail(make_error(
        "input.bad-value", "--id",
        "--id names the RIM of one file; " + std::to_string(o.files.size()) + " files were given"));
  }
  auto at = verification_time(o.time);
  if (!at) return fail(at.error());
  ossl::X509Ptr root_override;
  if (!o.rim_root.empty()) {
    auto c = x509::load_pem_file(o.rim_root);
    if (!c) return fail(c.error());
    root_override = std::move(c).value();
  }
  auto profile = nvidia::load_nvidia_profile(ctx.profiles());
  if (!profile) return fail(profile.error());
  rim::ImportOptions io;
  io.rim_root = root_override ? root_override.get() : nvidia::pinned_rim_root();
  io.at = *at;
  io.id = o.id;
  io.force = o.force;
  io.profile = &*profile;
  // Every file is read and checked before any is written: one bad file leaves the store as it was.
  std::vector<std::pair<rim::ImportedRim, std::string>> checked;
  std::map<std::string, size_t> by_id;
  for (const auto& f : o.files) {
    auto body = read_file(f, 8u << 20);
    if (!body) return fail(body.error());
    std::string xml;
    auto r = rim::check_rim_file(*body, f, io, &xml);
    if (!r) return fail(r.error());
    if (auto it = by_id.find(r->id); it != by_id.end()) {
      if (checked[it->second].second != xml) {
        return fail(make_error("rim.import-conflict", f,
                               "names the RIM ID " + r->id + " as " +
                                   checked[it->second].first.file + " does, with other content"));
      }
      continue;
    }
    by_id[r->id] = checked.size();
    checked.emplace_back(std::move(r).value(), std::move(xml));
  }
  for (auto& [r, xml] : checked) {
    if (auto s = rim::store_checked_rim(r, xml, o.store, o.force); !s) return fail(s.error());
  }
  if (o.json) {
    Json doc = document("rim-import");
    doc["store"] = o.store;
    doc["verification_time"] = x509::rfc3339(*at);
    doc["rim_root"] = root_label(io.rim_root, o.rim_root, "NVIDIA CoRIM signing Root CA");
    Json rims = Json::array();
    for (const auto& [r, xml] : checked) {
      rims.push_back({{"file", r.file},
                      {"form", r.form},
                      {"id", r.id},
                      {"id_source", r.id_source},
                      {"path", r.path},
                      {"action", r.action},
                      {"product", r.product},
                      {"edition", r.edition},
                      {"version", r.version},
                      {"signature", "pass"},
                      {"signer", r.signer},
                      {"signer_not_after", x509::rfc3339(r.signer_not_after)},
                      {"chain", r.chain_valid_at_time ? "pass" : "expired"}});
    }
    doc["rims"] = std::move(rims);
    std::cout << json_text(doc, 2) << "\n";
    return 0;
  }
  for (const auto& [r, xml] : checked) {
    std::cout << terminal_safe(r.id) << ": " << r.action << " " << terminal_safe(r.path) << " from "
              << terminal_safe(r.file) << " (ID from the " << r.id_source << "; "
              << terminal_safe(r.edition) << " " << terminal_safe(r.product) << " "
              << terminal_safe(r.version) << "; XML signature verified; signer "
              << terminal_safe(r.signer) << " "
              << (r.chain_valid_at_time
                      ? "chains to the RIM root at " + x509::rfc3339(*at)
                      : "chains to the RIM root but is not valid at " + x509::rfc3339(*at) +
                            " (valid until " + x509::rfc3339(r.signer_not_after) +
                            "; nvidia verify --time decides)")
              << ")\n";
  }
  return 0;
}

}  // namespace

void add_rim_import(CLI::App* nv, Context& ctx) {
  CLI::App* rim = nv->add_subcommand("rim", "NVIDIA RIMs: the local RIM store");
  rim->require_subcommand(1);
  auto o = std::make_shared<RimImportOptions>();
  CLI::App* imp = rim->add_subcommand(
      "import",
      "Check RIM files as NVIDIA publishes them (SWID XML such as nvtrust's *.swidtag, or the RIM "
      "service's JSON answer) and file each in the RIM store as <RIM_ID>.xml, the layout "
      "`nvidia verify --rim-store` reads: the XML must parse, its XML signature verify, and its "
      "signer chain lead to the RIM root; the RIM ID (--id, the service's id, the file name, or a "
      "driver RIM's signed fields) must agree with the signed version and edition. Every file is "
      "checked before any is written; a different RIM under an existing ID is replaced only with "
      "--force. Exit 0: all filed; 2: a file refused.");
  imp->add_option("files", o->files, "RIM files (.swidtag, .xml, or the RIM service's JSON)")
      ->required();
  imp->add_option("--store", o->store, "the RIM store directory (created when missing)")
      ->required();
  imp->add_option("--id", o->id,
                  "the RIM ID of the one file given (e.g. NV_GPU_VBIOS_1010_0200_882_96005E0001), "
                  "when neither its name nor its content says it");
  imp->add_flag("--force", o->force, "replace a different RIM already stored under the same ID");
  imp->add_option("--rim-root", o->rim_root,
                  "PEM root replacing the pinned NVIDIA CoRIM signing Root CA");
  imp->add_option("--time", o->time,
                  "the time the signer chain is checked at, RFC 3339 (default now); a signer "
                  "that is only expired is still filed, and said so");
  imp->add_flag("--json", o->json, "print JSON (schema accel-attest/rim-import/v1)");
  imp->callback([o, &ctx] { ctx.exit_code = run_rim_import(*o, ctx); });
}

void add_nvidia(CLI::App& app, Context& ctx) {
  CLI::App* nv = app.add_subcommand("nvidia", "NVIDIA GPU and NVSwitch attestation evidence");
  nv->require_subcommand(1);
  auto opts = std::make_shared<NvidiaOptions>();
  CLI::App* cmd = nv->add_subcommand(
      "verify",
      "Appraise NVIDIA SPDM attestation reports offline: report signature, nonce, device "
      "certificate chain to the pinned NVIDIA root, FWID, revocation from local files, RIMs from "
      "a local store, measurements, and the signed SKU against the registry. Never uses the "
      "network. Exit 0: every device passes; 1: a device fails (with --fail-on warning also one "
      "with a warning); 2: bad input; 3: internal error.");
  auto* ev = cmd->add_option(
      "--evidence", opts->evidence,
      "NVIDIA evidence JSON: the array `nvattest attest --gpu-evidence` reads, the object "
      "`nvattest collect-evidence --format json` writes (evidences, "
      "result_code, result_message: host claims, never trusted) or the "
      "object inference services publish (nonce, arch, evidence_list); "
      "arch in any case or absent (the certificate decides)");
  auto* rep =
      cmd->add_option("--report", opts->report, "one attestation report (hex text or binary)");
  auto* chain = cmd->add_option("--chain", opts->chain, "the report's PEM certificate chain");
  ev->excludes(rep)->excludes(chain);
  rep->needs(chain);
  chain->needs(rep);
  cmd->add_option("--nonce", opts->nonce, "the 32-byte nonce the verifier issued, in hex")
      ->required();
  cmd->add_option("--rim-store", opts->rim_store, "directory of RIMs named <RIM_ID>.xml");
  cmd->add_option("--crl", opts->crl, "directory of CRL files (DER or PEM)");
  cmd->add_option("--ocsp", opts->ocsp, "directory of stored DER OCSP responses");
  cmd->add_option("--max-revocation-age", opts->max_revocation_age,
                  "seconds a CRL or OCSP response without nextUpdate stays current after its "
                  "thisUpdate (default 604800, 7 days); older ones are stale, never good")
      ->check(CLI::Range(1L, 86400L * 366));
  cmd->add_option("--time", opts->time,
                  "verification time, RFC 3339 (default: now); certificates and RIM signers "
                  "are checked at this time");
  cmd->add_option("--device-root", opts->device_root,
                  "PEM root replacing the pinned NVIDIA Device Identity CA (private PKIs, tests)");
  cmd->add_option("--rim-root", opts->rim_root,
                  "PEM root replacing the pinned NVIDIA CoRIM signing Root CA");
  cmd->add_option("--pci-id", opts->pci_ids,
                  "VVVV:DDDD the host's PCI bus reports for each device, in evidence order; a "
                  "contradiction with the signed SKU fails the device")
      ->delimiter(',');
  cmd->add_flag("--strict", opts->strict,
                "fail devices with warnings too (RIM missing, revocation not checked, tolerated "
                "mismatch)");
  cmd->add_flag("--allow-debug-modes", opts->allow_debug_modes,
                "a device reporting devtools or debug mode is a warning instead of a failure");
  cmd->add_flag("--json", opts->json, "print JSON (schema accel-attest/nvidia-appraisal/v2)");
  add_fail_on(cmd, opts->fail_on);
  add_rim_import(nv, ctx);
  cmd->callback([opts, &ctx] {
    if (opts->evidence.empty() && opts->report.empty()) {
      ctx.exit_code = fail(make_error("input.missing-field", "nvidia verify",
                                      "give --evidence JSON or --report FILE --chain FILE"));
      return;
    }
    ctx.exit_code = run(*opts, ctx);
  });
}

}  // namespace aa::cli
