// Delay-based location (issue 6): the research's worked numbers, verdicts for the issue's
// landmarks, and point-and-cap tests at border places on the shipped Natural Earth 1:10m data.
#include <gtest/gtest.h>

#include "location/boundaries.h"
#include "location/geo.h"
#include "location/verdict.h"

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
