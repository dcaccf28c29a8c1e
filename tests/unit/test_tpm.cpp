// TPM quote appraisal on real vectors (swtpm, Keylime's emulator, GCE, GCP Windows) and on
// every negative the issue names, each with its own finding.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/text.h"
#include "crypto/x509.h"
#include "tpm/appraise.h"
#include "tpm/eventlog.h"
#include "tpm/pcrs.h"
#include "tpm/quote.h"

namespace aa {
namespace {

const std::string kDir = std::string(TEST_DATA_DIR) + "/tpm";

Bytes file(const std::string& rel) {
  auto r = read_file(kDir + "/" + rel, 1u << 20);
  EXPECT_TRUE(r.ok()) << rel;
  return r ? Bytes(r->begin(), r->end()) : Bytes{};
}

bool has(const tpm::QuoteAppraisal& a, const std::string& code) {
  return std::any_of(a.findings.begin(), a.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}

std::string text(const tpm::QuoteAppraisal& a) {
  std::string s;
  for (const auto& f : a.findings) s += f.code + " [" + f.pointer + "]: " + f.message + "\n";
  return s;
}

const Bytes kSwtpmNonce = hex_decode("ee8f7f5626a30642d37e7b8f9819652d279686f4").value();

tpm::QuoteEvidence swtpm(const std::string& kind) {
  tpm::QuoteEvidence ev;
  ev.attest = file("swtpm/quote_" + kind + ".tpms_attest.bin");
  ev.signature = file("swtpm/quote_" + kind + ".tpmt_signature.bin");
  ev.pcrs = file("swtpm/pcr_values_sha256_0-7_16.bin");
  ev.ak_public =
      file(kind == "rsa" ? "swtpm/ak_rsa.tpm2b_public.bin" : "swtpm/ak_ecc_p256.tpm2b_public.bin");
  ev.origin = "swtpm-" + kind;
  return ev;
}

// A GCE quote of one bank with its AK.
tpm::QuoteEvidence gce(const std::string& bank) {
  tpm::QuoteEvidence ev;
  std::string b = "gce/quote-" + bank;
  ev.attest = file(b + ".tpms_attest.bin");
  ev.signature = file(b + ".tpmt_signature.bin");
  ev.pcrs = file(b + ".pcrs.bin");
  ev.ak_public = file("gce/ak.tpmt_public.bin");
  ev.origin = b;
  return ev;
}

tpm::QuoteReferences refs(const Bytes& nonce) {
  tpm::QuoteReferences r;
  r.nonce = nonce;
  r.at = x509::parse_rfc3339("2026-11-27T00:00:00Z").value();
  return r;
}

void expect_pass(const tpm::QuoteAppraisal& a) {
  for (tpm::QuoteCheck c :
       {tpm::QuoteCheck::kParse, tpm::QuoteCheck::kSignature, tpm::QuoteCheck::kAk,
        tpm::QuoteCheck::kNonce, tpm::QuoteCheck::kPcrs}) {
    EXPECT_NE(a.checks.at(c), tpm::Check::kFail) << to_string(c) << "\n" << text(a);
  }
  EXPECT_NE(a.verdict(), TrustTier::kContraindicated) << text(a);
}

TEST(TpmQuote, SwtpmRsaAndEccQuotesPass) {
  for (const char* kind : {"rsa", "ecc"}) {
    auto a = tpm::appraise_quote(swtpm(kind), refs(kSwtpmNonce));
    expect_pass(a);
    EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kSignature), tpm::Check::kPass) << kind;
    EXPECT_EQ(a.pcrs.size(), 9u);
    EXPECT_EQ(a.pcrs.back().index, 16u);
  }
  auto a = tpm::appraise_quote(swtpm("rsa"), refs(kSwtpmNonce));
  EXPECT_EQ(a.ak_name, file("swtpm/ak_rsa.name.bin"));  // = tpm2_createak -n
  EXPECT_EQ(a.ak_description, "RSA-2048");
  EXPECT_TRUE(has(a, "tpm.ak-untrusted"));  // no AK certificate given: a warning
}

TEST(TpmQuote, Tpm2ToolsPcrFileIsReadAndItsSelectionCompared) {
  auto ev = swtpm("rsa");
  ev.pcrs = file("swtpm/quote_rsa.tpm2tools_pcrs.bin");
  auto a = tpm::appraise_quote(ev, refs(kSwtpmNonce));
  expect_pass(a);
  EXPECT_EQ(a.pcrs.size(), 9u);
}

TEST(TpmQuote, PemAkWorksButAttributesAreUnknown) {
  auto ev = swtpm("rsa");
  ev.ak_public = file("swtpm/ak_rsa.pub.pem");
  auto a = tpm::appraise_quote(ev, refs(kSwtpmNonce));
  EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kSignature), tpm::Check::kPass);
  EXPECT_TRUE(has(a, "tpm.ak-attributes-unknown"));
}

TEST(TpmQuote, KeylimeEmulatorQuotePasses) {
  tpm::QuoteEvidence ev;
  ev.attest = file("keylime/quote.out");
  ev.signature = file("keylime/quotesig.out");
  ev.pcrs = file("keylime/quotepcr.out");
  ev.ak_public = file("keylime/ak.pub");
  ev.origin = "keylime";
  auto a = tpm::appraise_quote(ev, refs(file("keylime/rand.out")));
  expect_pass(a);
  EXPECT_EQ(a.pcrs.size(), 3u);  // sha256 PCRs 15, 16, 22
}

TEST(TpmQuote, GceQuotesPassWithTheirAkCertificateToGoogleRoots) {
  auto root_der = x509::parse_cert_any(file("certs/tpm_ek_root_1.cer"), "root").value();
  auto inter_cert = x509::parse_cert_any(file("certs/tpm_ek_intermediate_2.crt"), "i").value();
  for (const char* bank : {"sha1", "sha256", "sha384"}) {
    tpm::QuoteEvidence ev = gce(bank);
    ev.ak_cert_der = file("gce/ak_cert.der");
    auto r = refs(Bytes{0x90, 0x09});
    r.ak_ca = root_der.get();
    r.ak_intermediates = {inter_cert.get()};
    auto a = tpm::appraise_quote(ev, r);
    expect_pass(a);
    EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kAkTrust), tpm::Check::kPass) << bank << "\n" << text(a);
    // No PCR policy: the boot state is unchecked, so a warning, never affirming.
    EXPECT_EQ(a.verdict(), TrustTier::kWarning) << bank << "\n" << text(a);
    ASSERT_EQ(a.findings.size(), 1u) << text(a);
    EXPECT_EQ(a.findings[0].code, "tpm.boot-state-unchecked");
    // With a policy that approves exactly these PCR values: affirming.
    tpm::PcrPolicy approved;
    for (const auto& v : a.pcrs) approved.allowed[tpm::hash_name(v.bank)][v.index] = {v.digest};
    r.policy = &approved;
    auto ap = tpm::appraise_quote(ev, r);
    EXPECT_EQ(ap.checks.at(tpm::QuoteCheck::kPolicy), tpm::Check::kPass) << bank << "\n"
                                                                         << text(ap);
    EXPECT_EQ(ap.verdict(), TrustTier::kAffirming) << bank << "\n" << text(ap);
  }
}

TEST(TpmQuote, GcpWindowsSha1QuotePassesOnlyWhenSha1IsAllowed) {
  tpm::QuoteEvidence ev;
  ev.attest = file("windows/quote.tpms_attest.bin");
  ev.signature = file("windows/quote.tpmt_signature.bin");
  ev.pcrs = file("windows/pcrs-sha1.bin");
  ev.ak_public = file("windows/ak.tpmt_public.bin");
  ev.origin = "windows";
  auto r = refs(Bytes{});
  auto strict = tpm::appraise_quote(ev, r);
  EXPECT_TRUE(has(strict, "tpm.sha1-signature"));
  EXPECT_EQ(strict.verdict(), TrustTier::kContraindicated);
  r.allow_sha1 = true;
  auto a = tpm::appraise_quote(ev, r);
  expect_pass(a);
  EXPECT_EQ(a.pcrs.size(), 24u);
  EXPECT_TRUE(has(a, "tpm.nonce-empty"));
}

TEST(TpmQuote, WrongMagicIsRefused) {
  auto ev = swtpm("rsa");
  ev.attest[0] = 0x00;
  auto a = tpm::appraise_quote(ev, refs(kSwtpmNonce));
  EXPECT_TRUE(has(a, "tpm.bad-magic")) << text(a);
}

TEST(TpmQuote, QuoteRetypedAsCertifyIsRefused) {
  auto ev = swtpm("rsa");
  ev.attest[4] = 0x80;
  ev.attest[5] = 0x17;
  auto a = tpm::appraise_quote(ev, refs(kSwtpmNonce));
  EXPECT_TRUE(has(a, "tpm.wrong-type")) << text(a);
}

TEST(TpmQuote, TrailingBytesAreRefused) {
  auto ev = swtpm("rsa");
  ev.attest.push_back(0);
  EXPECT_TRUE(has(tpm::appraise_quote(ev, refs(kSwtpmNonce)), "tpm.trailing-bytes"));
  ev = swtpm("rsa");
  ev.signature.push_back(0);
  EXPECT_TRUE(has(tpm::appraise_quote(ev, refs(kSwtpmNonce)), "tpm.trailing-bytes"));
}

// A tpm2-tools PCR file claiming `index` in the sha256 bank, holding `value`.
Bytes tpm2tools_file(unsigned index, const Bytes& value) {
  Bytes f(132 + 4 + 532, 0);
  f[0] = 1;
  f[4] = 0x0b;  // sha256
  f[6] = 3;
  f[7 + index / 8] = static_cast<uint8_t>(1u << (index % 8));
  f[132] = 1;  // one digest list
  f[136] = 1;  // holding one digest
  f[140] = static_cast<uint8_t>(value.size());
  std::copy(value.begin(), value.end(), f.begin() + 142);
  return f;
}

TEST(TpmQuote, Cve2024_29039Pcr16PresentedAsPcr23IsRefused) {
  tpm::QuoteEvidence ev = swtpm("rsa");
  ev.attest = file("swtpm/cve-2024-29039_quote_pcr16.tpms_attest.bin");
  ev.signature = file("swtpm/cve-2024-29039_quote_pcr16.tpmt_signature.bin");
  Bytes value = file("swtpm/cve-2024-29039_pcr16_value.bin");
  ev.pcrs = tpm2tools_file(16, value);
  expect_pass(tpm::appraise_quote(ev, refs(kSwtpmNonce)));  // honest labelling passes
  ev.pcrs = tpm2tools_file(23, value);
  auto a = tpm::appraise_quote(ev, refs(kSwtpmNonce));
  EXPECT_TRUE(has(a, "tpm.pcr-selection-mismatch")) << text(a);
  EXPECT_EQ(a.verdict(), TrustTier::kContraindicated);
  // And a policy about PCR 23 cannot be satisfied by a quote over PCR 16.
  tpm::PcrPolicy policy;
  policy.allowed["sha256"][23] = {value};
  ev.pcrs = value;
  auto r = refs(kSwtpmNonce);
  r.policy = &policy;
  auto p = tpm::appraise_quote(ev, r);
  EXPECT_TRUE(has(p, "tpm.pcr-not-quoted")) << text(p);
}

TEST(TpmQuote, WrongNonceFails) {
  auto a = tpm::appraise_quote(swtpm("ecc"), refs(Bytes(20, 0x11)));
  EXPECT_TRUE(has(a, "tpm.nonce-mismatch"));
  EXPECT_EQ(a.verdict(), TrustTier::kContraindicated);
}

TEST(TpmQuote, ChangedPcrValueFailsTheDigestAndPolicyNamesThePcr) {
  auto ev = swtpm("rsa");
  ev.pcrs[0] ^= 1;
  auto a = tpm::appraise_quote(ev, refs(kSwtpmNonce));
  EXPECT_TRUE(has(a, "tpm.pcr-digest-mismatch"));
  // A policy that wants another PCR16 value: one finding for that PCR.
  auto good = swtpm("rsa");
  tpm::PcrPolicy policy;
  policy.allowed["sha256"][0] = {Bytes(32, 0)};
  policy.allowed["sha256"][16] = {Bytes(32, 0xab)};
  auto r = refs(kSwtpmNonce);
  r.policy = &policy;
  auto p = tpm::appraise_quote(good, r);
  EXPECT_EQ(std::count_if(p.findings.begin(), p.findings.end(),
                          [](const Finding& f) { return f.code == "tpm.pcr-policy-mismatch"; }),
            1);
  EXPECT_NE(text(p).find("sha256:16"), std::string::npos);
}

TEST(TpmQuote, AkThatIsNotRestrictedFails) {
  auto ev = swtpm("rsa");
  // TPM2B_PUBLIC: size(2) type(2) nameAlg(2) objectAttributes(4, big-endian): clear restricted.
  ev.ak_public[6 + 1] &= static_cast<uint8_t>(~0x01);
  auto a = tpm::appraise_quote(ev, refs(kSwtpmNonce));
  EXPECT_TRUE(has(a, "tpm.ak-attributes")) << text(a);
  EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kSignature),
            tpm::Check::kPass);  // same key: only the attributes fail
}

TEST(TpmQuote, SignatureSchemeThatIsNotAllowedFails) {
  auto ev = swtpm("ecc");
  ev.signature[0] = 0x00;
  ev.signature[1] = 0x1c;  // TPM_ALG_ECSCHNORR, same body layout as ECDSA
  auto a = tpm::appraise_quote(ev, refs(kSwtpmNonce));
  EXPECT_TRUE(has(a, "tpm.signature-scheme")) << text(a);
}

TEST(TpmQuote, AkCertificateFromAnUntrustedRootFails) {
  tpm::QuoteEvidence ev = gce("sha256");
  ev.ak_cert_der = file("gce/ak_cert.der");
  auto wrong = x509::load_pem_file(kDir + "/swtpm/swtpm-localca-rootca-cert.pem").value();
  auto r = refs(Bytes{0x90, 0x09});
  r.ak_ca = wrong.get();
  auto a = tpm::appraise_quote(ev, r);
  EXPECT_TRUE(has(a, "tpm.ak-cert-invalid")) << text(a);
  // And the certificate of another key does not vouch for this AK.
  ev.ak_public = file("swtpm/ak_rsa.tpm2b_public.bin");
  EXPECT_TRUE(has(tpm::appraise_quote(ev, r), "tpm.ak-cert-key-mismatch"));
}

TEST(TpmQuote, InventoryBindingMakesDevicesPlatformBound) {
  // A quote whose extraData is the plain nonce does not bind an inventory.
  auto r = refs(kSwtpmNonce);
  r.inventory_digest = Bytes(32, 0x42);
  auto a = tpm::appraise_quote(swtpm("rsa"), r);
  EXPECT_FALSE(a.inventory_bound);
  EXPECT_TRUE(has(a, "tpm.inventory-not-bound"));
  EXPECT_NE(a.verdict(), TrustTier::kContraindicated);
  EXPECT_EQ(tpm::binding_extra_data(kSwtpmNonce, Bytes(32, 0x42)).size(), 32u);
}

}  // namespace
}  // namespace aa

#include "tpm/ek.h"

namespace aa {
namespace {

// Real EK certificates (extracted from Keylime's tests) against the shipped vendor store.
TEST(TpmEkCertificates, StmAndNuvotonAgainstTheVendorStore) {
  auto anchors = tpm::EkAnchors::load(std::string(CERTS_DIR) + "/tpm");
  ASSERT_TRUE(anchors.ok()) << anchors.error().to_string();
  EXPECT_EQ(anchors->files.size(), 51u);
  std::time_t at = x509::parse_rfc3339("2026-11-27T00:00:00Z").value();
  // STM RSA EK: a path to the GlobalSign TPM root through an STM intermediate.
  // Read from NV with 431 bytes of 0xFF fill after the DER: accepted as fill, counted.
  EXPECT_FALSE(x509::parse_der(file("ek/st_sha256_with_rsa_ek_cert.der"), "strict").ok());
  size_t fill = 0;
  auto rsa = tpm::parse_ek_certificate(file("ek/st_sha256_with_rsa_ek_cert.der"), "stm-rsa", &fill)
                 .value();
  EXPECT_EQ(fill, 431u);
  auto r = tpm::check_ek_certificate(rsa.get(), std::nullopt, *anchors, at);
  EXPECT_TRUE(r.ok) << (r.findings.empty() ? "" : r.findings[0].message);
  ASSERT_FALSE(r.path.empty());
  EXPECT_NE(r.path.back().find("GlobalSign"), std::string::npos) << r.path.back();
  EXPECT_TRUE(r.has_ek_eku);
  // STM ECC EK: its intermediate is in the store but the GlobalSign TPM ECC root is not.
  auto ecc = x509::parse_der(file("ek/st_ecdsa_sha256_ek_cert.der"), "stm-ecc").value();
  auto e = tpm::check_ek_certificate(ecc.get(), std::nullopt, *anchors, at);
  EXPECT_FALSE(e.ok);
  ASSERT_FALSE(e.findings.empty());
  EXPECT_EQ(e.findings[0].code, "tpm.ek-cert-untrusted");
  EXPECT_NE(e.findings[0].message.find("GlobalSign"), std::string::npos) << e.findings[0].message;
  // Nuvoton root 2110, encoded with a non-DER SET order: OpenSSL reads it, it is self-signed,
  // and the store's copy is the same root.
  auto nuvo = x509::parse_der(file("ek/nuvoton_tpm_root_ca_2110_nonder_set.der"), "nuvo");
  ASSERT_TRUE(nuvo.ok()) << nuvo.error().to_string();
  EXPECT_TRUE(x509::self_signed(nuvo->get()));
  auto n = tpm::check_ek_certificate(nuvo->get(), std::nullopt, *anchors, at);
  EXPECT_TRUE(n.ok) << (n.findings.empty() ? "" : n.findings[0].message);
}

}  // namespace
}  // namespace aa

namespace aa {
namespace {

TEST(TpmEventLog, GceLogReplaysToTheQuotedFirmwarePcrsInEveryBank) {
  for (const char* bank : {"sha1", "sha256", "sha384"}) {
    tpm::QuoteEvidence ev = gce(bank);
    ev.eventlog = file("gce/eventlog.bin");
    auto a = tpm::appraise_quote(ev, refs(Bytes{0x90, 0x09}));
    EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kEventlog), tpm::Check::kPass) << bank << "\n"
                                                                          << text(a);
    // A changed event digest changes the replay of its PCR: one finding naming it.
    auto log = tpm::parse_event_log(*ev.eventlog, "gce").value();
    EXPECT_TRUE(log.crypto_agile);
    const auto& e = log.events[5];
    Bytes mutated = *ev.eventlog;
    size_t digest_at = e.offset + 12 + 2;  // pcr, type, count, then the first algId
    mutated[digest_at] ^= 1;
    ev.eventlog = mutated;
    auto m = tpm::appraise_quote(ev, refs(Bytes{0x90, 0x09}));
    if (std::string(bank) == "sha1") {
      EXPECT_TRUE(has(m, "tpm.eventlog-mismatch")) << text(m);
      EXPECT_NE(text(m).find("sha1:" + std::to_string(e.pcr)), std::string::npos) << text(m);
    }
  }
}

TEST(TpmEventLog, TruncatedAndOverlongLogsAreRefused) {
  Bytes log = file("gce/eventlog.bin");
  for (size_t cut : {size_t{3}, size_t{40}, log.size() / 2 + 1}) {
    auto r = tpm::parse_event_log(ByteView(log.data(), log.size() - cut), "log");
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.error().code, "tpm.bad-eventlog");
    EXPECT_NE(r.error().field.find("#event["), std::string::npos);
  }
}

TEST(TpmEventLog, WindowsSha1LogReplays) {
  tpm::QuoteEvidence ev;
  ev.attest = file("windows/quote.tpms_attest.bin");
  ev.signature = file("windows/quote.tpmt_signature.bin");
  ev.pcrs = file("windows/pcrs-sha1.bin");
  ev.ak_public = file("windows/ak.tpmt_public.bin");
  ev.eventlog = file("windows/eventlog.bin");
  ev.origin = "windows";
  auto r = refs(Bytes{});
  r.allow_sha1 = true;
  auto a = tpm::appraise_quote(ev, r);
  EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kEventlog), tpm::Check::kPass) << text(a);
}

}  // namespace
}  // namespace aa

namespace aa {
namespace {

// certs/tpm/SOURCES.md records which store certificates chain; this keeps it true.
TEST(TpmEkCertificates, TwentyNineOfTheFiftyOneStoreCertificatesChainAndTheRestSayWhy) {
  auto anchors = tpm::EkAnchors::load(std::string(CERTS_DIR) + "/tpm").value();
  std::time_t at = x509::parse_rfc3339("2026-11-27T00:00:00Z").value();
  size_t chained = 0;
  for (const auto& f : anchors.files) {
    auto c = x509::load_pem_file(f);
    ASSERT_TRUE(c.ok()) << f;
    auto r = tpm::check_ek_certificate(c->get(), std::nullopt, anchors, at);
    if (r.ok) {
      ++chained;
      continue;
    }
    ASSERT_FALSE(r.findings.empty()) << f;
    EXPECT_EQ(r.findings[0].code, "tpm.ek-cert-untrusted") << f;
    if (f.find("/IFX1.pem") != std::string::npos) {
      EXPECT_NE(r.findings[0].message.find("AuthorityKeyIdentifier"), std::string::npos);
    }
  }
  EXPECT_EQ(chained, 29u);
}

// The same PCR values in the TSS2 wire form later tpm2-tools write with `-F marshaled`:
// converted here from swtpm's serialized (`-F serialized`, tpm2-tools 5.4) file.
Bytes marshaled_from_serialized(const Bytes& f) {
  Bytes out;
  auto be32 = [&out](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
  };
  auto be16 = [&out](uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
  };
  uint32_t banks = le32(f.data());
  be32(banks);
  for (uint32_t i = 0; i < banks; ++i) {
    const uint8_t* e = f.data() + 4 + 8 * i;
    be16(le16(e));
    out.push_back(e[2]);
    out.insert(out.end(), e + 3, e + 3 + e[2]);
  }
  uint32_t lists = le32(f.data() + 132);
  be32(lists);
  for (uint32_t l = 0; l < lists; ++l) {
    const uint8_t* dl = f.data() + 136 + 532 * l;
    uint32_t n = le32(dl);
    be32(n);
    for (uint32_t k = 0; k < n; ++k) {
      const uint8_t* d = dl + 4 + 66 * k;
      be16(le16(d));
      out.insert(out.end(), d + 2, d + 2 + le16(d));
    }
  }
  return out;
}

TEST(TpmQuote, EveryPcrFileFormOfTpm2ToolsIsReadAndToldApartByItsForm) {
  const Bytes serialized = file("swtpm/quote_rsa.tpm2tools_pcrs.bin");
  const Bytes raw = file("swtpm/pcr_values_sha256_0-7_16.bin");
  const Bytes marshaled = marshaled_from_serialized(serialized);
  auto ev = swtpm("rsa");
  auto q = tpm::parse_attest(ev.attest, "quote");
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  const TPML_PCR_SELECTION sel = q->selection();
  std::vector<Bytes> values;
  for (const auto& [bytes, form] : {std::pair{raw, "raw"}, std::pair{serialized, "tpm2-tools"},
                                    std::pair{marshaled, "tpm2-tools-marshaled"}}) {
    auto f = tpm::parse_pcr_file(bytes, sel, "pcrs");
    ASSERT_TRUE(f.ok()) << form << ": " << f.error().to_string();
    EXPECT_EQ(f->form, form);
    ASSERT_EQ(f->values.size(), 9u);
    Bytes all;
    for (const auto& v : f->values) all.insert(all.end(), v.digest.begin(), v.digest.end());
    values.push_back(all);
    ev.pcrs = bytes;
    expect_pass(tpm::appraise_quote(ev, refs(kSwtpmNonce)));
  }
  EXPECT_EQ(values[0], values[1]);
  EXPECT_EQ(values[0], values[2]);
  EXPECT_EQ(values[0], raw);
  // A marshaled file cut short, or with a byte after its end, is refused naming the place.
  for (Bytes bad : {Bytes(marshaled.begin(), marshaled.end() - 1), marshaled}) {
    if (bad.size() == marshaled.size()) bad.push_back(0);
    auto f = tpm::parse_pcr_file(bad, sel, "pcrs");
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.error().code, "tpm.bad-pcr-file");
  }
}

}  // namespace
}  // namespace aa

#include "results/jose.h"
#include "tpm/enrolment.h"

namespace aa {
namespace {

struct EnrolmentKeys {
  ossl::PKey key{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  std::string kid = jose::thumbprint(key.get());
  jose::Jwks jwks() const {
    jose::Jwks j;
    j.keys.push_back({kid, ossl::PKey(EVP_PKEY_dup(key.get()))});
    return j;
  }
};

// An AK trusted by a verifier's enrolment record instead of a certificate: the record must be
// signed by a configured enrolment key, name this AK, and predate the verification; each way of
// failing has its own finding, and a record is never trusted without a key to check it.
TEST(TpmEnrolment, RecordSignedByTheVerifierTrustsTheAkItNames) {
  EnrolmentKeys ours, theirs;
  const Bytes name = file("swtpm/ak_rsa.name.bin");
  auto r = refs(kSwtpmNonce);
  const std::time_t enrolled = r.at - 86400;
  auto record = tpm::sign_enrolment(ours.key.get(), ours.kid, name, std::nullopt, enrolled);
  ASSERT_TRUE(record.ok()) << record.error().message;
  const jose::Jwks keys = ours.jwks();
  auto parsed = tpm::verify_enrolment(*record + "\n", keys, "rec");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->ak_name, name);
  EXPECT_EQ(parsed->enrolled_at, enrolled);
  EXPECT_EQ(parsed->kid, ours.kid);

  auto with_record = [&](const std::string& text) {
    tpm::QuoteEvidence ev = swtpm("rsa");
    ev.ak_enrolment = Bytes(text.begin(), text.end());
    return ev;
  };
  r.enrolment_keys = &keys;
  auto a = tpm::appraise_quote(with_record(*record), r);
  EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kAkTrust), tpm::Check::kPass) << text(a);
  EXPECT_FALSE(has(a, "tpm.ak-untrusted"));
  ASSERT_TRUE(a.ak_enrolment.has_value());

  // No enrolment key configured: the record proves nothing.
  auto no_keys = refs(kSwtpmNonce);
  a = tpm::appraise_quote(with_record(*record), no_keys);
  EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kAkTrust), tpm::Check::kWarn);
  EXPECT_TRUE(has(a, "tpm.ak-untrusted"));

  // Signed by another verifier's key.
  auto foreign = tpm::sign_enrolment(theirs.key.get(), theirs.kid, name, std::nullopt, enrolled);
  a = tpm::appraise_quote(with_record(*foreign), r);
  EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kAkTrust), tpm::Check::kFail);
  EXPECT_TRUE(has(a, "tpm.enrolment-invalid")) << text(a);
  // Signed by ours but under the other kid: still refused (the kid names no configured key).
  auto wrong_kid = tpm::sign_enrolment(ours.key.get(), theirs.kid, name, std::nullopt, enrolled);
  a = tpm::appraise_quote(with_record(*wrong_kid), r);
  EXPECT_TRUE(has(a, "tpm.enrolment-invalid")) << text(a);

  // An altered payload (another AK's name spliced in) no longer verifies.
  const Bytes other_name = file("swtpm/ak_ecc_p256.name.bin");
  auto other = tpm::sign_enrolment(ours.key.get(), ours.kid, other_name, std::nullopt, enrolled);
  std::string spliced =
      record->substr(0, record->find('.') + 1) +
      other->substr(other->find('.') + 1, other->rfind('.') - other->find('.') - 1) +
      record->substr(record->rfind('.'));
  a = tpm::appraise_quote(with_record(spliced), r);
  EXPECT_TRUE(has(a, "tpm.enrolment-invalid")) << text(a);

  // A genuine record for another AK, beside this AK's quote.
  a = tpm::appraise_quote(with_record(*other), r);
  EXPECT_EQ(a.checks.at(tpm::QuoteCheck::kAkTrust), tpm::Check::kFail);
  EXPECT_TRUE(has(a, "tpm.enrolment-ak-mismatch")) << text(a);

  // Enrolled after the time of verification.
  auto later = tpm::sign_enrolment(ours.key.get(), ours.kid, name, std::nullopt, r.at + 60);
  a = tpm::appraise_quote(with_record(*later), r);
  EXPECT_TRUE(has(a, "tpm.enrolment-future")) << text(a);

  // Not a record: a signed token of another schema.
  Json not_record = {{"schema", "accel-attest/something-else/v1"}, {"iat", 1}};
  auto token = jose::sign_es256(ours.key.get(), ours.kid, not_record);
  auto bad = tpm::verify_enrolment(*token, keys, "rec");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "tpm.enrolment-malformed");
  EXPECT_EQ(bad.error().field, "rec#/schema");
  a = tpm::appraise_quote(with_record(*token), r);
  EXPECT_TRUE(has(a, "tpm.enrolment-invalid")) << text(a);
  a = tpm::appraise_quote(with_record("not a token"), r);
  EXPECT_TRUE(has(a, "tpm.enrolment-invalid")) << text(a);

  // An AK certificate, when one came, decides instead of the record.
  tpm::QuoteEvidence both = with_record(*record);
  both.ak_cert_der = file("gce/ak_cert.der");
  a = tpm::appraise_quote(both, r);
  EXPECT_NE(a.checks.at(tpm::QuoteCheck::kAkTrust), tpm::Check::kPass) << text(a);
  EXPECT_TRUE(has(a, "tpm.enrolment-unused")) << text(a);
}

// Every token sign_es256() writes is one verify_compact() reads: a payload that would make a
// larger token is refused at signing.
TEST(Jose, NoTokenIsSignedThatReadersWouldRefuse) {
  EnrolmentKeys k;
  Json big = {{"host", std::string(jose::kMaxTokenBytes, 'a')}};
  auto t = jose::sign_es256(k.key.get(), k.kid, big);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "input.too-large");
  EXPECT_EQ(t.error().field, "result");
  // Just under: signed, and read back.
  Json fits = {{"host", std::string(jose::kMaxTokenBytes / 4 * 3 - 200, 'a')}};
  auto ok = jose::sign_es256(k.key.get(), k.kid, fits);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(jose::verify_compact(*ok, k.jwks(), "t").ok());
}

}  // namespace
}  // namespace aa
