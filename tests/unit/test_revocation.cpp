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

TEST(Revocation, StaleCrlDoesNotAnswer) {
  Pki p;
  test::TempTree t;
  auto store = RevocationStore::load(dir_with(t, "crl", {"ica-stale.crl"}), "").value();
  auto g = store.check(p.path(p.good.get()), kAt);
  EXPECT_EQ(g[0].status, Revocation::kUnknown);
  EXPECT_NE(g[0].detail.find("not current"), std::string::npos);
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
