// End to end against a real TPM (swtpm): the host side creates EK and AK through ESYS, the
// verifier checks the EK certificate, runs MakeCredential in C++ and the TPM activates it, the
// TPM quotes our nonce (bound to an inventory), and the appraiser accepts that quote and
// rejects its mutations.
#include <gtest/gtest.h>

#include <openssl/rand.h>

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
    std::vector<PciDevice> inv(2);
    inv[0].address = "0000:18:00.0";
    inv[0].vendor = 0x10de;
    inv[0].device = 0x2330;
    inv[0].evidence_sha256 = std::string(64, 'a');
    inv[1].address = "0000:2a:00.0";
    inv[1].vendor = 0x19e5;
    inv[1].device = 0xd802;
    Bytes inv_digest = inventory_digest(inv);
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
    auto a = tpm::appraise_quote(ev, refs);
    EXPECT_TRUE(a.inventory_bound);
    EXPECT_EQ(a.checks.at("signature"), tpm::Check::kPass);
    EXPECT_EQ(a.checks.at("pcrs"), tpm::Check::kPass);
    EXPECT_EQ(a.checks.at("ak"), tpm::Check::kPass);
    EXPECT_NE(a.verdict(), "contraindicated");
    EXPECT_EQ(a.pcrs.size(), 9u);

    auto fails = [&](tpm::QuoteEvidence m, const char* code, tpm::QuoteReferences r) {
      auto x = tpm::appraise_quote(m, r);
      EXPECT_EQ(x.verdict(), "contraindicated") << code;
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
    fails(ev, "tpm.nonce-mismatch", r2);
    // Another inventory (a device swapped): the quote no longer binds it.
    inv[1].device = 0xd803;
    auto r3 = refs;
    r3.inventory_digest = inventory_digest(inv);
    fails(ev, "tpm.nonce-mismatch", r3);
  }
}

}  // namespace
}  // namespace aa
