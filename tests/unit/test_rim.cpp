// RIM parsing and XML-DSig verification on NVIDIA's real RIMs and their broken variants.
#include <gtest/gtest.h>

#include "crypto/chain.h"
#include "rim/rim_store.h"
#include "rim/swid_rim.h"
#include "rim/xmldsig.h"
#include "unit/nvidia_fixture.h"

namespace aa {
namespace {

rim::Rim load(const std::string& rel) {
  std::string path = test::kNvData + "/" + rel;
  auto r = rim::parse_rim(test::slurp(path), path);
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().to_string());
  return std::move(r).value();
}

Status verify(const rim::Rim& r) {
  return rim::verify_rim_signature(r, X509_get0_pubkey(r.certs[0].get()));
}

TEST(Rim, ParsesGenuineDriverRim) {
  auto r = load("rims/NV_GPU_DRIVER_GH100_550.144.03.xml");
  EXPECT_EQ(r.colloquial_version, "550.144.03");
  EXPECT_EQ(r.product, "GH100");
  EXPECT_EQ(r.firmware_manufacturer_id, "5703");
  EXPECT_EQ(r.measurements.size(), 64u);
  size_t active = 0;
  for (const auto& m : r.measurements) active += m.active;
  EXPECT_EQ(active, 21u);
  const auto* m35 = r.find(35);
  ASSERT_NE(m35, nullptr);
  EXPECT_EQ(m35->alternatives.size(), 4u);
  EXPECT_EQ(m35->alternatives[0].size(), 48u);
  EXPECT_EQ(r.certs.size(), 4u);
  EXPECT_EQ(x509::subject_cn(r.certs[0].get()), "HCC RIM L4 Signer");
  EXPECT_EQ(x509::subject_cn(r.certs[3].get()), "NVIDIA CoRIM signing Root CA");
}

TEST(Rim, GenuineSignaturesVerifyAndChainsReachThePinnedRoot) {
  ChainVerifier chains(nvidia::pinned_rim_root(), test::at("2026-06-01T00:00:00Z"));
  for (const char* f : {"rims/NV_GPU_DRIVER_GH100_550.144.03.xml",
                        "rims/switchVBIOSRim_NV_SWITCH_BIOS_5612_0002_890_9610550001.xml"}) {
    auto r = load(f);
    auto s = verify(r);
    EXPECT_TRUE(s.ok()) << f << ": " << (s ? "" : s.error().to_string());
    auto c = chains.verify(r.certs);
    EXPECT_TRUE(c.ok) << f << ": " << c.reason;
  }
}

TEST(Rim, OldSwidtagsVerifyAtSigningTimeAndExpireAfter) {
  auto r = load("rims/1010_0200_882_96005E0001_PROD.swidtag");
  EXPECT_TRUE(verify(r).ok());  // the signature itself does not expire
  ChainVerifier then(nvidia::pinned_rim_root(), test::at("2024-01-01T00:00:00Z"));
  EXPECT_TRUE(then.verify(r.certs).ok);
  ChainVerifier now(nvidia::pinned_rim_root(), test::at("2026-11-27T00:00:00Z"));
  auto c = now.verify(r.certs);
  EXPECT_FALSE(c.ok);
  EXPECT_TRUE(c.expired);
}

TEST(Rim, BrokenSignatureValueFails) {
  auto r = load("rims/incorrect_signature_driver_rim.xml");
  auto s = verify(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "rim.signature-invalid");
  // Its chain is still genuine.
  ChainVerifier chains(nvidia::pinned_rim_root(), test::at("2026-06-01T00:00:00Z"));
  EXPECT_TRUE(chains.verify(r.certs).ok);
}

TEST(Rim, EditedContentFailsTheDigest) {
  for (const char* f : {"rims/NV_SWITCH_BIOS_5612_0002_890_9610550001_invalid_signature.xml",
                        "rims/NV_GPU_DRIVER_GH100_535.86.09_measurement_mismatch.xml",
                        "rims/NV_SWITCH_BIOS_5612_0002_890_9610550001_measurement_mismatch.xml"}) {
    auto r = load(f);
    auto s = verify(r);
    ASSERT_FALSE(s.ok()) << f;
    EXPECT_EQ(s.error().code, "rim.signature-invalid") << f;
    EXPECT_NE(s.error().message.find("digest"), std::string::npos) << s.error().message;
  }
}

TEST(Rim, DebugRootChainFailsAgainstTheProductionRoot) {
  auto r = load("rims/incorrect_cert_chain_driver_rim.xml");
  EXPECT_TRUE(verify(r).ok());  // internally consistent...
  ChainVerifier chains(nvidia::pinned_rim_root(), test::at("2026-06-01T00:00:00Z"));
  auto c = chains.verify(r.certs);
  EXPECT_FALSE(c.ok);  // ...but not NVIDIA's production root
  EXPECT_FALSE(c.expired);
}

TEST(Rim, IncorrectRootAsAnchorFails) {
  std::string path = test::kNvData + "/rims/incorrect_rim_root.crt";
  auto wrong = x509::parse_pem_chain(test::slurp(path), path).value();
  auto r = load("rims/NV_GPU_DRIVER_GH100_550.144.03.xml");
  ChainVerifier chains(wrong[0].get(), test::at("2026-06-01T00:00:00Z"));
  EXPECT_FALSE(chains.verify(r.certs).ok);
}

TEST(Rim, SignatureWrappingAndMalformedDocumentsAreRefused) {
  std::string good = test::slurp(test::kNvData + "/rims/NV_GPU_DRIVER_GH100_550.144.03.xml");
  // A DOCTYPE (entity expansion) is refused outright.
  auto dtd = rim::parse_rim("<!DOCTYPE x [<!ENTITY a \"b\">]>" + good, "dtd.xml");
  ASSERT_FALSE(dtd.ok());
  EXPECT_EQ(dtd.error().code, "rim.malformed");
  // A golden value changed after signing: the digest no longer matches.
  std::string edited = good;
  size_t at = edited.find("ns2:Hash0=\"", edited.find("index=\"21\""));
  ASSERT_NE(at, std::string::npos);
  char& c = edited[at + 11];
  c = c == '0' ? '1' : '0';
  auto r = rim::parse_rim(edited, "edited.xml").value();
  auto s = verify(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "rim.signature-invalid");
  // Not XML at all.
  auto junk = rim::parse_rim("<SoftwareIdentity", "junk.xml");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, "rim.malformed");
  // A resource without its hash attribute names the field.
  std::string nohash = good;
  size_t h = nohash.find("ns2:Hash0=");
  nohash.replace(h, 10, "ns2:HashX=");
  auto nh = rim::parse_rim(nohash, "nohash.xml");
  ASSERT_FALSE(nh.ok());
  EXPECT_NE(nh.error().field.find("@Hash0"), std::string::npos) << nh.error().field;
}

TEST(RimStore, RefusesIdsThatCouldNameAPath) {
  rim::RimStore store(test::kNvData + "/rim-stores/e2e-2023");
  EXPECT_TRUE(store.find("NV_GPU_DRIVER_GH100_545.00")->has_value());
  EXPECT_FALSE(store.find("NV_GPU_DRIVER_GH100_999.99")->has_value());
  for (const char* bad : {"../e2e-2023/NV_GPU_DRIVER_GH100_545.00", ".hidden", "a/b", ""}) {
    auto r = store.find(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "rim.bad-id");
  }
}

}  // namespace
}  // namespace aa
