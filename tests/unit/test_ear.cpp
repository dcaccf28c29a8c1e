// EAR tokens: our JWS verification and EAR reading on the real corpus tokens (Veraison,
// rust-ear, c-ear, CoCo Trustee) and their negatives; a token we sign verifies the same way.
#include <gtest/gtest.h>

#include <openssl/pem.h>

#include <limits>

#include "core/bytes.h"
#include "core/text.h"
#include "location/boundaries.h"
#include "report/html_report.h"
#include "results/ear.h"
#include "results/ear_writer.h"
#include "results/jose.h"
#include "results/token.h"

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
  EXPECT_EQ(e->submods.at(0).status, TrustTier::kNone);
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
  // A key published for encryption is not a verification key.
  Json enc = jwks;
  enc["keys"][0]["use"] = "enc";
  auto refused = jose::parse_jwks(enc.dump(), "enc");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "jose.bad-key");
  EXPECT_EQ(refused.error().field, "enc#/keys/0/use");
  Json claims = {{"eat_profile", ear::kProfileIetf03},
                 {"iat", 1700000000},
                 {"eat_nonce", "AAECAw"},
                 {"ear_verifier_id", {{"developer", "accel-attest"}, {"build", "test"}}},
                 {"submods", {{"host", {{"ear_status", "affirming"}}}}}};
  std::string token = jose::sign_es256(key.get(), kid, claims).value();
  auto v = jose::verify_compact(token, keys, "ours");
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  ear::ReadOptions o;
  o.expected_nonce = "00010203";
  EXPECT_TRUE(ear::read_ear(v->payload, "ours", o).ok());
  o.expected_nonce = "00010204";
  EXPECT_EQ(ear::read_ear(v->payload, "ours", o).error().code, "ear.nonce-mismatch");
  // The rust-ear public key is the same key: its JWKS verifies our token too.
  auto rust = jose::parse_jwks(slurp("rust-ear-pub.jwk"), "rust").value();
  std::string t2 = jose::sign_es256(key.get(), rust.keys[0].kid, claims).value();
  EXPECT_TRUE(jose::verify_compact(t2, rust, "t2").ok());
  // Any changed character of the payload breaks the signature or the format.
  size_t dot = token.find('.');
  std::string tampered = token;
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(jose::verify_compact(tampered, keys, "t").ok());
}

// s > n/2 for the 32-byte s of an r||s signature, judged with OpenSSL's BIGNUMs (independently
// of jose::es256_low_s).
bool high_s(const std::string& token) {
  auto sig = base64url_decode(token.substr(token.rfind('.') + 1)).value();
  BIGNUM* half_raw = nullptr;
  BN_hex2bn(&half_raw, "7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8");
  ossl::BigNum half(half_raw);
  ossl::BigNum s(BN_bin2bn(sig.data() + 32, 32, nullptr));
  return BN_cmp(s.get(), half.get()) > 0;
}

ossl::PKey rust_key() {
  std::string pem = slurp("rust-ear-skey.pem");
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return ossl::PKey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

TEST(Jose, BothFormsOfSOfRealTokensVerify) {
  // ear_test-verify-pass.jwt is low-S as published, arc-testJWT.jwt high-S; the -high-s /
  // -low-s copies have s replaced by n - s (tests/data/ear/SOURCES.md).
  for (auto [t, high] :
       {std::pair{"ear_test-verify-pass.jwt", false},
        std::pair{"ear_test-verify-pass-high-s.jwt", true}, std::pair{"arc-testJWT.jwt", true},
        std::pair{"arc-testJWT-low-s.jwt", false}}) {
    std::string token = slurp(t);
    while (!token.empty() && token.back() == '\n') token.pop_back();
    EXPECT_EQ(high_s(token), high) << t;
    auto v = jose::verify_compact(token, veraison(), t);
    ASSERT_TRUE(v.ok()) << t << ": " << v.error().to_string();
    EXPECT_TRUE(ear::read_ear(v->payload, t, {}).ok()) << t;
    auto raw = base64url_decode(token.substr(token.rfind('.') + 1)).value();
    EXPECT_EQ(jose::es256_low_s(raw), !high) << t;
    EXPECT_EQ(jose::es256_low_s(jose::es256_flip_s(raw)), high) << t;
  }
  auto sig_of = [](const char* name) {
    std::string t = slurp(name);
    while (!t.empty() && t.back() == '\n') t.pop_back();
    return base64url_decode(t.substr(t.rfind('.') + 1)).value();
  };
  EXPECT_EQ(jose::es256_flip_s(sig_of("ear_test-verify-pass.jwt")),
            sig_of("ear_test-verify-pass-high-s.jwt"));
  // s = 0 and s >= n are not signatures.
  EXPECT_TRUE(jose::es256_flip_s(Bytes(64, 0)).empty());
  EXPECT_TRUE(jose::es256_flip_s(Bytes(64, 0xff)).empty());
  EXPECT_FALSE(jose::es256_low_s(Bytes(64, 0xff)));
}

TEST(Jose, WeSignLowSAlways) {
  ossl::PKey key = rust_key();
  ASSERT_TRUE(key);
  auto keys = jose::parse_jwks(slurp("rust-ear-pub.jwk"), "rust").value();
  Json claims = {{"eat_profile", ear::kProfileIetf03}, {"iat", 1700000000}};
  int high = 0;
  for (int i = 0; i < 200; ++i) {
    claims["n"] = i;
    auto token = jose::sign_es256(key.get(), keys.keys[0].kid, claims);
    ASSERT_TRUE(token.ok()) << token.error().to_string();
    if (high_s(*token)) ++high;
    ASSERT_TRUE(jose::verify_compact(*token, keys, "t").ok());
  }
  // Unnormalised, about half of 200 random signatures would be high-S.
  EXPECT_EQ(high, 0);
}

TEST(Jose, SigningFailureIsAnErrorNotAnEmptyToken) {
  // An RSA key cannot make an ES256 signature.
  ossl::PKey rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  ASSERT_TRUE(rsa);
  auto t = jose::sign_es256(rsa.get(), "k", Json::object());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "jose.sign-failed");
}

TEST(Jose, HeaderOrPayloadThatIsNotAnObjectIsRefusedWithItsCode) {
  auto keys = veraison();
  for (const char* kind : {"array", "number", "string", "null", "garbage"}) {
    for (const char* part : {"header", "payload"}) {
      std::string name = std::string("malformed/") + part + "-" + kind + ".jwt";
      std::string token = slurp(name);
      const std::string want = std::string("jose.bad-") + part;
      auto v = jose::verify_compact(token, keys, name);
      ASSERT_FALSE(v.ok()) << name;
      EXPECT_EQ(v.error().code, want) << name << ": " << v.error().to_string();
      EXPECT_NE(v.error().field.find(name + " " + part), std::string::npos) << v.error().field;
      auto d = jose::decode_unverified(token, name);
      ASSERT_FALSE(d.ok()) << name;
      EXPECT_EQ(d.error().code, want) << name;
    }
  }
  // The well-formed token decodes without a key.
  auto d = jose::decode_unverified(slurp("ear_test-verify-pass.jwt"), "t");
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->header["alg"], "ES256");
  EXPECT_TRUE(d->payload.contains("submods"));
  EXPECT_EQ(jose::decode_unverified("e30.e30", "t").error().code, "jose.bad-format");
  // A header member of the wrong type, or a missing alg, is a header error naming the member.
  for (const char* h : {R"({"alg":1})", R"({"alg":"ES256","kid":[]})", R"({"typ":"JWT"})"}) {
    std::string t =
        base64url_encode(as_bytes(std::string_view(h))) + ".e30." + base64url_encode(Bytes(64, 1));
    auto v = jose::verify_compact(t, keys, "h");
    ASSERT_FALSE(v.ok()) << h;
    EXPECT_EQ(v.error().code, "jose.bad-header") << h << ": " << v.error().to_string();
    EXPECT_EQ(v.error().field.rfind("h header#/", 0), 0u) << v.error().field;
  }
}

TEST(Jose, JwksFromAPemPublicOrPrivateKey) {
  auto from_private = jose::jwks_from_pem(slurp("rust-ear-skey.pem"), "skey");
  ASSERT_TRUE(from_private.ok()) << from_private.error().to_string();
  ossl::PKey key = rust_key();
  ossl::Bio out(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PUBKEY(out.get(), key.get()), 1);
  char* data = nullptr;
  long n = BIO_get_mem_data(out.get(), &data);
  auto from_public = jose::jwks_from_pem(std::string_view(data, static_cast<size_t>(n)), "pub");
  ASSERT_TRUE(from_public.ok()) << from_public.error().to_string();
  const std::string kid = jose::thumbprint(key.get());
  EXPECT_EQ(from_private->keys.at(0).kid, kid);
  EXPECT_EQ(from_public->keys.at(0).kid, kid);
  auto token = jose::sign_es256(key.get(), kid, Json{{"a", 1}}).value();
  EXPECT_TRUE(jose::verify_compact(token, *from_public, "t").ok());
  EXPECT_EQ(jose::jwks_from_pem(slurp("veraison-pkey.json"), "j").error().code, "jose.bad-key");
}

Json relying_party_claims() {
  return {{"eat_profile", ear::kProfileIetf03},
          {"iat", 1700000000},
          {"exp", 1700003600},
          {"ear_verifier_id", {{"developer", "d"}, {"build", "b"}}},
          {"submods", {{"gpu0", {{"ear_status", "affirming"}}}}}};
}

TEST(Ear, TimesAsRelyingPartiesReadThem) {
  Json c = relying_party_claims();
  ear::ReadOptions o;
  auto code = [&](const Json& claims) {
    auto r = ear::read_ear(claims, "c", o);
    return r ? std::string("ok") : r.error().code;
  };
  o.now = 1700000000;
  EXPECT_EQ(code(c), "ok");
  // iat in the future: within the skew (300 s by default) accepted, beyond it refused.
  o.now = 1700000000 - 300;
  EXPECT_EQ(code(c), "ok");
  o.now = 1700000000 - 301;
  EXPECT_EQ(code(c), "token.iat-future");
  o.skew = 0;
  o.now = 1700000000 - 1;
  EXPECT_EQ(code(c), "token.iat-future");
  o.skew = ear::kDefaultSkew;
  // exp: refused at exp itself and after, with no skew.
  o.now = 1700003599;
  EXPECT_EQ(code(c), "ok");
  o.now = 1700003600;
  EXPECT_EQ(code(c), "ear.expired");
  // nbf: honoured, with the skew.
  c["nbf"] = 1700001000;
  o.now = 1700000600;
  EXPECT_EQ(code(c), "token.nbf");
  o.now = 1700000700;
  EXPECT_EQ(code(c), "ok");
  c["nbf"] = 1700001000.5;
  EXPECT_EQ(code(c), "ear.float-time");
  // A time too large for int64 would wrap negative (nbf in the past): refused.
  c["nbf"] = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(code(c), "ear.bad-claim");
  c.erase("nbf");
  c["iat"] = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(code(c), "ear.bad-claim");
  // Without a time nothing is judged against the clock.
  o.now.reset();
  c["iat"] = 1700000000;
  c["nbf"] = 1900000000;
  EXPECT_EQ(code(c), "ok");
}

TEST(Ear, TrustVectorValuesAreIntegersMinus128To127) {
  Json c = relying_party_claims();
  c["submods"]["gpu0"]["ear_status"] = "contraindicated";
  auto code = [&](const Json& v) {
    c["submods"]["gpu0"]["ear_trustworthiness_vector"] = {{"hardware", v}};
    auto r = ear::read_ear(c, "c", {});
    return r ? std::string("ok") : r.error().code;
  };
  EXPECT_EQ(code(127), "ok");
  EXPECT_EQ(code(-128), "ok");
  EXPECT_EQ(code(128), "token.vector-range");
  EXPECT_EQ(code(-129), "token.vector-range");
  EXPECT_EQ(code(2.0), "token.vector-range");
  EXPECT_EQ(code(true), "token.vector-range");
  EXPECT_EQ(code("2"), "token.vector-range");
  // 2^64 - 1 read through int64_t is -1: a "none" claim that is really out of range.
  EXPECT_EQ(code(std::numeric_limits<uint64_t>::max()), "token.vector-range");
  auto r = ear::read_ear(c, "c", {});
  EXPECT_NE(r.error().field.find("ear_trustworthiness_vector/hardware"), std::string::npos);
}

// Draft-03 per-appraisal claims: eat_profile and the ordered appraisal policy ids (the dotted
// names carry one id as a string).
TEST(Ear, AppraisalProfileAndPolicyIdsAreRead) {
  Json c = relying_party_claims();
  c["submods"]["gpu0"]["eat_profile"] = "tag:example.org,2026:p";
  c["submods"]["gpu0"]["ear_appraisal_policy_ids"] = {"policy:a", "policy:b"};
  auto r = ear::read_ear(c, "c", {});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->submods[0].profile, "tag:example.org,2026:p");
  EXPECT_EQ(r->submods[0].policy_ids, (std::vector<std::string>{"policy:a", "policy:b"}));
  for (Json bad : {Json::array(), Json("policy:a"), Json::array({1}), Json::object()}) {
    Json x = c;
    x["submods"]["gpu0"]["ear_appraisal_policy_ids"] = bad;
    auto e = ear::read_ear(x, "c", {});
    ASSERT_FALSE(e.ok()) << bad.dump();
    EXPECT_EQ(e.error().code, "ear.bad-claim") << bad.dump();
  }
  Json p = c;
  p["submods"]["gpu0"]["eat_profile"] = 3;
  EXPECT_EQ(ear::read_ear(p, "c", {}).error().code, "input.wrong-type");
  auto v = jose::verify_compact(slurp("arc-testJWT.jwt"), veraison(), "arc").value();
  Json dotted = v.payload;
  for (auto& [_, a] : dotted["submods"].items()) a["ear.appraisal-policy-id"] = "policy:x";
  auto d = ear::read_ear(dotted, "arc", {});
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->submods[0].policy_ids, std::vector<std::string>{"policy:x"});
}

// AR4SI 99 (cryptographic validation of the Evidence failed) is contraindicated: a status
// better than that is refused on reading, and a submod carrying it never meets --require, even
// in Claims built without read_ear().
TEST(Ear, FailedCryptoNeverMeetsARequirement) {
  Json c = relying_party_claims();
  c["submods"]["gpu0"]["ear_trustworthiness_vector"] = {{"hardware", 99}};
  for (const char* st : {"affirming", "warning"}) {
    c["submods"]["gpu0"]["ear_status"] = st;
    EXPECT_EQ(ear::read_ear(c, "c", {}).error().code, "ear.status-too-good") << st;
  }
  c["submods"]["gpu0"]["ear_status"] = "contraindicated";
  auto r = ear::read_ear(c, "c", {});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(ear::meets(*r, "warning", "c").error().code, "token.status-below-required");
  ear::Claims forged = *r;
  forged.submods[0].status = TrustTier::kAffirming;
  auto m = ear::meets(forged, "warning", "c");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().field, "c#/submods/gpu0/ear_trustworthiness_vector/hardware");
  EXPECT_NE(m.error().message.find("cryptographic validation of the Evidence failed"),
            std::string::npos)
      << m.error().message;
  forged.submods[0].trust_vector = {{"hardware", 96}};
  EXPECT_FALSE(ear::meets(forged, "warning", "c").ok());
}

TEST(Ear, StatusMustMeetWhatTheRelyingPartyRequires) {
  Json c = relying_party_claims();
  c["submods"]["host"] = {{"ear_status", "affirming"}};
  auto meets = [&](const char* top, const char* gpu, const std::string& required) {
    Json x = c;
    if (top) x["ear_status"] = top;
    x["submods"]["gpu0"]["ear_status"] = gpu;
    auto claims = ear::read_ear(x, "c", {});
    EXPECT_TRUE(claims.ok()) << claims.error().to_string();
    auto s = ear::meets(*claims, required, "c");
    return s ? std::string("ok") : s.error().code + " " + s.error().field;
  };
  EXPECT_EQ(meets("affirming", "affirming", "affirming"), "ok");
  EXPECT_EQ(meets(nullptr, "affirming", "affirming"), "ok");
  EXPECT_EQ(meets("warning", "warning", "affirming"), "token.status-below-required c#/ear_status");
  EXPECT_EQ(meets(nullptr, "warning", "affirming"),
            "token.status-below-required c#/submods/gpu0/ear_status");
  EXPECT_EQ(meets("warning", "warning", "warning"), "ok");
  EXPECT_EQ(meets("contraindicated", "contraindicated", "warning").substr(0, 27),
            "token.status-below-required");
  // "none" (no claim made) is not affirming.
  EXPECT_EQ(meets(nullptr, "none", "warning").substr(0, 27), "token.status-below-required");
  EXPECT_EQ(meets(nullptr, "affirming", "none").substr(0, 15), "input.bad-value");
  // AR4SI 1 and -1 (the verifier could not make the claim, or malfunctioned) are no verdict:
  // an "affirming" submod carrying one never meets a requirement; 0 (no claim) and -2 do.
  for (int v : {1, -1, 0, -2}) {
    Json x = c;
    x["submods"]["gpu0"]["ear_status"] = "affirming";
    x["submods"]["gpu0"]["ear_trustworthiness_vector"] = {{"hardware", v}};
    auto claims = ear::read_ear(x, "c", {});
    ASSERT_TRUE(claims.ok()) << claims.error().to_string();
    auto s = ear::meets(*claims, "warning", "c");
    if (v == 1 || v == -1) {
      ASSERT_FALSE(s.ok()) << v;
      EXPECT_EQ(s.error().code, "token.status-below-required");
      EXPECT_EQ(s.error().field, "c#/submods/gpu0/ear_trustworthiness_vector/hardware");
    } else {
      EXPECT_TRUE(s.ok()) << v;
    }
  }
}

TEST(Token, VerifyResultTokenGatesOnEveryCheck) {
  ossl::PKey key = rust_key();
  auto keys = jose::parse_jwks(slurp("rust-ear-pub.jwk"), "rust").value();
  Json c = relying_party_claims();
  c["submods"]["gpu0"]["ear_status"] = "warning";
  std::string token = jose::sign_es256(key.get(), keys.keys[0].kid, c).value();
  ear::TokenPolicy p;
  p.read.now = 1700000100;
  auto v = ear::verify_result_token(token, keys, "t", p);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->thumbprint, jose::thumbprint(key.get()));
  EXPECT_EQ(v->jwk["kid"], keys.keys[0].kid);
  p.require = "affirming";
  EXPECT_EQ(ear::verify_result_token(token, keys, "t", p).error().code,
            "token.status-below-required");
  p.require = "warning";
  EXPECT_TRUE(ear::verify_result_token(token, keys, "t", p).ok());
  p.profiles = {"other"};
  EXPECT_EQ(ear::verify_result_token(token, keys, "t", p).error().code, "ear.unexpected-profile");
  p.profiles.clear();
  p.read.now = 1700003600;
  EXPECT_EQ(ear::verify_result_token(token, keys, "t", p).error().code, "ear.expired");
  // Our own results are checked against their extension schema too: a draft-03 token whose
  // appraisal carries our profile, and a token of the profile issued before draft-03.
  p.read.now = 1700000100;
  Json ours = c;
  ours["submods"]["gpu0"]["eat_profile"] = ear::kProfileAccelAttest;
  token = jose::sign_es256(key.get(), keys.keys[0].kid, ours).value();
  EXPECT_EQ(ear::verify_result_token(token, keys, "t", p).error().code, "ear.missing-claim");
  Json old = c;
  old["eat_profile"] = ear::kProfileAccelAttestV1;
  token = jose::sign_es256(key.get(), keys.keys[0].kid, old).value();
  EXPECT_EQ(ear::verify_result_token(token, keys, "t", p).error().code, "ear.missing-claim");
  // --profile pins the token's profile or the one its appraisals all carry.
  Json pinned = c;
  pinned["submods"]["gpu0"]["eat_profile"] = "tag:example.org,2026:p";
  token = jose::sign_es256(key.get(), keys.keys[0].kid, pinned).value();
  p.profiles = {"tag:example.org,2026:p"};
  EXPECT_TRUE(ear::verify_result_token(token, keys, "t", p).ok());
  p.profiles = {ear::kProfileIetf03};
  EXPECT_TRUE(ear::verify_result_token(token, keys, "t", p).ok());
  p.profiles = {ear::kProfileVeraison};
  EXPECT_EQ(ear::verify_result_token(token, keys, "t", p).error().code, "ear.unexpected-profile");
  EXPECT_EQ(ear::shell_word("a/b.jwt"), "a/b.jwt");
  EXPECT_EQ(ear::shell_word("it's here"), "'it'\\''s here'");
  EXPECT_EQ(ear::shell_word(""), "''");
}

// Mistyped claims of both report kinds: every variant renders, without an exception; unverified,
// the page says UNVERIFIED and colours nothing.
TEST(Report, AnyClaimsRenderAndAnUnverifiedPageHasNoVerdictOrColour) {
  const std::string x = ear::kExtPrefix;
  Json good = {
      {"eat_profile", ear::kProfileIetf03},
      {"iat", 1700000000},
      {"ear_status", "contraindicated"},
      {"submods",
       {{"host",
         {{"ear_status", "affirming"},
          {x + "host", {{"name", "h"}, {"findings", Json::array()}, {"checks", Json::object()}}}}},
        {"0000:18:00.0",
         {{"ear_status", "contraindicated"},
          {x + "device",
           {{"marketing_name", "H20"},
            {"findings",
             {{{"code", "policy.prc-3a090-part"}, {"severity", "fail"}, {"message", "m"}}}}}},
          {x + "location",
           {{"verdict", "indeterminate"},
            {"landmarks",
             {{{"id", "sg"},
               {"lat", 1.29},
               {"lon", 103.85},
               {"rtt_min_ms", 1.5},
               {"radius_km_at_c", 200.0},
               {"used", true}}}}}}}}}}};
  std::vector<Json> variants = {good, Json::object()};
  const std::string device = "/submods/0000:18:00.0/";
  for (const std::string& path : std::vector<std::string>{
           "/submods", "/submods/host", "/submods/0000:18:00.0",
           device + json_pointer_token(x + "device"), device + json_pointer_token(x + "location"),
           device + json_pointer_token(x + "device") + "/findings",
           "/submods/host/" + json_pointer_token(x + "host"), "/iat", "/ear_status",
           "/ear_verifier_id"}) {
    for (Json v : {Json::array(), Json(1), Json("x"), Json(nullptr), Json(true), Json(-1.5e300)}) {
      Json c = good;
      c[Json::json_pointer(path)] = v;
      variants.push_back(c);
    }
  }
  for (const char* field : {"lat", "lon", "rtt_min_ms", "radius_km_at_c", "used", "id"}) {
    for (Json v : {Json("x"), Json(nullptr), Json(Json::array()), Json(1e300)}) {
      Json c = good;
      c["submods"]["0000:18:00.0"][x + "location"]["landmarks"][0][field] = v;
      variants.push_back(c);
    }
  }
  auto bounds = location::Boundaries::load(PROFILES_DIR);
  ASSERT_TRUE(bounds.ok()) << bounds.error().to_string();
  for (bool verified : {false, true}) {
    ReportSignature sig;
    sig.verified = verified;
    sig.kid = "k";
    sig.thumbprint = "t";
    sig.reverify = "accel-attest verify-token 'a b.jwt' --jwks j.json";
    for (const auto& c : variants) {
      std::string pages[2];
      ASSERT_NO_THROW(pages[0] = render_html_report(c, sig)) << c.dump();
      ASSERT_NO_THROW(pages[1] = render_location_report(c, sig, *bounds, {"CN"})) << c.dump();
      for (const auto& html : pages) {
        EXPECT_NE(html.find("id=\"reverify\">accel-attest verify-token &#39;a b.jwt&#39;"),
                  std::string::npos);
        if (verified) continue;
        EXPECT_NE(html.find("id=\"verdict\"><b>UNVERIFIED</b>"), std::string::npos);
        for (const char* cls :
             {"affirming", "warning", "contraindicated", "none", "fail", "warn", "info"}) {
          EXPECT_EQ(html.find(std::string("class=\"pill ") + cls + "\""), std::string::npos) << cls;
          EXPECT_EQ(html.find(std::string("class=\"verdict ") + cls + "\""), std::string::npos);
        }
      }
    }
  }
  ReportSignature sig;
  sig.verified = true;
  std::string html = render_html_report(good, sig);
  EXPECT_NE(html.find("id=\"verdict\"><b>contraindicated</b>"), std::string::npos);
  EXPECT_NE(html.find("class=\"pill fail\""), std::string::npos);
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
