// Delay-based location (issue 6): the research's worked numbers, verdicts for the issue's
// landmarks, and point-and-cap tests at border places on the shipped Natural Earth 1:10m data.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "location/appraise.h"
#include "location/attestation.h"
#include "location/boundaries.h"
#include "location/geo.h"
#include "location/probe.h"
#include "location/session.h"
#include "location/verdict.h"
#include "nvidia/roots.h"
#include "spdm/measurements.h"

namespace aa::location {
namespace {

const Boundaries& shipped() {
  static const Boundaries* b = [] {
    auto r = Boundaries::load(PROFILES_DIR);
    if (!r) {
      ADD_FAILURE() << r.error().to_string();
      std::abort();
    }
    return new Boundaries(std::move(r).value());
  }();
  return *b;
}

// City centres (the research's worked numbers use city centres).
constexpr LatLon kSingapore{1.2897, 103.8501}, kSanya{18.2528, 109.5119};
constexpr LatLon kHongKong{22.3193, 114.1694}, kShenzhen{22.5431, 114.0579};
constexpr LatLon kFrankfurt{50.1109, 8.6821}, kLauterbourg{48.9753, 8.1789};
constexpr LatLon kMacau{22.1987, 113.5439}, kZhuhai{22.3540, 113.5360};  // Zhuhai: Tangjiawan
constexpr LatLon kJohorBahru{1.4927, 103.7414}, kKaliningrad{54.7104, 20.4522};
constexpr LatLon kMadrid{40.4168, -3.7038};

const std::set<std::string> kChina = {"CN", "HK", "MO"};

TEST(Geo, WorkedNumbersOfTheResearch) {
  EXPECT_NEAR(distance_km(kSingapore, kSanya), 1979, 5);
  EXPECT_NEAR(rtt_to_exclude_ms(1979, 0, kSpeedOfLightKmPerMs), 13.2, 0.05);
  EXPECT_NEAR(rtt_to_exclude_ms(1979, 0, kFibreKmPerMs), 19.8, 0.05);
  EXPECT_NEAR(bound_km(1.0, 0, kSpeedOfLightKmPerMs), 149.9, 0.05);  // per ms of RTT at c
  EXPECT_NEAR(bound_km(1.0, 0, kFibreKmPerMs), 99.9, 0.05);
  EXPECT_EQ(bound_km(0.5, 0.7, kSpeedOfLightKmPerMs), 0.0);  // never negative
  EXPECT_NEAR(distance_km(kHongKong, kShenzhen), 27, 3);
  EXPECT_NEAR(distance_km(kMacau, {22.2710, 113.5767}), 9, 2);  // Zhuhai city centre
  // City centres 25 km apart; the research's 18 km is across the Johor Strait causeway.
  EXPECT_NEAR(distance_km(kSingapore, kJohorBahru), 25, 2);
  EXPECT_NEAR(distance_km({1.4400, 103.7700}, kJohorBahru), 6, 2);
  EXPECT_NEAR(distance_km(kFrankfurt, kLauterbourg), 131, 3);
}

TEST(Geo, BoundaryDataIsTheShippedFile) {
  const auto& b = shipped();
  EXPECT_EQ(b.sha256(), "3bc6f1d367a9bcec479841bae0e76092f512838411d0cef124e92eec4db45f79");
  EXPECT_EQ(b.margin_km(), 2.0);
  for (const char* c : {"CN", "HK", "MO", "SG", "MY", "DE", "FR", "RU", "MM", "TW"})
    EXPECT_NE(b.find(c), nullptr) << c;  // HK and MO are their own features
}

TEST(Geo, BorderPlacesLieInTheirCountries) {
  const auto& b = shipped();
  EXPECT_EQ(b.country_at(kMacau), "MO");
  EXPECT_EQ(b.country_at(kZhuhai), "CN");
  EXPECT_EQ(b.country_at(kShenzhen), "CN");
  EXPECT_EQ(b.country_at({22.3700, 114.1100}), "HK");  // Tsuen Wan, Hong Kong
  EXPECT_EQ(b.country_at(kJohorBahru), "MY");
  EXPECT_EQ(b.country_at({1.3521, 103.8198}), "SG");
  EXPECT_EQ(b.country_at(kKaliningrad), "RU");  // the exclave
  EXPECT_EQ(b.country_at(kFrankfurt), "DE");
  EXPECT_EQ(b.country_at({48.9700, 8.1000}), "FR");  // just across from Lauterbourg
}

TEST(Geo, CapsAtBorderPlaces) {
  const auto& b = shipped();
  // A 10 km cap around Johor Bahru reaches Singapore; around Kaliningrad one of 15 km misses
  // Poland, one of 40 km may not.
  EXPECT_LE(b.lower_bound_km("SG", kJohorBahru), 10);
  EXPECT_GT(b.lower_bound_km("PL", kKaliningrad), 15);
  EXPECT_LT(b.lower_bound_km("PL", kKaliningrad), 40);
  // Macau and Zhuhai, Hong Kong and Shenzhen touch: no delay can separate them.
  EXPECT_LT(b.lower_bound_km("CN", kMacau), b.margin_km());
  EXPECT_LT(b.lower_bound_km("MO", kZhuhai), 20);
  EXPECT_LT(b.lower_bound_km("HK", kShenzhen), 5);  // Futian, across the Shenzhen River
  EXPECT_LT(b.lower_bound_km("CN", {22.3700, 114.1100}), 20);
  // The lower bound never exceeds the nearest boundary vertex.
  for (LatLon p : {kSingapore, kFrankfurt, kHongKong}) {
    EXPECT_LE(b.lower_bound_km("CN", p), b.nearest_vertex("CN", p).km);
  }
  // Natural Earth puts the Paracel Islands (de facto Chinese) in CN: from Singapore they, not
  // Sanya, are the nearest Chinese land, 1,794 km away (an RTT of 11.97 ms at c).
  NearestPoint n = b.nearest_vertex("CN", kSingapore);
  EXPECT_NEAR(n.km, 1794, 5);
  EXPECT_NEAR(n.point.lat, 15.78, 0.1);
}

Verdict one(LatLon at, double rtt_ms, const std::set<std::string>& restricted,
            const std::set<std::string>& allowed = {}) {
  return decide(shipped(), {{"L", at, bound_km(rtt_ms, 0, kSpeedOfLightKmPerMs)}}, restricted,
                allowed);
}

TEST(Verdicts, TheIssuesLandmarks) {
  EXPECT_EQ(one(kSingapore, 2, kChina).verdict, "not_in_restricted");
  EXPECT_EQ(one(kSingapore, 11.9, kChina).verdict, "not_in_restricted");
  EXPECT_EQ(one(kSingapore, 12.0, kChina).verdict, "indeterminate");  // reaches the Paracels
  EXPECT_EQ(one(kHongKong, 0.5, kChina).verdict, "indeterminate");
  EXPECT_EQ(one(kHongKong, 0.01, kChina).verdict, "indeterminate");  // nothing separates them
  auto ffm = one(kFrankfurt, 0.5, kChina, {"DE"});
  EXPECT_EQ(ffm.verdict, "in_allowed");
  EXPECT_NEAR(ffm.caps[0].cap.radius_km, 75, 0.1);
  auto ffm1 = one(kFrankfurt, 1.0, kChina, {"DE"});
  EXPECT_EQ(ffm1.verdict, "not_in_restricted");  // about 150 km: reaches France
  EXPECT_EQ(ffm1.caps[0].touching_other, "FR");
  // Macau as the allowed country cannot be proved from Macau: Zhuhai is within the margin.
  EXPECT_EQ(one(kMacau, 0.01, {"CN"}, {"MO"}).verdict, "indeterminate");
}

// The feasible region: the intersection of several caps can prove what no cap proves alone.
constexpr LatLon kHanoi{21.0285, 105.8542}, kHoChiMinh{10.8231, 106.6297};
constexpr LatLon kNuremberg{49.4521, 11.0767};

Verdict several(const std::vector<std::pair<LatLon, double>>& km,
                const std::set<std::string>& restricted,
                const std::set<std::string>& allowed = {}) {
  std::vector<Cap> caps;
  for (const auto& [at, radius] : km)
    caps.push_back({"L" + std::to_string(caps.size()), at, radius});
  return decide(shipped(), caps, restricted, allowed);
}

TEST(Verdicts, TheRegionAgreesWithBruteForce) {
  // Hanoi's 300 km cap reaches China; Ho Chi Minh City's reaches it only past some radius. By
  // brute force over China's boundary vertices: the least distance from Ho Chi Minh City of a
  // Chinese boundary point within 300 km (+ margin) of Hanoi.
  const double r_hanoi = 300, m = shipped().margin_km();
  double d = std::numeric_limits<double>::infinity();
  for (const auto& poly : shipped().find("CN")->polygons)
    for (const auto& ring : poly.rings)
      for (const auto& q : ring.points)
        if (distance_km(q, kHanoi) <= r_hanoi + m) d = std::min(d, distance_km(q, kHoChiMinh));
  ASSERT_GT(d, 1100);
  ASSERT_LT(d, 1400);
  auto clear = several({{kHanoi, r_hanoi}, {kHoChiMinh, d - m - 15}}, kChina);
  EXPECT_EQ(clear.verdict, "not_in_restricted") << d;
  EXPECT_FALSE(clear.caps[0].misses_restricted);  // neither cap alone
  EXPECT_FALSE(clear.caps[1].misses_restricted);
  EXPECT_TRUE(clear.region.used);
  EXPECT_TRUE(clear.region.misses_restricted);
  EXPECT_FALSE(clear.region.empty);
  auto reach = several({{kHanoi, r_hanoi}, {kHoChiMinh, d - m + 15}}, kChina);
  EXPECT_EQ(reach.verdict, "indeterminate") << d;
  EXPECT_EQ(reach.region.touching_restricted, "CN");
}

// Soundness on random pairs of caps around China's southern border: whenever the region is
// said to miss China, no sampled point of the region lies in China.
TEST(Verdicts, TheRegionNeverMissesWhatItHolds) {
  std::mt19937 rng(20261128);
  std::uniform_real_distribution<double> lat(15, 30), lon(95, 125), u(0, 1);
  int region_decided = 0;
  for (int n = 0; n < 40; ++n) {
    const LatLon a{lat(rng), lon(rng)}, b{lat(rng), lon(rng)};
    const double ra = 100 + 800 * u(rng);
    const double rb = std::max(50.0, distance_km(a, b) - ra * (0.2 + 0.9 * u(rng)));
    Verdict v = several({{a, ra}, {b, rb}}, kChina);
    ASSERT_TRUE(v.region.used);
    if (v.region.empty || !v.region.misses_restricted) continue;
    if (!v.caps[0].misses_restricted && !v.caps[1].misses_restricted) ++region_decided;
    const LatLon& c = ra < rb ? a : b;
    const double r = std::min(ra, rb);
    std::uniform_real_distribution<double> dlat(-r / 110.574, r / 110.574);
    std::uniform_real_distribution<double> dlon(-r / 111 / std::cos(c.lat * 3.14159265 / 180) - 0.1,
                                                r / 111 / std::cos(c.lat * 3.14159265 / 180) + 0.1);
    for (int k = 0; k < 3000; ++k) {
      const LatLon q{c.lat + dlat(rng), c.lon + dlon(rng)};
      if (distance_km(q, a) > ra || distance_km(q, b) > rb) continue;
      for (const char* code : {"CN", "HK", "MO"}) {
        ASSERT_FALSE(shipped().contains(code, q))
            << "region said to miss " << code << " holds " << q.lat << "," << q.lon << " (caps "
            << a.lat << "," << a.lon << " " << ra << " km; " << b.lat << "," << b.lon << " " << rb
            << " km)";
      }
    }
  }
  EXPECT_GE(region_decided, 3);  // cases that only the region decides
}

TEST(Verdicts, TheRegionCanProveAllowed) {
  // Frankfurt at 150 km reaches France and Nuremberg at 200 km the Czech Republic, but no point
  // within both lies outside Germany (Lauterbourg is about 218 km from Nuremberg); at 225 km
  // from Nuremberg the region reaches France.
  auto de = several({{kFrankfurt, 149.9}, {kNuremberg, 200}}, kChina, {"DE"});
  EXPECT_EQ(de.caps[0].touching_other, "FR");
  EXPECT_EQ(de.caps[1].touching_other, "CZ");
  EXPECT_EQ(de.verdict, "in_allowed");
  EXPECT_TRUE(de.region.inside_allowed);
  auto fr = several({{kFrankfurt, 149.9}, {kNuremberg, 225}}, kChina, {"DE"});
  EXPECT_EQ(fr.verdict, "not_in_restricted");
  EXPECT_EQ(fr.region.touching_other, "FR");
  // Caps that cannot overlap: no one device answered all of them (a relay, a copied key or a
  // false measurement), so no cap is relied on: indeterminate, not "each cap alone holds".
  auto apart = several({{kFrankfurt, 149.9}, {kSingapore, 100}}, kChina, {"DE"});
  EXPECT_TRUE(apart.region.used);
  EXPECT_TRUE(apart.region.empty);
  EXPECT_EQ(apart.verdict, "indeterminate");
}

// What proves a device is not in a country (the declared site check): a cap alone, or only the
// caps' intersection; never the converse.
TEST(Verdicts, ExcludedByACapOrOnlyByTheRegion) {
  const std::vector<Cap> frankfurt{{"fra", kFrankfurt, 149.9}};
  EXPECT_EQ(excluded_by(shipped(), frankfurt, "ES"), "landmark fra");
  EXPECT_EQ(excluded_by(shipped(), frankfurt, "FR"), "");  // reaches Lauterbourg
  EXPECT_EQ(excluded_by(shipped(), frankfurt, "DE"), "");
  // Hanoi at 300 km and Ho Chi Minh City at 1,000 km each reach China (the Paracels from Ho
  // Chi Minh City); their intersection does not (TheRegionAgreesWithBruteForce).
  const std::vector<Cap> two{{"han", kHanoi, 300}, {"hcm", kHoChiMinh, 1000}};
  EXPECT_EQ(excluded_by(shipped(), {two[0]}, "CN"), "");
  EXPECT_EQ(excluded_by(shipped(), {two[1]}, "CN"), "");
  EXPECT_EQ(excluded_by(shipped(), two, "CN"), "the intersection of the caps");
  EXPECT_EQ(excluded_by(shipped(), two, "VN"), "");
  EXPECT_EQ(excluded_by(shipped(), two, "XX"), "");  // no boundary data: nothing is proven
  EXPECT_TRUE(caps_overlap(two));
  EXPECT_FALSE(caps_overlap({{"fra", kFrankfurt, 149.9}, {"sg", kSingapore, 100}}));
}

TEST(Verdicts, AddedDelayNeverExcludes) {
  // More delay only grows the cap: the verdict can only get weaker.
  const char* order[] = {"indeterminate", "not_in_restricted", "in_allowed"};
  auto rank = [&](const std::string& v) {
    for (int i = 0; i < 3; ++i)
      if (v == order[i]) return i;
    return -1;
  };
  int last = 3;
  for (double rtt : {0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 14.0, 30.0}) {
    int r = rank(one(kSingapore, rtt, kChina, {"SG"}).verdict);
    EXPECT_LE(r, last) << rtt;
    last = r;
  }
  EXPECT_EQ(last, 0);
}

}  // namespace
}  // namespace aa::location

// ---------------------------------------------------------------- records and appraisal

namespace aa::location {
namespace {

struct Signed {
  ossl::PKey landmark{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  ossl::PKey device{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")};
  ossl::PKey other{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")};
  ossl::PKey landmark2{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  std::map<std::string, TrustedLandmark> trusted;
  const Bytes nonce = Bytes(32, 0x5a);  // the verifier's nonce for the bundle
  std::optional<std::string> site_country;
  std::optional<LatLon> site_position;
  std::set<std::string> allowed;
  Signed() {
    trust("sg-1", kSingapore, landmark.get(), "k1");
    trust("mad-1", kMadrid, landmark2.get(), "k2");
    trust("jb-1", kJohorBahru, landmark2.get(), "k3");
  }
  void trust(const std::string& id, LatLon at, EVP_PKEY* key, const std::string& kid) {
    TrustedLandmark t;
    t.id = id;
    t.position = at;
    Json jwks = {{"keys", Json::array({jose::public_jwk(key, kid)})}};
    t.key = jose::parse_jwks(jwks.dump(), "j").value();
    trusted.emplace(id, std::move(t));
  }
  // A session as a landmark and device would run it, with the given RTTs, for `challenge`
  // (default: the verifier's nonce; empty: none named).
  LocationEvidence session(std::vector<int64_t> rtts_ns, EVP_PKEY* signer, LatLon at = kSingapore,
                           std::optional<Bytes> challenge = std::nullopt,
                           const std::string& id = "sg-1") {
    TimingRecord r;
    r.landmark_id = id;
    r.position = at;
    r.device = "0000:18:00.0";
    r.challenge = challenge.value_or(nonce);
    r.issued_at = 1795800000;
    r.rtt_min_ns = *std::min_element(rtts_ns.begin(), rtts_ns.end());
    LandmarkEvidence le;
    for (size_t i = 0; i < rtts_ns.size(); ++i) {
      Bytes pn(32, static_cast<uint8_t>(i + 1));
      Bytes sig = x509::sign_ecdsa_raw(signer, EVP_sha384(), probe_message(id, pn), 48);
      r.probes.push_back({static_cast<unsigned>(i + 1), pn, rtts_ns[i], sha256_hex(as_chars(sig))});
      le.responses.push_back(sig);
    }
    const bool sg = id == "sg-1";
    le.record = jose::sign_es256(sg ? landmark.get() : landmark2.get(),
                                 sg ? "k1" : (id == "mad-1" ? "k2" : "k3"), timing_record_json(r))
                    .value();
    LocationEvidence ev;
    ev.device = "0000:18:00.0";
    ev.landmarks.push_back(le);
    return ev;
  }
  LocationReferences refs(bool with_nonce = true) {
    LocationReferences refs;
    refs.boundaries = &shipped();
    refs.landmarks = &trusted;
    refs.device_key = device.get();
    refs.device_identity = "SIM";
    refs.restricted = kChina;
    refs.allowed = allowed;
    refs.at = 1795800100;
    if (with_nonce) refs.expected_nonce = nonce;
    refs.site_country = site_country;
    refs.site_position = site_position;
    return refs;
  }
  LocationResult appraise(const LocationEvidence& ev) { return appraise_location(ev, refs()); }
  LocationResult appraise(const std::vector<const LocationEvidence*>& evs) {
    return appraise_location(evs, refs());
  }
};

bool has(const LocationResult& r, const std::string& code) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

TEST(LocationAppraise, MinimumRttOfVerifiedProbes) {
  Signed s;
  auto r = s.appraise(s.session({3000000, 2000000, 2500000}, s.device.get()));
  EXPECT_EQ(r.verdict, "not_in_restricted");
  EXPECT_EQ(r.status, TrustTier::kAffirming);
  ASSERT_EQ(r.landmarks.size(), 1u);
  EXPECT_DOUBLE_EQ(r.landmarks[0].rtt_min_ms, 2.0);
  EXPECT_NEAR(r.landmarks[0].radius_c_km, 299.8, 0.1);
}

TEST(LocationAppraise, EveryWayToCheat) {
  Signed s;
  auto impostor = s.appraise(s.session({2000000}, s.other.get()));
  EXPECT_TRUE(has(impostor, "location.identity-unbound"));
  EXPECT_EQ(impostor.verdict, "indeterminate");
  EXPECT_EQ(impostor.status, TrustTier::kContraindicated);
  auto moved = s.appraise(s.session({2000000}, s.device.get(), {1.35, 103.9}));
  EXPECT_TRUE(has(moved, "location.landmark-moved"));
  auto ev = s.session({2000000, 2100000}, s.device.get());
  ev.landmarks[0].responses[1][5] ^= 1;
  EXPECT_TRUE(has(s.appraise(ev), "location.response-mismatch"));
  auto swapped = s.session({2000000, 2100000}, s.device.get());
  std::swap(swapped.landmarks[0].responses[0], swapped.landmarks[0].responses[1]);
  EXPECT_TRUE(has(s.appraise(swapped), "location.response-mismatch"));
  auto other_device = s.session({2000000}, s.device.get());
  other_device.device = "0000:2a:00.0";
  EXPECT_TRUE(has(s.appraise(other_device), "location.device-mismatch"));
  Signed stranger;  // a landmark key nobody trusts
  EXPECT_TRUE(
      has(s.appraise(stranger.session({2000000}, s.device.get())), "location.unknown-landmark"));
}

// Issue 12 item 5: one device's entries are one set. Singapore and Madrid at 1 ms each hold
// alone; as two entries of one device they cannot both hold.
TEST(LocationAppraise, EntriesOfOneDeviceAreJudgedTogether) {
  Signed s;
  auto sg = s.session({1000000}, s.device.get());
  auto mad = s.session({1000000}, s.device.get(), kMadrid, std::nullopt, "mad-1");
  EXPECT_FALSE(has(s.appraise(sg), "location.inconsistent"));
  EXPECT_FALSE(has(s.appraise(mad), "location.inconsistent"));
  auto both = s.appraise({&sg, &mad});
  EXPECT_TRUE(has(both, "location.inconsistent"));
  EXPECT_EQ(both.verdict, "indeterminate");
  EXPECT_EQ(both.status, TrustTier::kContraindicated);
  EXPECT_EQ(both.landmarks.size(), 2u);
  // Singapore and Johor Bahru in two entries: their intersection is the region.
  auto jb = s.session({1200000}, s.device.get(), kJohorBahru, std::nullopt, "jb-1");
  auto sgjb = s.appraise({&sg, &jb});
  EXPECT_FALSE(has(sgjb, "location.inconsistent"));
  EXPECT_TRUE(sgjb.geometry.region.used);
  EXPECT_FALSE(sgjb.geometry.region.empty);
  EXPECT_EQ(sgjb.verdict, "not_in_restricted");
  // An entry for another device label is not this device's evidence.
  auto other = s.session({1000000}, s.device.get());
  other.device = "0000:2a:00.0";
  EXPECT_TRUE(has(s.appraise({&sg, &other}), "location.device-mismatch"));
}

// Location evidence not bound to the verifier's nonce is stale, however recent its records.
TEST(LocationAppraise, RecordsMustCarryTheVerifiersNonce) {
  Signed s;
  auto fresh = s.appraise(s.session({2000000}, s.device.get()));
  EXPECT_FALSE(has(fresh, "location.stale"));
  EXPECT_EQ(fresh.status, TrustTier::kAffirming);
  auto none = s.appraise(s.session({2000000}, s.device.get(), kSingapore, Bytes{}));
  EXPECT_TRUE(has(none, "location.stale"));
  EXPECT_EQ(none.verdict, "indeterminate");
  EXPECT_EQ(none.status, TrustTier::kContraindicated);
  auto other = s.appraise(s.session({2000000}, s.device.get(), kSingapore, Bytes(32, 0x11)));
  EXPECT_TRUE(has(other, "location.stale"));
  // One stale entry among fresh ones: its cap is not used.
  auto a = s.session({1000000}, s.device.get());
  auto b = s.session({1000000}, s.device.get(), kMadrid, Bytes(32, 0x11), "mad-1");
  auto mixed = s.appraise({&a, &b});
  EXPECT_TRUE(has(mixed, "location.stale"));
  EXPECT_FALSE(has(mixed, "location.inconsistent"));
  EXPECT_EQ(mixed.geometry.caps.size(), 1u);
  // No nonce to check against: a warning, never silence.
  auto unchecked =
      appraise_location(s.session({2000000}, s.device.get(), kSingapore, Bytes{}), s.refs(false));
  EXPECT_TRUE(has(unchecked, "location.nonce-unchecked"));
  EXPECT_FALSE(has(unchecked, "location.stale"));
  EXPECT_EQ(unchecked.status, TrustTier::kWarning);
}

// The declared site against the caps: a cap (or the caps' intersection) that misses the
// declared country, or declared coordinates outside a cap, put the device elsewhere.
TEST(LocationAppraise, DeclaredSiteContradicted) {
  Signed s;
  auto mad = s.session({500000}, s.device.get(), kMadrid, std::nullopt, "mad-1");  // 75 km
  s.site_country = "ES";
  auto es = s.appraise(mad);
  EXPECT_FALSE(has(es, "location.site-contradicted"));
  EXPECT_FALSE(es.site_contradicted);
  s.site_country = "DE";
  auto de = s.appraise(mad);
  EXPECT_TRUE(has(de, "location.site-contradicted"));
  EXPECT_TRUE(de.site_contradicted);
  EXPECT_EQ(de.status, TrustTier::kContraindicated);
  EXPECT_EQ(de.verdict, "not_in_restricted");  // the verdict itself still holds
  // Portugal is about 200 km from Madrid, past 75 km: contradicted; at 10 ms (1,499 km) the
  // cap reaches it and nothing is proven.
  s.site_country = "PT";
  EXPECT_TRUE(has(s.appraise(mad), "location.site-contradicted"));
  EXPECT_FALSE(
      has(s.appraise(s.session({10000000}, s.device.get(), kMadrid, std::nullopt, "mad-1")),
          "location.site-contradicted"));
  // Coordinates: Barcelona (505 km) is outside the cap, central Madrid inside.
  s.site_country.reset();
  s.site_position = LatLon{41.3874, 2.1686};
  EXPECT_TRUE(has(s.appraise(mad), "location.site-contradicted"));
  s.site_position = LatLon{40.45, -3.69};
  EXPECT_FALSE(has(s.appraise(mad), "location.site-contradicted"));
  // Unusable evidence proves nothing about the site.
  s.site_country = "DE";
  EXPECT_FALSE(has(s.appraise(s.session({500000}, s.other.get(), kMadrid, std::nullopt, "mad-1")),
                   "location.site-contradicted"));
}

// A real session over a socket pair: the responder names the verifier's challenge, the landmark
// signs it into the record, and the appraisal accepts it only for that nonce. Nothing here
// depends on the measured RTTs beyond their being recorded.
TEST(LocationSession, TheLandmarkSignsTheChallengeIntoTheRecord) {
  Signed s;
  auto run = [&](const Bytes& challenge) -> Result<LandmarkEvidence> {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    Result<std::string> served = make_error("x", "x", "not run");
    std::thread landmark([&] {
      served = serve_session(fds[0], {"sg-1", kSingapore, 3, 5000}, s.landmark.get(), "k1");
      ::shutdown(fds[0], SHUT_RDWR);
    });
    Responder r;
    r.device = "0000:18:00.0";
    r.challenge = challenge;
    r.timeout_ms = 5000;
    EVP_PKEY* k = s.device.get();
    r.answer = [k](const std::string& lm, ByteView nonce) -> Result<Bytes> {
      return x509::sign_ecdsa_raw(k, EVP_sha384(), probe_message(lm, nonce), 48);
    };
    auto le = respond_session(fds[1], r);
    landmark.join();
    ::close(fds[0]);
    ::close(fds[1]);
    return le;
  };
  auto le = run(s.nonce);
  ASSERT_TRUE(le.ok()) << le.error().to_string();
  LocationEvidence ev;
  ev.device = "0000:18:00.0";
  ev.landmarks.push_back(*le);
  auto refs = s.refs();
  refs.at = std::time(nullptr);  // the record was issued just now
  auto r = appraise_location(ev, refs);
  EXPECT_FALSE(has(r, "location.stale"));
  EXPECT_FALSE(has(r, "location.identity-unbound"));
  ASSERT_EQ(r.landmarks.size(), 1u);
  EXPECT_TRUE(r.landmarks[0].used);
  auto other = refs;
  other.expected_nonce = Bytes(32, 0x11);
  EXPECT_TRUE(has(appraise_location(ev, other), "location.stale"));
  // A challenge the landmark cannot take ends the session.
  EXPECT_FALSE(run(Bytes(8, 1)).ok());
}

// What `landmark respond --nvml` keeps and `location verify` checks, on real GPUs' evidence:
// each attestation chain (as NVML gives it) reaches NVIDIA's pinned device identity root, names
// its family for the processing time, and its key verifies that GPU's SPDM report as a response
// to the report's own request nonce, and no other nonce or GPU.
TEST(LocationAppraise, RealNvidiaChainsAndReports) {
  const std::time_t at = 1795800000;  // 2026-11-27
  struct Gpu {
    const char* name;
    const char* family;
  };
  std::vector<ChainIdentity> ids;
  std::vector<Bytes> reports;
  for (Gpu g :
       {Gpu{"sdk-h100-580", "GH100"}, Gpu{"sdk-gb100", "GB100"}, Gpu{"nvtrust-h100", "GH100"}}) {
    const std::string base = std::string(TEST_DATA_DIR) + "/nvidia/reports/" + g.name;
    auto pem = read_file(base + ".chain.pem", 1u << 20);
    ASSERT_TRUE(pem) << pem.error().to_string();
    auto id = chain_device_identity(*pem, nvidia::pinned_device_root(), at);
    ASSERT_TRUE(id) << g.name << ": " << id.error().to_string();
    EXPECT_EQ(id->family, g.family);
    auto hex = read_file(base + ".report.txt", 1u << 20);
    ASSERT_TRUE(hex);
    hex->erase(std::remove_if(hex->begin(), hex->end(), [](char c) { return std::isspace(c); }),
               hex->end());
    auto report = hex_decode(*hex);
    ASSERT_TRUE(report) << g.name;
    ids.push_back(std::move(*id));
    reports.push_back(std::move(*report));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    auto rep = spdm::parse_measurement_report(reports[i], 96, "report");
    ASSERT_TRUE(rep);
    Bytes nonce(rep->request_nonce.begin(), rep->request_nonce.end());
    EXPECT_TRUE(response_signed("nvidia-spdm", ids[i].key.get(), "sg-1", nonce, reports[i]));
    Bytes other = nonce;
    other[0] ^= 1;
    EXPECT_FALSE(response_signed("nvidia-spdm", ids[i].key.get(), "sg-1", other, reports[i]));
    EXPECT_FALSE(response_signed("nvidia-spdm", ids[(i + 1) % ids.size()].key.get(), "sg-1", nonce,
                                 reports[i]));
  }
  // Against another root (NVIDIA's RIM signing root) the same chain is untrusted.
  auto pem =
      read_file(std::string(TEST_DATA_DIR) + "/nvidia/reports/sdk-h100-580.chain.pem", 1u << 20);
  ASSERT_TRUE(pem);
  auto wrong = chain_device_identity(*pem, nvidia::pinned_rim_root(), at);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "location.device-untrusted");
}

TEST(TimingRecord, StrictParsing) {
  Signed s;
  TimingRecord r;
  r.landmark_id = "sg-1";
  r.device = "d";
  r.issued_at = 1;
  r.probes.push_back({1, Bytes(32, 1), 500, std::string(64, 'a')});
  r.probes.push_back({2, Bytes(32, 2), 400, std::string(64, 'b')});
  r.rtt_min_ns = 400;
  Json good = timing_record_json(r);
  ASSERT_TRUE(parse_timing_record(good, "r").ok());
  auto fails = [&](const std::function<void(Json&)>& f, const std::string& field) {
    Json j = good;
    f(j);
    auto p = parse_timing_record(j, "r");
    ASSERT_FALSE(p.ok()) << field;
    EXPECT_NE(p.error().field.find(field), std::string::npos) << p.error().to_string();
  };
  fails([](Json& j) { j["rtt_min_ns"] = 500; }, "#/rtt_min_ns");
  fails([](Json& j) { j["clock"] = "CLOCK_REALTIME"; }, "#/clock");
  fails([](Json& j) { j["probes"][1]["nonce"] = j["probes"][0]["nonce"]; }, "#/probes/1/nonce");
  fails([](Json& j) { j["probes"][1]["seq"] = 1; }, "#/probes/1/seq");
  fails([](Json& j) { j["probes"][0]["rtt_ns"] = -1; }, "#/probes/0/rtt_ns");
  fails([](Json& j) { j["probes"] = Json::array(); }, "#/probes");
  fails([](Json& j) { j["landmark"]["lat"] = 100; }, "#/landmark");
  fails([](Json& j) { j["extra"] = 1; }, "r");
  // The verifier's challenge: 16 to 64 bytes of hex, kept as given.
  fails([](Json& j) { j["challenge"] = std::string(30, 'a'); }, "#/challenge");
  fails([](Json& j) { j["challenge"] = std::string(130, 'a'); }, "#/challenge");
  fails([](Json& j) { j["challenge"] = "zz" + std::string(62, 'a'); }, "#/challenge");
  r.challenge = Bytes(32, 0x5a);
  auto with = parse_timing_record(timing_record_json(r), "r");
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(with->challenge, r.challenge);
  EXPECT_TRUE(parse_timing_record(good, "r")->challenge.empty());
}

// Issue 13: a location record whose signature fails is AR4SI 99 in the location attestation;
// another contradiction is 96.
TEST(LocationAttestation, FailedSignaturesAre99) {
  LocationResult bad;
  bad.device = "0000:18:00.0";
  bad.status = TrustTier::kContraindicated;
  bad.verdict = "indeterminate";
  bad.findings.push_back({"location.unknown-landmark", "not signed by a trusted landmark",
                          "location/0", Severity::kFail});
  LocationResult other = bad;
  other.device = "0000:2a:00.0";
  other.findings = {
      {"location.site-contradicted", "caps miss the site", "location/1", Severity::kFail}};
  Json c = location_claims({bad, other}, shipped(), "h", ear::VerifierIdentity{}, 1800000000, 60);
  EXPECT_EQ(c["submods"]["0000:18:00.0"]["ear_trustworthiness_vector"]["sourced-data"], 99);
  EXPECT_EQ(c["submods"]["0000:2a:00.0"]["ear_trustworthiness_vector"]["sourced-data"], 96);
}

}  // namespace
}  // namespace aa::location
