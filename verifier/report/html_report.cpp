#include "report/html_report.h"

#include <cmath>
#include <map>
#include <optional>
#include <sstream>

#include "core/status.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "report/location_map.h"
#include "results/ear_writer.h"

namespace aa {

namespace {

const char* const kNotLegalAdvice =
    "Not legal advice. This report supports export-compliance decisions; it does not make legal "
    "conclusions. Findings cite the rule they rest on; check the current eCFR and ask counsel "
    "where a finding says so.";

// Plain-words explanations, by exact code first, then by prefix (longest first wins).
const std::map<std::string, std::string>& explanations() {
  static const std::map<std::string, std::string> m = {
      {"policy.prc-3a090-part",
       "A chip developed or produced by a company in, or headquartered in, China (Country Group "
       "D:5) or Macau that meets the ECCN 3A090 parameters. BIS's GP10 guidance of 13 May 2025 "
       "says such chips are subject to a presumption that General Prohibition 10 applies: a "
       "presumption of risk, not a finding of violation; GP10 turns on knowledge of a violation. "
       "This tool's own policy fails the device on that presumption. Refer to export counsel."},
      {"policy.prc-part-unclassified",
       "A chip designed in D:5 or Macau whose performance is not known well enough to classify. "
       "Project policy: treated as a possible GP10 risk (a warning) until it is classified."},
      {"policy.licence-missing",
       "An export-controlled accelerator is at a destination where a licence is required and BIS "
       "enforces the requirement, and the licence provided does not list it; no licence "
       "exception can apply (the finding says why)."},
      {"policy.exception-may-apply",
       "No licence lists this accelerator, but a licence exception (NAC or ACA, 15 CFR 740.8) may "
       "authorize the export instead. The finding lists what must be true; record the exception "
       "in the licence file so the verifier checks what it can."},
      {"policy.exception-ineligible",
       "The licence file says a licence exception authorizes this device, but the exception "
       "cannot reach it (its class, the destination, the end user's headquarters, an embargo or "
       "General Prohibition 10)."},
      {"policy.exception-declared",
       "The licence file says a licence exception authorizes this device and the conditions the "
       "verifier can check hold. The rest (notification, certification, reports) only the "
       "exporter's records show: the finding lists them."},
      {"policy.destination-declared",
       "No licence names the destination, so the rules ran for the site the host itself "
       "declares; nothing checked it."},
      {"policy.licence-entry-shared",
       "Several devices of this host match one licence entry. An entry licenses one device, so "
       "at most one of them is covered, and the host's identities cannot say which."},
      {"policy.licence-required-by-text",
       "The text of the EAR requires a licence for this accelerator at this destination, but BIS "
       "has said it enforces a narrower scope that does not hold this country (or, for the UAE, "
       "that approved entities have licence-free access). Record the decision; a licence "
       "exception the finding names may apply."},
      {"policy.embargoed-destination",
       "The destination is under an embargo or special control of 15 CFR part 746 (Cuba, Iran, "
       "North Korea, Syria, Russia, Belarus, Crimea and the covered regions of Ukraine): every "
       "accelerator needs a licence, whatever its class."},
      {"policy.is-informed-letter",
       "BIS informed this chip's designer by letter (April 2025) that a licence is required to "
       "export it to China (with Hong Kong and Macau) and D:5. The letter is not published in "
       "the Federal Register; its trace is the designer's own disclosure."},
      {"policy.headquarters-unchecked",
       "The end user's headquarters are not known, so the rule that requires a licence for "
       "3A090.a items anywhere outside the US for entities headquartered in D:5 or Macau could "
       "not be checked. Give a licence or --end-user-hq."},
      {"policy.headquarters-open-question",
       "Whether a licence is needed for this 3A090.b item, because its end user is headquartered "
       "in D:5 or Macau, is not settled: BIS's 2026 guidance speaks of 3A090.a; the 2023 rule may "
       "reach .b too. Refer to export counsel."},
      {"policy.region-unchecked",
       "The destination is Ukraine, but its region is not known: Crimea and the so-called DNR "
       "and LNR regions need a licence for every item (15 CFR 746.6)."},
      {"policy.stale",
       "The export rules this verifier encodes are more than 90 days older than this "
       "verification. Rules published since are not applied: check the current eCFR."},
      {"policy.licensed-device-absent",
       "A device the licence covers is not in this host: it may have been moved, diverted, "
       "replaced, or the evidence is incomplete."},
      {"policy.licence-destination-mismatch",
       "The licence names another country than the one the host declares for its site."},
      {"policy.licence-not-valid", "The licence is not valid at the time of verification."},
      {"policy.destination-unknown",
       "Neither a licence nor a declared site names the country: licence rules could not run."},
      {"policy.class-undetermined",
       "The export class of this chip is not settled: its variant is not known, a figure is not "
       "known, or another reading of the rule (BIS's technical notes) puts it in 3A090. Some of "
       "its possible classes need a licence here, so it fails until it is classified or "
       "licensed."},
      {"policy.identity-reported",
       "This device is known only from what the host reports (PCI IDs, vendor tools). "
       "Nothing cryptographic proves which chip it is, and a controlled chip would need a "
       "licence here."},
      {"pipeline.nonce-unchecked",
       "The verifier was not told which challenge it issued, so replayed evidence would not be "
       "noticed."},
      {"pipeline.nonce-mismatch", "The evidence answers another challenge: it may be replayed."},
      {"pipeline.no-tpm", "The host sent no TPM quote: its platform vouches for nothing."},
      {"pipeline.binding-untrusted",
       "The TPM quote covers the device list, but the quote is not trusted (its signature, "
       "its key's certificate or its own appraisal failed): the devices stay reported."},
      {"identify.", "What the host reports about the device, looked up in the chip registry."},
      {"nvidia.signature.invalid",
       "The GPU's signed report does not verify: the evidence was altered or is not from this "
       "device key."},
      {"nvidia.nonce.mismatch", "The GPU signed another challenge: the evidence may be replayed."},
      {"nvidia.chain.", "The GPU's certificate chain does not lead to NVIDIA's pinned root."},
      {"nvidia.rim.",
       "The reference measurements (RIMs) for the firmware were missing or could not be "
       "trusted, so the firmware could not be compared with NVIDIA's published values."},
      {"nvidia.measurement.", "Firmware measurements compared with NVIDIA's reference values."},
      {"nvidia.revocation.", "Whether NVIDIA revoked the device's certificates."},
      {"nvidia.sku.", "The chip model the GPU signed, compared with what the host reports."},
      {"nvidia.", "NVIDIA device attestation evidence."},
      {"spdm.", "The GPU's SPDM report is malformed."},
      {"tpm.ak-untrusted",
       "The TPM key that signed the quote has no certificate: it is only as good as its "
       "enrolment."},
      {"tpm.boot-state-unchecked",
       "No approved boot state (PCR policy) was given, so the software that wrote the device "
       "list in this TPM quote was not appraised."},
      {"tpm.nonce-mismatch",
       "The TPM quote does not cover this challenge and this device list: stale, or the device "
       "list was changed after the quote."},
      {"tpm.signature-invalid", "The TPM quote's signature does not verify: it was altered."},
      {"tpm.inventory-not-bound", "The TPM quote is fresh but does not cover the device list."},
      {"tpm.inventory-mismatch",
       "The TPM quote does not cover this challenge and this exact device list (binding v2): the "
       "list, a serial, a name or the evidence was changed after the quote, or it is stale."},
      {"tpm.inventory-binding-v1",
       "The TPM quote binds an older, narrower device list (binding v1) that leaves out names, "
       "serials and tool output: it vouches for none of them."},
      {"tpm.", "The host's TPM quote: its signature, freshness and measured boot state."},
      {"pipeline.duplicate-evidence",
       "The same GPU evidence (device identity, certificate or signed report) is used for more "
       "than one device slot: one physical device cannot stand for several. A device may be "
       "missing behind a copy."},
      {"pipeline.evidence-replayed",
       "The challenge this evidence answers was already used, expired or never issued: the "
       "evidence is a replay and proves nothing about the host now."},
      {"pipeline.freshness-unchecked",
       "The verifier did not issue the challenge this evidence answers, so the evidence may be "
       "old. The device is not counted as attested."},
      {"pipeline.product-unattested",
       "The GPU's signed model number is not in the chip registry: the chip die is proven, the "
       "product is not. It is classified as the most controlled product of that die."},
      {"policy.licence-match-unattested",
       "The licence entry matches only a serial or identity the host reports, not one the device "
       "proved with signed evidence: confirm the device before relying on the licence."},
      {"policy.licensed-device-unattested",
       "A device the licence covers is claimed present only by what the host reports: nothing "
       "proves it is still in this host."},
      {"location.site-contradicted",
       "Diversion signal: the delay measurements prove the device is not at the site the host "
       "declares. Investigate before relying on any other result for this device."},
      {"location.stale",
       "The location measurements are not bound to this verification's challenge: they may "
       "have been made somewhere else, earlier."},
      {"location.", "Delay-based location evidence: where the device can and cannot be."},
      {"nvidia.cc.", "The GPU's confidential-computing, developer-tools or debug state."},
  };
  return m;
}

// The CSS class of a status claim: its tier's name, "none" for no claim or an unknown text.
std::string status_class(const std::string& s) {
  return to_string(from_string<TrustTier>(s).value_or(TrustTier::kNone));
}

// A status or severity label: coloured by `cls` only on a verified page.
std::string pill(const ReportSignature& sig, const std::string& cls, const std::string& text) {
  return "<span class=\"pill " + (sig.verified ? html_escape(cls) : std::string("plain")) + "\">" +
         html_escape(text) + "</span>";
}

// A finite number, or nothing.
std::optional<double> number(const Json& v) {
  if (!v.is_number()) return std::nullopt;
  double d = v.get<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

std::string verdict_words(const std::string& s) {
  switch (from_string<TrustTier>(s).value_or(TrustTier::kNone)) {
    case TrustTier::kAffirming:
      return "Every check passed.";
    case TrustTier::kWarning:
      return "Nothing contradicts the evidence, but some checks could not be made or raised "
             "concerns.";
    case TrustTier::kContraindicated:
      return "At least one check failed. Do not rely on this host until the findings are "
             "resolved.";
    case TrustTier::kNone:
      break;
  }
  return "No verdict.";
}

std::string text_of(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) {
    std::ostringstream o;
    o << v.get<double>();
    return o.str();
  }
  if (v.is_object() && v.contains("min") && v.contains("max"))
    return text_of(v["min"]) + " – " + text_of(v["max"]);
  if (v.is_array()) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : ", ") + text_of(e);
    return s;
  }
  return v.dump();
}

const Json& member(const Json& o, const std::string& k) {
  static const Json null;
  if (!o.is_object()) return null;
  auto it = o.find(k);
  return it == o.end() ? null : *it;
}

const char* kStyle = R"(
.diversion{border:3px solid #b00020;padding:0 1em;margin:1em 0}
:root{--ok:#1b7f3b;--warn:#a15c00;--bad:#b3261e;--ink:#1d1d1f;--mute:#5f6368;--line:#d9dce1}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;padding:24px;max-width:1200px;margin:auto}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.verdict{border-radius:8px;padding:16px 20px;margin:16px 0;color:#fff}.verdict b{font-size:24px;text-transform:uppercase;letter-spacing:.04em;display:block}
.verdict.affirming{background:var(--ok)}.verdict.warning{background:var(--warn)}.verdict.contraindicated{background:var(--bad)}.verdict.none{background:var(--mute)}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f3f4f6;font-weight:600}td.addr{white-space:nowrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}td.mono,span.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all}
.pill{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12.5px;font-weight:600;color:#fff}
.pill.affirming,.pill.info{background:var(--ok)}.pill.warning,.pill.warn{background:var(--warn)}.pill.contraindicated,.pill.fail{background:var(--bad)}.pill.none{background:var(--mute)}
.pill.plain{color:var(--ink);border:1px solid var(--line);font-weight:400}
.verdict.unverified{color:var(--ink);background:none;border:3px dashed var(--ink)}
code.cmd{display:block;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;background:#f3f4f6;padding:6px 8px;word-break:break-all}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:var(--mute)}dd{margin:0}
.explain{color:var(--mute);font-size:13px}.sig-ok{color:var(--ok);font-weight:600}.sig-no{color:var(--bad);font-weight:600}
@media print{body{padding:0;font-size:11pt}.verdict{color:#000;border:3px solid #000;background:none!important}
.pill{color:#000;border:1px solid #000;background:none!important}tr,dl,.verdict{break-inside:avoid}h2{break-after:avoid}}
)";

void page_head(std::ostringstream& h, const std::string& title, const std::string& heading,
               const std::string& subtitle, const std::string& status, const ReportSignature& sig) {
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
    << "<title>" << (sig.verified ? "" : "UNVERIFIED ") << html_escape(title) << "</title><style>"
    << kStyle << "</style></head><body>\n";
  h << "<h1>" << html_escape(heading) << "</h1><div class=\"explain\">"
    << (sig.verified ? "" : "as the unverified token claims: ") << html_escape(subtitle)
    << "</div>\n";
  if (!sig.verified) {
    h << "<div class=\"verdict unverified\" id=\"verdict\"><b>UNVERIFIED</b>"
      << "Nothing on this page is a verdict: the signature and claims of this result were not "
         "verified. It claims the status &ldquo;"
      << html_escape(status.empty() ? "(none)" : status)
      << "&rdquo;; verify it with the command under Signature before acting on it.</div>\n";
    return;
  }
  h << "<div class=\"verdict " << status_class(status) << "\" id=\"verdict\"><b>"
    << html_escape(status) << "</b>" << html_escape(verdict_words(status)) << "</div>\n";
}

void signature_section(std::ostringstream& h, const Json& claims, const ReportSignature& sig) {
  auto row = [&](const char* k, const std::string& v, const char* id = nullptr) {
    if (v.empty()) return;
    h << "<dt>" << k << "</dt><dd";
    if (id) h << " id=\"" << id << "\"";
    h << ">" << v << "</dd>";
  };
  auto e = [](const Json& v) { return html_escape(text_of(v)); };
  auto mono = [](const std::string& v) {
    return v.empty() ? v : "<span class=\"mono\">" + html_escape(v) + "</span>";
  };
  h << "<h2>Signature</h2><dl id=\"signature\">";
  row("Status",
      sig.verified ? "<span class=\"sig-ok\">verified by this report with the key below: ES256 "
                     "signature, kid, EAR claims and times (checked at " +
                         html_escape(sig.checked_at) + ")</span>"
                   : "<span class=\"sig-no\">UNVERIFIED: rendered with --unverified; neither the "
                     "signature nor the claims were checked</span>",
      "sig-status");
  row("Algorithm", html_escape(sig.alg) + (sig.verified ? "" : " (as the header claims)"));
  row(sig.verified ? "Key ID (kid)" : "Key ID (kid) the header names", mono(sig.kid), "sig-kid");
  row("Key thumbprint (RFC 7638, SHA-256)",
      sig.verified ? mono(sig.thumbprint) : std::string("none: no key was used"), "sig-thumbprint");
  if (sig.jwk)
    row("Public key (JWK)", "<span class=\"mono\">" + html_escape(sig.jwk->dump()) + "</span>");
  row("Token SHA-256", mono(sig.token_sha256));
  if (!sig.reverify.empty()) {
    row("Re-verify with",
        "<code class=\"cmd\" id=\"reverify\">" + html_escape(sig.reverify) +
            "</code><div class=\"explain\">exit 0 only when the signature, the claims and the "
            "times verify and the status is affirming (add <code>--require warning</code> to "
            "accept warning)</div>");
  }
  const Json& vid = member(claims, "ear_verifier_id");
  row("Verifier", e(member(vid, "developer")) + ", build " + e(member(vid, "build")));
  row("Profile", e(member(claims, "eat_profile")));
  h << "</dl>\n</body></html>\n";
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string explain_finding(const std::string& code) {
  const auto& m = explanations();
  auto it = m.find(code);
  if (it != m.end()) return it->second;
  std::string best;
  for (const auto& [k, v] : m) {
    if (k.back() == '.' && code.rfind(k, 0) == 0 && k.size() > best.size()) best = k;
  }
  return best.empty() ? "See docs/findings.md." : m.at(best);
}

std::string render_html_report(const Json& claims, const ReportSignature& sig) {
  const std::string ext = ear::kExtPrefix;
  const Json& ver = member(claims, ext + "verification");
  const Json& subs = member(claims, "submods");
  const Json& host = member(member(subs, "host"), ext + "host");
  const std::string status = text_of(member(claims, "ear_status"));
  auto e = [](const Json& v) { return html_escape(text_of(v)); };

  std::ostringstream h;
  page_head(
      h, "accel-attest report: " + text_of(member(host, "name")), "Accelerator attestation report",
      "host " + text_of(member(host, "name")) + ", verified " + text_of(member(ver, "verified_at")),
      status, sig);

  h << "<h2>Host and scope</h2><dl>";
  auto row = [&](const char* k, const std::string& v) {
    if (!v.empty()) h << "<dt>" << k << "</dt><dd>" << v << "</dd>";
  };
  row("Host", e(member(host, "name")));
  row("Declared site", e(member(host, "declared_site")));
  row("Destination", e(member(ver, "destination")));
  row("Licence", e(member(ver, "licence")));
  row("Evidence collected", e(member(ver, "collected_at")));
  row("Verified at", e(member(ver, "verified_at")));
  for (const char* t : {"iat", "exp"}) {
    const Json& v = member(claims, t);
    if (v.is_number_integer()) {
      row(std::string_view(t) == "iat" ? "Result issued" : "Result valid until",
          x509::rfc3339(static_cast<std::time_t>(v.get<long long>())));
    }
  }
  const std::string host_status = text_of(member(member(subs, "host"), "ear_status"));
  row("Host status", pill(sig, status_class(host_status), host_status));
  row("Inventory bound to TPM quote", member(host, "inventory_bound") == true ? "yes" : "no");
  row("Export rules", "eCFR issue " + e(member(ver, "ecfr_date")));
  row("End user headquarters", e(member(ver, "end_user_hq")));
  h << "</dl>\n";
  h << "<p class=\"disclaimer\">" << html_escape(kNotLegalAdvice) << "</p>\n";

  // Diversion signals first: a device whose location evidence contradicts the declared site.
  std::vector<std::string> diverted;
  for (const auto& [label, a] : subs.items()) {
    if (label == "host") continue;
    if (member(member(member(a, ext + "device"), "location"), "site_contradicted") == true)
      diverted.push_back(label);
  }
  if (!diverted.empty()) {
    // Coloured only on a verified page: an unverified one shows no verdict colour at all.
    h << "<section id=\"diversion\"" << (sig.verified ? " class=\"diversion\"" : "")
      << "><h2>Diversion signal</h2><p>" << (sig.verified ? "" : "The unverified result claims: ")
      << "The location evidence of ";
    for (size_t i = 0; i < diverted.size(); ++i)
      h << (i ? ", " : "") << "<span class=\"mono\">" << html_escape(diverted[i]) << "</span>";
    h << " proves the device is not at the declared site (" << e(member(host, "declared_site"))
      << "): <span class=\"mono\">location.site-contradicted</span>.</p></section>\n";
  }

  h << "<h2>Devices</h2><table id=\"devices\"><thead><tr><th>Address</th><th>Family</th>"
    << "<th>Name</th><th>Serial / UEID</th><th>3A090 class</th><th>Assurance</th><th>Status</th>"
    << "</tr></thead><tbody>\n";
  size_t n_devices = 0;
  for (const auto& [label, a] : subs.items()) {
    if (label == "host") continue;
    const Json& d = member(a, ext + "device");
    // The identity with where it comes from: an attested UEID is the device's identity; a
    // serial (or a UEID of evidence that did not attest) is only what the host reports.
    auto labelled = [&](const char* what, const char* source_member) {
      const std::string v = text_of(member(d, what));
      if (v.empty()) return std::string();
      std::string src = text_of(member(d, source_member));
      if (src.empty()) src = to_string(Assurance::kReported);
      return html_escape(std::string(what) == "ueid" ? "UEID " : "serial ") + html_escape(v) +
             " <span class=\"src\">(" + html_escape(src) + ")</span>";
    };
    std::string id = labelled("ueid", "ueid_source");
    const std::string serial = labelled("serial", "serial_source");
    if (!serial.empty()) id += (id.empty() ? "" : "<br>") + serial;
    if (id.empty()) id = "—";
    const std::string st = text_of(member(a, "ear_status"));
    h << "<tr class=\"device\"><td class=\"addr\">" << html_escape(label) << "</td><td>"
      << e(member(d, "chip_family")) << "</td><td>" << e(member(d, "marketing_name"))
      << "</td><td class=\"mono\">" << id << "</td><td>" << e(member(d, "eccn_3a090"))
      << (member(d, "outside_3a090").is_string()
              ? "<br>outside 3A090: " + e(member(d, "outside_3a090"))
              : std::string())
      << "</td><td>" << e(member(d, "identity_assurance")) << "</td><td>"
      << pill(sig, status_class(st), st) << "</td></tr>\n";
    ++n_devices;
  }
  if (n_devices == 0) h << "<tr><td colspan=\"7\">No accelerator in the bundle.</td></tr>";
  h << "</tbody></table>\n";

  h << "<h2>Findings</h2><table id=\"findings\"><thead><tr><th>Where</th><th>Severity</th>"
    << "<th>Code</th><th>What it says, and what it means</th></tr></thead><tbody>\n";
  size_t n_findings = 0;
  for (const auto& [label, a] : subs.items()) {
    const Json& x = member(a, ext + (label == "host" ? "host" : "device"));
    for (const auto& f : member(x, "findings")) {
      const std::string code = text_of(member(f, "code"));
      const std::string sev = text_of(member(f, "severity"));
      h << "<tr class=\"finding\"><td class=\"addr\">" << html_escape(label) << "</td><td>"
        << pill(sig, sev, sev) << "</td><td class=\"mono\">" << html_escape(code) << "</td><td>"
        << e(member(f, "message")) << "<div class=\"explain\">"
        << html_escape(explain_finding(code)) << "</div></td></tr>\n";
      ++n_findings;
    }
  }
  if (n_findings == 0) h << "<tr><td colspan=\"4\">No finding.</td></tr>";
  h << "</tbody></table>\n";

  h << "<h2>Evidence and reference digests (SHA-256)</h2><table id=\"digests\"><tbody>";
  auto digest = [&](const std::string& what, const Json& v) {
    if (!v.is_null())
      h << "<tr><td>" << html_escape(what) << "</td><td class=\"mono\">" << e(v) << "</td></tr>";
  };
  digest("Evidence bundle", member(ver, "bundle_sha256"));
  digest("Chip registry and country groups", member(ver, "registry_sha256"));
  digest("Export policy", member(ver, "policy_sha256"));
  digest("Licence file", member(ver, "licence_sha256"));
  digest("Accelerator inventory digest (what the TPM quote must bind)",
         member(host, "inventory_digest"));
  digest("TPM attestation key name", member(host, "ak_name"));
  for (const auto& [label, a] : subs.items()) {
    if (label != "host")
      digest("Device evidence " + label, member(member(a, ext + "device"), "evidence_sha256"));
  }
  digest("Challenge nonce (base64url)", member(claims, "eat_nonce"));
  h << "</tbody></table>\n";

  signature_section(h, claims, sig);
  return h.str();
}

std::string render_location_report(const Json& claims, const ReportSignature& sig,
                                   const location::Boundaries& boundaries,
                                   const std::set<std::string>& restricted) {
  const std::string ext = ear::ext("location");
  const Json& subs = member(claims, "submods");
  const Json& host = member(claims, ear::ext("host"));
  const std::string status = text_of(member(claims, "ear_status"));
  auto e = [](const Json& v) { return html_escape(text_of(v)); };
  std::ostringstream h;
  page_head(h, "accel-attest location: " + text_of(member(host, "name")),
            "Device location attestation",
            "host " + text_of(member(host, "name")) + ", verified " +
                text_of(member(host, "verified_at")),
            status, sig);
  h << "<p class=\"explain\">A landmark at a surveyed position timed how long each device took "
       "to sign fresh nonces. Nothing travels faster than light, so a device is within "
       "c &times; (minimum RTT &minus; minimum processing time) / 2 of the landmark: the circles "
       "below. Delay proves closeness to a landmark, never distance from one.</p>";
  h << "<h2>Devices</h2><table id=\"devices\"><thead><tr><th>Device</th><th>Bound to</th>"
    << "<th>Verdict</th><th>Landmarks</th><th>Min RTT</th><th>Radius at c</th><th>Status</th>"
    << "</tr></thead><tbody>\n";
  for (const auto& [label, a] : subs.items()) {
    const Json& x = member(a, ext);
    std::string ids, rtts, radii;
    for (const auto& l : member(x, "landmarks")) {
      auto rtt = number(member(l, "rtt_min_ms"));
      auto radius = number(member(l, "radius_km_at_c"));
      ids += (ids.empty() ? "" : ", ") + text_of(member(l, "id"));
      rtts += (rtts.empty() ? "" : ", ") + (rtt ? fixed(*rtt, 3) + " ms" : std::string("?"));
      radii +=
          (radii.empty() ? "" : ", ") + (radius ? fixed(*radius, 1) + " km" : std::string("?"));
    }
    const std::string st = text_of(member(a, "ear_status"));
    h << "<tr class=\"device\"><td class=\"addr\">" << html_escape(label)
      << "</td><td class=\"mono\">" << e(member(x, "device_identity")) << "</td><td><b>"
      << e(member(x, "verdict")) << "</b></td><td>" << html_escape(ids) << "</td><td>"
      << html_escape(rtts) << "</td><td>" << html_escape(radii) << "</td><td>"
      << pill(sig, status_class(st), st) << "</td></tr>\n";
  }
  h << "</tbody></table>\n";
  for (const auto& [label, a] : subs.items()) {
    const Json& x = member(a, ext);
    std::vector<location::Cap> caps;
    for (const auto& l : member(x, "landmarks")) {
      if (member(l, "used") != true) continue;
      auto lat = number(member(l, "lat")), lon = number(member(l, "lon"));
      auto radius = number(member(l, "radius_km_at_c"));
      // Only caps that can be drawn: a position on the globe, a radius up to half its girth.
      if (!lat || !lon || !radius || std::abs(*lat) > 90 || std::abs(*lon) > 180 || *radius < 0 ||
          *radius > 20040) {
        continue;
      }
      caps.push_back({text_of(member(l, "id")), {*lat, *lon}, *radius});
    }
    h << "<h2>Map: " << html_escape(label) << "</h2>";
    if (caps.empty()) {
      h << "<p>No landmark measurement could be used.</p>";
    } else {
      h << svg_map(caps, boundaries, restricted, {})
        << "<div class=\"explain\">Blue: where the device can be according to each landmark "
           "(the feasible region is where all circles overlap). Red: restricted countries. "
           "Boundaries: Natural Earth, "
        << e(member(member(x, "boundaries"), "version")) << ", margin " << e(member(x, "margin_km"))
        << " km.</div>";
    }
  }
  h << "<h2>Findings</h2><table id=\"findings\"><tbody>";
  size_t n = 0;
  for (const auto& [label, a] : subs.items()) {
    for (const auto& f : member(member(a, ext), "findings")) {
      const std::string sev = text_of(member(f, "severity"));
      h << "<tr class=\"finding\"><td class=\"addr\">" << html_escape(label) << "</td><td>"
        << pill(sig, sev, sev) << "</td><td class=\"mono\">" << e(member(f, "code")) << "</td><td>"
        << e(member(f, "message")) << "</td></tr>";
      ++n;
    }
  }
  if (n == 0) h << "<tr><td>No finding.</td></tr>";
  h << "</tbody></table>\n<h2>Reference data</h2><dl><dt>Boundaries</dt><dd>"
    << html_escape(boundaries.version()) << ", SHA-256 <span class=\"mono\">"
    << html_escape(boundaries.sha256()) << "</span></dd><dt>Speed assumed</dt><dd>c = 299,792 km/s "
    << "(exclusion); 2/3 c shown for estimates only</dd></dl>\n";
  signature_section(h, claims, sig);
  return h.str();
}

}  // namespace aa
