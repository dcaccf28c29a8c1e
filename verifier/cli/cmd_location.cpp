// accel-attest location: what delay measurements prove about where a device is.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <openssl/pem.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/commands.h"
#include "collect/nvml_gpu.h"
#include "core/file_out.h"
#include "core/json.h"
#include "core/json_text.h"
#include "core/terminal.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "location/appraise.h"
#include "location/attestation.h"
#include "location/boundaries.h"
#include "location/session.h"
#include "location/verdict.h"
#include "nvidia/roots.h"
#include "policy/export_policy.h"
#include "results/ear.h"
#include "results/jose.h"

namespace aa::cli {

namespace {

struct BoundOptions {
  std::vector<std::string> landmarks;
  std::vector<double> rtts_ms;
  double proc_ms = 0;
  std::vector<std::string> restricted, allowed;
  bool json = false;
};

Result<location::LatLon> parse_lat_lon(const std::string& s, const std::string& field) {
  size_t comma = s.find(',');
  char* end = nullptr;
  location::LatLon p;
  if (comma != std::string::npos) {
    std::string a = s.substr(0, comma), b = s.substr(comma + 1);
    p.lat = std::strtod(a.c_str(), &end);
    bool ok = !a.empty() && *end == '\0';
    p.lon = std::strtod(b.c_str(), &end);
    ok = ok && !b.empty() && *end == '\0';
    if (ok && (!std::isfinite(p.lat) || !std::isfinite(p.lon))) {
      return make_error("input.not-finite", field, "not a finite LAT,LON: " + printable(s));
    }
    if (ok && p.lat >= -90 && p.lat <= 90 && p.lon >= -180 && p.lon <= 180) return p;
  }
  return make_error("input.bad-value", field, "expected LAT,LON in degrees, got " + printable(s));
}

}  // namespace

Result<std::set<std::string>> country_set(const std::vector<std::string>& given,
                                          const location::Boundaries& b, const char* option) {
  std::set<std::string> out;
  for (const auto& c : given) {
    if (!b.find(c)) {
      return make_error("input.bad-value", option,
                        printable(c) + " is not an ISO 3166-1 alpha-2 code with boundary data");
    }
    out.insert(c);
  }
  return out;
}

Result<std::set<std::string>> default_restricted_locations(Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return make_error("input.bad-value", "registry", "the registry did not load");
  AA_TRY(policy, load_export_policy(ctx.profiles() + "/policy/export-policy.json", *reg));
  return policy.restricted_locations.members(reg->country_groups());
}

namespace {

// --restricted (default: the policy's) and --allowed.
struct CountrySets {
  std::set<std::string> restricted, allowed;
};

Result<CountrySets> country_sets(Context& ctx, const location::Boundaries& b,
                                 const std::vector<std::string>& restricted,
                                 const std::vector<std::string>& allowed) {
  CountrySets out;
  if (restricted.empty()) {
    AA_TRY(r, default_restricted_locations(ctx));
    out.restricted = std::move(r);
  } else {
    AA_TRY(r, country_set(restricted, b, "--restricted"));
    out.restricted = std::move(r);
  }
  AA_TRY(a, country_set(allowed, b, "--allowed"));
  out.allowed = std::move(a);
  return out;
}

std::string km(double v) {
  return std::isfinite(v) ? fixed(v, 1) : std::string("inf");
}

int run_bound(const BoundOptions& o, Context& ctx) {
  if (o.landmarks.size() != o.rtts_ms.size()) {
    return fail(make_error("input.bad-value", "--rtt-ms", "one --rtt-ms for each --landmark"));
  }
  if (o.proc_ms < 0 ||
      std::any_of(o.rtts_ms.begin(), o.rtts_ms.end(), [](double t) { return t < 0; })) {
    return fail(make_error("input.bad-value", "--rtt-ms", "times are non-negative milliseconds"));
  }
  std::vector<location::Cap> caps;
  for (size_t i = 0; i < o.landmarks.size(); ++i) {
    auto p = parse_lat_lon(o.landmarks[i], "--landmark");
    if (!p) return fail(p.error());
    caps.push_back({"landmark " + std::to_string(i + 1), *p,
                    location::bound_km(o.rtts_ms[i], o.proc_ms, location::kSpeedOfLightKmPerMs)});
  }
  auto b = location::Boundaries::load(ctx.profiles());
  if (!b) return fail(b.error());
  auto sets = country_sets(ctx, *b, o.restricted, o.allowed);
  if (!sets) return fail(sets.error());
  location::Verdict v = location::decide(*b, caps, sets->restricted, sets->allowed);
  Json per = Json::array();
  for (size_t i = 0; i < caps.size(); ++i) {
    const auto& c = v.caps[i];
    const location::LatLon p = caps[i].centre;
    const double rtt = o.rtts_ms[i], r_c = caps[i].radius_km;
    const double r_f = location::bound_km(rtt, o.proc_ms, location::kFibreKmPerMs);
    const double exclude_ms = location::rtt_to_exclude_ms(
        std::max(0.0, c.restricted_lower_bound_km), o.proc_ms, location::kSpeedOfLightKmPerMs);
    per.push_back({{"landmark", {{"lat", p.lat}, {"lon", p.lon}, {"country", c.centre_country}}},
                   {"rtt_ms", rtt},
                   {"proc_min_ms", o.proc_ms},
                   {"radius_km_at_c", r_c},
                   {"radius_km_at_two_thirds_c", r_f},
                   {"margin_km", v.margin_km},
                   {"nearest_restricted",
                    {{"country", c.nearest_restricted.code},
                     {"lat", c.nearest_restricted.point.lat},
                     {"lon", c.nearest_restricted.point.lon},
                     {"km", c.nearest_restricted.km}}},
                   {"restricted_distance_lower_bound_km", c.restricted_lower_bound_km},
                   {"rtt_to_exclude_restricted_ms", exclude_ms},
                   {"touching_restricted", c.touching_restricted},
                   {"touching_other", c.touching_other}});
    if (o.json) continue;
    std::cout << "landmark " << fixed(p.lat, 4) << "," << fixed(p.lon, 4) << " ("
              << (c.centre_country.empty() ? "at sea" : c.centre_country) << "), RTT " << rtt
              << " ms, minimum processing " << o.proc_ms << " ms\n"
              << "  radius at c:      " << km(r_c) << " km (bound used for verdicts)\n"
              << "  radius at 2/3 c:  " << km(r_f) << " km (estimate only)\n"
              << "  nearest restricted point: " << c.nearest_restricted.code << " at "
              << fixed(c.nearest_restricted.point.lat, 4) << ","
              << fixed(c.nearest_restricted.point.lon, 4) << ", " << km(c.nearest_restricted.km)
              << " km (boundary distance >= " << km(c.restricted_lower_bound_km) << " km after the "
              << km(v.margin_km) << " km data margin)\n"
              << (c.restricted_lower_bound_km > 0
                      ? "  an RTT under " + fixed(exclude_ms, 2) +
                            " ms from here would exclude every restricted country\n"
                      : std::string("  no RTT from here can exclude the restricted countries: "
                                    "they are within the data margin\n"));
    if (!c.touching_restricted.empty())
      std::cout << "  the cap may reach restricted " << c.touching_restricted << "\n";
    if (!sets->allowed.empty() && !c.touching_other.empty())
      std::cout << "  the cap may reach " << c.touching_other << ", which is not allowed\n";
  }
  const auto& r = v.region;
  if (r.used && !o.json) {
    std::cout << "together (the intersection of the " << caps.size() << " caps): ";
    if (r.empty) {
      std::cout << "empty: the measurements contradict each other\n";
    } else {
      std::cout << (r.misses_restricted ? "misses every restricted country"
                                        : "may reach restricted " + r.touching_restricted);
      if (!sets->allowed.empty())
        std::cout << (r.inside_allowed           ? "; only allowed land"
                      : r.touching_other.empty() ? "; reaches no allowed land"
                                                 : "; may reach " + r.touching_other);
      std::cout << "\n";
    }
  }
  Json boundaries = {{"version", b->version()}, {"sha256", b->sha256()}};
  if (o.json) {
    Json j;
    if (caps.size() == 1) {
      j = per[0];
    } else {
      j = {{"landmarks", per}, {"region", location::region_json(r)}};
    }
    j["schema"] = document("location-bound")["schema"];
    j["verdict"] = v.verdict;
    j["boundaries"] = boundaries;
    std::cout << json_text(j, 2) << "\n";
  } else {
    std::cout << "verdict: " << v.verdict << "  (boundaries " << b->version() << ", sha256 "
              << b->sha256() << ")\n";
  }
  return v.verdict == "indeterminate" ? 1 : 0;
}

// A socket that closes itself.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

struct LandmarkOptions {
  std::string key, id, listen, out;
  double lat = 0, lon = 0;
  unsigned probes = 5, sessions = 0;
};

int run_enrol(const LandmarkOptions& o) {
  auto key = load_signing_key(o.key);
  if (!key) return fail(key.error());
  const std::string kid = jose::thumbprint(key->get());
  Json j = {{"id", o.id},
            {"lat", o.lat},
            {"lon", o.lon},
            {"jwk", jose::public_jwk(key->get(), kid)},
            {"note", "trusted landmark: a surveyed position and its timing-record key"}};
  if (auto s = write_file_atomic(o.out, json_text(j, 1) + "\n"); !s) return fail(s.error());
  std::cout << "landmark " << terminal_safe(o.id) << " (kid " << kid << ") written to "
            << terminal_safe(o.out) << "\n";
  return 0;
}

int run_serve(const LandmarkOptions& o) {
  auto key = load_signing_key(o.key);
  if (!key) return fail(key.error());
  const std::string kid = jose::thumbprint(key->get());
  auto lfd = location::listen_tcp(o.listen);
  if (!lfd) return fail(lfd.error());
  Fd listener(*lfd);
  location::LandmarkConfig cfg{o.id, {o.lat, o.lon}, o.probes, 10000};
  std::cout << "landmark " << o.id << " listening on " << o.listen << std::endl;
  for (unsigned n = 0; o.sessions == 0 || n < o.sessions; ++n) {
    Fd conn(::accept(listener.get(), nullptr, nullptr));
    if (conn.get() < 0) continue;
    auto rec = location::serve_session(conn.get(), cfg, key->get(), kid);
    if (!rec) {
      std::cerr << "session " << n + 1 << ": " << terminal_safe(rec.error().to_string())
                << std::endl;
      continue;
    }
    std::cout << "session " << n + 1 << ": record signed (" << rec->size() << " bytes)"
              << std::endl;
  }
  return 0;
}

struct RespondOptions {
  std::vector<std::string> connect;
  std::string device, device_key, device_chain, out, challenge;
  bool nvml = false;
  std::string nvml_library = nvidia::kDefaultNvmlLibrary;
  double extra_delay_ms = 0;
};

int run_respond(const RespondOptions& o) {
  // Before any landmark session is spent.
  if (auto s = check_writable(o.out, "--out"); !s) return fail(s.error());
  location::LocationEvidence ev;
  ev.device = o.device;
  location::Responder r;
  r.device = o.device;
  r.extra_delay_ms = o.extra_delay_ms;
  if (!o.challenge.empty()) {
    auto ch =
        parse_nonce(o.challenge, "--challenge", location::kMinChallenge, location::kMaxChallenge);
    if (!ch) return fail(ch.error());
    r.challenge = std::move(*ch);
  }
  ossl::PKey key;
  std::unique_ptr<nvidia::NvmlGpu> gpu;
  if (o.nvml) {
    // A real GPU: each probe nonce goes into an SPDM GET_MEASUREMENTS report through NVML.
    auto g = nvidia::NvmlGpu::open(o.nvml_library, o.device);
    if (!g) return fail(g.error());
    gpu = std::move(*g);
    auto chain = gpu->certificate_chain_pem();
    if (!chain) return fail(chain.error());
    ev.scheme = "nvidia-spdm";
    ev.chain_pem = std::move(*chain);
    const nvidia::NvmlGpu* dev = gpu.get();
    r.answer = [dev](const std::string&, ByteView nonce) { return dev->attestation_report(nonce); };
  } else {
    if (o.device_key.empty() || o.device_chain.empty()) {
      return fail(make_error("input.bad-value", "--device-key",
                             "a simulated device needs --device-key and --device-chain; a real "
                             "NVIDIA GPU needs --nvml"));
    }
    auto pem = read_file(o.device_key, 1u << 16);
    if (!pem) return fail(pem.error());
    ossl::Bio bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC ||
        EVP_PKEY_get_bits(key.get()) != 384) {
      return fail(make_error("input.bad-value", o.device_key, "not a PEM EC P-384 private key"));
    }
    auto chain = read_file(o.device_chain, 1u << 20);
    if (!chain) return fail(chain.error());
    ev.chain_pem = std::move(*chain);
    EVP_PKEY* k = key.get();
    r.answer = [k](const std::string& landmark, ByteView nonce) -> Result<Bytes> {
      return x509::sign_ecdsa_raw(k, EVP_sha384(), location::probe_message(landmark, nonce), 48);
    };
  }
  for (const auto& addr : o.connect) {
    auto fd = location::connect_tcp(addr, 10000);
    if (!fd) return fail(fd.error());
    Fd conn(*fd);
    auto le = location::respond_session(conn.get(), r);
    if (!le) return fail(le.error());
    std::cout << "landmark " << addr << ": " << le->responses.size() << " probes answered\n";
    ev.landmarks.push_back(std::move(*le));
  }
  if (auto s = write_file_atomic(o.out, json_text(location::location_evidence_json(ev), 1) + "\n");
      !s)
    return fail(s.error());
  std::cout << "location evidence (" << ev.scheme << ") written to " << o.out << "\n";
  return 0;
}

struct LocVerifyOptions {
  std::vector<std::string> evidence, restricted, allowed;
  std::string device_root, landmarks, key, out, time, host = "host", nonce, site_country, site;
  double proc_ms = -1;
  long ttl = 86400;
  bool json = false;
  std::string fail_on = "fail";
};

int run_loc_verify(const LocVerifyOptions& o, Context& ctx, const std::string& build) {
  if (auto s = check_writable(o.out, "--out"); !s) return fail(s.error());
  auto b = location::Boundaries::load(ctx.profiles());
  if (!b) return fail(b.error());
  auto lms = location::load_landmarks(o.landmarks);
  if (!lms) return fail(lms.error());
  ossl::X509Ptr given_root;
  if (!o.device_root.empty()) {
    auto root = read_cert(o.device_root);
    if (!root) return fail(root.error());
    given_root = std::move(*root);
  }
  auto key = load_signing_key(o.key);
  if (!key) return fail(key.error());
  auto at = verification_time(o.time);
  if (!at) return fail(at.error());
  auto sets = country_sets(ctx, *b, o.restricted, o.allowed);
  if (!sets) return fail(sets.error());
  auto times = location::load_processing_times(ctx.profiles());
  if (!times) return fail(times.error());
  std::optional<Bytes> nonce;
  if (!o.nonce.empty()) {
    auto n = parse_nonce(o.nonce, "--nonce", location::kMinChallenge, location::kMaxChallenge);
    if (!n) return fail(n.error());
    nonce = std::move(*n);
  }
  std::optional<location::LatLon> site;
  if (!o.site.empty()) {
    auto p = parse_lat_lon(o.site, "--site");
    if (!p) return fail(p.error());
    site = *p;
  }
  if (!o.site_country.empty() && !b->find(o.site_country)) {
    return fail(make_error(
        "input.bad-value", "--site-country",
        printable(o.site_country) + " is not an ISO 3166-1 alpha-2 code with boundary data"));
  }
  // Every file's evidence, grouped by device: one device's entries are judged as one set.
  std::vector<location::LocationEvidence> all;
  for (const auto& path : o.evidence) {
    auto text = read_file(path, 4u << 20);
    if (!text) return fail(text.error());
    auto ev = location::parse_location_evidence(*text, path);
    if (!ev) return fail(ev.error());
    if (ev->scheme != "nvidia-spdm" && !given_root) {
      return fail(make_error("input.bad-value", "--device-root",
                             path + ": a simulated device's evidence needs --device-root"));
    }
    all.push_back(std::move(*ev));
  }
  std::vector<std::string> order;
  std::map<std::string, std::vector<const location::LocationEvidence*>> by_device;
  for (const auto& ev : all) {
    auto [it, fresh] = by_device.try_emplace(ev.device);
    if (fresh) order.push_back(ev.device);
    it->second.push_back(&ev);
  }
  std::vector<location::LocationResult> results;
  for (const auto& label : order) {
    const location::LocationEvidence& ev = *by_device[label].front();
    // A GPU's NVML chain reaches NVIDIA's pinned device identity root; a simulated device's
    // reaches the root the caller names. The first entry's chain names the device key.
    const bool nvidia = ev.scheme == "nvidia-spdm";
    const X509* root = given_root ? given_root.get() : nvidia::pinned_device_root();
    location::LocationReferences refs;
    refs.boundaries = &*b;
    refs.landmarks = &*lms;
    refs.restricted = sets->restricted;
    refs.allowed = sets->allowed;
    refs.at = *at;
    refs.expected_nonce = nonce;
    if (!o.site_country.empty()) refs.site_country = o.site_country;
    refs.site_position = site;
    auto id = location::chain_device_identity(ev.chain_pem, root, *at);
    refs.proc_min_ms =
        o.proc_ms >= 0 ? o.proc_ms : times->for_family(nvidia && id ? id->family : "simulated");
    location::LocationResult r;
    if (!id) {
      r.device = ev.device;
      r.verdict = "indeterminate";
      r.findings.push_back({id.error().code, id.error().message, ev.device, Severity::kFail});
      r.status = TrustTier::kContraindicated;
    } else {
      refs.device_key = id->key.get();
      refs.device_identity = id->identity;
      r = location::appraise_location(by_device[label], refs);
    }
    results.push_back(std::move(r));
  }
  ear::VerifierIdentity vid;
  vid.build = build;
  Json claims =
      utf8_safe(location::location_claims(results, *b, o.host, vid, std::time(nullptr), o.ttl));
  const std::string kid = jose::thumbprint(key->get());
  auto token = jose::sign_es256(key->get(), kid, claims);
  if (!token) return fail(token.error());
  if (auto s = write_file_atomic(o.out, *token + "\n"); !s) return fail(s.error());
  if (o.json) {
    Json doc = document("location-verify");
    doc["claims"] = claims;
    doc["token"] = o.out;
    Json fs = Json::array();
    for (const auto& r : results)
      for (const auto& f : r.findings) fs.push_back(finding_json(f, r.device));
    doc["findings"] = fs;
    std::cout << json_text(doc, 2) << "\n";
  } else {
    // Device labels, landmark IDs and messages come from the evidence: escaped for a terminal.
    for (const auto& r : results) {
      std::cout << terminal_safe(r.device) << ": " << r.verdict << "  (" << to_string(r.status)
                << ")\n";
      for (const auto& l : r.landmarks) {
        std::cout << "  landmark " << terminal_safe(l.id) << ": min RTT " << fixed(l.rtt_min_ms, 3)
                  << " ms over " << l.rtts_ms.size() << " probes, radius " << km(l.radius_c_km)
                  << " km at c" << (l.used ? "" : " (not used)") << "\n";
      }
      for (const auto& f : r.findings)
        std::cout << "  [" << to_string(f.severity) << "] " << f.code << ": "
                  << terminal_safe(f.message) << "\n";
    }
    std::cout << "signed location attestation (kid " << kid << ") written to "
              << terminal_safe(o.out) << "\n";
  }
  bool all_good = std::all_of(results.begin(), results.end(), [&o](const auto& r) {
    return r.status != TrustTier::kContraindicated && r.verdict != "indeterminate" &&
           (o.fail_on != "warning" || r.status == TrustTier::kAffirming);
  });
  return all_good ? 0 : 1;
}

}  // namespace

void add_location(CLI::App& app, Context& ctx) {
  CLI::App* loc = app.add_subcommand("location", "delay-based location of devices");
  loc->require_subcommand(1);
  auto o = std::make_shared<BoundOptions>();
  CLI::App* bound = loc->add_subcommand(
      "bound",
      "What a measurement proves: the radius a round-trip time allows (at c, and at 2/3 c for "
      "estimates), the nearest restricted point, and the verdict (in_allowed, not_in_restricted, "
      "indeterminate); with several landmarks, also what their caps' intersection proves. Exit 0: "
      "a verdict other than indeterminate; 1: indeterminate; 2: bad "
      "input.");
  bound
      ->add_option("--landmark", o->landmarks,
                   "landmark position LAT,LON (degrees); repeat with --rtt-ms for several "
                   "landmarks, whose caps then also count together")
      ->required()
      ->allow_extra_args(false);
  bound
      ->add_option("--rtt-ms", o->rtts_ms,
                   "minimum round-trip time, milliseconds (one per --landmark, in order)")
      ->check(finite_number())
      ->required()
      ->allow_extra_args(false);
  bound
      ->add_option("--proc-ms", o->proc_ms,
                   "minimum processing time of the device, milliseconds (never more than a "
                   "measured minimum; default 0)")
      ->check(finite_number());
  bound
      ->add_option("--restricted", o->restricted,
                   "restricted countries, ISO 3166-1 alpha-2 (default: the export policy's: "
                   "China, Hong Kong, Macau and D:5)")
      ->delimiter(',');
  bound->add_option("--allowed", o->allowed, "countries the licence allows")->delimiter(',');
  bound->add_flag("--json", o->json, "print JSON (schema accel-attest/location-bound/v1)");
  bound->callback([o, &ctx] { ctx.exit_code = run_bound(*o, ctx); });

  auto v = std::make_shared<LocVerifyOptions>();
  CLI::App* ver = loc->add_subcommand(
      "verify",
      "Appraise location evidence (landmark timing records and the device's signed responses) "
      "and write a signed location attestation. Exit 0: every device has a verdict other than "
      "indeterminate and no failing finding; 1: otherwise; 2: bad input.");
  ver->add_option("evidence", v->evidence, "location evidence files (landmark respond --out)")
      ->required();
  ver->add_option("--device-root", v->device_root,
                  "root every device chain must reach (required for simulated devices; default "
                  "for NVIDIA GPUs: the pinned NVIDIA Device Identity CA)");
  ver->add_option("--landmarks", v->landmarks, "trusted landmarks directory (certs/landmarks)")
      ->required();
  ver->add_option("--key", v->key, "result signing key")->required();
  ver->add_option("--out", v->out, "signed location attestation (JWT)")->required();
  ver->add_option("--restricted", v->restricted, "restricted countries (default: the policy's)")
      ->delimiter(',');
  ver->add_option("--allowed", v->allowed, "countries the licence allows")->delimiter(',');
  ver->add_option("--proc-ms", v->proc_ms,
                  "minimum processing time (default: firmware-profiles/location/processing.json)")
      ->check(finite_number());
  ver->add_option("--nonce", v->nonce,
                  "the nonce the verifier issued (hex): every record must carry it as its "
                  "challenge, else location.stale; without it, location.nonce-unchecked")
      ->check(nonce_given());
  ver->add_option("--site-country", v->site_country,
                  "declared site country (ISO 3166-1 alpha-2): caps that miss it are "
                  "location.site-contradicted");
  ver->add_option("--site", v->site,
                  "declared site coordinates LAT,LON: outside a cap, location.site-contradicted");
  ver->add_option("--host", v->host, "host name for the attestation");
  ver->add_option("--time", v->time, "verification time, RFC 3339 (default now)");
  ver->add_option("--ttl", v->ttl, "seconds the attestation stays valid (default 86400)");
  ver->add_flag(
      "--json", v->json,
      "print the signed claims and the findings (schema accel-attest/location-verify/v1)");
  add_fail_on(ver, v->fail_on);
  ver->callback([v, &ctx] {
    ctx.exit_code = run_loc_verify(*v, ctx, std::string("accel-attest ") + ACCEL_ATTEST_VERSION);
  });

  CLI::App* lm = app.add_subcommand("landmark", "delay-measuring landmarks and the host responder");
  lm->require_subcommand(1);
  auto l = std::make_shared<LandmarkOptions>();
  CLI::App* serve = lm->add_subcommand(
      "serve",
      "Time probes: per session, K fresh nonces, RTTs on CLOCK_MONOTONIC, a signed record.");
  serve->add_option("--key", l->key, "landmark signing key (PEM EC P-256, accel-attest keygen)")
      ->required();
  serve->add_option("--id", l->id, "landmark ID")->required();
  serve->add_option("--lat", l->lat, "surveyed latitude")
      ->check(finite_number() & CLI::Range(-90.0, 90.0))
      ->required();
  serve->add_option("--lon", l->lon, "surveyed longitude")
      ->check(finite_number() & CLI::Range(-180.0, 180.0))
      ->required();
  serve->add_option("--listen", l->listen, "HOST:PORT to listen on")->required();
  serve->add_option("--probes", l->probes, "probes per session (default 5)")
      ->check(CLI::Range(1, 64));
  serve->add_option("--sessions", l->sessions, "stop after N sessions (default: never)");
  serve->callback([l, &ctx] { ctx.exit_code = run_serve(*l); });
  auto e = std::make_shared<LandmarkOptions>();
  CLI::App* enrol = lm->add_subcommand(
      "enrol", "Write a landmark's trust entry (ID, position, public JWK) for certs/landmarks/.");
  enrol->add_option("--key", e->key, "landmark signing key")->required();
  enrol->add_option("--id", e->id, "landmark ID")->required();
  enrol->add_option("--lat", e->lat, "surveyed latitude")
      ->check(finite_number() & CLI::Range(-90.0, 90.0))
      ->required();
  enrol->add_option("--lon", e->lon, "surveyed longitude")
      ->check(finite_number() & CLI::Range(-180.0, 180.0))
      ->required();
  enrol->add_option("--out", e->out, "file to write")->required();
  enrol->callback([e, &ctx] { ctx.exit_code = run_enrol(*e); });
  auto r = std::make_shared<RespondOptions>();
  CLI::App* resp = lm->add_subcommand(
      "respond",
      "Host side: answer each landmark's probes with the device's signature and keep the "
      "records and responses as location evidence. The device is an NVIDIA GPU through NVML "
      "(--nvml: an SPDM measurement report over each nonce, scheme nvidia-spdm; the GPU must be "
      "in confidential-computing mode) or a simulated device, a P-384 key and its certificate "
      "chain (scheme sim-p384).");
  resp->add_option("--connect", r->connect, "landmark HOST:PORT (repeatable)")->required();
  resp->add_option("--device", r->device, "device label: its PCI address (the GPU's bus ID)")
      ->required();
  CLI::Option* nvml = resp->add_flag("--nvml", r->nvml, "answer with the NVIDIA GPU at --device");
  resp->add_option("--nvml-library", r->nvml_library,
                   "the NVML library to load (default libnvidia-ml.so.1)")
      ->needs(nvml);
  resp->add_option("--device-key", r->device_key, "simulated device: its P-384 key (PEM)")
      ->excludes(nvml);
  resp->add_option("--device-chain", r->device_chain,
                   "simulated device: its certificate chain (PEM)")
      ->excludes(nvml);
  resp->add_option("--out", r->out, "location evidence file to write")->required();
  resp->add_option("--challenge", r->challenge,
                   "the nonce the verifier issued for the bundle (hex, accel-attest challenge): "
                   "each landmark signs it into its record")
      ->check(nonce_given());
  resp->add_option("--extra-delay-ms", r->extra_delay_ms,
                   "delay each answer (tests: a slow or delaying host)")
      ->check(finite_number() & CLI::NonNegativeNumber);
  resp->callback([r, &ctx] { ctx.exit_code = run_respond(*r); });
}

}  // namespace aa::cli
