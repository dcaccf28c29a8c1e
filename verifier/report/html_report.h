// The audit report: one self-contained HTML page for a signed result (no script, no external
// asset), for a person who has to act on it or file it.
//
// Contract: render_html_report() is a pure function of the token's claims and what is known of
// its signature. Every value from the token is HTML-escaped. The page shows, in order: the
// verdict; the host, site, destination, licence and times; one row per device (family, name,
// serial or UEID, 3A090 class, assurance level, status); every finding with its code,
// severity and an explanation of what the code means; evidence and reference digests; the key
// that signed the result (kid, RFC 7638 thumbprint, JWK), whether this report verified it, and
// the command that re-verifies it. Print styles keep tables whole and drop colours to borders.
// Every accessor of the claims checks the type first: any JSON object renders (unknown or
// mistyped members are shown as absent), nothing throws.
#pragma once

#include <optional>
#include <string>

#include <set>

#include "core/json.h"
#include "location/boundaries.h"

namespace aa {

// What the page says about the signature. When `verified` is false the page is marked
// UNVERIFIED throughout: the banner says so instead of giving a verdict, and no status or
// severity is coloured anywhere (an unverified claim must not look like a verdict).
struct ReportSignature {
  bool verified = false;               // the token was verified (results/token.h) with `jwk`
  std::string kid, alg, token_sha256;  // kid and alg: as the header names them
  std::optional<Json> jwk;             // the verifying public key
  std::string thumbprint;              // its RFC 7638 thumbprint
  std::string checked_at;              // RFC 3339 time the claims' times were checked at
  std::string reverify;                // the command line that re-verifies the token
};

std::string render_html_report(const Json& claims, const ReportSignature& sig);

// The page for a signed location attestation (profile tag:accel-attest.example,2026:location#1):
// the verdict first, a row per device (identity bound, verdict, landmarks, minimum RTT, radius),
// the SVG map (report/location_map.h) per device, the findings explained, and the boundary data.
std::string render_location_report(const Json& claims, const ReportSignature& sig,
                                   const location::Boundaries& boundaries,
                                   const std::set<std::string>& restricted);

// The plain-words meaning of a finding code (by code, else by its prefix).
std::string explain_finding(const std::string& code);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view s);

}  // namespace aa
