// The export policy (issue 13): scopes, embargoes, letters, the headquarters rule, licence
// exceptions, staleness, and the destination x class table of docs/policy.md, which this file
// reads and checks row by row against real registry parts.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "crypto/x509.h"
#include "identify/identify.h"
#include "policy/export_policy.h"
#include "policy_fixture.h"
#include "registry_fixture.h"

namespace aa {
namespace {

using test::codes;
using test::licence;
using test::shipped_policy;

// Within 90 days of the eCFR issue the policy encodes (2026-07-23): no staleness warning.
const std::time_t kFresh = *x509::parse_rfc3339("2026-09-01T00:00:00Z");

PolicyInputs at(const std::optional<std::string>& site, const Licence* l = nullptr,
                std::optional<std::string> hq = std::nullopt, std::time_t t = kFresh) {
  PolicyInputs in;
  in.site_country = site;
  in.licence = l;
  in.end_user_hq = std::move(hq);
  in.at = t;
  return in;
}

PolicyDevice gpu(const std::string& label, Eccn e, const std::string& serial,
                 Assurance assurance = Assurance::kAttested) {
  PolicyDevice d;
  d.label = d.name = label;
  d.eccn = e;
  d.assurance = assurance;
  if (assurance == Assurance::kAttested) {
    d.attested_identity = serial;
  } else {
    d.reported_identities = {serial};
  }
  return d;
}

// A device identified as registry part `id` (its signed SKU), with an attested identity.
PolicyDevice part_device(const std::string& id, const std::string& label) {
  const Part& p = test::part(id);
  PciDevice pci;
  pci.address = label;
  pci.vendor = p.vendor_id;
  pci.device = p.pci.empty() ? 0 : p.pci.front().device;
  IdentifiedDevice idd = identify_signed(pci, &p, {}, test::shipped_registry());
  PolicyDevice d;
  d.label = label;
  d.name = idd.name;
  d.assurance = Assurance::kAttested;
  d.attested_identity = "UEID-" + label;
  for (const auto& f : idd.flags) d.flags.push_back(f.id);
  fill_policy_device(idd, d);
  return d;
}

using test::cell_of;

TEST(Policy, ScopesFollowTheVerifiedRegulation) {
  const auto& p = shipped_policy();
  const auto& g = *p.groups;
  EXPECT_EQ(p.ecfr_date, "2026-07-23");
  EXPECT_EQ(p.stale_after_days, 90);
  const auto& a = p.paragraphs.at("3A090.a");
  const auto& b = p.paragraphs.at("3A090.b");
  // .b: UAE + D:1/D:4/D:5 excluding A:5/A:6.
  for (const char* c : {"AE", "CN", "HK", "MO", "VN", "RU", "SA"})
    EXPECT_TRUE(b.legal.contains(c, g)) << c;
  for (const char* c : {"IL", "CY", "SG", "DE", "US", "JP", "IN"})
    EXPECT_FALSE(b.legal.contains(c, g)) << c;
  // .a: worldwide by the text, the pre-2025 scope as enforced; Macau is in it, not via D:5.
  for (const char* c : {"DE", "AE", "SG", "JP"}) {
    EXPECT_TRUE(a.legal.contains(c, g)) << c;
    EXPECT_FALSE(a.enforced.contains(c, g)) << c;
  }
  EXPECT_FALSE(a.legal.contains("US", g));
  for (const char* c : {"CN", "HK", "MO", "VN", "KH"}) EXPECT_TRUE(a.enforced.contains(c, g)) << c;
  EXPECT_FALSE(g.in("D:5", "MO"));  // Macau is not in D:5 (verification-regulation.md)
  EXPECT_FALSE(g.in("D:5", "KH"));  // Cambodia left D:5 (FR Doc 2026-02262)
  // The headquarters rule reaches 3A090.a (742.6(a)(6)(iii)(A)) and records its reading.
  ASSERT_TRUE(a.headquarters.has_value());
  EXPECT_TRUE(a.headquarters->scope.contains("MO", g));
  EXPECT_TRUE(a.headquarters->scope.contains("HK", g));
  EXPECT_NE(a.headquarters->reading.find("742.6(a)(6)(iii)(A)"), std::string::npos);
  EXPECT_FALSE(b.headquarters.has_value());
  // E:1 and E:2 (eCFR 2026-07-23): Syria is still in E:1.
  for (const char* c : {"IR", "KP", "SY"}) EXPECT_TRUE(g.in("E:1", c)) << c;
  EXPECT_TRUE(g.in("E:2", "CU"));
  EXPECT_EQ(p.digest.size(), 64u);
  // Every legal statement cites its paragraph.
  for (const auto& e : p.embargoes) EXPECT_NE(e.scope.cite.find("CFR"), std::string::npos) << e.id;
  for (const auto& e : p.exceptions) EXPECT_NE(e.cite.find("15 CFR 740."), std::string::npos);
  EXPECT_NE(p.gp10_cite.find("736.2(b)(10)"), std::string::npos);
  EXPECT_NE(p.gp10_text.find("presumption of risk, not a finding of violation"), std::string::npos);
  EXPECT_NE(p.gp10_text.find("knowledge"), std::string::npos);
  EXPECT_NE(p.disclaimer.find("not legal advice"), std::string::npos);
  EXPECT_EQ(p.country_notes.at("AE").text.find("not enforced"), std::string::npos);
  EXPECT_NE(p.country_notes.at("AE").text.find("approved"), std::string::npos);
}

TEST(Policy, LicenceRulesEachWithTheirCode) {
  const auto& p = shipped_policy();
  std::vector<PolicyDevice> h100 = {gpu("g0", Eccn::kA1, "S0"), gpu("g1", Eccn::kA1, "S1")};
  // Enforced destination, no licence: both fail.
  auto cn = evaluate_policy(p, h100, at("CN"));
  EXPECT_EQ(codes(cn.device_findings["g0"]), std::vector<std::string>{"policy.licence-missing"});
  EXPECT_EQ(cn.device_findings["g0"][0].severity, Severity::kFail);
  // Text-only destination: a warning that says what BIS enforces.
  auto de = evaluate_policy(p, h100, at("DE"));
  EXPECT_EQ(codes(de.device_findings["g1"]),
            std::vector<std::string>{"policy.licence-required-by-text"});
  EXPECT_EQ(de.device_findings["g1"][0].severity, Severity::kWarn);
  EXPECT_NE(de.device_findings["g1"][0].message.find("enforces the pre-2025 scope"),
            std::string::npos);
  // ... and the headquarters rule could not be checked.
  // The destination is only the site the host declares: the host says so.
  EXPECT_EQ(codes(de.host_findings), (std::vector<std::string>{"policy.destination-declared",
                                                               "policy.headquarters-unchecked"}));
  // The US: nothing but that.
  auto us = evaluate_policy(p, h100, at("US"));
  EXPECT_TRUE(us.device_findings["g0"].empty());
  EXPECT_EQ(codes(us.host_findings), std::vector<std::string>{"policy.destination-declared"});
  EXPECT_EQ(us.host_findings[0].severity, Severity::kWarn);
  // A licence covering both at its destination: nothing.
  Licence vn = licence("VN", {"S0", "S1"});
  auto ok = evaluate_policy(p, h100, at("VN", &vn));
  EXPECT_TRUE(ok.device_findings["g0"].empty() && ok.device_findings["g1"].empty());
  EXPECT_TRUE(ok.host_findings.empty());
  // One serial not licensed; one licensed serial absent from the host.
  Licence partial = licence("VN", {"S0", "S9"});
  auto pr = evaluate_policy(p, h100, at("VN", &partial));
  EXPECT_EQ(codes(pr.device_findings["g1"]), std::vector<std::string>{"policy.licence-missing"});
  EXPECT_EQ(codes(pr.host_findings), std::vector<std::string>{"policy.licensed-device-absent"});
  // Destination mismatch and validity.
  auto mm = evaluate_policy(p, h100, at("TH", &vn));
  EXPECT_EQ(codes(mm.host_findings),
            std::vector<std::string>{"policy.licence-destination-mismatch"});
  const std::time_t after = *x509::parse_rfc3339("2027-02-01T00:00:00Z");
  auto late = evaluate_policy(p, h100, at("VN", &vn, std::nullopt, after));
  EXPECT_EQ(codes(late.host_findings),
            (std::vector<std::string>{"policy.stale", "policy.licence-not-valid"}));
  // The headquarters rule: a D:5-headquartered end user needs a licence even in Germany.
  Licence hq = licence("DE", {"S0"}, "CN");
  auto h = evaluate_policy(p, h100, at("DE", &hq));
  EXPECT_TRUE(h.device_findings["g0"].empty());
  EXPECT_EQ(codes(h.device_findings["g1"]), std::vector<std::string>{"policy.licence-missing"});
  EXPECT_NE(h.device_findings["g1"][0].message.find("headquartered in CN"), std::string::npos);
  EXPECT_TRUE(h.host_findings.empty());
  // The same from --end-user-hq without a licence; a Malaysian headquarters changes nothing.
  auto h2 = evaluate_policy(p, h100, at("DE", nullptr, "MO"));
  EXPECT_EQ(codes(h2.device_findings["g0"]), std::vector<std::string>{"policy.licence-missing"});
  auto h3 = evaluate_policy(p, h100, at("DE", nullptr, "MY"));
  EXPECT_EQ(codes(h3.device_findings["g0"]),
            std::vector<std::string>{"policy.licence-required-by-text"});
  EXPECT_EQ(codes(h3.host_findings), std::vector<std::string>{"policy.destination-declared"});
  // .b at the UAE needs one (named in the rule although AE is in A:5); not in Israel. The UAE
  // note says licence-free only for approved entities, never "not enforced".
  std::vector<PolicyDevice> b1 = {gpu("b", Eccn::kB1, "B0")};
  auto ae = evaluate_policy(p, b1, at("AE"));
  EXPECT_EQ(codes(ae.device_findings["b"]), std::vector<std::string>{"policy.licence-missing"});
  EXPECT_NE(ae.device_findings["b"][0].message.find("approved commercial entities"),
            std::string::npos);
  EXPECT_EQ(ae.device_findings["b"][0].message.find("not enforced"), std::string::npos);
  auto ae_a = evaluate_policy(p, h100, at("AE"));
  EXPECT_EQ(ae_a.device_findings["g0"][0].message.find("not enforced"), std::string::npos);
  EXPECT_NE(ae_a.device_findings["g0"][0].message.find("approved"), std::string::npos);
  EXPECT_TRUE(evaluate_policy(p, b1, at("IL")).device_findings["b"].empty());
  // No destination at all.
  auto unknown = evaluate_policy(p, h100, at(std::nullopt));
  EXPECT_EQ(codes(unknown.host_findings), std::vector<std::string>{"policy.destination-unknown"});
}

TEST(Policy, PrcPartsAndReportedIdentities) {
  const auto& p = shipped_policy();
  PolicyDevice asc = gpu("npu", Eccn::kA1, "X", Assurance::kReported);
  asc.flags = {"prc-3a090-ic"};
  auto r = evaluate_policy(p, {asc}, at("US"));
  EXPECT_EQ(codes(r.device_findings["npu"]),
            (std::vector<std::string>{"policy.prc-3a090-part", "policy.identity-reported"}));
  // BIS's words: a presumption of risk with the knowledge element; the verdict is project policy.
  const std::string& m = r.device_findings["npu"][0].message;
  EXPECT_NE(m.find("presumption of risk, not a finding of violation"), std::string::npos) << m;
  EXPECT_NE(m.find("knowledge"), std::string::npos);
  EXPECT_NE(m.find("Project policy"), std::string::npos);
  EXPECT_EQ(m.find("may violate"), std::string::npos);
  // Undetermined at a destination where a candidate class needs an enforced licence: fail.
  PolicyDevice maybe = gpu("m", Eccn::kUndetermined, "Y", Assurance::kAttested);
  maybe.candidate_classes = {"3A090.a.1", "not-3A090"};
  auto mc = evaluate_policy(p, {maybe}, at("CN"));
  EXPECT_EQ(codes(mc.device_findings["m"]), std::vector<std::string>{"policy.class-undetermined"});
  EXPECT_EQ(mc.device_findings["m"][0].severity, Severity::kFail);
  // ... covered by a licence: nothing; where only the text needs one: a warning.
  Licence cn = licence("CN", {"Y"}, "CN");
  EXPECT_TRUE(evaluate_policy(p, {maybe}, at("CN", &cn)).device_findings["m"].empty());
  // Bound by a quote only: the class and the serial are the host's claims.
  PolicyDevice maybe_bound = maybe;
  maybe_bound.assurance = Assurance::kPlatformBound;
  maybe_bound.attested_identity.reset();
  maybe_bound.reported_identities = {"Y"};
  auto mb = evaluate_policy(p, {maybe_bound}, at("CN", &cn));
  EXPECT_EQ(
      codes(mb.device_findings["m"]),
      (std::vector<std::string>{"policy.identity-reported", "policy.licence-match-unattested"}));
  EXPECT_NE(mb.device_findings["m"][0].message.find("bound by its TPM quote"), std::string::npos);
  auto md = evaluate_policy(p, {maybe}, at("DE", nullptr, "DE"));
  EXPECT_EQ(codes(md.device_findings["m"]), std::vector<std::string>{"policy.class-undetermined"});
  EXPECT_EQ(md.device_findings["m"][0].severity, Severity::kWarn);
  // Nothing known of the class (an unknown accelerator): every class is a candidate.
  PolicyDevice unk = gpu("u", Eccn::kUndetermined, "U", Assurance::kAttested);
  EXPECT_EQ(codes(evaluate_policy(p, {unk}, at("CN")).device_findings["u"]),
            std::vector<std::string>{"policy.class-undetermined"});
  // A part outside 3A090 known only from reported PCI IDs: at a destination where another
  // accelerator would need a licence, the verdict rests on the host's claim (a warning that
  // names what would need the licence); proven by a bound quote or attested: nothing.
  PolicyDevice free = gpu("f", Eccn::kNot3A090, "Z", Assurance::kReported);
  auto fr = evaluate_policy(p, {free}, at("CN"));
  EXPECT_EQ(codes(fr.device_findings["f"]), std::vector<std::string>{"policy.identity-reported"});
  EXPECT_EQ(fr.device_findings["f"][0].severity, Severity::kWarn);
  EXPECT_NE(fr.device_findings["f"][0].message.find("3A090.a accelerator needs a licence"),
            std::string::npos);
  EXPECT_NE(fr.device_findings["f"][0].message.find("742.6(a)(6)(iii)(A)"), std::string::npos);
  // Where only the text needs a licence for 3A090.a, the warning says so.
  auto fd = evaluate_policy(p, {free}, at("DE", nullptr, "DE"));
  EXPECT_EQ(codes(fd.device_findings["f"]), std::vector<std::string>{"policy.identity-reported"});
  EXPECT_NE(fd.device_findings["f"][0].message.find("by the text"), std::string::npos);
  // An end user headquartered in China makes 3A090.a need a licence anywhere outside the US.
  auto fm = evaluate_policy(p, {free}, at("MY", nullptr, "CN"));
  EXPECT_NE(fm.device_findings["f"][0].message.find("headquartered in CN"), std::string::npos);
  // In the US nothing would need a licence, but a PRC 3A090 IC fails there too (project
  // policy), so an unproven identity still decides: the same warning, naming GP10.
  auto fu = evaluate_policy(p, {free}, at("US"));
  EXPECT_EQ(codes(fu.device_findings["f"]), std::vector<std::string>{"policy.identity-reported"});
  EXPECT_NE(fu.device_findings["f"][0].message.find("GP10"), std::string::npos);
  // ... and so with no destination at all.
  auto fn = evaluate_policy(p, {free}, at(std::nullopt));
  EXPECT_EQ(codes(fn.device_findings["f"]), std::vector<std::string>{"policy.identity-reported"});
  PolicyDevice att_free = gpu("t", Eccn::kNot3A090, "Z", Assurance::kAttested);
  EXPECT_TRUE(evaluate_policy(p, {att_free}, at("US")).device_findings["t"].empty());
  // A quote binding the host's inventory proves the list, not the chips: the same warning.
  PolicyDevice bound = gpu("b", Eccn::kNot3A090, "Z", Assurance::kPlatformBound);
  EXPECT_EQ(codes(evaluate_policy(p, {bound}, at("CN")).device_findings["b"]),
            std::vector<std::string>{"policy.identity-reported"});
  PolicyDevice att = gpu("t", Eccn::kNot3A090, "Z", Assurance::kAttested);
  EXPECT_TRUE(evaluate_policy(p, {att}, at("CN")).device_findings["t"].empty());
}

TEST(Policy, LettersBindTheirRecipientsProductsOnly) {
  const auto& p = shipped_policy();
  PolicyDevice nv = gpu("nv", Eccn::kNot3A090, "N");
  nv.vendor = "nvidia";
  nv.memory_bandwidth_gbps = 4000;  // reaches the H20's memory bandwidth
  PolicyDevice other = nv;
  other.label = "intel";
  other.vendor = "intel";  // the same figures from another designer: no letter reaches it
  PolicyDevice slow = nv;
  slow.label = "slow";
  slow.memory_bandwidth_gbps = 3999;
  slow.scale_up_gbps = 899;
  PolicyDevice link = slow;
  link.label = "link";
  link.scale_up_gbps = 900;  // the H20's interconnect bandwidth
  PolicyDevice mi = gpu("mi", Eccn::kNot3A090, "M");
  mi.vendor = "amd";
  mi.part_ids = {"amd-mi308x"};
  PolicyDevice mi300 = mi;
  mi300.label = "mi300";
  mi300.part_ids = {"amd-mi325x"};
  mi300.memory_bandwidth_gbps = 6000;  // the AMD letter names the MI308 alone
  for (const char* dest : {"CN", "HK", "MO", "IR", "VE"}) {
    auto r = evaluate_policy(p, {nv, other, slow, link, mi, mi300}, at(dest, nullptr, "US"));
    EXPECT_EQ(codes(r.device_findings["nv"]).back(), "policy.is-informed-letter") << dest;
    EXPECT_EQ(codes(r.device_findings["link"]).back(), "policy.is-informed-letter") << dest;
    EXPECT_EQ(codes(r.device_findings["mi"]).back(), "policy.is-informed-letter") << dest;
    for (const char* none : {"intel", "slow", "mi300"}) {
      const auto c = codes(r.device_findings[none]);
      EXPECT_EQ(std::count(c.begin(), c.end(), "policy.is-informed-letter"), 0) << dest << none;
    }
  }
  // Not in D:5 or Macau: no letter.
  auto sg = evaluate_policy(p, {nv, mi}, at("SG", nullptr, "SG"));
  EXPECT_TRUE(sg.device_findings["nv"].empty() && sg.device_findings["mi"].empty());
  // A licence covers it; the message names the letter's source and that it is unverified.
  auto cn = evaluate_policy(p, {nv}, at("CN", nullptr, "US"));
  EXPECT_NE(cn.device_findings["nv"][0].message.find("8-K"), std::string::npos);
  EXPECT_NE(cn.device_findings["nv"][0].message.find("not verified"), std::string::npos);
  Licence l = licence("CN", {"N"}, "US");
  EXPECT_TRUE(evaluate_policy(p, {nv}, at("CN", &l)).device_findings["nv"].empty());
  // The recipient's part whose bandwidth the registry does not know may be covered: it fails
  // there too, and the message says why it is not certain.
  PolicyDevice unknown_bw = gpu("u", Eccn::kNot3A090, "U");
  unknown_bw.vendor = "nvidia";
  unknown_bw.scale_up_gbps = 64;
  auto ub = evaluate_policy(p, {unknown_bw}, at("CN", nullptr, "US"));
  EXPECT_EQ(codes(ub.device_findings["u"]), std::vector<std::string>{"policy.is-informed-letter"});
  EXPECT_EQ(ub.device_findings["u"][0].severity, Severity::kFail);
  EXPECT_NE(ub.device_findings["u"][0].message.find("may require"), std::string::npos);
  EXPECT_NE(ub.device_findings["u"][0].message.find("4000 GB/s memory bandwidth"),
            std::string::npos);
  unknown_bw.vendor = "intel";  // not a recipient: nothing
  EXPECT_TRUE(
      evaluate_policy(p, {unknown_bw}, at("CN", nullptr, "US")).device_findings["u"].empty());
}

TEST(Policy, EmbargoesNeedALicenceWhateverTheClass) {
  const auto& p = shipped_policy();
  PolicyDevice free = gpu("f", Eccn::kNot3A090, "F");
  free.secondary = "3A991.p";
  for (const char* dest : {"RU", "BY", "IR", "KP", "CU", "SY"}) {
    auto r = evaluate_policy(p, {free}, at(dest, nullptr, "US"));
    ASSERT_FALSE(r.device_findings["f"].empty()) << dest;
    EXPECT_EQ(r.device_findings["f"][0].code, "policy.embargoed-destination") << dest;
    EXPECT_EQ(r.device_findings["f"][0].severity, Severity::kFail);
    EXPECT_NE(r.device_findings["f"][0].message.find("15 CFR 74"), std::string::npos);
    // One finding per destination (the E:1/E:2 group rule backs up the sections only), in
    // the section's own words.
    EXPECT_EQ(r.device_findings["f"].size(), 1u) << dest;
    EXPECT_NE(r.device_findings["f"][0].message.find("a licence is required for "),
              std::string::npos);
    EXPECT_EQ(r.device_findings["f"][0].message.find("every accelerator"), std::string::npos);
  }
  // The host itself: whatever its inventory holds (none here), part 746 reaches it.
  for (const char* dest : {"RU", "KP", "CU", "IR", "SY"}) {
    auto empty = evaluate_policy(p, {}, at(dest, nullptr, "US"));
    EXPECT_EQ(
        codes(empty.host_findings),
        (std::vector<std::string>{"policy.destination-declared", "policy.embargoed-destination"}))
        << dest;
    EXPECT_EQ(empty.host_findings[1].severity, Severity::kFail) << dest;
    EXPECT_NE(empty.host_findings[1].message.find("whatever its inventory reports"),
              std::string::npos);
  }
  auto at_ru = evaluate_policy(p, {free}, at("RU", nullptr, "US"));
  EXPECT_NE(at_ru.device_findings["f"][0].message.find("specified in an ECCN on the CCL"),
            std::string::npos);
  // A licence for the device (its own ECCN, or none named) covers it; a wrong ECCN does not.
  Licence ru = licence("RU", {"F"}, "RU");
  EXPECT_TRUE(evaluate_policy(p, {free}, at("RU", &ru)).device_findings["f"].empty());
  auto j = Json::parse(R"({"schema":"accel-attest/licence/v1","licence":"R","destination":"RU",
    "end_user":{"name":"E","headquarters":"RU"},"devices":[{"serial":"F","eccn":"3A090.a"}]})");
  Licence wrong = parse_licence(j.dump(), "l.json").value();
  EXPECT_EQ(codes(evaluate_policy(p, {free}, at("RU", &wrong)).device_findings["f"]),
            std::vector<std::string>{"policy.embargoed-destination"});
  // Ukraine: the covered regions only, and only when the region is known.
  auto ua = evaluate_policy(p, {free}, at("UA", nullptr, "UA"));
  EXPECT_TRUE(ua.device_findings["f"].empty());
  EXPECT_EQ(codes(ua.host_findings),
            (std::vector<std::string>{"policy.destination-declared", "policy.region-unchecked"}));
  for (const char* region : {"UA-43", "UA-40", "UA-14", "UA-09"}) {
    Licence crimea = licence(region, {}, "UA");
    EXPECT_EQ(codes(evaluate_policy(p, {free}, at("UA", &crimea)).device_findings["f"]),
              std::vector<std::string>{"policy.embargoed-destination"})
        << region;
  }
  Licence lviv = licence("UA-46", {}, "UA");
  EXPECT_TRUE(evaluate_policy(p, {free}, at("UA", &lviv)).device_findings["f"].empty());
}

TEST(Policy, LicenceExceptionsNameTheirConditions) {
  const auto& p = shipped_policy();
  PolicyDevice rtx = part_device("nvidia-rtx-4090", "rtx");          // 3A090.a.1, not datacenter
  PolicyDevice mi = part_device("amd-mi210", "mi");                  // 3A090.b.1
  PolicyDevice h100 = part_device("nvidia-h100-sxm5-80gb", "h100");  // .a, datacenter
  ASSERT_EQ(rtx.datacenter, std::optional<bool>(false));
  // Saudi Arabia (D:4): ACA may apply to the non-datacenter .a part and the .b part, never to
  // a datacenter .a part.
  auto sa = evaluate_policy(p, {rtx, mi, h100}, at("SA", nullptr, "SA"));
  EXPECT_EQ(codes(sa.device_findings["rtx"]),
            std::vector<std::string>{"policy.exception-may-apply"});
  EXPECT_NE(sa.device_findings["rtx"][0].message.find("ACA"), std::string::npos);
  EXPECT_NE(sa.device_findings["rtx"][0].message.find("740.8"), std::string::npos);
  EXPECT_EQ(sa.device_findings["rtx"][0].message.find("NAC ("), std::string::npos);
  EXPECT_EQ(codes(sa.device_findings["mi"]),
            std::vector<std::string>{"policy.exception-may-apply"});
  EXPECT_EQ(codes(sa.device_findings["h100"]), std::vector<std::string>{"policy.licence-missing"});
  // China: NAC (with its notification), not ACA.
  auto cn = evaluate_policy(p, {rtx}, at("CN", nullptr, "CN"));
  EXPECT_NE(cn.device_findings["rtx"][0].message.find("NAC"), std::string::npos);
  EXPECT_NE(cn.device_findings["rtx"][0].message.find("25 calendar days"), std::string::npos);
  // A Tier-1 destination: the text needs a licence; AIA (740.27) may apply.
  auto de = evaluate_policy(p, {h100}, at("DE", nullptr, "DE"));
  EXPECT_EQ(codes(de.device_findings["h100"]),
            std::vector<std::string>{"policy.licence-required-by-text"});
  EXPECT_NE(de.device_findings["h100"][0].message.find("AIA"), std::string::npos);
  EXPECT_NE(de.device_findings["h100"][0].message.find("740.27"), std::string::npos);
  auto de_cn = evaluate_policy(p, {h100}, at("DE", nullptr, "CN"));  // AIA is not for D:5 HQs
  EXPECT_EQ(codes(de_cn.device_findings["h100"]),
            std::vector<std::string>{"policy.licence-missing"});
  // A licence file that declares an exception: covered where the checkable conditions hold.
  Licence aca = licence("SA", {"UEID-rtx", "UEID-h100", "UEID-mi"}, "SA", "ACA");
  auto used = evaluate_policy(p, {rtx, mi, h100}, at("SA", &aca));
  // ... and says what only the exporter's records can show (never affirming on its own).
  EXPECT_EQ(codes(used.device_findings["rtx"]),
            std::vector<std::string>{"policy.exception-declared"});
  EXPECT_EQ(used.device_findings["rtx"][0].severity, Severity::kWarn);
  EXPECT_NE(used.device_findings["rtx"][0].message.find("740.8"), std::string::npos);
  EXPECT_NE(used.device_findings["rtx"][0].message.find("headquartered"), std::string::npos);
  EXPECT_EQ(codes(used.device_findings["mi"]),
            std::vector<std::string>{"policy.exception-declared"});
  EXPECT_EQ(codes(used.device_findings["h100"]),
            std::vector<std::string>{"policy.exception-ineligible"});
  // Through a host-reported serial only, the exception does not hide that.
  PolicyDevice rtx_rep = rtx;
  rtx_rep.assurance = Assurance::kReported;
  rtx_rep.reported_identities = {*rtx.attested_identity};
  rtx_rep.attested_identity.reset();
  EXPECT_EQ(codes(evaluate_policy(p, {rtx_rep}, at("SA", &aca)).device_findings["rtx"]),
            (std::vector<std::string>{"policy.identity-reported", "policy.exception-declared",
                                      "policy.licence-match-unattested"}));
  // NAC: at most six items (BIS's alert [S]); seven MI210s under one use are not covered.
  std::vector<PolicyDevice> seven;
  std::vector<std::string> serials;
  for (int i = 0; i < 7; ++i) {
    PolicyDevice m7 = mi;
    m7.label = "mi" + std::to_string(i);
    m7.attested_identity = "UEID-mi" + std::to_string(i);
    serials.push_back(*m7.attested_identity);
    seven.push_back(m7);
  }
  Licence nac7 = licence("CN", serials, "CN", "NAC");
  auto s7 = evaluate_policy(p, seven, at("CN", &nac7));
  EXPECT_EQ(codes(s7.device_findings["mi3"]),
            std::vector<std::string>{"policy.exception-ineligible"});
  EXPECT_NE(s7.device_findings["mi3"][0].message.find("more than the 6"), std::string::npos);
  seven.pop_back();
  serials.pop_back();
  Licence nac6 = licence("CN", serials, "CN", "NAC");
  EXPECT_EQ(codes(evaluate_policy(p, seven, at("CN", &nac6)).device_findings["mi3"]),
            std::vector<std::string>{"policy.exception-declared"});
  // One licence entry licenses one device: two devices reporting the same serial both fail.
  PolicyDevice h1 = gpu("h1", Eccn::kA1, "S123", Assurance::kReported);
  PolicyDevice h2 = gpu("h2", Eccn::kA1, "S123", Assurance::kReported);
  Licence one = licence("CN", {"S123"}, "CN");
  auto twice = evaluate_policy(p, {h1, h2}, at("CN", &one));
  for (const char* l : {"h1", "h2"}) {
    EXPECT_EQ(codes(twice.device_findings[l]),
              (std::vector<std::string>{"policy.identity-reported", "policy.licence-entry-shared"}))
        << l;
    EXPECT_EQ(twice.device_findings[l][1].severity, Severity::kFail);
  }
  Licence aca_cn = licence("CN", {"UEID-rtx"}, "CN", "ACA");  // ACA does not reach China
  EXPECT_EQ(codes(evaluate_policy(p, {rtx}, at("CN", &aca_cn)).device_findings["rtx"]),
            std::vector<std::string>{"policy.exception-ineligible"});
  Licence nac_ru = licence("RU", {"UEID-rtx"}, "RU", "NAC");  // no exception under part 746
  auto ru = evaluate_policy(p, {rtx}, at("RU", &nac_ru));
  EXPECT_EQ(codes(ru.device_findings["rtx"]),
            std::vector<std::string>{"policy.exception-ineligible"});
  EXPECT_NE(ru.device_findings["rtx"][0].message.find("part 746"), std::string::npos);
  // GP10: no exception for a PRC 3A090 IC.
  PolicyDevice asc = part_device("huawei-ascend-910b1", "asc");
  Licence nac = licence("CN", {"UEID-asc"}, "CN", "NAC");
  auto g = evaluate_policy(p, {asc}, at("CN", &nac));
  EXPECT_EQ(codes(g.device_findings["asc"]),
            (std::vector<std::string>{"policy.prc-3a090-part", "policy.exception-ineligible"}));
}

TEST(Policy, AnExpiredLicenceCoversNothing) {
  const auto& p = shipped_policy();
  PolicyDevice h = gpu("h", Eccn::kA1, "S0");
  Licence l = licence("CN", {"S0"}, "CN");  // valid 2026-01-01 .. 2027-01-01
  EXPECT_TRUE(evaluate_policy(p, {h}, at("CN", &l)).device_findings["h"].empty());
  const std::time_t late = *x509::parse_rfc3339("2027-02-01T00:00:00Z");
  auto r = evaluate_policy(p, {h}, at("CN", &l, std::nullopt, late));
  EXPECT_EQ(codes(r.device_findings["h"]), std::vector<std::string>{"policy.licence-missing"});
  EXPECT_NE(r.device_findings["h"][0].message.find("is not valid at 2027-02-01"),
            std::string::npos);
  const auto host = codes(r.host_findings);
  EXPECT_NE(std::count(host.begin(), host.end(), "policy.licence-not-valid"), 0);
}

TEST(Policy, StaleAfterNinetyDays) {
  const auto& p = shipped_policy();
  const std::time_t day91 = *x509::parse_rfc3339("2026-10-22T00:00:01Z");
  const std::time_t day90 = *x509::parse_rfc3339("2026-10-21T00:00:00Z");
  Licence us = licence("US", {}, "US");
  EXPECT_TRUE(evaluate_policy(p, {}, at("US", &us, std::nullopt, day90)).host_findings.empty());
  auto s = evaluate_policy(p, {}, at("US", &us, std::nullopt, day91));
  EXPECT_EQ(codes(s.host_findings), std::vector<std::string>{"policy.stale"});
  EXPECT_EQ(s.host_findings[0].severity, Severity::kWarn);
  EXPECT_NE(s.host_findings[0].message.find("2026-07-23"), std::string::npos);
}

// docs/policy.md's table: every row is a destination (and end-user headquarters), every
// column a registry part; each cell lists the policy findings (without "policy.") that part
// gets there with no licence, "(warn)" marking warnings, "-" for none. The last column is the
// host's findings.
TEST(Policy, TheTableInDocsPolicyMdHolds) {
  const test::PolicyTable t = test::policy_table();
  ASSERT_GE(t.part_ids.size(), 6u);
  EXPECT_GE(t.rows.size(), 14u);
  std::vector<PolicyDevice> devices;
  for (const auto& id : t.part_ids) devices.push_back(part_device(id, id));
  auto show = [](const std::set<std::string>& s) {
    std::string c;
    for (const auto& x : s) c += (c.empty() ? "" : ", ") + x;
    return c.empty() ? std::string("-") : c;
  };
  std::string mismatches;
  for (const auto& key : t.rows) {
    const auto& [dest, hq_cell] = key;
    std::optional<std::string> hq;
    if (hq_cell != "-") hq = hq_cell;
    std::optional<Licence> region;
    PolicyInputs pin = at(dest.substr(0, 2), nullptr, hq);
    if (dest.size() > 2) {  // an ISO 3166-2 destination: only a licence can name it
      region = licence(dest, {}, hq.value_or("UA"));
      pin = at(dest.substr(0, 2), &*region);
    }
    auto r = evaluate_policy(shipped_policy(), devices, pin);
    std::string actual = "| " + dest + " | " + hq_cell + " |";
    bool same = true;
    for (const auto& id : t.part_ids) {
      auto got = cell_of(r.device_findings[id]);
      same = same && got == t.cells.at(key).at(id);
      actual += " " + show(got) + " |";
    }
    auto host = cell_of(r.host_findings);
    same = same && host == t.cells.at(key).at("host");
    actual += " " + show(host) + " |";
    if (!same) mismatches += actual + "\n";
  }
  EXPECT_TRUE(mismatches.empty()) << "rows that differ (actual):\n" << mismatches;
}

TEST(Policy, LicenceFilesAreStrict) {
  const std::string base =
      R"("schema":"accel-attest/licence/v1","licence":"L","end_user":{"name":"E","headquarters":"AE"})";
  auto check = [&](const std::string& json, const char* code, const char* field) {
    auto r = parse_licence(json, "lic.json");
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.error().code, code) << r.error().to_string();
    EXPECT_NE(r.error().field.find(field), std::string::npos) << r.error().to_string();
  };
  check(R"({"schema":"accel-attest/licence/v1"})", "input.missing-field", "#/licence");
  check(R"({"schema":"x","licence":"L"})", "input.bad-value", "#/schema");
  check("{" + base + R"(,"destination":"Germany","devices":[]})", "input.bad-value",
        "#/destination");
  check("{" + base + R"(,"destination":"UA-","devices":[]})", "input.bad-value", "#/destination");
  check("{" + base + R"(,"destination":"ua-43","devices":[]})", "input.bad-value", "#/destination");
  // Two capital letters are not enough: an unassigned code is no destination.
  check("{" + base + R"(,"destination":"XX","devices":[]})", "input.bad-value", "#/destination");
  check("{" + base + R"(,"destination":"ZZ-01","devices":[]})", "input.bad-value", "#/destination");
  check(R"({"schema":"accel-attest/licence/v1","licence":"L","end_user":{"name":"E",)"
        R"("headquarters":"QQ"},"destination":"DE","devices":[]})",
        "input.bad-value", "#/end_user/headquarters");
  check("{" + base + R"(,"destination":"DE","devices":[{"serial":"a"},{"serial":"a"}]})",
        "input.bad-value", "#/devices/1/serial");
  check("{" + base + R"(,"destination":"DE","devices":[{"serial":"a","eccn":"3A090.c"}]})",
        "input.bad-value", "#/devices/0/eccn");
  check("{" + base + R"(,"destination":"DE","devices":[],"extra":1})", "input.unknown-field",
        "lic.json");
  check("{" + base + R"(,"destination":"DE","valid_until":"soon","devices":[]})", "input.bad-value",
        "#/valid_until");
  check("{" + base + R"(,"destination":"DE","exception":"LVS","devices":[]})", "input.bad-value",
        "#/exception");
  auto ok = parse_licence("{" + base +
                              R"(,"destination":"UA-43","exception":"NAC","devices":[)"
                              R"({"serial":"a","eccn":"3A991.p"},{"serial":"b","eccn":"EAR99"}]})",
                          "lic.json");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->destination, "UA");
  EXPECT_EQ(ok->destination_region, std::optional<std::string>("UA-43"));
  EXPECT_EQ(ok->exception, std::optional<std::string>("NAC"));
}

TEST(Policy, PolicyFilesAreStrict) {
  const std::string path = std::string(PROFILES_DIR) + "/policy/export-policy.json";
  std::ifstream f(path);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto load = [&](const std::string& t) {
    const std::string tmp = testing::TempDir() + "/policy-" + std::to_string(t.size()) + ".json";
    std::ofstream(tmp) << t;
    return load_export_policy(tmp, test::shipped_registry());
  };
  ASSERT_TRUE(load(text).ok());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    auto i = t.find(from);
    EXPECT_NE(i, std::string::npos) << from;
    return t.replace(i, from.size(), to);
  };
  auto r1 = load(replace("\"stale_after_days\": 90", "\"stale_after_days\": 0"));
  ASSERT_FALSE(r1.ok());
  EXPECT_NE(r1.error().field.find("#/stale_after_days"), std::string::npos);
  auto r2 = load(replace("\"groups\": [\"E:1\", \"E:2\"]", "\"groups\": [\"E:9\"]"));
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.error().message.find("E:9"), std::string::npos);
  auto r3 = load(replace("export-policy/v2", "export-policy/v1"));
  ASSERT_FALSE(r3.ok());
  EXPECT_NE(r3.error().field.find("#/schema"), std::string::npos);
}

}  // namespace
}  // namespace aa
