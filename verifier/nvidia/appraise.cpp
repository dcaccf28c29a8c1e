#include "nvidia/appraise.h"

#include <algorithm>

#include "core/finding_codes.h"
#include "crypto/x509.h"
#include "nvidia/device_cert.h"
#include "rim/xmldsig.h"

namespace aa::nvidia {

namespace {

constexpr size_t kSignatureSize = 96;  // ECDSA P-384 raw r||s
constexpr size_t kChainLength = 5;
constexpr unsigned kNvdec0RimIndex = 35;

void add(std::vector<Finding>& out, std::string code, Severity sev, std::string pointer,
         std::string message) {
  out.push_back(Finding{std::move(code), std::move(message), std::move(pointer), sev});
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// NVIDIA's RIMs carry a SHA-384-sized hex digest as tagId, not the RIM ID.
bool digest_tag(const std::string& t) {
  return t.size() == 96 && std::all_of(t.begin(), t.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string no_dots(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '.'), s.end());
  return upper(s);
}

}  // namespace

TrustTier DeviceResult::verdict() const {
  return verdict_of(findings);
}

bool DeviceResult::passed(bool strict) const {
  const TrustTier v = verdict();
  return v == TrustTier::kAffirming || (!strict && v == TrustTier::kWarning);
}

Appraiser::Appraiser(const References& refs, std::time_t at, Bytes expected_nonce)
    : refs_(refs),
      at_(at),
      nonce_(std::move(expected_nonce)),
      parsed_(refs.certificate_cache ? &refs.certificate_cache->parsed() : &local_parsed_),
      device_chains_(refs.device_root, at, refs.certificate_cache),
      rim_chains_(refs.rim_root, at, refs.certificate_cache) {}

Appraiser::~Appraiser() = default;

CheckStatus revocation_findings(const std::vector<CertRevocation>& rev,
                                const RevocationLimits& limits, const std::string& at,
                                std::vector<Finding>& findings) {
  bool revoked = false, incomplete = false, stale = false, future = false;
  std::string missing, old, ahead;
  auto item = [](const CertRevocation& cr) {
    return cr.subject + " (" + revocation_name(cr.status) +
           (cr.detail.empty() ? "" : ": " + cr.detail) + ")";
  };
  for (const auto& cr : rev) {
    if (cr.status == Revocation::kRevoked) {
      revoked = true;
      add(findings, codes::kNvidiaRevocationRevoked, Severity::kFail,
          at + " cert[" + std::to_string(cr.index) + "]",
          cr.subject + " is revoked (" + cr.source + ": " + cr.detail + ")");
      continue;
    }
    if (cr.status == Revocation::kStale) {
      stale = true;
      old += (old.empty() ? "" : ", ") + item(cr);
    } else if (cr.status != Revocation::kGood && cr.index > 0) {
      // The leaf is device-generated and has no revocation source; the CA-issued ones do.
      incomplete = true;
      missing += (missing.empty() ? "" : ", ") + item(cr);
    }
    if (cr.future) {
      future = true;
      ahead += (ahead.empty() ? "" : ", ") + cr.subject;
    }
  }
  if (stale) {
    add(findings, codes::kNvidiaRevocationStale, Severity::kWarn, at + " certificate chain",
        "revocation data past its nextUpdate, or without one and older than " +
            std::to_string(limits.max_age) + " s, is not a current answer: " + old);
  }
  if (future) {
    add(findings, codes::kNvidiaRevocationFuture, Severity::kWarn, at + " certificate chain",
        "revocation data issued after the verification time was not used for " + ahead);
  }
  if (incomplete) {
    add(findings, codes::kNvidiaRevocationIncomplete, Severity::kWarn, at + " certificate chain",
        "no current answer for " + missing);
  }
  return revoked                           ? CheckStatus::kFail
         : (incomplete || stale || future) ? CheckStatus::kWarn
                                           : CheckStatus::kPass;
}

CheckStatus appraise_modes(const ModeState& m, bool allow_debug_modes, const std::string& label,
                           std::vector<Finding>& findings) {
  const std::string where = label + " report#response.OpaqueData";
  CheckStatus st = CheckStatus::kPass;
  auto worse = [&](CheckStatus s) {
    if (s == CheckStatus::kFail || (s == CheckStatus::kWarn && st == CheckStatus::kPass)) st = s;
  };
  Severity dbg = allow_debug_modes ? Severity::kWarn : Severity::kFail;
  const char* relaxed = allow_debug_modes ? " (allowed as a warning by --allow-debug-modes)" : "";
  if (m.devtools.value_or(false)) {
    worse(allow_debug_modes ? CheckStatus::kWarn : CheckStatus::kFail);
    add(findings, codes::kNvidiaCcDevtools, dbg, where,
        std::string("the device is in developer-tools (devtools) mode: its memory and state are "
                    "open to debugging tools") +
            relaxed);
  }
  if (m.debug.value_or(false)) {
    worse(allow_debug_modes ? CheckStatus::kWarn : CheckStatus::kFail);
    add(findings, codes::kNvidiaCcDebug, dbg, where,
        std::string("the device reports debug mode on") + relaxed);
  }
  if (m.cc_on && !*m.cc_on) {
    worse(CheckStatus::kWarn);
    add(findings, codes::kNvidiaCcOff, Severity::kWarn, where,
        "confidential-computing mode is off (NVIDIA's own overall result does not require it)");
  }
  std::string absent;
  for (auto [name, v] :
       {std::pair<const char*, const std::optional<bool>*>{"confidential-computing", &m.cc_on},
        {"devtools", &m.devtools},
        {"debug", &m.debug}}) {
    if (!*v) absent += (absent.empty() ? "" : ", ") + std::string(name);
  }
  if (auto last = absent.rfind(", "); last != std::string::npos) absent.replace(last, 2, " or ");
  if (!absent.empty()) {
    add(findings, codes::kNvidiaCcNotReported, Severity::kInfo, where,
        "the signed evidence does not carry the " + absent + " state; none is assumed" +
            (m.cc_variant.empty() ? std::string()
                                  : " (FEATURE_FLAG " + std::to_string(*m.feature_flag) +
                                        ": CC variant " + m.cc_variant + ")"));
  }
  if (!m.cc_on && !m.devtools && !m.debug) return CheckStatus::kSkipped;
  return st;
}

DeviceResult Appraiser::appraise(const DeviceEvidence& ev) {
  DeviceResult r;
  r.label = ev.label;
  r.origin = ev.origin;
  r.declared_arch = ev.arch;
  r.device_root_label = refs_.device_root_label;
  r.rim_root_label = refs_.rim_root_label;
  for (DeviceCheck c : all_values<DeviceCheck>()) r.checks[c] = CheckStatus::kNotRun;
  const std::string& at = ev.label;

  // The chain first: its leaf names the die family, which decides how the report is read.
  // The chain as parsed before when the same text was met (the same hosts again).
  std::shared_ptr<const x509::ParsedChain> chain;
  auto parsed_chain = parsed_->parse_chain(ev.chain_pem, ev.origin + " certificate chain", 8);
  if (!parsed_chain) {
    r.checks[DeviceCheck::kChain] = CheckStatus::kFail;
    add(r.findings, codes::kNvidiaChainMalformed, Severity::kFail, parsed_chain.error().field,
        parsed_chain.error().message);
  } else {
    chain = std::move(parsed_chain).value();
    r.chain_subjects = chain->subject_cns;
  }
  static const std::vector<ossl::X509Ptr> kNoCerts;
  const std::vector<ossl::X509Ptr>& certs = chain ? chain->certs : kNoCerts;
  const Family* fam = nullptr;
  if (!certs.empty()) {
    if (auto id = device_id(certs[0].get())) {
      r.device_id = id->text;
      r.die = id->die;
      fam = refs_.profile->find(id->die);
    }
    r.ueid = x509::serial_decimal(certs[0].get());
    r.leaf_sha256 = chain->leaf_sha256;
    if (certs.size() > 1) r.hwmodel = chain->subject_cns[1];
  }
  if (!fam && !certs.empty()) {
    add(r.findings, codes::kNvidiaFamilyUnknown, Severity::kFail, at + " cert[0]",
        r.die.empty() ? "the leaf certificate carries no NVIDIA device ID (SAN otherName "
                        "1.3.6.1.4.1.412.274.1); the device family cannot be told"
                      : "die " + r.die + " is not in firmware-profiles/nvidia/families.json");
  }
  DeviceKind kind = fam ? fam->kind : (ev.arch == "LS10" ? DeviceKind::kSwitch : DeviceKind::kGpu);
  r.kind = kind;
  if (fam && !ev.arch.empty() && ev.arch != fam->arch) {
    add(r.findings, codes::kNvidiaEvidenceArchMismatch, Severity::kWarn, ev.origin + "#/arch",
        "the evidence says " + ev.arch + " but the certificate die " + fam->die + " is " +
            fam->arch + " (the arch field is unsigned; the certificate decides)");
  }

  // Parse.
  auto rep = spdm::parse_measurement_report(ev.report, kSignatureSize, at + " report");
  if (!rep) {
    r.checks[DeviceCheck::kParse] = CheckStatus::kFail;
    add(r.findings, rep.error().code, Severity::kFail, rep.error().field, rep.error().message);
    return r;
  }
  r.report = std::move(rep).value();
  const spdm::MeasurementReport& report = *r.report;
  r.checks[DeviceCheck::kParse] = CheckStatus::kPass;
  if (report.trailing_zeros > 0) {
    add(r.findings, codes::kNvidiaReportTrailingZeros, Severity::kInfo, at + " report",
        std::to_string(report.trailing_zeros) +
            " zero byte(s) after the signature were ignored (unsigned padding)");
  }

  // Signature.
  if (!certs.empty()) {
    ByteView signed_part(ev.report.data(), report.signed_length);
    bool ok = x509::verify_ecdsa_sha384_raw(X509_get0_pubkey(certs[0].get()), signed_part,
                                            report.signature);
    r.checks[DeviceCheck::kSignature] = ok ? CheckStatus::kPass : CheckStatus::kFail;
    if (!ok) {
      add(r.findings, codes::kNvidiaSignatureInvalid, Severity::kFail, at + " report",
          "the ECDSA P-384 signature over the first " + std::to_string(report.signed_length) +
              " bytes does not verify with the key of cert[0] (" + r.chain_subjects[0] + ")");
    }
  }

  // Nonce.
  bool nonce_ok = nonce_.size() == report.request_nonce.size() &&
                  std::equal(nonce_.begin(), nonce_.end(), report.request_nonce.begin());
  r.checks[DeviceCheck::kNonce] = nonce_ok ? CheckStatus::kPass : CheckStatus::kFail;
  if (!nonce_ok) {
    add(r.findings, codes::kNvidiaNonceMismatch, Severity::kFail, at + " report#request.Nonce",
        "the report answers nonce " + hex_encode(report.request_nonce) + ", expected " +
            hex_encode(nonce_));
  }

  // Opaque data.
  auto opaque = parse_opaque_data(report.opaque, report.opaque_offset, kind, at + " report");
  if (!opaque) {
    r.checks[DeviceCheck::kParse] = CheckStatus::kFail;
    add(r.findings, opaque.error().code, Severity::kFail, opaque.error().field,
        opaque.error().message);
  } else {
    r.opaque = std::move(opaque).value();
    if (r.opaque->opaque_data_version && *r.opaque->opaque_data_version > 1) {
      r.checks[DeviceCheck::kParse] = CheckStatus::kFail;
      add(r.findings, codes::kNvidiaOpaqueUnsupportedVersion, Severity::kFail,
          at + " report#response.OpaqueData.OPAQUE_FIELD_ID_OPAQUE_DATA_VERSION",
          "opaque data version " + std::to_string(*r.opaque->opaque_data_version) +
              "; versions 0 and 1 are known");
    }
  }

  if (!certs.empty()) check_chain(r, *chain);

  // FWID.
  if (r.opaque && fam && !certs.empty()) {
    if (!r.opaque->fwid) {
      r.checks[DeviceCheck::kFwid] = CheckStatus::kSkipped;
      add(r.findings, codes::kNvidiaFwidAbsent, Severity::kInfo, at + " report",
          "the report carries no FWID (GPU drivers up to 545 and this NVSwitch firmware send "
          "none); the leaf is not bound to "
          "the firmware that signed");
    } else {
      auto cf = cert_fwid(certs[0].get(), fam->fwid_extension);
      if (!cf) {
        r.checks[DeviceCheck::kFwid] = CheckStatus::kFail;
        add(r.findings, codes::kNvidiaFwidMissingExtension, Severity::kFail, at + " cert[0]",
            "the leaf has no readable FWID extension " + fam->fwid_extension);
      } else if (!std::equal(cf->begin(), cf->end(), r.opaque->fwid->begin(),
                             r.opaque->fwid->end())) {
        r.checks[DeviceCheck::kFwid] = CheckStatus::kFail;
        add(r.findings, codes::kNvidiaFwidMismatch, Severity::kFail,
            at + " report#response.OpaqueData.OPAQUE_FIELD_ID_FWID",
            "report FWID " + hex_encode(*r.opaque->fwid) + " differs from the leaf's " +
                hex_encode(*cf));
      } else {
        r.checks[DeviceCheck::kFwid] = CheckStatus::kPass;
      }
    }
  }

  if (r.opaque) {
    r.modes = read_modes(*r.opaque);
    r.checks[DeviceCheck::kModes] =
        appraise_modes(r.modes, refs_.allow_debug_modes, at, r.findings);
  }

  if (r.opaque && fam) {
    check_rims(r, *fam);
    check_measurements(r, *fam);
    check_sku(r, *fam, ev);
  }
  return r;
}

void Appraiser::check_chain(DeviceResult& r, const x509::ParsedChain& chain) {
  const std::vector<ossl::X509Ptr>& certs = chain.certs;
  const std::string& at = r.label;
  bool ok = true;
  if (certs.size() != kChainLength) {
    ok = false;
    add(r.findings, codes::kNvidiaChainLength, Severity::kFail, at + " certificate chain",
        std::to_string(certs.size()) + " certificates; NVIDIA device chains have " +
            std::to_string(kChainLength) + " (leaf, device, provisioner ICA, identity CA, root)");
  }
  ChainOutcome c = device_chains_.verify(certs, &chain.der_digest);
  if (!c.ok) {
    ok = false;
    std::string who = c.error_depth >= 0 && static_cast<size_t>(c.error_depth) < certs.size()
                          ? " at cert[" + std::to_string(c.error_depth) + "] (" +
                                x509::subject_cn(certs[c.error_depth].get()) + ")"
                          : "";
    r.chain_error = c.reason + who;
    add(r.findings, c.expired ? codes::kNvidiaChainExpired : codes::kNvidiaChainInvalid,
        Severity::kFail, at + " certificate chain",
        "no valid path to " + refs_.device_root_label + ": " + r.chain_error);
  } else if (c.out_of_order) {
    ok = false;
    add(r.findings, codes::kNvidiaChainOrder, Severity::kFail, at + " certificate chain",
        "the certificates are not listed leaf first, each followed by its issuer");
  }
  if (!certs.empty() && !x509::same_cert(certs.back().get(), refs_.device_root) &&
      x509::self_signed(certs.back().get())) {
    add(r.findings, codes::kNvidiaChainForeignRoot, Severity::kInfo, at + " certificate chain",
        "the evidence ends in a root other than " + refs_.device_root_label +
            " (never trusted; only the pinned root is an anchor)");
  }
  r.checks[DeviceCheck::kChain] = ok ? CheckStatus::kPass : CheckStatus::kFail;
  if (!c.ok) return;
  if (!refs_.revocation) {
    r.checks[DeviceCheck::kRevocation] = CheckStatus::kWarn;
    add(r.findings, codes::kNvidiaRevocationNotChecked, Severity::kWarn, at + " certificate chain",
        "no CRL or OCSP data given (--crl, --ocsp): revocation was not checked");
    return;
  }
  r.revocation = refs_.revocation->check(c.path, at_);
  r.checks[DeviceCheck::kRevocation] =
      revocation_findings(r.revocation, refs_.revocation->limits(), at, r.findings);
}

const RimOutcome& Appraiser::rim(const std::string& kind, const std::string& id) {
  auto it = rim_cache_.find(id);
  if (it != rim_cache_.end()) return it->second;
  RimOutcome o;
  o.kind = kind;
  o.id = id;
  auto body = refs_.rims->find(id);
  if (!body) {
    add(o.findings, body.error().code, Severity::kFail, body.error().field, body.error().message);
    o.status = CheckStatus::kFail;
    return rim_cache_.emplace(id, std::move(o)).first->second;
  }
  if (!body->has_value()) {
    add(o.findings, codes::kNvidiaRimMissing, Severity::kWarn, id,
        "the " + kind + " RIM " + id + ".xml is not in the RIM store " + refs_.rims->name() +
            "; its measurements are not appraised");
    o.status = CheckStatus::kWarn;
    return rim_cache_.emplace(id, std::move(o)).first->second;
  }
  o.found = true;
  std::string origin = refs_.rims->origin(id);
  auto parsed = rim::parse_rim(**body, origin);
  if (!parsed) {
    add(o.findings, codes::kNvidiaRimMalformed, Severity::kFail, parsed.error().field,
        parsed.error().message);
    o.status = CheckStatus::kFail;
    return rim_cache_.emplace(id, std::move(o)).first->second;
  }
  o.parsed = true;
  auto shared = std::make_shared<rim::Rim>(std::move(parsed).value());
  o.rim = shared;
  o.version = shared->colloquial_version;
  o.signer = x509::subject_cn(shared->certs[0].get());
  o.signer_not_after = x509::not_after(shared->certs[0].get());
  ChainOutcome c = rim_chains_.verify(shared->certs);
  o.chain_ok = c.ok && !c.out_of_order;
  if (!c.ok) {
    std::string who =
        c.error_depth >= 0 && static_cast<size_t>(c.error_depth) < shared->certs.size()
            ? " at cert[" + std::to_string(c.error_depth) + "] (" +
                  x509::subject_cn(shared->certs[c.error_depth].get()) + ")"
            : "";
    if (c.expired) {
      add(o.findings, codes::kNvidiaRimExpired, Severity::kFail, origin,
          "the RIM signing chain is not valid at " + x509::rfc3339(at_) + who + ": " + c.reason +
              " (signer " + o.signer + " valid until " + x509::rfc3339(o.signer_not_after) + ")");
    } else {
      add(o.findings, codes::kNvidiaRimChainInvalid, Severity::kFail, origin,
          "no valid path to " + refs_.rim_root_label + ": " + c.reason + who);
    }
  } else if (c.out_of_order) {
    add(o.findings, codes::kNvidiaRimChainInvalid, Severity::kFail, origin,
        "KeyInfo certificates are not listed signer first, each followed by its issuer");
  }
  auto sig = rim::verify_rim_signature(*shared, X509_get0_pubkey(shared->certs[0].get()));
  o.signature_ok = sig.ok();
  if (!sig) {
    add(o.findings,
        sig.error().code == codes::kRimSignatureProfile ? codes::kNvidiaRimSignatureProfile
                                                        : codes::kNvidiaRimSignatureInvalid,
        Severity::kFail, origin, sig.error().message);
  }
  if (c.ok && refs_.revocation) {
    o.revocation = refs_.revocation->check(c.path, at_);
    for (const auto& cr : o.revocation) {
      if (cr.status == Revocation::kRevoked) {
        add(o.findings, codes::kNvidiaRevocationRevoked, Severity::kFail, origin,
            cr.subject + " (RIM chain) is revoked (" + cr.source + ": " + cr.detail + ")");
      } else if (cr.status == Revocation::kStale) {
        add(o.findings, codes::kNvidiaRevocationStale, Severity::kWarn, origin,
            cr.subject + " (RIM chain): revocation data is stale, not a current answer (" +
                cr.detail + ")");
      }
      if (cr.future && cr.status != Revocation::kRevoked) {
        add(o.findings, codes::kNvidiaRevocationFuture, Severity::kWarn, origin,
            cr.subject +
                " (RIM chain): revocation data issued after the verification time "
                "was not used (" +
                cr.detail + ")");
      }
    }
  }
  bool bad = std::any_of(o.findings.begin(), o.findings.end(),
                         [](const Finding& f) { return f.severity == Severity::kFail; });
  bool warn = std::any_of(o.findings.begin(), o.findings.end(),
                          [](const Finding& f) { return f.severity == Severity::kWarn; });
  o.status = bad ? CheckStatus::kFail : (warn ? CheckStatus::kWarn : CheckStatus::kPass);
  return rim_cache_.emplace(id, std::move(o)).first->second;
}

void Appraiser::check_rims(DeviceResult& r, const Family& fam) {
  const OpaqueData& op = *r.opaque;
  std::map<std::string, std::string> values;
  if (op.driver_version) values["DRIVER"] = *op.driver_version;
  if (op.vbios_version) values["VBIOS"] = no_dots(*op.vbios_version);
  if (op.project) values["PROJECT"] = upper(*op.project);
  if (op.project_sku) values["PROJECT_SKU"] = upper(*op.project_sku);
  if (op.chip_sku) values["CHIP_SKU"] = upper(*op.chip_sku);
  if (op.chip_info) values["CHIP_INFO"] = upper(*op.chip_info);
  struct Want {
    const char* kind;
    DeviceCheck check;
    const std::string* tmpl;
    RimOutcome* out;
    std::optional<std::string> runtime_version;
  };
  std::optional<std::string> vbios_upper =
      op.vbios_version ? std::optional<std::string>(upper(*op.vbios_version)) : std::nullopt;
  for (Want w :
       {Want{"driver", DeviceCheck::kDriverRim, &fam.driver_rim, &r.driver_rim, op.driver_version},
        Want{"vbios", DeviceCheck::kVbiosRim, &fam.vbios_rim, &r.vbios_rim, vbios_upper}}) {
    const DeviceCheck check = w.check;
    w.out->kind = w.kind;
    if (w.tmpl->empty()) {
      r.checks[check] = CheckStatus::kSkipped;
      continue;
    }
    auto id = expand_rim_id(*w.tmpl, values, r.label + " report");
    if (!id) {
      r.checks[check] = CheckStatus::kFail;
      add(r.findings, id.error().code, Severity::kFail, id.error().field, id.error().message);
      continue;
    }
    w.out->id = *id;
    if (!refs_.rims) {
      r.checks[check] = CheckStatus::kWarn;
      add(r.findings, codes::kNvidiaRimNotChecked, Severity::kWarn, r.label,
          std::string("no RIM store given (--rim-store): the ") + w.kind + " RIM " + *id +
              " and the measurements it covers were not appraised");
      continue;
    }
    *w.out = rim(w.kind, *id);
    for (const auto& f : w.out->findings) {
      Finding copy = f;
      copy.pointer = r.label + " " + w.kind + " RIM " + f.pointer;
      r.findings.push_back(std::move(copy));
    }
    CheckStatus st = w.out->status;
    if (w.out->parsed) {
      std::string want = w.runtime_version.value_or("");
      std::string have = w.out->version;
      w.out->version_ok = upper(have) == upper(want) && !want.empty();
      if (!w.out->version_ok) {
        st = CheckStatus::kFail;
        add(r.findings, codes::kNvidiaRimVersionMismatch, Severity::kFail,
            r.label + " " + w.kind + " RIM " + *id,
            "RIM colloquialVersion " + have + " but the report says " +
                (want.empty() ? "nothing" : want));
      }
    }
    if (w.out->parsed && !check_rim_identity(r, fam, w.kind, *w.out)) st = CheckStatus::kFail;
    if (st == CheckStatus::kPass && w.out->parsed && fam.rim_products.empty()) {
      st = CheckStatus::kWarn;
    }
    w.out->status = st;
    r.checks[check] = st;
  }
}

// The RIM names what it is for in signed fields; the file name (the RIM ID) is only where the
// store keeps it. A RIM copied under another RIM's ID, or one of another die or device kind,
// fails here even when its version matches.
bool Appraiser::check_rim_identity(DeviceResult& r, const Family& fam, const char* kind,
                                   RimOutcome& o) {
  const rim::Rim& rim = *o.rim;
  o.tag_id = rim.tag_id;
  o.product = rim.product;
  o.edition = rim.edition;
  std::string where = r.label + " " + kind + " RIM " + o.id;
  bool ok = true;
  if (!rim.tag_id.empty() && !digest_tag(rim.tag_id) && rim.tag_id != o.id) {
    ok = false;
    add(r.findings, codes::kNvidiaRimIdMismatch, Severity::kFail, where + " SoftwareIdentity@tagId",
        "the RIM stored as " + o.id + ".xml says it is " + rim.tag_id +
            " (SoftwareIdentity@tagId): it is another RIM");
  }
  if (!fam.rim_products.empty()) {
    std::string known;
    for (const auto& p : fam.rim_products) known += (known.empty() ? "" : " or ") + p;
    auto fits = [&](const std::string& v) {
      return std::find(fam.rim_products.begin(), fam.rim_products.end(), v) !=
             fam.rim_products.end();
    };
    for (auto [field, value] :
         {std::pair<const char*, const std::string*>{"SoftwareIdentity@name", &rim.name},
          {"Meta@product", &rim.product}}) {
      if (fits(*value)) continue;
      ok = false;
      add(r.findings, codes::kNvidiaRimProductMismatch, Severity::kFail, where + " " + field,
          std::string(field) + " is " + (value->empty() ? "absent" : "\"" + *value + "\"") +
              ", but the device's die is " + fam.die + ", whose RIMs name " + known);
    }
  } else {
    add(r.findings, codes::kNvidiaRimProductUnchecked, Severity::kWarn, where + " Meta@product",
        "no RIM of the " + fam.die + " family has been seen, so the product this RIM names (" +
            (rim.product.empty() ? std::string("none") : rim.product) +
            ") cannot be compared (firmware-profiles/nvidia/families.json rim_products)");
  }
  const char* edition = fam.kind == DeviceKind::kSwitch ? "SWITCH" : "GPU";
  if (rim.edition != edition) {
    ok = false;
    add(r.findings, codes::kNvidiaRimProductMismatch, Severity::kFail, where + " Meta@edition",
        "Meta@edition is " + (rim.edition.empty() ? std::string("absent") : rim.edition) +
            ", but the device is a " + (fam.kind == DeviceKind::kSwitch ? "switch" : "GPU") +
            " (edition " + edition + ")");
  }
  o.identity_ok = ok;
  return ok;
}

void Appraiser::check_measurements(DeviceResult& r, const Family& fam) {
  struct Golden {
    const rim::Measurement* m;
    const char* source;
  };
  std::map<unsigned, Golden> golden;
  bool conflict = false;
  bool any_rim = false;
  for (const RimOutcome* o : {&r.driver_rim, &r.vbios_rim}) {
    if (!o->rim) continue;
    any_rim = true;
    for (const auto& m : o->rim->measurements) {
      if (!m.active) continue;
      if (golden.count(m.index)) {
        conflict = true;
        add(r.findings, codes::kNvidiaRimIndexConflict, Severity::kFail, r.label,
            "index " + std::to_string(m.index) + " is active in both the driver and the VBIOS RIM");
        continue;
      }
      golden[m.index] = Golden{&m, o->kind == "driver" ? "driver" : "vbios"};
    }
  }
  if (!any_rim) {
    r.checks[DeviceCheck::kMeasurements] =
        refs_.rims ? CheckStatus::kWarn : CheckStatus::kNotRun;  // findings already say why
    return;
  }
  bool nvdec0_off = r.opaque->nvdec0_status && *r.opaque->nvdec0_status == kDisabled;
  bool fail = conflict, warn = false;
  for (const auto& [index, g] : golden) {
    if (index == kNvdec0RimIndex && nvdec0_off) {
      ++r.measurements_skipped;
      continue;
    }
    ++r.measurements_compared;
    const spdm::MeasurementBlock* b =
        index < 255 ? r.report->block(static_cast<uint8_t>(index + 1)) : nullptr;
    bool match = false;
    if (b) {
      for (const auto& alt : g.m->alternatives) match = match || alt == b->value;
    }
    if (match) {
      ++r.measurements_matched;
      continue;
    }
    Mismatch mm;
    mm.rim_index = index;
    mm.source = g.source;
    for (const auto& alt : g.m->alternatives) mm.expected.push_back(hex_encode(alt));
    mm.runtime = b ? hex_encode(b->value) : "";
    const ToleratedMismatch* tol = b ? fam.tolerates(index, g.source) : nullptr;
    std::string where =
        r.label + " report#response.MeasurementRecord[index=" + std::to_string(index + 1) + "]";
    std::string expected;
    for (const auto& e : mm.expected) expected += (expected.empty() ? "" : " or ") + e;
    if (!b) {
      fail = true;
      add(r.findings, codes::kNvidiaMeasurementMissing, Severity::kFail, where,
          std::string("the ") + g.source + " RIM expects RIM index " + std::to_string(index) +
              " (SPDM index " + std::to_string(index + 1) + ") but the report has no such block");
    } else if (tol) {
      mm.tolerated = true;
      warn = true;
      add(r.findings, codes::kNvidiaMeasurementTolerated, Severity::kWarn, where,
          "RIM index " + std::to_string(index) + " (" + g.source + "): runtime " + mm.runtime +
              ", expected " + expected + "; tolerated by the " + fam.die +
              " profile: " + tol->reason);
    } else {
      fail = true;
      add(r.findings, codes::kNvidiaMeasurementMismatch, Severity::kFail, where,
          "RIM index " + std::to_string(index) + " (SPDM index " + std::to_string(index + 1) +
              ", source " + g.source + "): runtime " + mm.runtime + ", expected " + expected);
    }
    r.mismatches.push_back(std::move(mm));
  }
  bool complete = r.driver_rim.rim || fam.driver_rim.empty();
  complete = complete && (r.vbios_rim.rim || fam.vbios_rim.empty());
  r.checks[DeviceCheck::kMeasurements] = fail                  ? CheckStatus::kFail
                                         : (warn || !complete) ? CheckStatus::kWarn
                                                               : CheckStatus::kPass;
}

void Appraiser::check_sku(DeviceResult& r, const Family& fam, const DeviceEvidence& ev) {
  const OpaqueData& op = *r.opaque;
  bool contradiction = false;
  // What the host's PCI ID (a claim) says the device is.
  std::vector<const Part*> cands;
  if (ev.pci_id) cands = refs_.registry->match(ev.pci_id->first, ev.pci_id->second, 0, 0);
  if (fam.kind == DeviceKind::kSwitch) {
    r.product = fam.name;
    r.checks[DeviceCheck::kSku] = CheckStatus::kPass;
    if (ev.pci_id &&
        (ev.pci_id->first != 0x10de || std::find(fam.pci_devices.begin(), fam.pci_devices.end(),
                                                 ev.pci_id->second) == fam.pci_devices.end())) {
      contradiction = true;
    }
  } else {
    r.sku = op.project.value_or("?") + "/" + op.project_sku.value_or("?") + "/" +
            op.chip_sku.value_or("?");
    if (op.project && op.project_sku && op.chip_sku) {
      auto [part, sku] =
          refs_.registry->find_nvidia_sku(upper(*op.project), upper(*op.project_sku), *op.chip_sku);
      r.part = part;
    }
    if (r.part) {
      r.product = r.part->name;
      r.checks[DeviceCheck::kSku] = CheckStatus::kPass;
      if (std::find(fam.registry_dies.begin(), fam.registry_dies.end(), r.part->die) ==
          fam.registry_dies.end()) {
        r.checks[DeviceCheck::kSku] = CheckStatus::kFail;
        add(r.findings, codes::kNvidiaSkuDieContradiction, Severity::kFail, r.label,
            "signed SKU " + r.sku + " names " + r.part->name + " (" + r.part->die +
                ") but the certificate die is " + fam.die);
      }
    } else {
      r.checks[DeviceCheck::kSku] = CheckStatus::kWarn;
      add(r.findings, codes::kNvidiaSkuUnknown, Severity::kWarn, r.label,
          "signed PROJECT/PROJECT_SKU/CHIP_SKU " + r.sku + " (board " +
              (op.board_id ? std::to_string(*op.board_id) : "?") + ") is not in the registry: a " +
              fam.die + " part whose product is not established");
    }
    if (ev.pci_id) {
      if (r.part) {
        contradiction = std::find(cands.begin(), cands.end(), r.part) == cands.end();
      } else {
        contradiction =
            cands.empty() || std::none_of(cands.begin(), cands.end(), [&](const Part* p) {
              return std::find(fam.registry_dies.begin(), fam.registry_dies.end(), p->die) !=
                     fam.registry_dies.end();
            });
      }
    }
  }
  if (contradiction) {
    char pci[16];
    std::snprintf(pci, sizeof pci, "%04x:%04x", ev.pci_id->first, ev.pci_id->second);
    std::string says = cands.empty() ? "an unknown device" : cands[0]->name;
    r.checks[DeviceCheck::kSku] = CheckStatus::kFail;
    add(r.findings, codes::kNvidiaSkuPciContradiction, Severity::kFail, r.label,
        std::string("PCI ID ") + pci + " says " + says + " but the signed evidence says " +
            (r.product.empty() ? fam.die + " " + r.sku : r.product));
  }
}

}  // namespace aa::nvidia
