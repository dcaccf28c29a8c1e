// The TPM quote appraiser: one quote of the host's TPM, its signature by the AK, the nonce and
// inventory binding, the PCR values and a PCR policy, and the AK's trust.
//
// Contract: appraise_quote() is a pure function of its inputs (no I/O, time passed in). Every
// check that can run does; each failure is a finding (docs/findings.md, `tpm.*`):
//   parse       tpm.malformed, tpm.bad-magic, tpm.wrong-type, tpm.trailing-bytes (quote.h)
//   signature   tpm.signature-scheme, tpm.signature-invalid, tpm.sha1-signature (warn unless
//               allow_sha1)
//   ak          tpm.ak-attributes (restricted, sign, fixedTPM, fixedParent, sensitiveDataOrigin
//               all set), tpm.ak-weak-key (RSA under 2048 bits), tpm.ak-attributes-unknown (a PEM
//               AK has no TPM attributes: warn)
//   nonce       extraData == SHA-256(nonce || inventory digest) matches the inventory (binding
//               v2, binding/inventory_digest.h); == SHA-256(nonce || v1 digest) is an old
//               binding that covers too little (tpm.inventory-binding-v1, warn); == nonce alone
//               verifies but binds nothing (tpm.inventory-not-bound, warn); anything else is
//               tpm.inventory-mismatch when an inventory was given (another nonce or another
//               inventory: a device field changed, added or removed), tpm.nonce-mismatch when
//               not; an empty nonce tpm.nonce-empty (warn)
//   pcrs        tpm.pcr-selection-mismatch (the PCR file's own selection is not the signed one:
//               CVE-2024-29039), tpm.pcr-digest-mismatch (H(values) != signed pcrDigest),
//               tpm.bad-pcr-file / tpm.pcr-count
//   policy      tpm.pcr-policy-mismatch per PCR, tpm.pcr-not-quoted when the policy names a
//               PCR the signed selection lacks
//   eventlog    the firmware log replayed per signed bank into PCRs 0..7 must give the signed
//               values: tpm.eventlog-mismatch per PCR, tpm.bad-eventlog, tpm.eventlog-bank-missing
//   ak_trust    with an AK certificate: chain to the given CA at `at` (tpm.ak-cert-invalid) and
//               the same key as the AK (tpm.ak-cert-key-mismatch); else with an enrolment record
//               (tpm/enrolment.h): signed by one of the given enrolment keys
//               (tpm.enrolment-invalid), for this AK's Name (tpm.enrolment-ak-mismatch), made
//               no later than `at` (tpm.enrolment-future); with neither, or with no key or CA to
//               check what came: tpm.ak-untrusted (warn: the AK is only as good as an
//               enrolment this check did not see)
//
// inventory_bound is the conclusion, not one check: it is true only when the quote parsed, its
// signature verified (parse and signature pass), the AK is a valid attestation key (ak not
// failed), the AK is trusted (ak_trust pass: its certificate chains to the given CA, or an
// enrolment record signed by a given enrolment key names it), the nonce is not empty and extraData
// is the v2 binding of refs.inventory_digest. extra_data_binds says only the last: that the host
// claimed this inventory, which vouches for nothing unless the signer is trusted.
#pragma once

#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/finding.h"
#include "crypto/chain.h"
#include "crypto/ossl.h"
#include "results/jose.h"
#include "tpm/enrolment.h"
#include "tpm/pcrs.h"
#include "tpm/quote.h"

namespace aa::tpm {

struct QuoteEvidence {
  Bytes attest, signature, pcrs, ak_public;
  std::optional<Bytes> ak_cert_der;   // DER or PEM
  std::optional<Bytes> ak_enrolment;  // an enrolment record (tpm/enrolment.h), used without a cert
  std::string origin;                 // for messages ("quote.msg")
  std::optional<Bytes> eventlog;      // TCG PC Client firmware event log, to replay PCRs 0..7
};

struct QuoteReferences {
  Bytes nonce;                               // what the verifier issued
  std::optional<Bytes> inventory_digest;     // binding v2, 32 bytes, docs/inventory-binding.md
  std::optional<Bytes> v1_inventory_digest;  // to recognise a v1 binding (never bound)
  const PcrPolicy* policy = nullptr;
  const X509* ak_ca = nullptr;  // trust anchor for the AK certificate
  std::vector<const X509*> ak_intermediates;
  const jose::Jwks* enrolment_keys = nullptr;  // whose enrolment records are trusted; null: none
  // AK certificates and chains verified by earlier appraisals (crypto/chain.h); null: none.
  CertificateCache* certificate_cache = nullptr;
  bool allow_sha1 = false;
  std::time_t at = 0;
};

using Check = CheckStatus;  // core/finding.h; to_string() gives its text

// The named checks of a quote appraisal (the contract above). Declared in the order of their
// names, so a map of them lists them as the text and JSON output always have.
enum class QuoteCheck { kAk, kAkTrust, kEventlog, kNonce, kParse, kPcrs, kPolicy, kSignature };

}  // namespace aa::tpm

template <>
struct aa::EnumNames<aa::tpm::QuoteCheck> {
  using C = aa::tpm::QuoteCheck;
  static constexpr std::array kNames = {
      std::pair{C::kAk, "ak"},
      std::pair{C::kAkTrust, "ak_trust"},
      std::pair{C::kEventlog, "eventlog"},
      std::pair{C::kNonce, "nonce"},
      std::pair{C::kParse, "parse"},
      std::pair{C::kPcrs, "pcrs"},
      std::pair{C::kPolicy, "policy"},
      std::pair{C::kSignature, "signature"},
  };
};

namespace aa::tpm {

struct QuoteAppraisal {
  std::map<QuoteCheck, Check> checks;  // every check, kNotRun until it runs
  std::optional<Quote> quote;
  std::vector<PcrValue> pcrs;  // labelled from the signed selection
  std::string ak_description;
  Bytes ak_name;
  std::optional<Enrolment> ak_enrolment;  // the record that made the AK trusted, when one did
  bool extra_data_binds = false;          // extraData is the v2 binding of the given inventory
  bool inventory_bound = false;           // that, signed by a valid, trusted AK (see the contract)
  std::vector<Finding> findings;

  TrustTier verdict() const { return verdict_of(findings); }
};

// SHA-256(nonce || inventory_digest): the extraData that binds an inventory to a quote.
Bytes binding_extra_data(ByteView nonce, ByteView inventory_digest);

QuoteAppraisal appraise_quote(const QuoteEvidence& ev, const QuoteReferences& refs);

// Whether the quote makes the inventory it binds `platform-bound`: the one rule `verify` and
// `tpm verify` share. It does only when inventory_bound holds (signature, trusted AK,
// extraData), the nonce was the one the verifier issued (`nonce_issued`), and nothing in the
// quote's appraisal failed: a quote whose boot state, event log or clock fails vouches for
// nothing it lists.
bool makes_platform_bound(const QuoteAppraisal& a, bool nonce_issued);

}  // namespace aa::tpm
