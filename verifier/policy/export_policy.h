// The export-compliance policy: which 3A090 devices need a licence where, and whether the
// licence a host declares covers what the host holds.
//
// Contract: load_export_policy() reads firmware-profiles/policy/export-policy.json (schema
// accel-attest/export-policy/v1); its group names refer to the registry's country groups
// (policy/country-groups.json, covered by the registry digest). parse_licence() reads a
// licence file (schema accel-attest/licence/v1, docs/policy.md). Both are strict: unknown
// members, bad country codes and bad times are input.* errors naming the JSON pointer.
// evaluate_policy() is a pure function: it returns findings (docs/findings.md, policy.*) for
//   policy.prc-3a090-part         a PRC 3A090 IC present (fail; GP10 guidance)
//   policy.prc-part-unclassified  a PRC IC whose class cannot be computed (warn)
//   policy.licence-missing        a 3A090 device where the enforced scope (or the headquarters
//                                 rule) needs a licence and no licence entry covers it (fail)
//   policy.licence-required-by-text  the same where only the legal text (not BIS's
//                                 enforcement) needs one (warn)
//   policy.class-undetermined     a device that may be 3A090 at a licence destination (warn)
//   policy.licensed-device-absent a licensed serial no device of the host carries (fail); a
//                                 reported serial of a device whose attested identity is
//                                 another does not carry it
//   policy.licensed-device-unattested  a licensed serial only a reported identity carries (warn)
//   policy.licence-match-unattested  a device covered by a licence entry only through a
//                                 reported identity (warn, in place of licence-missing)
//   policy.licence-destination-mismatch  licence destination != declared site (fail)
//   policy.licence-not-valid      outside the licence's validity at the verification time (fail)
//   policy.destination-unknown    no licence and no declared site: licence rules not run (warn)
//   policy.identity-reported      a controlled device known only from reported PCI IDs (warn)
// The destination is the licence's when one is given, else the host's declared site. Hong
// Kong takes China's treatment (the groups' alias table).
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
  std::set<std::string> groups, exclude_groups, countries;
  std::string cite;
  bool contains(const std::string& country, const CountryGroups& g) const;
  // Every country named or in a group, less the excluded groups' members (not for all_except).
  std::set<std::string> members(const CountryGroups& g) const;
};

struct ParagraphPolicy {
  CountryScope legal, enforced;
  std::optional<CountryScope> headquarters;  // end-user headquarters that need a licence anywhere
};

struct ExportPolicy {
  std::string ecfr_date, source, digest;              // digest: SHA-256 of the policy file
  const CountryGroups* groups = nullptr;              // the registry's
  std::map<std::string, ParagraphPolicy> paragraphs;  // "3A090.a", "3A090.b"
  CountryScope restricted_locations;
};

Result<ExportPolicy> load_export_policy(const std::string& path, const Registry& registry);

struct LicensedDevice {
  std::string serial;  // a board serial or an NVIDIA UEID
  std::string eccn;    // "3A090.a", "3A090.b", or "" for any
};

struct Licence {
  std::string number, destination, end_user, end_user_hq, digest;
  std::optional<std::time_t> valid_from, valid_until;
  std::vector<LicensedDevice> devices;
};

Result<Licence> parse_licence(std::string_view json, const std::string& origin);

// What the policy needs to know of one device.
struct PolicyDevice {
  std::string label, name;
  Eccn eccn = Eccn::kUndetermined;
  std::set<std::string> candidate_classes;  // eccn_name of every candidate when undetermined
  std::vector<std::string> flags;
  std::string assurance;  // attested | platform-bound | reported
  // The identity signed evidence proves (an NVIDIA UEID from a fresh, attested report); when
  // present it is the only identity a licence entry can match.
  std::optional<std::string> attested_identity;
  // Identities the host claims (serials; a UEID of evidence that did not attest). They match a
  // licence entry only for a device with no attested identity, and then only as a warning.
  std::vector<std::string> reported_identities;
};

struct PolicyOutcome {
  std::optional<std::string> destination;
  std::map<std::string, std::vector<Finding>> device_findings;  // by label
  std::vector<Finding> host_findings;
};

// "3A090.a" for a.1/a.2, "3A090.b" for b.1/b.2, "" otherwise.
std::string paragraph_of(Eccn e);

PolicyOutcome evaluate_policy(const ExportPolicy& policy, const std::vector<PolicyDevice>& devices,
                              const std::optional<std::string>& site_country,
                              const Licence* licence, std::time_t at);

}  // namespace aa
