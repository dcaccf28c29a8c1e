// The typed result values (core/status.h, core/finding.h, the appraisers' check names): one
// text per value, read back to the same value, and one order of statuses.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/finding.h"
#include "core/status.h"
#include "nvidia/appraise.h"
#include "pipeline/pipeline.h"
#include "tpm/appraise.h"

namespace aa {
namespace {

// Every value of E has a distinct, non-empty text that reads back to it.
template <class E>
void expect_round_trip(std::size_t expected_count) {
  std::set<std::string> names;
  const auto values = all_values<E>();
  EXPECT_EQ(values.size(), expected_count);
  for (E v : values) {
    const std::string n = to_string(v);
    EXPECT_FALSE(n.empty());
    EXPECT_TRUE(names.insert(n).second) << n;
    EXPECT_EQ(from_string<E>(n), v) << n;
  }
  EXPECT_FALSE(from_string<E>(""));
  EXPECT_FALSE(from_string<E>("no such value"));
}

TEST(Status, EveryTableRoundTrips) {
  expect_round_trip<TrustTier>(4);
  expect_round_trip<Assurance>(3);
  expect_round_trip<DeviceKind>(4);
  expect_round_trip<ProductSource>(4);
  expect_round_trip<Severity>(3);
  expect_round_trip<CheckStatus>(6);
  expect_round_trip<nvidia::DeviceCheck>(11);
  expect_round_trip<nvidia::DeviceKind>(2);
  expect_round_trip<tpm::QuoteCheck>(8);
  expect_round_trip<BundleCheck>(2);
}

TEST(Status, TheTextsAreTheSerialisedOnes) {
  EXPECT_STREQ(to_string(TrustTier::kContraindicated), "contraindicated");
  EXPECT_STREQ(to_string(Assurance::kPlatformBound), "platform-bound");
  EXPECT_STREQ(to_string(DeviceKind::kNvidiaSwitch), "nvidia-switch");
  EXPECT_STREQ(to_string(ProductSource::kDieAttestedProductReported),
               "die-attested-product-reported");
  EXPECT_STREQ(to_string(CheckStatus::kNotRun), "not-run");
  EXPECT_STREQ(to_string(nvidia::DeviceCheck::kDriverRim), "driver_rim");
  EXPECT_STREQ(to_string(tpm::QuoteCheck::kAkTrust), "ak_trust");
  EXPECT_EQ(from_string<TrustTier>("Affirming"), std::nullopt);  // exact text only
}

// The TPM checks are declared in the order of their names, so a map of them lists them as the
// text output always has (alphabetically).
TEST(Status, QuoteChecksAreInNameOrder) {
  const auto values = all_values<tpm::QuoteCheck>();
  for (std::size_t i = 1; i < values.size(); ++i)
    EXPECT_LT(std::string(to_string(values[i - 1])), std::string(to_string(values[i])));
}

TEST(Status, OneOrderOfStatuses) {
  using T = TrustTier;
  const T order[] = {T::kNone, T::kAffirming, T::kWarning, T::kContraindicated};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      EXPECT_EQ(worse(order[i], order[j]), order[std::max(i, j)]);
      EXPECT_EQ(better(order[i], order[j]), i < j);
    }
  }
  EXPECT_EQ(verdict_of({}), T::kAffirming);
  EXPECT_EQ(verdict_of({{"x.a", "", "", Severity::kInfo}, {"x.b", "", "", Severity::kWarn}}),
            T::kWarning);
  EXPECT_EQ(verdict_of({{"x.a", "", "", Severity::kFail}, {"x.b", "", "", Severity::kWarn}}),
            T::kContraindicated);
}

}  // namespace
}  // namespace aa
