// accel-attest collect: gather one host's evidence into one bundle; accel-attest attest: the same
// against a verifier service (challenge, collect, verify), for provisioning scripts.
// What is collected from where, and what each missing piece means: docs/collect.md.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <regex>
#include <variant>

#include <httplib.h>
#include <openssl/x509.h>

#include "bundle/bundle.h"
#include "cli/commands.h"
#include "collect/dcmi_npu.h"
#include "collect/host_collect.h"
#include "collect/nvml_gpu.h"
#include "collect/tpm_host.h"
#include "core/json_text.h"
#include "core/terminal.h"
#include "core/text.h"
#include "results/jose.h"
#include "tpm/enrolment.h"

namespace aa::cli {

namespace {

struct CollectCliOptions {
  std::string nonce, out, tcti, site, sysfs = "/sys", nvml_library = nvidia::kDefaultNvmlLibrary,
                                      dcmi_library = ascend::kDefaultDcmiLibrary,
                                      npu_smi = "npu-smi", securityfs = "/sys/kernel/security",
                                      ak_cert, ak_enrolment, ak_handle, host_name,
                                      pcrs = "sha256:0,1,2,3,4,5,6,7,16", time;
  bool no_nvml = false, no_dcmi = false, no_tpm = false, ecc = false;
};

// Prints the error (fail()) and returns `rc`, where the exit code is not the error's own.
int fail_with(const Error& e, int rc) {
  fail(e);
  return rc;
}

// What the TPM options say, checked before anything is collected: a bad option is the caller's
// input (exit 2), not a missing piece of the host.
struct TpmOptions {
  TPML_PCR_SELECTION selection{};
  std::optional<TPM2_HANDLE> ak_handle;
  std::optional<Bytes> ak_certificate;
  std::optional<std::string> ak_enrolment;  // the record's text (one JWS line)
};

struct CollectRun {
  std::string text;  // the bundle as written
  collect::Collected c;
  bool tpm = false;
};

Result<Bytes> ak_certificate_der(const std::string& path) {
  AA_TRY(cert, read_cert(path));
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert.get(), &der);
  if (n <= 0) return make_error("crypto.bad-certificate", path, "does not re-encode as DER");
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

std::string default_tcti(std::string& why) {
  std::error_code ec;
  if (std::filesystem::exists("/dev/tpmrm0", ec)) return "device:/dev/tpmrm0";
  why = "no --tcti given and no /dev/tpmrm0 (no TPM, or its driver is not loaded)";
  return "";
}

Result<TpmOptions> tpm_options(const CollectCliOptions& o) {
  TpmOptions t;
  AA_TRY(sel, tpm::parse_pcr_selection(o.pcrs));
  t.selection = sel;
  if (!o.ak_handle.empty()) {
    auto v =
        parse_hex_exact(o.ak_handle.rfind("0x", 0) == 0 ? o.ak_handle.substr(2) : o.ak_handle, 8);
    if (!v || *v < 0x81000000 || *v > 0x81ffffff) {
      return make_error("input.bad-value", "--ak-handle",
                        "a persistent handle 0x81000000..0x81ffffff");
    }
    t.ak_handle = static_cast<TPM2_HANDLE>(*v);
  }
  if (!o.ak_cert.empty()) {
    AA_TRY(der, ak_certificate_der(o.ak_cert));
    t.ak_certificate = std::move(der);
  }
  if (!o.ak_enrolment.empty()) {
    AA_TRY(text, read_file(o.ak_enrolment, 64u << 10));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    // Only its form is checked here: the verifier checks the signature with its own keys.
    AA_TRY(jws, jose::decode_unverified(text, o.ak_enrolment));
    if (jws.payload.value("schema", std::string()) != tpm::kEnrolmentSchema) {
      return make_error("input.bad-value", o.ak_enrolment,
                        "not an AK enrolment record (" + std::string(tpm::kEnrolmentSchema) + ")");
    }
    t.ak_enrolment = std::move(text);
  }
  return t;
}

// Adds host.tpm: a quote whose extraData binds the bundle as collected (binding v2,
// docs/inventory-binding.md), through the same quote path as `tpm quote --bundle`.
void add_tpm_quote(const CollectCliOptions& o, const TpmOptions& to, const Bytes& nonce,
                   CollectRun& r) {
  auto no_tpm = [&](const std::string& why) {
    r.c.findings.push_back(
        {"collect.no-tpm",
         "no TPM quote: " + why + "; the inventory is not bound, every device stays reported",
         "tpm", Severity::kWarn});
  };
  if (o.no_tpm) return no_tpm("--no-tpm was given");
  std::string why;
  const std::string tcti = o.tcti.empty() ? default_tcti(why) : o.tcti;
  if (tcti.empty()) return no_tpm(why);
  auto parsed = parse_bundle(r.text, "collected bundle");
  if (!parsed) return no_tpm("the collected bundle does not parse: " + parsed.error().to_string());
  const Bytes extra = bundle_binding_extra_data(*parsed, nonce);
  auto q = tpm::quote_host(tcti, extra, to.selection, to.ak_handle, o.ecc);
  if (!q) return no_tpm("TPM at " + tcti + ": " + q.error().to_string());
  Json t{{"quote", collect::base64_encode(q->attest)},
         {"signature", collect::base64_encode(q->signature)},
         {"pcrs", collect::base64_encode(q->pcrs)},
         {"ak_public", collect::base64_encode(q->ak_public)}};
  std::string ak_facts = "AK " + hex_encode(q->ak_name);
  if (to.ak_certificate) {
    t["ak_certificate"] = collect::base64_encode(*to.ak_certificate);
    ak_facts += ", AK certificate " + o.ak_cert;
  }
  if (to.ak_enrolment) {
    t["ak_enrolment"] = collect::base64_encode(as_bytes(*to.ak_enrolment));
    ak_facts += ", AK enrolment record " + o.ak_enrolment;
  }
  if (!to.ak_certificate && !to.ak_enrolment) {
    r.c.findings.push_back(
        {"collect.ak-uncertified",
         "no --ak-cert or --ak-enrolment: the quote's AK " + hex_encode(q->ak_name) +
             " has no certificate, so a verifier cannot trust it and the inventory stays "
             "reported (enrol the AK: tpm create-ak, then tpm challenge, activate and check-answer "
             "--record, or certify it)",
         "tpm", Severity::kWarn});
  }
  std::string log_why;
  if (auto log = collect::read_event_log(o.securityfs, log_why)) {
    t["eventlog"] = collect::base64_encode(*log);
    ak_facts += ", UEFI event log (" + std::to_string(log->size()) + " bytes)";
  } else {
    r.c.findings.push_back(
        {"collect.eventlog-absent",
         "no firmware event log: " + log_why + "; PCRs 0-7 cannot be replayed against it", "tpm",
         Severity::kInfo});
  }
  r.c.host_facts.push_back("TPM " + tcti + ": quote over " + o.pcrs +
                           ", extraData binds the bundle (binding v2), " + ak_facts);
  r.c.bundle["host"]["tpm"] = t;
  r.tpm = true;
}

// A device whose evidence the verifier's own bundle parser refuses keeps its identity without
// it (collect.evidence-dropped), before the quote binds the bundle: a missing piece, not an
// abort. Other parse errors are left for the final check.
void drop_refused_evidence(CollectRun& r) {
  Json& devices = r.c.bundle["devices"];
  for (size_t tries = 0; tries <= devices.size(); ++tries) {
    auto parsed = parse_bundle(json_text(r.c.bundle, 1), "collected bundle");
    if (parsed) return;
    const std::string& field = parsed.error().field;
    const std::string key = "#/devices/";
    const size_t pos = field.find(key);
    if (pos == std::string::npos) return;
    size_t digits = 0;
    const size_t n = static_cast<size_t>(std::stoul("0" + field.substr(pos + key.size()), &digits));
    if (n >= devices.size() || field.find("/evidence", pos) == std::string::npos) return;
    Json& dev = devices[n];
    if (dev["evidence"] == Json{{"scheme", "none"}}) return;
    dev["evidence"] = Json{{"scheme", "none"}};
    const std::string address = dev["address"].get<std::string>();
    for (auto& d : r.c.devices)
      if (d.address == address) d.evidence = "none";
    r.c.findings.push_back({"collect.evidence-dropped",
                            "the evidence collected for " + address +
                                " is refused by the verifier's bundle parser (" +
                                parsed.error().to_string() + "): kept without it, reported only",
                            address, Severity::kWarn});
  }
}

Result<CollectRun> collect_bundle(const CollectCliOptions& o, const Bytes& nonce, Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return make_error("profile.bad-value", "--profiles", "registry not loaded");
  collect::CollectOptions co;
  co.nonce = nonce;
  co.sysfs_root = o.sysfs;
  co.nvml_library = o.no_nvml ? "" : o.nvml_library;
  co.dcmi_library = o.no_dcmi ? "" : o.dcmi_library;
  co.npu_smi = o.npu_smi;
  co.accelerator_vendor = [reg](uint16_t v) { return reg->is_accelerator_vendor(v); };
  co.known_part = [reg](uint16_t v, uint16_t d) { return !reg->match(v, d, 0, 0).empty(); };
  if (!o.site.empty()) {
    AA_TRY(site, collect::read_site_file(o.site));
    co.site = std::move(site);
  }
  co.host_name = o.host_name;
  if (co.host_name.empty()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) co.host_name = buf;
    if (co.host_name.empty()) co.host_name = "unknown-host";
  }
  AA_TRY(at, verification_time(o.time));
  co.collected_at = at;
  AA_TRY(to, tpm_options(o));
  CollectRun r;
  AA_TRY(c, collect::collect_host(co));
  r.c = std::move(c);
  drop_refused_evidence(r);
  r.text = json_text(r.c.bundle, 1) + "\n";
  add_tpm_quote(o, to, nonce, r);
  if (r.c.devices.empty() && !r.tpm) {
    return make_error("collect.nothing-to-attest", o.sysfs,
                      "this host has no accelerator (by the rule of docs/collect.md) and no TPM "
                      "quote could be made: there is nothing to attest, no bundle written");
  }
  if (r.c.devices.empty()) {
    r.c.findings.push_back({"collect.no-accelerators",
                            "no accelerator under " + o.sysfs +
                                "/bus/pci/devices: the bundle holds the host's TPM quote only",
                            "sysfs", Severity::kInfo});
  }
  r.text = json_text(r.c.bundle, 1) + "\n";
  // What is written is what the verifier reads: the same parser, before anything is written.
  AA_TRY(check, parse_bundle(r.text, "collected bundle"));
  (void)check;
  return r;
}

void print_collected(const CollectRun& r) {
  std::cout << "collected on host " << terminal_safe(r.c.bundle["host"]["name"].get<std::string>())
            << " (host-reported data is a claim until the verifier appraises it):\n";
  for (const auto& f : r.c.host_facts) std::cout << "  " << terminal_safe(f) << "\n";
  for (const auto& d : r.c.devices) {
    std::cout << "  " << d.address << "  " << d.kind << "  evidence " << d.evidence << "\n";
    for (const auto& f : d.facts) std::cout << "      " << terminal_safe(f) << "\n";
  }
  for (const auto& f : r.c.findings) {
    std::cout << "  [" << to_string(f.severity) << "] " << f.code << " ("
              << terminal_safe(f.pointer) << "): " << terminal_safe(f.message) << "\n";
  }
}

// 0: everything there was to collect is in the bundle; 1: a piece is missing (a warning).
int collected_exit(const CollectRun& r) {
  for (const auto& f : r.c.findings)
    if (f.severity != Severity::kInfo) return 1;
  return 0;
}

int run_collect(const CollectCliOptions& o, Context& ctx) {
  auto nonce = parse_nonce(o.nonce, "--nonce");
  if (!nonce) return fail(nonce.error());
  if (auto s = check_writable(o.out, "--out"); !s) return fail(s.error());
  auto r = collect_bundle(o, *nonce, ctx);
  if (!r) return fail(r.error());
  if (auto s = write_file_atomic(o.out, r->text); !s) return fail(s.error());
  print_collected(*r);
  std::cout << "bundle written to " << terminal_safe(o.out) << ": " << r->c.devices.size()
            << " device(s), " << (r->tpm ? "TPM quote binding v2" : "no TPM quote") << "\n";
  return collected_exit(*r);
}

// ---- attest: against the service ----

struct AttestOptions {
  CollectCliOptions collect;
  std::string server, ca, token, licence, token_out, bundle_out;
  int timeout = 120;
};

struct Server {
  std::unique_ptr<httplib::Client> client;
  std::string base_path;
};

Result<Server> connect(const AttestOptions& o) {
  static const std::regex url(R"(^(https?)://([^/:]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(o.server, m, url)) {
    return make_error("input.bad-value", "--server", "not http(s)://HOST[:PORT][/PATH]");
  }
  Server s;
  const std::string origin = m[1].str() + "://" + m[2].str() + m[3].str();
  s.base_path = m[4].matched ? m[4].str() : "";
  while (!s.base_path.empty() && s.base_path.back() == '/') s.base_path.pop_back();
  s.client = std::make_unique<httplib::Client>(origin);
  if (!s.client->is_valid()) {
    return make_error("input.bad-value", "--server", "cannot make a client for " + origin);
  }
  if (m[1] == "https") {
    if (!o.ca.empty()) s.client->set_ca_cert_path(o.ca.c_str());
    s.client->enable_server_certificate_verification(true);
  } else if (!o.ca.empty()) {
    return make_error("input.bad-value", "--ca", "--ca needs an https:// --server");
  }
  if (!o.token.empty()) {
    AA_TRY(t, read_file(o.token, 4096));
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    s.client->set_bearer_token_auth(t.c_str());
  }
  s.client->set_connection_timeout(30);
  s.client->set_read_timeout(o.timeout);
  s.client->set_write_timeout(o.timeout);
  return s;
}

// A service answer: the JSON body when `want` came back; otherwise the service's error, with
// the exit code a provisioning script gets (2: the request was refused, 3: service failure).
struct Refusal {
  Error error;
  int exit_code;
};

std::variant<Json, Refusal> call(Server& s, const char* path, const std::string& body, int want) {
  const std::string p = s.base_path + path;
  auto res = s.client->Post(p, body, "application/json");
  if (!res) {
    return Refusal{make_error("attest.service-unreachable", p,
                              "no answer from the service: " + httplib::to_string(res.error())),
                   3};
  }
  auto doc = parse_json_strict(res->body, p);
  if (res->status == want && doc && doc->is_object()) return std::move(*doc);
  std::string code = "attest.service-error", message = "HTTP " + std::to_string(res->status);
  if (doc && doc->is_object() && doc->contains("error") && (*doc)["error"].is_object()) {
    const Json& e = (*doc)["error"];
    if (e.contains("code") && e["code"].is_string()) message += " " + e["code"].get<std::string>();
    if (e.contains("message") && e["message"].is_string())
      message += ": " + e["message"].get<std::string>();
  }
  const bool refused = res->status >= 400 && res->status < 500;
  return Refusal{make_error(code.c_str(), p, message), refused ? 2 : 3};
}

int run_attest(const AttestOptions& o, Context& ctx) {
  if (!o.token_out.empty()) {
    if (auto s = check_writable(o.token_out, "--token-out"); !s) return fail(s.error());
  }
  auto server = connect(o);
  if (!server) return fail(server.error());
  auto ch = call(*server, "/v1/challenge", "{}", 201);
  if (auto* r = std::get_if<Refusal>(&ch)) {
    return fail_with(r->error, r->exit_code);
  }
  const Json& challenge = std::get<Json>(ch);
  if (!challenge.contains("nonce") || !challenge["nonce"].is_string()) {
    return fail_with(make_error("attest.service-error", "/v1/challenge", "the answer has no nonce"),
                     3);
  }
  const std::string nonce_hex = challenge["nonce"].get<std::string>();
  auto nonce = parse_nonce(nonce_hex, "the service's nonce");
  if (!nonce)
    return fail_with(make_error("attest.service-error", "/v1/challenge", nonce.error().message), 3);
  std::cout << "challenge from " << terminal_safe(o.server) << ": nonce " << nonce_hex << "\n";
  auto r = collect_bundle(o.collect, *nonce, ctx);
  if (!r) return fail(r.error());
  print_collected(*r);
  if (!o.bundle_out.empty()) {
    if (auto s = write_file_atomic(o.bundle_out, r->text); !s) return fail(s.error());
  }
  std::string path = "/v1/verify";
  if (!o.licence.empty()) path += "?licence=" + httplib::detail::encode_query_param(o.licence);
  auto vr = call(*server, path.c_str(), r->text, 201);
  if (auto* f = std::get_if<Refusal>(&vr)) {
    return fail_with(f->error, f->exit_code);
  }
  const Json& result = std::get<Json>(vr);
  auto str = [&](const char* k) {
    return result.contains(k) && result[k].is_string() ? result[k].get<std::string>()
                                                       : std::string();
  };
  const std::string status = str("status");
  const bool accepted = !result.contains("nonce_accepted") || result["nonce_accepted"] == true;
  std::cout << "verdict: " << terminal_safe(status.empty() ? "unknown" : status) << " (result "
            << terminal_safe(str("id")) << (accepted ? "" : ", nonce NOT accepted: a replay")
            << ")\n";
  if (result.contains("findings") && result["findings"].is_array()) {
    for (const auto& f : result["findings"]) {
      if (!f.is_object()) continue;
      auto s = [&](const char* k) {
        return f.contains(k) && f[k].is_string() ? f[k].get<std::string>() : std::string();
      };
      std::cout << "  [" << terminal_safe(s("severity")) << "] " << terminal_safe(s("code")) << ": "
                << terminal_safe(s("message")) << "\n";
    }
  }
  const std::string token = str("token");
  if (!o.token_out.empty()) {
    if (token.empty())
      return fail_with(make_error("attest.service-error", "/v1/verify", "no token"), 3);
    if (auto s = write_file_atomic(o.token_out, token + "\n"); !s) return fail(s.error());
    std::cout << "signed result written to " << terminal_safe(o.token_out) << "\n";
  }
  if (status == "affirming" && accepted) return 0;
  if (status == "affirming" || status == "warning" || status == "contraindicated") return 1;
  return fail_with(make_error("attest.service-error", "/v1/verify",
                              "the result's status \"" + terminal_safe(status) +
                                  "\" is not one of "
                                  "affirming, warning, contraindicated"),
                   3);
}

void add_collect_options(CLI::App* c, CollectCliOptions& o) {
  c->add_option("--tcti", o.tcti,
                "TPM TCTI, e.g. device:/dev/tpmrm0 (default when it exists) or "
                "swtpm:host=127.0.0.1,port=2321");
  c->add_flag("--no-tpm", o.no_tpm, "make no TPM quote (the inventory stays unbound)");
  c->add_option("--ak-handle", o.ak_handle,
                "quote with the persistent AK at this handle (tpm create-ak) instead of a fresh "
                "one");
  c->add_option("--ak-cert", o.ak_cert, "the AK's certificate (DER or PEM), attached to the quote");
  c->add_option("--ak-enrolment", o.ak_enrolment,
                "the AK's enrolment record (tpm check-answer --record), attached to the quote");
  c->add_flag("--ecc", o.ecc, "a fresh ECC P-256 AK instead of RSA-2048");
  c->add_option("--pcrs", o.pcrs, "PCR selection BANK:I,J,... (default sha256:0-7,16)");
  c->add_option("--site", o.site,
                "declared site: JSON {\"country\": \"AE\", \"name\", \"lat\", \"lon\"} (a claim)");
  c->add_option("--host-name", o.host_name, "the host's name in the bundle (default: hostname)");
  c->add_option("--sysfs", o.sysfs, "sysfs root to read bus/pci/devices from (default /sys)");
  c->add_option("--nvml-library", o.nvml_library,
                "the NVML library to load at run time (default libnvidia-ml.so.1)");
  c->add_flag("--no-nvml", o.no_nvml, "do not load NVML (NVIDIA devices reported only)");
  c->add_option("--npu-smi", o.npu_smi, "the npu-smi program (default npu-smi on PATH)");
  c->add_option("--dcmi-library", o.dcmi_library,
                "Huawei's DCMI library, loaded at run time where present (default " +
                    std::string(ascend::kDefaultDcmiLibrary) + ")");
  c->add_flag("--no-dcmi", o.no_dcmi, "do not load DCMI (Ascend names from npu-smi only)");
  c->add_option("--securityfs", o.securityfs,
                "securityfs root holding tpm0/binary_bios_measurements (default "
                "/sys/kernel/security)");
  c->add_option("--time", o.time, "collection time to record, RFC 3339 (default now)");
}

}  // namespace

void add_collect(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CollectCliOptions>();
  CLI::App* c = app.add_subcommand(
      "collect",
      "Host side: gather this host's evidence for one verifier nonce into one bundle "
      "(docs/collect.md): accelerators from sysfs, NVIDIA GPU reports through NVML, Ascend NPUs "
      "through npu-smi, a TPM quote binding it all (binding v2) with the UEFI event log, and the "
      "declared site. A missing piece never aborts: the device is kept with what could be had "
      "and a collect.* finding names it. Exit 0: bundle written, nothing missing; 1: bundle "
      "written, a piece missing (warnings printed); 2: bad input, or nothing to attest (no "
      "accelerator and no TPM: collect.nothing-to-attest, no bundle); 3: internal error.");
  c->add_option("--nonce", o->nonce, "the verifier's nonce, hex (accel-attest challenge)")
      ->required()
      ->check(nonce_given());
  c->add_option("--out", o->out, "where to write the bundle")->required();
  add_collect_options(c, *o);
  c->callback([o, &ctx] { ctx.exit_code = run_collect(*o, ctx); });

  auto a = std::make_shared<AttestOptions>();
  CLI::App* t = app.add_subcommand(
      "attest",
      "Host side, for provisioning: ask the verifier service for a challenge (POST "
      "/v1/challenge), collect this host's evidence over its nonce (as `collect`), send the "
      "bundle (POST /v1/verify) and print the verdict. Exit 0: affirming; 1: warning or "
      "contraindicated (or the nonce was not accepted); 2: bad input or the service refused the "
      "request (4xx); 3: internal error, or the service failed or could not be reached. So "
      "`accel-attest attest ... || halt` gates on an affirming result.");
  t->add_option("--server", a->server, "the service, http(s)://HOST:PORT")->required();
  t->add_option("--ca", a->ca, "CA certificate (PEM) the service's TLS certificate must chain to");
  t->add_option("--token", a->token, "file holding the bearer token for the service");
  t->add_option("--licence", a->licence, "judge under this licence of the service (?licence=)");
  t->add_option("--token-out", a->token_out, "write the signed result (compact JWT) here");
  t->add_option("--bundle-out", a->bundle_out, "also keep the bundle sent");
  t->add_option("--timeout", a->timeout, "seconds to wait for the service's answer (default 120)")
      ->check(CLI::Range(1, 3600));
  add_collect_options(t, a->collect);
  t->callback([a, &ctx] { ctx.exit_code = run_attest(*a, ctx); });
}

}  // namespace aa::cli
