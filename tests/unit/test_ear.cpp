// EAR tokens: our JWS verification and EAR reading on the real corpus tokens (Veraison,
// rust-ear, c-ear, CoCo Trustee) and their negatives; a token we sign verifies the same way.
#include <gtest/gtest.h>

#include <openssl/pem.h>

#include "core/text.h"
#include "results/ear.h"
#include "results/jose.h"

namespace aa {
namespace {

const std::string kDir = std::string(TEST_DATA_DIR) + "/ear";

std::string slurp(const std::string& name) {
  return read_file(kDir + "/" + name, 1u << 20).value();
}

jose::Jwks veraison() {
  return jose::parse_jwks(slurp("veraison-pkey.json"), "pkey").value();
}

TEST(Jose, RealTokensVerify) {
  for (const char* t : {"arc-testJWT.jwt", "arc-testJWT_JWK.jwt", "ear_test-verify-pass.jwt",
                        "veraison-parsec-tpm.jwt"}) {
    auto v = jose::verify_compact(slurp(t), veraison(), t);
    ASSERT_TRUE(v.ok()) << t << ": " << v.error().to_string();
    auto e = ear::read_ear(v->payload, t, {});
    EXPECT_TRUE(e.ok()) << t << ": " << e.error().to_string();
    EXPECT_TRUE(e->dotted_names);
  }
  auto rust = jose::parse_jwks(slurp("rust-ear-pub.jwk"), "rust").value();
  auto v = jose::verify_compact(slurp("readme-verify-example.jwt"), rust, "readme");
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  auto e = ear::read_ear(v->payload, "readme", {});
  ASSERT_TRUE(e.ok()) << e.error().to_string();
  EXPECT_EQ(e->profile, "test");
  EXPECT_EQ(e->submods.at(0).status, "none");
}

TEST(Jose, NegativesAreRefusedEachWithItsCode) {
  auto keys = veraison();
  auto code = [&](const char* t) {
    auto v = jose::verify_compact(slurp(t), keys, t);
    if (!v) return v.error().code;
    auto e = ear::read_ear(v->payload, t, {});
    return e ? std::string("accepted") : e.error().code;
  };
  EXPECT_EQ(code("ear_test-neg-alg-none.jwt"), "jose.bad-header");
  EXPECT_EQ(code("ear_test-neg-hs256.jwt"), "jose.bad-header");
  EXPECT_EQ(code("ear_test-neg-bad-format.jwt"), "jose.bad-format");
  EXPECT_EQ(code("ear_test-neg-trailing-rubbish.jwt"), "jose.bad-format");
  EXPECT_EQ(code("ear_test-neg-empty-claims.jwt"), "ear.missing-claim");
  // Signed only by the key in its own "jwk" header: our JWKS does not vouch for it.
  EXPECT_EQ(code("arc-testRealmJWT-trustee.jwt"), "jose.bad-signature");
}

TEST(Ear, FloatIatIsRefusedUnlessLegacyIsAllowed) {
  auto v = jose::verify_compact(slurp("c-ear.jwt"), veraison(), "c-ear").value();
  auto strict = ear::read_ear(v.payload, "c-ear", {});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, "ear.float-time");
  ear::ReadOptions legacy;
  legacy.allow_float_times = true;
  auto ok = ear::read_ear(v.payload, "c-ear", legacy);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->iat, 1666529184);
}

TEST(Ear, StatusNoBetterThanItsWorstClaim) {
  Json claims = {{"eat_profile", ear::kProfileIetf03},
                 {"iat", 1700000000},
                 {"ear_verifier_id", {{"developer", "d"}, {"build", "b"}}},
                 {"submods",
                  {{"gpu0",
                    {{"ear_status", "affirming"},
                     {"ear_trustworthiness_vector", {{"hardware", 2}, {"executables", 33}}}}}}}};
  auto bad = ear::read_ear(claims, "c", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "ear.status-too-good");
  claims["submods"]["gpu0"]["ear_status"] = "warning";
  ASSERT_TRUE(ear::read_ear(claims, "c", {}).ok());
  claims["ear_status"] = "affirming";
  EXPECT_EQ(ear::read_ear(claims, "c", {}).error().code, "ear.status-too-good");
  claims["ear_status"] = "contraindicated";
  claims["exp"] = 1700000100;
  ear::ReadOptions o;
  o.now = 1700000200;
  EXPECT_EQ(ear::read_ear(claims, "c", o).error().code, "ear.expired");
  claims["iat"] = 1.7e9;
  EXPECT_EQ(ear::read_ear(claims, "c", {}).error().code, "ear.float-time");
}

TEST(Jose, OurTokensVerifyAndTamperingIsCaught) {
  std::string pem = slurp("rust-ear-skey.pem");
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(key);
  std::string kid = jose::thumbprint(key.get());
  Json jwks = {{"keys", Json::array({jose::public_jwk(key.get(), kid)})}};
  auto keys = jose::parse_jwks(jwks.dump(), "ours").value();
  Json claims = {{"eat_profile", ear::kProfileIetf03},
                 {"iat", 1700000000},
                 {"eat_nonce", "AAECAw"},
                 {"ear_verifier_id", {{"developer", "accel-attest"}, {"build", "test"}}},
                 {"submods", {{"host", {{"ear_status", "affirming"}}}}}};
  std::string token = jose::sign_es256(key.get(), kid, claims);
  auto v = jose::verify_compact(token, keys, "ours");
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  ear::ReadOptions o;
  o.expected_nonce = "00010203";
  EXPECT_TRUE(ear::read_ear(v->payload, "ours", o).ok());
  o.expected_nonce = "00010204";
  EXPECT_EQ(ear::read_ear(v->payload, "ours", o).error().code, "ear.nonce-mismatch");
  // The rust-ear public key is the same key: its JWKS verifies our token too.
  auto rust = jose::parse_jwks(slurp("rust-ear-pub.jwk"), "rust").value();
  std::string t2 = jose::sign_es256(key.get(), rust.keys[0].kid, claims);
  EXPECT_TRUE(jose::verify_compact(t2, rust, "t2").ok());
  // Any changed character of the payload breaks the signature or the format.
  size_t dot = token.find('.');
  std::string tampered = token;
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(jose::verify_compact(tampered, keys, "t").ok());
}

}  // namespace
}  // namespace aa

#include "store/nonce_store.h"
#include "unit/temp_tree.h"

namespace aa {
namespace {

TEST(NonceStore, OnceBeforeExpiryAndEachRefusalHasItsCode) {
  test::TempTree t;
  auto store = NonceStore::open(t.path("nonces.sqlite"));
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  auto n = store->issue(1000, 60);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->size(), 64u);
  EXPECT_TRUE(store->consume(*n, 1030).ok());
  EXPECT_EQ(store->consume(*n, 1031).error().code, "store.nonce-reused");
  auto late = store->issue(1000, 60);
  EXPECT_EQ(store->consume(*late, 1061).error().code, "store.nonce-expired");
  EXPECT_EQ(store->consume(std::string(64, 'a'), 1000).error().code, "store.nonce-unknown");
  // A second handle on the same file sees the same state.
  auto again = NonceStore::open(t.path("nonces.sqlite"));
  auto n2 = store->issue(2000, 60);
  EXPECT_TRUE(again->consume(*n2, 2001).ok());
  EXPECT_EQ(store->consume(*n2, 2002).error().code, "store.nonce-reused");
}

}  // namespace
}  // namespace aa
