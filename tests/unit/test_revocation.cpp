// Offline revocation on a generated test PKI (tests/data/revocation/make-fixtures.sh): CRLs and
// stored OCSP responses, their signatures and freshness, and that "no answer" is never "good".
#include <gtest/gtest.h>

#include <filesystem>

#include "crypto/revocation.h"
#include "crypto/x509.h"
#include "unit/nvidia_fixture.h"
#include "unit/temp_tree.h"

namespace aa {
namespace {

const std::string kDir = std::string(TEST_DATA_DIR) + "/revocation";
const std::time_t kAt = test::at("2027-01-01T00:00:00Z");

ossl::X509Ptr cert(const char* name) {
  return x509::load_pem_file(kDir + "/" + name + ".pem").value();
}

struct Pki {
  ossl::X509Ptr root = cert("root"), ica = cert("ica"), good = cert("leaf-good"),
                revoked = cert("leaf-revoked");
  std::vector<X509*> path(X509* leaf) const { return {leaf, ica.get(), root.get()}; }
};

// A directory holding copies of the named fixture files.
std::string dir_with(const test::TempTree& t, const std::string& sub,
                     std::initializer_list<const char*> files) {
  for (const char* f : files) {
    t.write(sub + "/" + std::filesystem::path(f).filename().string(), test::slurp(kDir + "/" + f));
  }
  return t.path(sub);
}

TEST(Revocation, CrlSaysGoodAndRevoked) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load(dir_with(t, "crl", {"ica.crl"}), "").value();
  auto g = store.check(p.path(p.good.get()), kAt);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].status, Revocation::kGood);
  EXPECT_EQ(g[1].status, Revocation::kNotChecked);  // no CRL from the root: unchecked, not good
  auto r = store.check(p.path(p.revoked.get()), kAt);
  EXPECT_EQ(r[0].status, Revocation::kRevoked);
  EXPECT_NE(r[0].source.find("ica.crl"), std::string::npos);
}

// ica-stale.crl: thisUpdate 2026-11-27T23:39:50Z, nextUpdate 2026-11-28T23:39:50Z.
TEST(Revocation, CrlPastNextUpdateIsStaleNeverGood) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load(dir_with(t, "crl", {"ica-stale.crl"}), "").value();
  auto before = store.check(p.path(p.good.get()), test::at("2026-11-28T12:00:00Z"));
  EXPECT_EQ(before[0].status, Revocation::kGood);
  EXPECT_FALSE(before[0].stale);
  auto g = store.check(p.path(p.good.get()), kAt);
  EXPECT_EQ(g[0].status, Revocation::kStale);
  EXPECT_TRUE(g[0].stale);
  EXPECT_NE(g[0].detail.find("nextUpdate 2026-11-28T23:39:50Z has passed"), std::string::npos)
      << g[0].detail;
  EXPECT_STREQ(revocation_name(g[0].status), "stale");
  // Age does not undo a revocation: the stale CRL still lists leaf-revoked.
  auto r = store.check(p.path(p.revoked.get()), kAt);
  EXPECT_EQ(r[0].status, Revocation::kRevoked);
}

TEST(Revocation, CurrentAnswerBeatsStaleOne) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load(dir_with(t, "crl", {"ica-stale.crl", "ica.crl"}), "").value();
  auto g = store.check(p.path(p.good.get()), kAt);
  EXPECT_EQ(g[0].status, Revocation::kGood);
  EXPECT_TRUE(g[0].stale);  // the stale source is still named in the detail
  EXPECT_NE(g[0].source.find("ica.crl"), std::string::npos);
}

// ica-no-next.crl (make-no-next-update.sh): thisUpdate 2026-11-27T23:39:50Z, no nextUpdate.
TEST(Revocation, CrlWithoutNextUpdateIsStaleAfterMaxAge) {
  Pki p;
  test::TempTree t;
  std::string dir = dir_with(t, "crl", {"ica-no-next.crl"});
  auto store = RevocationStore::load(dir, "").value();
  EXPECT_EQ(store.limits().max_age, 7 * 24 * 3600);
  EXPECT_EQ(store.check(p.path(p.good.get()), test::at("2026-12-04T23:39:50Z"))[0].status,
            Revocation::kGood);
  auto old = store.check(p.path(p.good.get()), test::at("2026-12-04T23:40:00Z"))[0];
  EXPECT_EQ(old.status, Revocation::kStale);  // 7 days and 10 s after thisUpdate
  EXPECT_NE(old.detail.find("no nextUpdate"), std::string::npos) << old.detail;
  EXPECT_EQ(store.check(p.path(p.revoked.get()), kAt)[0].status, Revocation::kRevoked);
  // A longer maximum age, as --max-revocation-age sets it.
  RevocationLimits month;
  month.max_age = 30 * 24 * 3600;
  auto lenient = RevocationStore::load(dir, "", month).value();
  EXPECT_EQ(lenient.check(p.path(p.good.get()), test::at("2026-12-20T00:00:00Z"))[0].status,
            Revocation::kGood);
  EXPECT_EQ(lenient.check(p.path(p.good.get()), kAt)[0].status, Revocation::kStale);
}

// ocsp-no-next/good.der: leaf-good good, thisUpdate 2026-12-02T06:11:31Z, no nextUpdate.
TEST(Revocation, OcspWithoutNextUpdateIsStaleAfterMaxAge) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load("", dir_with(t, "ocsp", {"ocsp-no-next/good.der"})).value();
  EXPECT_EQ(store.check(p.path(p.good.get()), test::at("2026-12-05T00:00:00Z"))[0].status,
            Revocation::kGood);
  auto r = store.check(p.path(p.good.get()), test::at("2026-12-10T00:00:00Z"))[0];
  EXPECT_EQ(r.status, Revocation::kStale);
  EXPECT_TRUE(r.stale);
}

// ocsp/good.der: thisUpdate 2026-11-27T23:39:50Z. A response from the future beyond the skew
// (5 minutes) is invalid and never answers; within the skew it does.
TEST(Revocation, ThisUpdateInTheFutureIsInvalid) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load("", dir_with(t, "ocsp", {"ocsp/good.der"})).value();
  auto r = store.check(p.path(p.good.get()), test::at("2026-11-27T23:00:00Z"))[0];
  EXPECT_EQ(r.status, Revocation::kUnknown);
  EXPECT_TRUE(r.future);
  EXPECT_NE(r.detail.find("after the verification time"), std::string::npos) << r.detail;
  auto skew = store.check(p.path(p.good.get()), test::at("2026-11-27T23:36:00Z"))[0];
  EXPECT_EQ(skew.status, Revocation::kGood);
  EXPECT_FALSE(skew.future);
  auto crl = RevocationStore::load(dir_with(t, "crl", {"ica.crl"}), "").value();
  auto c = crl.check(p.path(p.revoked.get()), test::at("2026-11-01T00:00:00Z"))[0];
  EXPECT_EQ(c.status, Revocation::kUnknown);  // not even its "revoked" is used
  EXPECT_TRUE(c.future);
}

TEST(Revocation, MaximumAgeMustBePositive) {
  RevocationLimits zero;
  zero.max_age = 0;
  auto s = RevocationStore::load("", "", zero);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "input.bad-value");
}

TEST(Revocation, StoredOcspResponsesFromIssuerAndDelegatedResponder) {
  Pki p;
  test::TempTree t;
  auto store =
      RevocationStore::load("", dir_with(t, "ocsp", {"ocsp/good.der", "ocsp/revoked.der"})).value();
  EXPECT_EQ(store.check(p.path(p.good.get()), kAt)[0].status, Revocation::kGood);
  auto r = store.check(p.path(p.revoked.get()), kAt)[0];
  EXPECT_EQ(r.status, Revocation::kRevoked);
  EXPECT_NE(r.detail.find("keyCompromise"), std::string::npos) << r.detail;
}

TEST(Revocation, ResponseFromAnUncertifiedResponderIsIgnored) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load("", dir_with(t, "ocsp", {"ocsp-bad/forged.der"})).value();
  auto r = store.check(p.path(p.revoked.get()), kAt)[0];
  EXPECT_EQ(r.status, Revocation::kNotChecked);
  EXPECT_FALSE(r.detail.empty());
}

TEST(Revocation, CrlSignedByAnotherKeyIsIgnored) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load(dir_with(t, "crl", {"ica.crl"}), "").value();
  // The same CRL checked for a path whose issuer has a different key: not accepted.
  std::vector<X509*> wrong = {p.revoked.get(), p.root.get()};
  auto r = store.check(wrong, kAt)[0];
  EXPECT_NE(r.status, Revocation::kRevoked);
}

TEST(Revocation, UnparseableFilesAreInputErrors) {
  test::TempTree t;
  t.write("crl/junk.crl", "not a crl");
  auto c = RevocationStore::load(t.path("crl"), "");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "crypto.bad-crl");
  t.write("ocsp/junk.der", "not ocsp");
  auto o = RevocationStore::load("", t.path("ocsp"));
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, "crypto.bad-ocsp");
}

}  // namespace
}  // namespace aa

namespace aa {
namespace {

bool has_code(const std::vector<Finding>& fs, const std::string& code) {
  return std::any_of(fs.begin(), fs.end(), [&](const Finding& f) { return f.code == code; });
}

// The device-chain revocation check on what the store answers for the test PKI: stale is a
// warning with its own finding, never a pass; future data is not used and says so.
TEST(Revocation, AppraiserReportsStaleAndFutureDataNeverAPass) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load(dir_with(t, "crl", {"ica-stale.crl"}), "").value();
  std::vector<X509*> path = {p.good.get(), p.ica.get()};
  std::vector<Finding> fresh;
  EXPECT_EQ(nvidia::revocation_findings(store.check(path, test::at("2026-11-28T12:00:00Z")),
                                        store.limits(), "GPU-0", fresh),
            nvidia::CheckStatus::kPass);
  EXPECT_TRUE(fresh.empty());
  std::vector<Finding> late;
  EXPECT_EQ(nvidia::revocation_findings(store.check(path, kAt), store.limits(), "GPU-0", late),
            nvidia::CheckStatus::kWarn);
  ASSERT_TRUE(has_code(late, "nvidia.revocation.stale"));
  EXPECT_EQ(late[0].severity, Severity::kWarn);
  std::vector<Finding> rev;
  std::vector<X509*> rpath = {p.revoked.get(), p.ica.get()};
  EXPECT_EQ(nvidia::revocation_findings(store.check(rpath, kAt), store.limits(), "GPU-0", rev),
            nvidia::CheckStatus::kFail);
  EXPECT_TRUE(has_code(rev, "nvidia.revocation.revoked"));
  std::vector<Finding> early;
  EXPECT_EQ(nvidia::revocation_findings(store.check(path, test::at("2026-11-01T00:00:00Z")),
                                        store.limits(), "GPU-0", early),
            nvidia::CheckStatus::kWarn);
  EXPECT_TRUE(has_code(early, "nvidia.revocation.future"));
}

}  // namespace
}  // namespace aa
