// accel-attest tpm verify: appraise a TPM 2.0 quote of the host, offline.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "binding/inventory_digest.h"
#include "cli/commands.h"
#include "collect/tpm_host.h"
#include "core/json.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "identify/identify.h"
#include "inventory/inventory_json.h"
#include "tpm/appraise.h"
#include "tpm/ek.h"

namespace aa::cli {

namespace {

struct TpmVerifyOptions {
  std::string message, signature, pcrs, ak_public, nonce, ak_cert, ca, policy, eventlog, inventory,
      time;
  std::vector<std::string> intermediates;
  bool json = false, allow_sha1 = false;
};

Result<Bytes> read_bytes(const std::string& path) {
  AA_TRY(s, read_file(path, 16u << 20));
  return Bytes(s.begin(), s.end());
}

Result<ossl::X509Ptr> read_cert(const std::string& path) {
  AA_TRY(s, read_file(path, 1u << 20));
  return x509::parse_cert_any(as_bytes(s), path);
}

struct Loaded {
  tpm::QuoteEvidence ev;
  tpm::QuoteReferences refs;
  std::optional<tpm::PcrPolicy> policy;
  ossl::X509Ptr ca;
  std::vector<ossl::X509Ptr> intermediates;
  std::vector<PciDevice> accelerators;
};

Result<std::unique_ptr<Loaded>> load(const TpmVerifyOptions& o, Context& ctx) {
  auto l = std::make_unique<Loaded>();
  AA_TRY(m, read_bytes(o.message));
  AA_TRY(s, read_bytes(o.signature));
  AA_TRY(p, read_bytes(o.pcrs));
  AA_TRY(ak, read_bytes(o.ak_public));
  l->ev.attest = std::move(m);
  l->ev.signature = std::move(s);
  l->ev.pcrs = std::move(p);
  l->ev.ak_public = std::move(ak);
  l->ev.origin = o.message;
  if (!o.eventlog.empty()) {
    AA_TRY(log, read_bytes(o.eventlog));
    l->ev.eventlog = std::move(log);
  }
  auto nonce = hex_decode(o.nonce);
  if (!nonce || nonce->size() > 64) {
    return make_error("input.bad-hex", "--nonce", "not hex (at most 64 bytes)");
  }
  l->refs.nonce = *nonce;
  l->refs.allow_sha1 = o.allow_sha1;
  AA_TRY(at, verification_time(o.time));
  l->refs.at = at;
  if (!o.ak_cert.empty()) {
    AA_TRY(c, read_bytes(o.ak_cert));
    l->ev.ak_cert_der = std::move(c);
  }
  if (!o.ca.empty()) {
    AA_TRY(ca, read_cert(o.ca));
    l->ca = std::move(ca);
    l->refs.ak_ca = l->ca.get();
  }
  for (const auto& i : o.intermediates) {
    AA_TRY(c, read_cert(i));
    l->refs.ak_intermediates.push_back(c.get());
    l->intermediates.push_back(std::move(c));
  }
  if (!o.policy.empty()) {
    AA_TRY(text, read_file(o.policy, 4u << 20));
    AA_TRY(pol, tpm::load_pcr_policy(text, o.policy));
    l->policy = std::move(pol);
    l->refs.policy = &*l->policy;
  }
  if (!o.inventory.empty()) {
    const Registry* reg = ctx.registry();
    if (!reg) return make_error("profile.bad-value", "--profiles", "registry not loaded");
    AA_TRY(text, read_file(o.inventory, 4u << 20));
    AA_TRY(inv, parse_inventory_json(text, o.inventory));
    IdentifyReport rep = identify(inv.devices, inv.class_known, *reg);
    for (const auto& d : rep.devices) l->accelerators.push_back(d.pci);
    l->refs.inventory_digest = inventory_digest(l->accelerators);
  }
  return l;
}

Json to_json(const tpm::QuoteAppraisal& a, const Loaded& l) {
  Json checks = Json::object();
  for (const auto& [k, v] : a.checks) checks[k] = tpm::check_text(v);
  Json pcrs = Json::array();
  for (const auto& p : a.pcrs) {
    pcrs.push_back(
        {{"bank", tpm::hash_name(p.bank)}, {"index", p.index}, {"value", hex_encode(p.digest)}});
  }
  Json fs = Json::array();
  for (const auto& f : a.findings) {
    fs.push_back({{"code", f.code},
                  {"severity", severity_name(f.severity)},
                  {"pointer", f.pointer},
                  {"message", f.message}});
  }
  Json j{{"schema", "accel-attest/tpm-appraisal/v1"},
         {"verdict", a.verdict()},
         {"checks", checks},
         {"ak", a.ak_description},
         {"ak_name", hex_encode(a.ak_name)},
         {"pcrs", pcrs},
         {"inventory_bound", a.inventory_bound},
         {"findings", fs}};
  if (a.quote) {
    const auto& c = a.quote->attest.clockInfo;
    j["selection"] = tpm::selection_text(a.quote->selection());
    j["extra_data"] = hex_encode(a.quote->extra_data());
    j["clock"] = {{"clock_ms", c.clock},
                  {"reset_count", c.resetCount},
                  {"restart_count", c.restartCount},
                  {"safe", c.safe == 1}};
  }
  if (l.refs.inventory_digest) {
    j["inventory_digest"] = hex_encode(*l.refs.inventory_digest);
    Json devs = Json::array();
    for (const auto& d : l.accelerators) devs.push_back(d.address);
    j["inventory_accelerators"] = devs;
    j["inventory_assurance"] =
        a.inventory_bound && a.verdict() != "contraindicated" ? "platform-bound" : "reported";
  }
  return j;
}

int run(const TpmVerifyOptions& o, Context& ctx) {
  auto l = load(o, ctx);
  if (!l) return fail(l.error());
  tpm::QuoteAppraisal a = tpm::appraise_quote((*l)->ev, (*l)->refs);
  Json j = to_json(a, **l);
  if (o.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "TPM quote appraisal: " << a.verdict() << "\n";
    std::cout << "  AK          " << a.ak_description << "  name " << hex_encode(a.ak_name) << "\n";
    if (a.quote) std::cout << "  selection   " << j["selection"].get<std::string>() << "\n";
    std::cout << "  checks     ";
    for (const auto& [k, v] : a.checks) std::cout << " " << k << "=" << tpm::check_text(v);
    std::cout << "\n";
    if (j.contains("inventory_assurance")) {
      std::cout << "  inventory   " << (*l)->accelerators.size() << " accelerator(s), digest "
                << j["inventory_digest"].get<std::string>() << ": "
                << j["inventory_assurance"].get<std::string>() << "\n";
    }
    for (const auto& f : a.findings) {
      std::cout << "  [" << severity_name(f.severity) << "] " << f.code << ": " << f.message
                << "\n";
    }
  }
  return a.verdict() == "contraindicated" ? 1 : 0;
}

struct EkCheckOptions {
  std::string cert, ek_public, anchors, time;
  bool json = false;
};

int ek_check(const EkCheckOptions& o) {
  auto body = read_file(o.cert, 1u << 20);
  if (!body) return fail(body.error());
  Result<ossl::X509Ptr> cert = body->find("-----BEGIN CERTIFICATE-----") != std::string::npos
                                   ? x509::parse_cert_any(as_bytes(*body), o.cert)
                                   : tpm::parse_ek_certificate(as_bytes(*body), o.cert);
  if (!cert) return fail(cert.error());
  std::optional<TPMT_PUBLIC> ek;
  if (!o.ek_public.empty()) {
    auto b = read_bytes(o.ek_public);
    if (!b) return fail(b.error());
    auto p = tpm::parse_public(*b, o.ek_public);
    if (!p) return fail(p.error());
    if (!p->area) return fail(make_error("input.bad-value", o.ek_public, "give the TPM2B_PUBLIC"));
    ek = p->area;
  }
  std::string dir = o.anchors.empty() ? default_certs_dir() + "/tpm" : o.anchors;
  auto anchors = tpm::EkAnchors::load(dir);
  if (!anchors) return fail(anchors.error());
  auto at = verification_time(o.time);
  if (!at) return fail(at.error());
  auto r = tpm::check_ek_certificate(cert->get(), ek, *anchors, *at);
  if (o.json) {
    Json fs = Json::array();
    for (const auto& f : r.findings) {
      fs.push_back(
          {{"code", f.code}, {"severity", severity_name(f.severity)}, {"message", f.message}});
    }
    std::cout << Json{{"certificate", o.cert},  {"trusted", r.ok}, {"path", r.path},
                      {"ek_eku", r.has_ek_eku}, {"anchors", dir},  {"findings", fs}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << o.cert << ": " << (r.ok ? "chains to a root of the anchor store" : "NOT trusted")
              << "\n";
    for (size_t i = 0; i < r.path.size(); ++i) std::cout << "  [" << i << "] " << r.path[i] << "\n";
    for (const auto& f : r.findings) {
      std::cout << "  [" << severity_name(f.severity) << "] " << f.code << ": " << f.message
                << "\n";
    }
  }
  return r.ok ? 0 : 1;
}

struct TpmQuoteOptions {
  std::string tcti, nonce, out, inventory, pcrs = "sha256:0,1,2,3,4,5,6,7,16";
  bool ecc = false;
};

Result<TPML_PCR_SELECTION> parse_selection(const std::string& text) {
  TPML_PCR_SELECTION sel{};
  size_t colon = text.find(':');
  std::string bank = text.substr(0, colon);
  TPMI_ALG_HASH alg = bank == "sha1"     ? TPM2_ALG_SHA1
                      : bank == "sha256" ? TPM2_ALG_SHA256
                      : bank == "sha384" ? TPM2_ALG_SHA384
                                         : TPM2_ALG_NULL;
  if (colon == std::string::npos || alg == TPM2_ALG_NULL) {
    return make_error("input.bad-value", "--pcrs", "expected BANK:I,J,... with sha1/sha256/sha384");
  }
  sel.count = 1;
  sel.pcrSelections[0].hash = alg;
  sel.pcrSelections[0].sizeofSelect = 3;
  size_t pos = colon + 1;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string n = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    bool ok = !n.empty() && n.size() <= 2 && std::all_of(n.begin(), n.end(), ::isdigit);
    unsigned i = ok ? static_cast<unsigned>(std::stoul(n)) : 99;
    if (i > 23) return make_error("input.bad-value", "--pcrs", "PCR index \"" + n + "\" not 0..23");
    sel.pcrSelections[0].pcrSelect[i / 8] |= static_cast<BYTE>(1u << (i % 8));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return sel;
}

Status write_file(const std::string& path, ByteView data) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!f) return make_error("input.unreadable", path, "cannot write");
  return Ok{};
}

Status quote_to_dir(const TpmQuoteOptions& o, Context& ctx) {
  auto nonce = hex_decode(o.nonce);
  if (!nonce || nonce->empty() || nonce->size() > 32) {
    return make_error("input.bad-hex", "--nonce", "1 to 32 bytes of hex");
  }
  AA_TRY(sel, parse_selection(o.pcrs));
  Bytes extra = *nonce;
  std::optional<Bytes> digest;
  if (!o.inventory.empty()) {
    const Registry* reg = ctx.registry();
    if (!reg) return make_error("profile.bad-value", "--profiles", "registry not loaded");
    AA_TRY(text, read_file(o.inventory, 4u << 20));
    AA_TRY(inv, parse_inventory_json(text, o.inventory));
    std::vector<PciDevice> acc;
    for (const auto& d : identify(inv.devices, inv.class_known, *reg).devices) acc.push_back(d.pci);
    digest = inventory_digest(acc);
    extra = tpm::binding_extra_data(*nonce, *digest);
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  AA_TRY(host, tpm::TpmHost::open(o.tcti));
  AA_TRY(ek, host->ek());
  AA_TRY(ak, host->create_ak(ek.handle, o.ecc));
  AA_TRY(q, host->quote(ak.handle, extra, sel));
  auto at = [&](const char* name) { return (std::filesystem::path(o.out) / name).string(); };
  AA_CHECK(write_file(at("quote.msg"), q.attest));
  AA_CHECK(write_file(at("quote.sig"), q.signature));
  AA_CHECK(write_file(at("quote.pcrs"), q.pcrs));
  AA_CHECK(write_file(at("ak.pub"), tpm::marshal_public(ak.pub)));
  AA_CHECK(write_file(at("ak.name"), tpm::ak_name(ak.pub.publicArea)));
  AA_CHECK(write_file(at("ek.pub"), tpm::marshal_public(ek.pub)));
  AA_TRY(cert, host->nv_read(0x01c00002));
  if (cert) AA_CHECK(write_file(at("ek-cert.der"), *cert));
  if (digest) {
    std::string h = hex_encode(*digest) + "\n";
    AA_CHECK(write_file(at("inventory-digest.hex"), as_bytes(h)));
  }
  std::cout << "quote over " << tpm::selection_text(sel) << " with extraData " << hex_encode(extra)
            << " written to " << o.out << (cert ? " (with the EK certificate)" : "") << "\n";
  return Ok{};
}

}  // namespace

void add_tpm(CLI::App& app, Context& ctx) {
  CLI::App* t = app.add_subcommand("tpm", "the host's TPM 2.0: quotes and their appraisal");
  t->require_subcommand(1);
  auto o = std::make_shared<TpmVerifyOptions>();
  CLI::App* v = t->add_subcommand(
      "verify",
      "Appraise a TPM 2.0 quote offline: strict parsing (magic, type, no trailing bytes), the "
      "AK signature (RSASSA, RSAPSS, ECDSA), AK attributes, the nonce or nonce+inventory binding, "
      "PCR values against the signed selection and digest, a PCR policy, and the AK certificate. "
      "Exit 0: pass (warnings allowed); 1: fail; 2: bad input.");
  v->add_option("--message", o->message, "TPMS_ATTEST (tpm2_quote -m)")->required();
  v->add_option("--signature", o->signature, "TPMT_SIGNATURE (tpm2_quote -s)")->required();
  v->add_option("--pcrs", o->pcrs,
                "PCR values: tpm2_quote -o file, or raw digests in selection order")
      ->required();
  v->add_option("--ak-public", o->ak_public,
                "AK public: TPM2B_PUBLIC (tpm2_createak -u), TPMT_PUBLIC or PEM")
      ->required();
  v->add_option("--nonce", o->nonce, "the nonce the verifier issued, hex")->required();
  auto* cert = v->add_option("--ak-cert", o->ak_cert, "AK certificate (DER or PEM)");
  v->add_option("--ca", o->ca, "trust anchor for the AK certificate (DER or PEM)")->needs(cert);
  v->add_option("--intermediate", o->intermediates,
                "intermediate CA certificate(s) for the AK certificate");
  v->add_option("--policy", o->policy, "PCR policy JSON (schema accel-attest/pcr-policy/v1)");
  v->add_option(
      "--eventlog", o->eventlog,
      "TCG PC Client firmware event log (binary_bios_measurements) to replay into PCRs 0-7");
  v->add_option(
      "--inventory", o->inventory,
      "inventory JSON whose accelerators the quote must bind (docs/inventory-binding.md)");
  v->add_option("--time", o->time, "verification time, RFC 3339 (default now)");
  v->add_flag("--allow-sha1", o->allow_sha1,
              "accept quotes signed over SHA-1 (reported as a warning)");
  v->add_flag("--json", o->json, "print JSON (schema accel-attest/tpm-appraisal/v1)");
  v->callback([o, &ctx] { ctx.exit_code = run(*o, ctx); });

  auto e = std::make_shared<EkCheckOptions>();
  CLI::App* ec = t->add_subcommand(
      "ek-check",
      "Check an EK certificate (DER as read from NV, fill allowed, or PEM) against the TPM vendor "
      "roots in certs/tpm (or --anchors DIR), and against the EK public area when given. Exit 0: "
      "trusted; 1: not; 2: bad input.");
  ec->add_option("--cert", e->cert, "EK certificate")->required();
  ec->add_option("--ek-public", e->ek_public, "the TPM's EK public area (TPM2B_PUBLIC)");
  ec->add_option("--anchors", e->anchors, "directory of vendor CA certificates");
  ec->add_option("--time", e->time, "verification time, RFC 3339 (default now)");
  ec->add_flag("--json", e->json, "print JSON");
  ec->callback([e, &ctx] { ctx.exit_code = ek_check(*e); });

  auto q = std::make_shared<TpmQuoteOptions>();
  CLI::App* qc = t->add_subcommand(
      "quote",
      "Host side: create an AK under the TPM's EK and quote the nonce (bound to the inventory "
      "with --inventory), writing quote.msg, quote.sig, quote.pcrs, ak.pub, ak.name, ek.pub and "
      "ek-cert.der to DIR for `tpm verify`. Exit 0: written; 2: error.");
  qc->add_option("--tcti", q->tcti,
                 "TCTI, e.g. swtpm:host=127.0.0.1,port=2321 or device:/dev/tpmrm0")
      ->required();
  qc->add_option("--nonce", q->nonce, "the verifier's nonce, hex (1 to 32 bytes)")->required();
  qc->add_option("--out", q->out, "output directory")->required();
  qc->add_option("--inventory", q->inventory, "inventory JSON to bind (docs/inventory-binding.md)");
  qc->add_option("--pcrs", q->pcrs, "PCR selection BANK:I,J,... (default sha256:0-7,16)");
  qc->add_flag("--ecc", q->ecc, "an ECC P-256 AK instead of RSA-2048");
  qc->callback([q, &ctx] {
    auto s = quote_to_dir(*q, ctx);
    ctx.exit_code = s ? 0 : fail(s.error());
  });
}

}  // namespace aa::cli
