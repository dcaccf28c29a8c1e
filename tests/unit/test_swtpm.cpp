// End to end against a real TPM (swtpm): the host side creates EK and AK through ESYS, the
// verifier checks the EK certificate, runs MakeCredential in C++ and the TPM activates it, the
// TPM quotes our nonce (bound to an inventory), and the appraiser accepts that quote and
// rejects its mutations.
#include <gtest/gtest.h>

#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "binding/inventory_digest.h"
#include "collect/tpm_host.h"
#include "crypto/x509.h"
#include "tpm/appraise.h"
#include "tpm/credential.h"
#include "tpm/ek.h"
#include "unit/swtpm_fixture.h"

namespace aa {
namespace {

using tpm::TpmHost;

// A throw-away CA (EC P-256) that certifies one AK, as an enrolment service would after
// credential activation: the AK is then trusted only by a verifier given this CA.
struct TestAkCa {
  ossl::PKey key;
  ossl::X509Ptr ca;
  ossl::X509Ptr issue(EVP_PKEY* subject_key, const char* cn, bool is_ca) const {
    ossl::X509Ptr c(X509_new());
    X509_set_version(c.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c.get()), is_ca ? 1 : 2);
    X509_gmtime_adj(X509_getm_notBefore(c.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c.get()), 3600L * 24 * 365);
    X509_NAME* name = X509_get_subject_name(c.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(c.get(), ca ? X509_get_subject_name(ca.get()) : name);
    X509_set_pubkey(c.get(), subject_key);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, ca ? ca.get() : c.get(), c.get(), nullptr, nullptr, 0);
    for (auto [nid, value] :
         {std::pair{NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
          std::pair{NID_key_usage,
                    is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(c.get(), ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(c.get(), key.get(), EVP_sha256());
    return c;
  }
  TestAkCa() : key(EVP_EC_gen("P-256")) { ca = issue(key.get(), "test AK CA", true); }
  Bytes certify(ByteView ak_public) const {
    auto ak = tpm::parse_public(ak_public, "ak");
    if (!ak) return {};
    ossl::X509Ptr leaf = issue(ak->key.get(), "test AK", false);
    unsigned char* der = nullptr;
    int n = i2d_X509(leaf.get(), &der);
    Bytes out(der, der + std::max(n, 0));
    OPENSSL_free(der);
    return out;
  }
};

class SwtpmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { swtpm_ = new test::Swtpm(); }
  static void TearDownTestSuite() {
    delete swtpm_;
    swtpm_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(swtpm_->error().empty()) << swtpm_->error();
    auto h = TpmHost::open(swtpm_->tcti());
    ASSERT_TRUE(h.ok()) << h.error().to_string();
    host_ = std::move(h).value();
  }
  static Bytes random(size_t n) {
    Bytes b(n);
    RAND_bytes(b.data(), static_cast<int>(n));
    return b;
  }
  static TPML_PCR_SELECTION selection() {
    TPML_PCR_SELECTION s{};
    s.count = 1;
    s.pcrSelections[0].hash = TPM2_ALG_SHA256;
    s.pcrSelections[0].sizeofSelect = 3;
    s.pcrSelections[0].pcrSelect[0] = 0xff;  // PCRs 0..7
    s.pcrSelections[0].pcrSelect[2] = 0x01;  // PCR 16
    return s;
  }

  static test::Swtpm* swtpm_;
  std::unique_ptr<TpmHost> host_;
};
test::Swtpm* SwtpmTest::swtpm_ = nullptr;

TEST_F(SwtpmTest, EkCertificateChainsToTheLocalCaAndCarriesTheEk) {
  auto ek = host_->ek();
  ASSERT_TRUE(ek.ok()) << ek.error().to_string();
  auto der = host_->nv_read(0x01c00002);
  ASSERT_TRUE(der.ok()) << der.error().to_string();
  ASSERT_TRUE(der->has_value());
  auto cert = x509::parse_der(**der, "ek cert").value();
  tpm::EkAnchors anchors;
  anchors.roots.push_back(x509::load_pem_file(swtpm_->ca_root()).value());
  anchors.intermediates.push_back(x509::load_pem_file(swtpm_->ca_issuer()).value());
  auto at = std::time(nullptr);
  auto ok = tpm::check_ek_certificate(cert.get(), ek->pub.publicArea, anchors, at);
  EXPECT_TRUE(ok.ok);
  EXPECT_TRUE(ok.has_ek_eku);
  EXPECT_EQ(ok.path.size(), 3u);
  // The same certificate against the shipped vendor store: an untrusted root, said precisely.
  auto vendors = tpm::EkAnchors::load(CERTS_DIR "/tpm").value();
  auto bad = tpm::check_ek_certificate(cert.get(), ek->pub.publicArea, vendors, at);
  EXPECT_FALSE(bad.ok);
  ASSERT_FALSE(bad.findings.empty());
  EXPECT_EQ(bad.findings[0].code, "tpm.ek-cert-untrusted");
  EXPECT_NE(bad.findings[0].message.find("swtpm-localca"), std::string::npos)
      << bad.findings[0].message;
  // And it does not vouch for another key.
  auto ecc = host_->ecc_ek();
  ASSERT_TRUE(ecc.ok()) << ecc.error().to_string();
  auto other = tpm::check_ek_certificate(cert.get(), ecc->pub.publicArea, anchors, at);
  EXPECT_FALSE(other.ok);
  EXPECT_EQ(other.findings[0].code, "tpm.ek-cert-key-mismatch");
}

TEST_F(SwtpmTest, CredentialActivationWithRsaAndEccEks) {
  for (bool ecc : {false, true}) {
    auto ek = ecc ? host_->ecc_ek() : host_->ek();
    ASSERT_TRUE(ek.ok()) << ek.error().to_string();
    auto ak = host_->create_ak(ek->handle, ecc);
    ASSERT_TRUE(ak.ok()) << ak.error().to_string();
    Bytes name = tpm::ak_name(ak->pub.publicArea);
    Bytes secret = random(32);
    auto cred = tpm::make_credential(ek->pub.publicArea, name, secret);
    ASSERT_TRUE(cred.ok()) << cred.error().to_string();
    auto got = host_->activate(ak->handle, ek->handle, cred->blob, cred->secret);
    ASSERT_TRUE(got.ok()) << (ecc ? "ECC: " : "RSA: ") << got.error().to_string();
    EXPECT_EQ(*got, secret) << (ecc ? "ECC" : "RSA");
    // A credential for another object's Name is refused by the TPM.
    Bytes wrong_name = name;
    wrong_name.back() ^= 1;
    auto wrong = tpm::make_credential(ek->pub.publicArea, wrong_name, secret);
    ASSERT_TRUE(wrong.ok());
    EXPECT_FALSE(host_->activate(ak->handle, ek->handle, wrong->blob, wrong->secret).ok());
  }
}

TEST_F(SwtpmTest, FreshQuoteBindingTheInventoryPassesAndItsMutationsFail) {
  auto ek = host_->ek();
  ASSERT_TRUE(ek.ok());
  for (bool ecc : {false, true}) {
    auto ak = host_->create_ak(ek->handle, ecc);
    ASSERT_TRUE(ak.ok()) << ak.error().to_string();
    ASSERT_TRUE(host_->extend_sha256(16, random(32)).ok());
    // The inventory: two accelerators with evidence digests.
    BoundInventory inv;
    inv.host_name = "swtpm-host";
    inv.site_country = "AE";
    inv.devices.resize(2);
    inv.devices[0].address = "0000:18:00.0";
    inv.devices[0].vendor = 0x10de;
    inv.devices[0].device = 0x2330;
    inv.devices[0].report_sha256 = Bytes(32, 0xaa);
    inv.devices[1].address = "0000:2a:00.0";
    inv.devices[1].vendor = 0x19e5;
    inv.devices[1].device = 0xd802;
    inv.devices[1].serial = "033VNY10M3000123";
    Bytes inv_digest = inventory_digest_v2(inv);
    Bytes nonce = random(32);
    auto q = host_->quote(ak->handle, tpm::binding_extra_data(nonce, inv_digest), selection());
    ASSERT_TRUE(q.ok()) << q.error().to_string();
    tpm::QuoteEvidence ev;
    ev.attest = q->attest;
    ev.signature = q->signature;
    ev.pcrs = q->pcrs;
    ev.ak_public = tpm::marshal_public(ak->pub);
    ev.origin = "swtpm";
    tpm::QuoteReferences refs;
    refs.nonce = nonce;
    refs.inventory_digest = inv_digest;
    refs.at = std::time(nullptr);
    // Without an AK certificate extraData binds, but nothing vouches for the signer.
    auto unvouched = tpm::appraise_quote(ev, refs);
    EXPECT_TRUE(unvouched.extra_data_binds);
    EXPECT_FALSE(unvouched.inventory_bound);
    EXPECT_EQ(unvouched.checks.at(tpm::QuoteCheck::kAkTrust), tpm::Check::kWarn);
    // With the AK certified by a CA the verifier trusts: bound.
    TestAkCa ak_ca;
    ev.ak_cert_der = ak_ca.certify(ev.ak_public);
    refs.ak_ca = ak_ca.ca.get();
    auto a = tpm::appraise_quote(ev, refs);
    EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kAkTrust), tpm::Check::kPass);
    EXPECT_TRUE(a.inventory_bound);
    EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kSignature), tpm::Check::kPass);
    EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kPcrs), tpm::Check::kPass);
    EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kAk), tpm::Check::kPass);
    EXPECT_NE(a.verdict(), TrustTier::kContraindicated);
    EXPECT_EQ(a.pcrs.size(), 9u);

    auto fails = [&](tpm::QuoteEvidence m, const char* code, tpm::QuoteReferences r) {
      auto x = tpm::appraise_quote(m, r);
      EXPECT_EQ(x.verdict(), TrustTier::kContraindicated) << code;
      EXPECT_TRUE(std::any_of(x.findings.begin(), x.findings.end(), [&](const Finding& f) {
        return f.code == code;
      })) << code;
    };
    auto m = ev;
    m.attest[m.attest.size() - 1] ^= 1;  // inside the signed pcrDigest
    fails(m, "tpm.signature-invalid", refs);
    m = ev;
    m.pcrs[100] ^= 1;
    fails(m, "tpm.pcr-digest-mismatch", refs);
    auto r2 = refs;
    r2.nonce = random(32);
    fails(ev, "tpm.inventory-mismatch", r2);
    r2.inventory_digest.reset();
    fails(ev, "tpm.nonce-mismatch", r2);
    // Another inventory: each bound field changed alone breaks the binding.
    auto changed = [&](auto mutate, const char* what) {
      BoundInventory other = inv;
      mutate(other);
      auto r3 = refs;
      r3.inventory_digest = inventory_digest_v2(other);
      auto x = tpm::appraise_quote(ev, r3);
      EXPECT_FALSE(x.inventory_bound) << what;
      EXPECT_FALSE(x.extra_data_binds) << what;
      fails(ev, "tpm.inventory-mismatch", r3);
    };
    changed([](BoundInventory& i) { i.devices[1].device = 0xd803; }, "device ID");
    changed([](BoundInventory& i) { i.devices[1].subsystem_device = 1; }, "subsystem ID");
    changed([](BoundInventory& i) { i.devices[1].serial = "033VNY10M3000124"; }, "serial");
    changed([](BoundInventory& i) { i.devices[1].reported_name = "910B1"; }, "name");
    changed([](BoundInventory& i) { i.devices[0].report_sha256->back() ^= 1; }, "evidence");
    changed([](BoundInventory& i) { i.site_country = "US"; }, "site country");
    // A v1 quote (the old digest of the same accelerators) is recognised and binds nothing.
    std::vector<PciDevice> v1(1);
    v1[0].address = "0000:18:00.0";
    v1[0].vendor = 0x10de;
    v1[0].device = 0x2330;
    Bytes v1_digest = inventory_digest_v1(v1);
    auto q1 = host_->quote(ak->handle, tpm::binding_extra_data(nonce, v1_digest), selection());
    ASSERT_TRUE(q1.ok()) << q1.error().to_string();
    auto e1 = ev;
    e1.attest = q1->attest;
    e1.signature = q1->signature;
    e1.pcrs = q1->pcrs;
    auto r1 = refs;
    r1.v1_inventory_digest = v1_digest;
    auto a1 = tpm::appraise_quote(e1, r1);
    EXPECT_FALSE(a1.inventory_bound);
    EXPECT_FALSE(a1.extra_data_binds);
    EXPECT_EQ(a1.checks.at(tpm::QuoteCheck::kSignature), tpm::Check::kPass);
    EXPECT_TRUE(std::any_of(a1.findings.begin(), a1.findings.end(), [](const Finding& f) {
      return f.code == "tpm.inventory-binding-v1" && f.severity == Severity::kWarn;
    }));
  }
}

}  // namespace
}  // namespace aa
