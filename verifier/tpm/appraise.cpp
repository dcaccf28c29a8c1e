#include "tpm/appraise.h"

#include "tpm/enrolment.h"

#include <algorithm>

#include "core/finding_codes.h"
#include "crypto/chain.h"
#include "crypto/x509.h"
#include "tpm/eventlog.h"

namespace aa::tpm {

namespace {

void add(QuoteAppraisal& a, std::string code, Severity sev, std::string pointer,
         std::string message) {
  a.findings.push_back(Finding{std::move(code), std::move(message), std::move(pointer), sev});
}

void add_error(QuoteAppraisal& a, const Error& e) {
  add(a, e.code, Severity::kFail, e.field, e.message);
}

Bytes sha256_of(ByteView a, ByteView b) {
  unsigned char d[32];
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  unsigned int n = 0;
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), a.data(), a.size());
  EVP_DigestUpdate(ctx.get(), b.data(), b.size());
  EVP_DigestFinal_ex(ctx.get(), d, &n);
  return Bytes(d, d + n);
}

bool equal(ByteView a, ByteView b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

void check_ak(QuoteAppraisal& a, const Public& ak, const std::string& where) {
  a.checks[QuoteCheck::kAk] = Check::kPass;
  if (!ak.area) {
    a.checks[QuoteCheck::kAk] = Check::kWarn;
    add(a, codes::kTpmAkAttributesUnknown, Severity::kWarn, where,
        "the AK came as a PEM key: its TPM attributes (restricted, fixedTPM, ...) cannot be "
        "checked; give the TPM2B_PUBLIC");
  } else if (!is_attestation_key(*ak.area)) {
    a.checks[QuoteCheck::kAk] = Check::kFail;
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", ak.area->objectAttributes);
    add(a, codes::kTpmAkAttributes, Severity::kFail, where + "#objectAttributes",
        std::string(b) +
            " lacks one of restricted, sign, fixedTPM, fixedParent, "
            "sensitiveDataOrigin: an unrestricted key can sign a forged quote");
  }
  if (EVP_PKEY_get_base_id(ak.key.get()) == EVP_PKEY_RSA &&
      EVP_PKEY_get_bits(ak.key.get()) < 2048) {
    a.checks[QuoteCheck::kAk] = Check::kFail;
    add(a, codes::kTpmAkWeakKey, Severity::kFail, where,
        ak.description + " is below the 2048-bit minimum");
  }
}

// The AK's trust from a verifier's enrolment record (no AK certificate came).
void check_enrolment(QuoteAppraisal& a, const QuoteEvidence& ev, const QuoteReferences& refs) {
  const std::string where = ev.origin + " AK enrolment record";
  if (!refs.enrolment_keys || refs.enrolment_keys->keys.empty()) {
    a.checks[QuoteCheck::kAkTrust] = Check::kWarn;
    add(a, codes::kTpmAkUntrusted, Severity::kWarn, where,
        "an enrolment record came with the quote but no enrolment key to verify it was "
        "configured (--enrolment-key): the AK is not trusted");
    return;
  }
  auto e = verify_enrolment(as_chars(*ev.ak_enrolment), *refs.enrolment_keys, where);
  if (!e) {
    a.checks[QuoteCheck::kAkTrust] = Check::kFail;
    add(a, codes::kTpmEnrolmentInvalid, Severity::kFail, e.error().field,
        "the enrolment record does not verify with the enrolment keys: " + e.error().code + ": " +
            e.error().message);
    return;
  }
  if (a.ak_name.empty() || e->ak_name != a.ak_name) {
    a.checks[QuoteCheck::kAkTrust] = Check::kFail;
    add(a, codes::kTpmEnrolmentAkMismatch, Severity::kFail, where,
        "the record enrols AK " + hex_encode(e->ak_name) + ", not the AK that signed the quote (" +
            (a.ak_name.empty() ? std::string("unreadable") : hex_encode(a.ak_name)) + ")");
    return;
  }
  if (e->enrolled_at > refs.at) {
    a.checks[QuoteCheck::kAkTrust] = Check::kFail;
    add(a, codes::kTpmEnrolmentFuture, Severity::kFail, where,
        "the record says the AK was enrolled at " + x509::rfc3339(e->enrolled_at) +
            ", after the time of verification " + x509::rfc3339(refs.at));
    return;
  }
  a.checks[QuoteCheck::kAkTrust] = Check::kPass;
  a.ak_enrolment = *e;
}

void check_ak_trust(QuoteAppraisal& a, const QuoteEvidence& ev, const QuoteReferences& refs,
                    EVP_PKEY* ak_key) {
  if (!ev.ak_cert_der && ev.ak_enrolment) return check_enrolment(a, ev, refs);
  if (ev.ak_cert_der && ev.ak_enrolment) {
    add(a, codes::kTpmEnrolmentUnused, Severity::kInfo, ev.origin + " AK enrolment record",
        "an AK certificate came as well: it decides the AK's trust, the enrolment record was not "
        "checked");
  }
  if (!ev.ak_cert_der) {
    a.checks[QuoteCheck::kAkTrust] = Check::kWarn;
    add(a, codes::kTpmAkUntrusted, Severity::kWarn, ev.origin,
        "no AK certificate given: the AK's residence in a genuine TPM rests on its enrolment "
        "(credential activation), which this check did not see");
    return;
  }
  std::string where = ev.origin + " AK certificate";
  const bool pem = as_chars(*ev.ak_cert_der).find("-----BEGIN") != std::string_view::npos;
  auto cert = refs.certificate_cache && !pem
                  ? refs.certificate_cache->parsed().parse(*ev.ak_cert_der, where)
                  : x509::parse_cert_any(*ev.ak_cert_der, where);
  if (!cert) {
    a.checks[QuoteCheck::kAkTrust] = Check::kFail;
    add_error(a, cert.error());
    return;
  }
  a.checks[QuoteCheck::kAkTrust] = Check::kPass;
  if (EVP_PKEY_eq(X509_get0_pubkey(cert->get()), ak_key) != 1) {
    a.checks[QuoteCheck::kAkTrust] = Check::kFail;
    add(a, codes::kTpmAkCertKeyMismatch, Severity::kFail, where,
        "the AK certificate certifies another key than the AK that signed the quote");
  }
  if (!refs.ak_ca) {
    if (a.checks[QuoteCheck::kAkTrust] == Check::kFail) return;  // the key mismatch decides
    a.checks[QuoteCheck::kAkTrust] = Check::kWarn;
    add(a, codes::kTpmAkUntrusted, Severity::kWarn, where,
        "an AK certificate came with the quote but no CA to verify it was configured (--ca, "
        "--ak-ca): the AK is not trusted");
    return;
  }
  std::vector<ossl::X509Ptr> chain;
  X509_up_ref(cert->get());
  chain.emplace_back(cert->get());
  for (const X509* i : refs.ak_intermediates) {
    X509_up_ref(const_cast<X509*>(i));
    chain.emplace_back(const_cast<X509*>(i));
  }
  ChainVerifier v(refs.ak_ca, refs.at, refs.certificate_cache);
  ChainOutcome c = v.verify(chain);
  if (!c.ok) {
    a.checks[QuoteCheck::kAkTrust] = Check::kFail;
    add(a, codes::kTpmAkCertInvalid, Severity::kFail, where,
        "no valid path to the CA: " + c.reason + " at depth " + std::to_string(c.error_depth));
  }
}

}  // namespace

Bytes binding_extra_data(ByteView nonce, ByteView inventory_digest) {
  return sha256_of(nonce, inventory_digest);
}

QuoteAppraisal appraise_quote(const QuoteEvidence& ev, const QuoteReferences& refs) {
  QuoteAppraisal a;
  for (QuoteCheck c : all_values<QuoteCheck>()) a.checks[c] = Check::kNotRun;
  auto ak = parse_public(ev.ak_public, ev.origin + " AK public");
  auto quote = parse_attest(ev.attest, ev.origin + " TPMS_ATTEST");
  auto sig = parse_signature(ev.signature, ev.origin + " TPMT_SIGNATURE");
  a.checks[QuoteCheck::kParse] = ak && quote && sig ? Check::kPass : Check::kFail;
  for (const Error* e : {ak ? nullptr : &ak.error(), quote ? nullptr : &quote.error(),
                         sig ? nullptr : &sig.error()}) {
    if (e) add_error(a, *e);
  }
  if (ak) {
    a.ak_description = ak->description;
    a.ak_name = ak->name;
    check_ak(a, *ak, ev.origin + " AK public");
    check_ak_trust(a, ev, refs, ak->key.get());
  }
  if (!quote) return a;
  a.quote = *quote;
  const Quote& q = *a.quote;

  if (ak && sig) {
    auto s = verify_quote_signature(*sig, ak->key.get(), q.message, ev.origin + " TPMT_SIGNATURE");
    a.checks[QuoteCheck::kSignature] = s ? Check::kPass : Check::kFail;
    if (!s) add_error(a, s.error());
    TPMI_ALG_HASH h =
        sig->sigAlg == TPM2_ALG_ECDSA ? sig->signature.ecdsa.hash : sig->signature.rsassa.hash;
    if (s && h == TPM2_ALG_SHA1) {
      a.checks[QuoteCheck::kSignature] = refs.allow_sha1 ? Check::kWarn : Check::kFail;
      add(a, codes::kTpmSha1Signature, refs.allow_sha1 ? Severity::kWarn : Severity::kFail,
          ev.origin + " TPMT_SIGNATURE#hash",
          std::string("the quote is signed over SHA-1") +
              (refs.allow_sha1 ? " (allowed by --allow-sha1)" : "; pass --allow-sha1 to accept"));
    }
  }

  // Nonce and inventory binding.
  ByteView extra = q.extra_data();
  const std::string at_extra = ev.origin + " TPMS_ATTEST#extraData";
  if (refs.nonce.empty()) {
    add(a, codes::kTpmNonceEmpty, Severity::kWarn, at_extra,
        "no nonce: the quote's freshness is not proven (a replayed quote would pass)");
  }
  if (refs.inventory_digest &&
      equal(extra, binding_extra_data(refs.nonce, *refs.inventory_digest))) {
    a.checks[QuoteCheck::kNonce] = refs.nonce.empty() ? Check::kWarn : Check::kPass;
    a.extra_data_binds = true;
  } else if (refs.inventory_digest && refs.v1_inventory_digest &&
             equal(extra, binding_extra_data(refs.nonce, *refs.v1_inventory_digest))) {
    a.checks[QuoteCheck::kNonce] = Check::kWarn;
    add(a, codes::kTpmInventoryBindingV1, Severity::kWarn, at_extra,
        "the quote binds a v1 inventory digest, which covers PCI IDs and report digests only "
        "(not names, serials, npu-smi output, certificate chains or the site): it binds "
        "nothing, its devices stay `reported`; collect the quote again with binding v2");
  } else if (equal(extra, refs.nonce)) {
    a.checks[QuoteCheck::kNonce] =
        refs.inventory_digest || refs.nonce.empty() ? Check::kWarn : Check::kPass;
    if (refs.inventory_digest) {
      add(a, codes::kTpmInventoryNotBound, Severity::kWarn, at_extra,
          "the quote answers the nonce but does not cover the accelerator inventory: its "
          "devices stay `reported`");
    }
  } else if (refs.inventory_digest) {
    a.checks[QuoteCheck::kNonce] = Check::kFail;
    add(a, codes::kTpmInventoryMismatch, Severity::kFail, at_extra,
        "extraData " + hex_encode(extra) + " is neither the nonce " + hex_encode(refs.nonce) +
            " nor SHA-256(nonce || inventory digest " + hex_encode(*refs.inventory_digest) +
            "): the quote was made for another nonce or another inventory (a bound field "
            "changed, or a device added or removed); its devices stay `reported`");
  } else {
    a.checks[QuoteCheck::kNonce] = Check::kFail;
    add(a, codes::kTpmNonceMismatch, Severity::kFail, at_extra,
        "extraData " + hex_encode(extra) + " is not the nonce " + hex_encode(refs.nonce));
  }
  a.inventory_bound =
      a.extra_data_binds && !refs.nonce.empty() && a.checks[QuoteCheck::kParse] == Check::kPass &&
      a.checks[QuoteCheck::kSignature] == Check::kPass &&
      a.checks[QuoteCheck::kAk] != Check::kFail && a.checks[QuoteCheck::kAkTrust] == Check::kPass;

  // PCR values against the signed selection and digest.
  auto pf = parse_pcr_file(ev.pcrs, q.selection(), ev.origin + " PCR values");
  if (!pf) {
    a.checks[QuoteCheck::kPcrs] = Check::kFail;
    add_error(a, pf.error());
  } else {
    a.checks[QuoteCheck::kPcrs] = Check::kPass;
    if (pf->file_selection && !same_selection(*pf->file_selection, q.selection())) {
      a.checks[QuoteCheck::kPcrs] = Check::kFail;
      add(a, codes::kTpmPcrSelectionMismatch, Severity::kFail, ev.origin + " PCR values",
          "the PCR file claims " + selection_text(*pf->file_selection) +
              " but the signed quote covers " + selection_text(q.selection()) +
              " (relabelled PCRs, CVE-2024-29039)");
    }
    // The pcrDigest uses the signature's hash (research 1.1), i.e. the AK scheme's.
    TPMI_ALG_HASH h = TPM2_ALG_SHA256;
    if (sig)
      h = sig->sigAlg == TPM2_ALG_ECDSA ? sig->signature.ecdsa.hash : sig->signature.rsassa.hash;
    const EVP_MD* md = digest_for(h);
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (md && ctx && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1) {
      for (const auto& v : pf->values)
        EVP_DigestUpdate(ctx.get(), v.digest.data(), v.digest.size());
      EVP_DigestFinal_ex(ctx.get(), d, &n);
    }
    if (!equal(ByteView(d, n), q.pcr_digest())) {
      a.checks[QuoteCheck::kPcrs] = Check::kFail;
      add(a, codes::kTpmPcrDigestMismatch, Severity::kFail, ev.origin + " PCR values",
          std::string("the ") + hash_name(h) + " digest of the given values " +
              hex_encode(ByteView(d, n)) + " is not the signed pcrDigest " +
              hex_encode(q.pcr_digest()) + " (" + selection_text(q.selection()) + ")");
    } else {
      a.pcrs = pf->values;
    }
  }

  // Event log replay, only against values the signature covers.
  if (ev.eventlog) {
    auto log = parse_event_log(*ev.eventlog, ev.origin + " event log");
    if (!log) {
      a.checks[QuoteCheck::kEventlog] = Check::kFail;
      add_error(a, log.error());
    } else if (!a.pcrs.empty()) {
      a.checks[QuoteCheck::kEventlog] = Check::kPass;
      std::map<TPMI_ALG_HASH, std::map<unsigned, Bytes>> replayed;  // per signed bank
      for (const auto& v : a.pcrs) {
        if (replayed.count(v.bank)) continue;
        if (log->banks.count(v.bank)) {
          replayed[v.bank] = replay(*log, v.bank);
          continue;
        }
        replayed[v.bank];  // empty: nothing to compare in this bank
        a.checks[QuoteCheck::kEventlog] = Check::kWarn;
        add(a, codes::kTpmEventlogBankMissing, Severity::kWarn, ev.origin + " event log",
            std::string("the log has no ") + hash_name(v.bank) + " digests to replay");
      }
      for (const auto& v : a.pcrs) {
        if (v.index > 7 || !log->banks.count(v.bank)) continue;
        const auto& r = replayed[v.bank];
        auto it = r.find(v.index);
        Bytes expect = it == r.end() ? Bytes(v.digest.size(), 0) : it->second;
        if (expect != v.digest) {
          a.checks[QuoteCheck::kEventlog] = Check::kFail;
          add(a, codes::kTpmEventlogMismatch, Severity::kFail,
              ev.origin + " " + hash_name(v.bank) + ":" + std::to_string(v.index),
              "replaying the event log gives " + hex_encode(expect) + ", the quote says " +
                  hex_encode(v.digest));
        }
      }
    }
  }

  // Policy, only over values the signature covers. Without one, the quote proves which TPM
  // signed, not what booted: the inventory it binds was written by software nobody appraised.
  if (!refs.policy) {
    add(a, codes::kTpmBootStateUnchecked, Severity::kWarn, ev.origin,
        "no PCR policy was given: the quote's PCR values were not compared with an approved "
        "boot state, so the software that wrote the inventory it binds is unappraised");
  }
  if (refs.policy) {
    a.checks[QuoteCheck::kPolicy] = a.pcrs.empty() ? Check::kNotRun : Check::kPass;
    for (const auto& [bank, pcrs] : refs.policy->allowed) {
      for (const auto& [index, allowed] : pcrs) {
        const std::string& want_bank = bank;  // clang 14 cannot capture structured bindings
        unsigned want_index = index;
        auto it = std::find_if(a.pcrs.begin(), a.pcrs.end(), [&](const PcrValue& v) {
          return hash_name(v.bank) == want_bank && v.index == want_index;
        });
        std::string where = ev.origin + " " + bank + ":" + std::to_string(index);
        if (it == a.pcrs.end()) {
          a.checks[QuoteCheck::kPolicy] = Check::kFail;
          add(a, codes::kTpmPcrNotQuoted, Severity::kFail, where,
              "the policy constrains " + bank + ":" + std::to_string(index) +
                  " but the signed quote does not cover it (" + selection_text(q.selection()) +
                  ")");
        } else if (std::none_of(allowed.begin(), allowed.end(),
                                [&](const Bytes& b) { return b == it->digest; })) {
          a.checks[QuoteCheck::kPolicy] = Check::kFail;
          add(a, codes::kTpmPcrPolicyMismatch, Severity::kFail, where,
              "value " + hex_encode(it->digest) + " is not among the " +
                  std::to_string(allowed.size()) + " allowed");
        }
      }
    }
  }
  return a;
}

bool makes_platform_bound(const QuoteAppraisal& a, bool nonce_issued) {
  return nonce_issued && a.inventory_bound && a.verdict() != TrustTier::kContraindicated;
}

}  // namespace aa::tpm
