// The export-compliance policy: which accelerators need a licence where, which licence
// exception may apply instead, and whether the licence a host declares covers what it holds.
//
// Contract: load_export_policy() reads firmware-profiles/policy/export-policy.json (schema
// accel-attest/export-policy/v2, docs/policy.md); its group names refer to the registry's
// country groups (policy/country-groups.json, covered by the registry digest). parse_licence()
// reads a licence file (schema accel-attest/licence/v1). Both are strict: unknown members, bad
// country codes and bad times are input.* errors naming the JSON pointer.
//
// evaluate_policy() is a pure function of the policy, the devices and PolicyInputs. The
// destination is the licence's when one is given, else the host's declared site; Hong Kong
// takes China's treatment (the groups' alias table). Rules, in the order they are applied to
// each device (codes in docs/findings.md, policy.*; the destination x class table that the
// tests check is in docs/policy.md):
//   1. embargo (part 746, E:1/E:2): every accelerator needs a licence whatever its class
//        policy.embargoed-destination (fail), policy.region-unchecked (warn: Ukraine, region
//        not known)
//   2. 3A090 (742.6(a)(6)(iii)): each paragraph the device may be in, by the enforced scope,
//      the legal text and the headquarters rule (end user's headquarters from the licence or
//      PolicyInputs::end_user_hq; unknown: policy.headquarters-unchecked, once per host)
//        policy.licence-missing (fail), policy.exception-may-apply (fail: no licence, but a
//        licence exception's checkable conditions hold; the message names it and what else
//        must be true), policy.licence-required-by-text (warn; names AIA where it may apply),
//        policy.class-undetermined (fail where a candidate class needs a licence that BIS
//        enforces, warn where only the text needs one)
//      A paragraph's unsettled headquarters reading (3A090.b): policy.headquarters-open-question
//      (warn) for an end user headquartered in its scope where nothing else needs a licence
//   3. is-informed letters: the recipient's named parts, and its parts reaching the named
//      figures, at the letter's destinations: policy.is-informed-letter (fail)
//   4. identity: a device whose class comes only from reported PCI IDs gets
//        policy.identity-reported (warn) when its reported part is controlled, and when it is
//        not but a 3A090.a part or a letter recipient's part would need a licence at the
//        destination: the verdict then rests on an unproven claim
//   A device covered by a licence entry (serial or UEID, ECCN matching one of its candidate
//   classes or none given) needs nothing more; through a reported identity only it gets
//   policy.licence-match-unattested (warn). A licence declaring a licence exception covers a
//   device only where that exception's checkable conditions hold (policy.exception-ineligible,
//   fail, otherwise). GP10: policy.prc-3a090-part (fail, project policy on BIS's presumption)
//   and policy.prc-part-unclassified (warn); no licence exception is offered for these.
// Host findings: policy.licence-destination-mismatch, policy.licence-not-valid,
// policy.licensed-device-absent, policy.licensed-device-unattested, policy.destination-unknown,
// policy.stale (the verification is more than stale_after_days after the eCFR issue encoded).
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/result.h"
#include "registry/classify.h"
#include "registry/registry.h"

namespace aa {

struct CountryScope {
  std::set<std::string> all_except;  // non-empty: every country but these
  std::set<std::string> groups, exclude_groups, countries, exclude_countries;
  std::string cite;
  bool contains(const std::string& country, const CountryGroups& g) const;
  // Every country named or in a group, less the excluded groups' members (not for all_except).
  std::set<std::string> members(const CountryGroups& g) const;
};

struct HeadquartersRule {
  CountryScope scope;           // end-user headquarters that need a licence at any destination
  std::string reading, source;  // which paragraphs the rule reaches, and why
  bool verified = false;
};

struct ParagraphPolicy {
  CountryScope legal, enforced;
  std::optional<HeadquartersRule> headquarters;
  // A headquarters reading that is not settled: reported (warn), never applied.
  std::optional<HeadquartersRule> headquarters_open;
};

// Part 746 and country groups E:1/E:2: every item needs a licence.
struct EmbargoRule {
  std::string id, name;
  CountryScope scope;
  std::set<std::string> regions;  // ISO 3166-2 subdivisions (746.6), within region_country
  std::string region_country;
  std::string reaches;    // what the section needs a licence for, in its words
  bool fallback = false;  // applied only where no other embargo rule matched (a group rule)
  bool verified = false;
};

// An is-informed letter: a licence requirement BIS sent to one designer for its own products.
struct LetterRule {
  std::string id, recipient, vendor;  // vendor: the registry's vendor key
  std::set<std::string> parts;        // registry part ids the letter names
  // The recipient's other parts reaching any of these figures are covered too.
  std::optional<double> memory_bandwidth_gbps, scale_up_gbps;
  CountryScope destinations;
  std::string source;
  bool verified = false;
};

struct ExceptionRule {
  std::string id, name, cite;                        // "NAC", ...
  std::set<std::string> paragraphs;                  // "3A090.a", "3A090.b"
  bool not_datacenter_a = false;                     // not for datacenter items meeting 3A090.a
  CountryScope destinations;                         // where the exception authorizes exports
  std::optional<CountryScope> headquarters;          // end users it reaches wherever located
  std::optional<CountryScope> end_user_hq_excluded;  // end users it never reaches
  std::optional<int> max_items;                      // the most items one use may cover
  std::vector<std::string> conditions;               // what must be true, in words
  bool verified = false;
};

struct CountryNote {
  std::string text, cite;
  bool verified = false;
};

struct ExportPolicy {
  std::string ecfr_date, source, digest, disclaimer;  // digest: SHA-256 of the policy file
  int stale_after_days = 90;
  const CountryGroups* groups = nullptr;              // the registry's
  std::map<std::string, ParagraphPolicy> paragraphs;  // "3A090.a", "3A090.b"
  std::vector<EmbargoRule> embargoes;
  std::vector<LetterRule> letters;
  std::vector<ExceptionRule> exceptions;
  std::map<std::string, CountryNote> country_notes;
  std::string gp10_cite, gp10_text;
  CountryScope restricted_locations;

  const ExceptionRule* exception(const std::string& id) const;
};

// parse_export_policy() is the policy from its text (`origin` names it in errors, and `registry`
// must outlive the result); load_export_policy() reads the file (at most 1 MiB) and parses it.
Result<ExportPolicy> parse_export_policy(const std::string& text, const std::string& origin,
                                         const Registry& registry);
Result<ExportPolicy> load_export_policy(const std::string& path, const Registry& registry);

struct LicensedDevice {
  std::string serial;  // a board serial or an NVIDIA UEID
  std::string eccn;    // one of kLicenceEccns, or "" for any
};

// The ECCNs a licence entry may name.
inline constexpr const char* kLicenceEccns[] = {"3A090.a", "3A090.b", "4A090.a", "4A090.b",
                                                "3A991.p", "4A994.l", "EAR99"};

struct Licence {
  std::string number, destination, end_user, end_user_hq, digest;
  std::optional<std::string> destination_region;  // ISO 3166-2 ("UA-43") when given
  std::optional<std::string> exception;           // a licence exception used instead: NAC|ACA|AIA
  std::optional<std::time_t> valid_from, valid_until;
  std::vector<LicensedDevice> devices;
};

Result<Licence> parse_licence(std::string_view json, const std::string& origin);

// What the policy needs to know of one device.
struct PolicyDevice {
  std::string label, name;
  Eccn eccn = Eccn::kUndetermined;
  // eccn_name of every class the device may have (candidates, readings and ranges) when the
  // class is not definite; empty with kUndetermined: nothing is known (an unknown part).
  std::set<std::string> candidate_classes;
  std::vector<std::string> flags;
  Assurance assurance = Assurance::kReported;
  // The identity signed evidence proves (an NVIDIA UEID from a fresh, attested report); when
  // present it is the only identity a licence entry can match.
  std::optional<std::string> attested_identity;
  // Identities the host claims (serials; a UEID of evidence that did not attest). They match a
  // licence entry only for a device with no attested identity, and then only as a warning.
  std::vector<std::string> reported_identities;
  // For letters and exceptions: the vendor key and candidate registry parts, whether every
  // candidate is designed for datacenters (nullopt: not known or mixed), and the highest
  // memory and scale-up bandwidth any candidate has.
  std::string vendor;
  std::vector<std::string> part_ids;
  std::optional<bool> datacenter;
  std::optional<double> memory_bandwidth_gbps, scale_up_gbps;
  std::string secondary;  // where a not-3A090 part falls, in words ("3A991.p ...")
};

struct IdentifiedDevice;
// Fills the class, candidate classes (every candidate part and every alternative reading of
// the rule: a class that a reading contradicts is not definite), vendor, part ids, datacenter
// design and highest bandwidths of `pd` from an identified device. Leaves identity fields alone.
void fill_policy_device(const IdentifiedDevice& id, PolicyDevice& pd);

struct PolicyInputs {
  std::optional<std::string> site_country;  // the bundle's declared site
  const Licence* licence = nullptr;
  std::optional<std::string> end_user_hq;  // --end-user-hq when no licence gives it
  std::time_t at = 0;
};

struct PolicyOutcome {
  std::optional<std::string> destination;
  std::optional<std::string> end_user_hq;  // known from the licence or the inputs
  std::map<std::string, std::vector<Finding>> device_findings;  // by label
  std::vector<Finding> host_findings;
};

// "3A090.a" for a.1/a.2 (and the definite .a), "3A090.b" likewise, "" otherwise.
std::string paragraph_of(Eccn e);
// The same for an eccn_name ("3A090.a.2" -> "3A090.a").
std::string paragraph_of_name(const std::string& eccn_name);

PolicyOutcome evaluate_policy(const ExportPolicy& policy, const std::vector<PolicyDevice>& devices,
                              const PolicyInputs& in);

}  // namespace aa
