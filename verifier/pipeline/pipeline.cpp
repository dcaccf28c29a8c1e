#include "pipeline/pipeline.h"

#include <algorithm>

#include "ascend/npu_smi.h"
#include "binding/inventory_digest.h"
#include "core/bytes.h"
#include "core/finding_codes.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "identify/identify.h"
#include "results/ear.h"

namespace aa {

namespace {

// The submod's status: no better than its worst vector entry and its worst finding, and never
// better than affirming.
void settle(Submod& s) {
  TrustTier tier = worse(TrustTier::kAffirming, verdict_of(s.findings));
  for (const auto& [_, v] : s.trust_vector) tier = worse(tier, ear::tier_of_value(v));
  s.status = tier;
}

template <class K>
CheckStatus check_of(const std::map<K, CheckStatus>& c, K k) {
  auto it = c.find(k);
  return it == c.end() ? CheckStatus::kNotRun : it->second;
}

// How the bundle's nonce stands against what the verifier issued (stage 1).
enum class Freshness {
  kIssued,     // the verifier issued it (store or --nonce) and the bundle answers it
  kRefused,    // the nonce store refused it (reused, expired, unknown): a replay
  kMismatch,   // the caller's --nonce differs from the bundle's
  kUnchecked,  // nothing to judge against: the bundle's own copy proves nothing
};

// AR4SI trust vector of one NVIDIA device (docs/results.md). `unique`: no other slot of the
// bundle carries this device's UEID, certificate or report.
std::map<std::string, int> nvidia_vector(const nvidia::DeviceResult& r, Freshness fresh,
                                         bool unique) {
  using C = CheckStatus;
  const auto& c = r.checks;
  std::map<std::string, int> v;
  const bool chain = check_of(c, nvidia::DeviceCheck::kChain) == C::kPass,
             sig = check_of(c, nvidia::DeviceCheck::kSignature) == C::kPass;
  const bool nonce = check_of(c, nvidia::DeviceCheck::kNonce) == C::kPass;
  if (!chain) {
    v["instance-identity"] = 97;
  } else if (!sig || !nonce || !unique || fresh == Freshness::kRefused ||
             fresh == Freshness::kMismatch) {
    v["instance-identity"] = 96;
  } else {
    // 32: a recognised device whose report answers a nonce the verifier did not issue.
    v["instance-identity"] = fresh == Freshness::kIssued ? 2 : 32;
  }
  if (!chain) {
    v["hardware"] = 97;
  } else if (check_of(c, nvidia::DeviceCheck::kFwid) == C::kFail ||
             check_of(c, nvidia::DeviceCheck::kSku) == C::kFail ||
             check_of(c, nvidia::DeviceCheck::kRevocation) == C::kFail) {
    v["hardware"] = 96;
  } else {
    v["hardware"] = 2;
  }
  switch (check_of(c, nvidia::DeviceCheck::kMeasurements)) {
    case C::kPass:
      v["executables"] = 2;
      break;
    case C::kWarn:
      v["executables"] = 32;
      break;
    case C::kFail:
      v["executables"] = 96;
      break;
    default:
      break;  // RIMs not appraised: no claim (the findings say why)
  }
  // Confidential-computing, devtools and debug state (nvidia/appraise.h `modes`): no claim where
  // the evidence does not report it (every current opaque format).
  switch (check_of(c, nvidia::DeviceCheck::kModes)) {
    case C::kPass:
      v["configuration"] = 2;
      break;
    case C::kWarn:
      v["configuration"] = 32;
      break;
    case C::kFail:
      v["configuration"] = 96;
      break;
    default:
      break;
  }
  return v;
}

std::map<std::string, int> host_vector(const tpm::QuoteAppraisal& q) {
  using C = CheckStatus;
  const auto& c = q.checks;
  std::map<std::string, int> v;
  const bool sig = check_of(c, tpm::QuoteCheck::kSignature) == C::kPass &&
                   check_of(c, tpm::QuoteCheck::kParse) == C::kPass;
  v["hardware"] = !sig ? 97 : (check_of(c, tpm::QuoteCheck::kAk) == C::kFail ? 96 : 2);
  switch (check_of(c, tpm::QuoteCheck::kAkTrust)) {
    case C::kPass:
      v["instance-identity"] = 2;
      break;
    case C::kFail:
      v["instance-identity"] = 96;
      break;
    default:
      break;
  }
  const C pol = check_of(c, tpm::QuoteCheck::kPolicy),
          log = check_of(c, tpm::QuoteCheck::kEventlog);
  if (pol == C::kFail || log == C::kFail) {
    v["executables"] = 96;
  } else if (pol == C::kPass) {
    v["executables"] = 3;  // approved boot: the PCRs match the policy
  }
  return v;
}

Finding as_warning(Finding f) {
  if (f.severity == Severity::kFail) f.severity = Severity::kWarn;
  return f;
}

// One appraised NVIDIA slot: what identifies its evidence, for the one-device-one-evidence rule.
struct EvidenceKeys {
  std::vector<std::pair<std::string, std::string>> keys;  // (what, value)
};

EvidenceKeys evidence_keys(const nvidia::DeviceEvidence& ev, const nvidia::DeviceResult& r) {
  EvidenceKeys k;
  if (!r.ueid.empty()) k.keys.emplace_back("UEID", r.ueid);
  if (!r.leaf_sha256.empty()) k.keys.emplace_back("device certificate", r.leaf_sha256);
  k.keys.emplace_back("SPDM report",
                      sha256_hex(std::string_view(reinterpret_cast<const char*>(ev.report.data()),
                                                  ev.report.size())));
  return k;
}

struct Work {
  PciDevice pci;
  bool class_known = true;
  const BundleDevice* source = nullptr;
  std::optional<std::string> serial;
  std::vector<Finding> findings;
};

}  // namespace

PipelineResult run_pipeline(const Bundle& bundle, const std::string& bundle_sha256,
                            const PipelineReferences& refs) {
  const Registry& reg = *refs.registry;
  PipelineResult out;
  out.nonce_hex = bundle.nonce_hex;
  out.bundle_sha256 = bundle_sha256;
  out.registry_digest = reg.digest();
  out.policy_digest = refs.policy->digest;
  out.ecfr_date = refs.policy->ecfr_date;
  out.host_name = bundle.host_name;
  out.site_country = bundle.site_country;
  out.at = refs.at;
  out.collected_at = bundle.collected_at;
  if (refs.licence) {
    out.licence_sha256 = refs.licence->digest;
    out.licence_number = refs.licence->number;
  }

  Submod host;
  host.label = "host";
  host.kind = DeviceKind::kHost;

  // 1. The nonce. Every appraiser judges freshness against the nonce the verifier issued
  // (`expected_nonce`), never against the bundle's own copy, which the host wrote.
  Freshness fresh = Freshness::kUnchecked;
  if (refs.nonce_refused) {
    fresh = Freshness::kRefused;
    host.findings.push_back(*refs.nonce_refused);
  } else if (!refs.expected_nonce) {
    host.findings.push_back({codes::kPipelineNonceUnchecked,
                             "no nonce store or expected nonce was given: the bundle's nonce " +
                                 bundle.nonce_hex + " may be replayed",
                             "bundle#/nonce", Severity::kWarn});
  } else if (*refs.expected_nonce != bundle.nonce) {
    fresh = Freshness::kMismatch;
    host.findings.push_back({codes::kPipelineNonceMismatch,
                             "the bundle's nonce " + bundle.nonce_hex + " is not the one issued (" +
                                 hex_encode(*refs.expected_nonce) + ")",
                             "bundle#/nonce", Severity::kFail});
  } else {
    fresh = Freshness::kIssued;
  }
  // What the device reports and the quote must have signed: the issued nonce when there is one.
  const Bytes& judged_nonce = refs.expected_nonce ? *refs.expected_nonce : bundle.nonce;

  // 2. Identify, with npu-smi names and serials.
  std::vector<Work> work;
  for (const auto& d : bundle.devices) {
    Work w;
    w.pci = d.pci;
    w.class_known = d.class_known;
    w.source = &d;
    w.serial = d.serial;
    if (d.npu_smi) {
      auto chips = ascend::parse_npu_smi(*d.npu_smi, d.pci.address + " npu_smi");
      if (!chips) {
        w.findings.push_back({codes::kPipelineNpuSmiUnreadable, chips.error().to_string(),
                              d.pci.address, Severity::kWarn});
      } else if (const ascend::NpuChip* c = ascend::chip_at(*chips, d.pci.address)) {
        // Bounded as the bundle's own names and serials are (kMaxShortText, bundle.h).
        if (c->name.size() > kMaxShortText || (c->serial && c->serial->size() > kMaxShortText)) {
          w.findings.push_back({codes::kPipelineNpuSmiUnreadable,
                                "the attached npu-smi output names the chip at " + d.pci.address +
                                    " with a name or serial over " + std::to_string(kMaxShortText) +
                                    " bytes: neither is used",
                                d.pci.address, Severity::kWarn});
        } else {
          if (!w.pci.reported_name && !c->name.empty()) w.pci.reported_name = c->name;
          if (!w.serial && c->serial) w.serial = c->serial;
        }
      } else {
        w.findings.push_back({codes::kPipelineNpuSmiNoChip,
                              "the attached npu-smi output lists no chip at " + d.pci.address,
                              d.pci.address, Severity::kWarn});
      }
    }
    work.push_back(std::move(w));
  }
  Inventory inv;
  inv.host = bundle.host_name;
  for (const auto& w : work) {
    inv.devices.push_back(w.pci);
    inv.class_known.push_back(w.class_known);
  }
  IdentifyReport ids = identify(inv.devices, inv.class_known, reg);

  // 3. The host's TPM quote, binding the accelerator inventory.
  std::optional<tpm::QuoteAppraisal> quote;
  if (bundle.tpm) {
    const Bytes digest = inventory_digest_v2(bound_inventory(bundle));
    host.inventory_digest = hex_encode(digest);
    tpm::QuoteEvidence ev;
    ev.attest = bundle.tpm->quote;
    ev.signature = bundle.tpm->signature;
    ev.pcrs = bundle.tpm->pcrs;
    ev.ak_public = bundle.tpm->ak_public;
    ev.ak_cert_der = bundle.tpm->ak_certificate;
    ev.ak_enrolment = bundle.tpm->ak_enrolment;
    ev.eventlog = bundle.tpm->eventlog;
    ev.origin = "bundle#/host/tpm";
    tpm::QuoteReferences qr;
    qr.nonce = judged_nonce;
    qr.inventory_digest = digest;
    qr.v1_inventory_digest = inventory_digest_v1(inventory_accelerators(inv, reg));
    qr.policy = refs.pcr_policy;
    qr.ak_ca = refs.ak_ca;
    qr.ak_intermediates = refs.ak_intermediates;
    qr.enrolment_keys = refs.enrolment_keys;
    qr.certificate_cache = refs.nvidia.certificate_cache;
    qr.at = refs.at;
    quote = tpm::appraise_quote(ev, qr);
    host.trust_vector = host_vector(*quote);
    host.checks.quote = quote->checks;
    // Bound means fresh too: a quote over a nonce the verifier did not issue binds nothing now.
    host.inventory_bound = tpm::makes_platform_bound(*quote, fresh == Freshness::kIssued);
    if (!quote->ak_name.empty()) host.ak_name = hex_encode(quote->ak_name);
    if (quote->quote) host.pcr_selection = tpm::selection_text(quote->quote->selection());
    for (const auto& f : quote->findings) host.findings.push_back(f);
  } else {
    host.trust_vector["sourced-data"] = 32;
    host.findings.push_back({codes::kPipelineNoTpm,
                             "the bundle has no TPM quote: the host's platform vouches for nothing",
                             "bundle#/host", Severity::kWarn});
  }
  // tpm::makes_platform_bound(): signature, AK trust, extraData, an issued nonce and a quote
  // whose appraisal did not fail (the same rule as `tpm verify`).
  const bool platform_bound = host.inventory_bound;
  if (quote && quote->extra_data_binds &&
      (!quote->inventory_bound || (fresh == Freshness::kIssued && !platform_bound))) {
    host.findings.push_back({codes::kPipelineBindingUntrusted,
                             "the quote's extraData binds the inventory, but its signature, its "
                             "AK or its appraisal is not trusted: the devices stay `reported`",
                             "bundle#/host/tpm", Severity::kWarn});
  }

  // 4. NVIDIA evidence, 5. assurance. All devices are appraised first: the one-device-one-
  // evidence rule needs every slot's UEID, certificate and report before any is settled.
  nvidia::Appraiser appraiser(refs.nvidia, refs.at, judged_nonce);
  struct Slot {
    const Work* w = nullptr;
    const IdentifiedDevice* id = nullptr;  // the PCI-reported identity; null: not an accelerator
    std::optional<nvidia::DeviceResult> nv;
    EvidenceKeys keys;
    std::vector<Finding> duplicate;  // pipeline.duplicate-evidence findings of this slot
  };
  std::vector<Slot> slots;
  for (const auto& w : work) {
    auto id = std::find_if(ids.devices.begin(), ids.devices.end(), [&](const IdentifiedDevice& d) {
      return d.pci.address == w.pci.address;
    });
    const bool accelerator = id != ids.devices.end();
    if (!accelerator && !w.source->nvidia) continue;
    Slot slot;
    slot.w = &w;
    slot.id = accelerator ? &*id : nullptr;
    if (w.source->nvidia) {
      slot.nv = appraiser.appraise(*w.source->nvidia);
      slot.keys = evidence_keys(*w.source->nvidia, *slot.nv);
    }
    slots.push_back(std::move(slot));
  }
  // One physical device, one piece of evidence: a UEID, device certificate or SPDM report in
  // two slots fails every slot that uses it (at most one of them can be the device).
  {
    std::map<std::pair<std::string, std::string>, std::vector<size_t>> users;
    for (size_t i = 0; i < slots.size(); ++i)
      for (const auto& k : slots[i].keys.keys) users[k].push_back(i);
    for (const auto& [key, idx] : users) {
      if (idx.size() < 2) continue;
      std::string where;
      for (size_t i : idx) where += (where.empty() ? "" : ", ") + slots[i].w->pci.address;
      for (size_t i : idx) {
        slots[i].duplicate.push_back({codes::kPipelineDuplicateEvidence,
                                      "the same " + key.first + " (" + key.second +
                                          ") appears in the device slots " + where +
                                          ": one device's evidence cannot vouch for several slots",
                                      slots[i].w->pci.address, Severity::kFail});
      }
    }
  }
  std::vector<Submod> devices;
  std::vector<PolicyDevice> policy_devices;
  for (const Slot& slot : slots) {
    const Work& w = *slot.w;
    Submod s;
    s.label = s.address = w.pci.address;
    s.pci_id = to_hex(w.pci.vendor, 4) + ":" + to_hex(w.pci.device, 4) + " " +
               to_hex(w.pci.subsystem_vendor, 4) + ":" + to_hex(w.pci.subsystem_device, 4);
    s.serial = w.serial;
    s.evidence_sha256 = w.pci.evidence_sha256;
    s.findings = w.findings;
    PolicyDevice pd;
    pd.label = s.label;
    bool attested = false;
    // The identity the registry reads: the signed SKU (or die) of a device whose chain and
    // report signature verify; otherwise the host's PCI IDs.
    std::optional<IdentifiedDevice> signed_id;
    std::optional<ProductSource> product_source;  // set by a genuine GPU's signed identity
    const IdentifiedDevice* id = slot.id;
    if (slot.nv) {
      const nvidia::DeviceResult& r = *slot.nv;
      const bool genuine =
          check_of(r.checks, nvidia::DeviceCheck::kSignature) == CheckStatus::kPass &&
          check_of(r.checks, nvidia::DeviceCheck::kChain) == CheckStatus::kPass;
      const nvidia::Family* fam = refs.nvidia.profile ? refs.nvidia.profile->find(r.die) : nullptr;
      if (genuine && fam && fam->kind == nvidia::DeviceKind::kGpu) {
        signed_id = identify_signed(w.pci, r.part, fam->registry_dies, reg);
        if (slot.id) signed_id->findings = slot.id->findings;
        id = &*signed_id;
        product_source =
            r.part ? ProductSource::kSignedSku : ProductSource::kDieAttestedProductReported;
        if (!r.part) {
          s.findings.push_back(
              {codes::kPipelineProductUnattested,
               "the signed SKU " + r.sku + " is not in the registry: the " + r.die +
                   " die is attested, the product is only reported (the PCI ID says " +
                   (slot.id ? slot.id->name : std::string("an unknown device")) +
                   "); classified as " + eccn_name(signed_id->eccn) +
                   ", the most controlled class of any registered " + r.die + " product",
               s.label, Severity::kWarn});
        }
      }
    }
    if (id) {
      s.vendor = id->vendor;
      s.family = id->family;
      s.name = id->name;
      s.eccn = class_text(*id);
      s.tpp = id->tpp;
      s.pd = id->pd;
      s.attestation = id->attestation;
      for (const auto& f : id->flags) s.flags.push_back(f.id);
      for (const auto& f : id->findings) s.findings.push_back(as_warning(f));
      fill_policy_device(*id, pd);
      s.secondary = pd.secondary;
      s.eccn_candidates = pd.candidate_classes;
    } else {
      s.eccn = "not-assessed";
    }
    s.product_source =
        product_source.value_or(id ? ProductSource::kReported : ProductSource::kNone);
    if (slot.nv) {
      const nvidia::DeviceResult& r = *slot.nv;
      s.kind = r.kind == nvidia::DeviceKind::kSwitch ? DeviceKind::kNvidiaSwitch
                                                     : DeviceKind::kNvidiaGpu;
      const bool unique = slot.duplicate.empty();
      s.trust_vector = nvidia_vector(r, fresh, unique);
      s.checks.device = r.checks;
      if (!r.sku.empty()) s.sku = r.sku;
      if (!id) {
        s.vendor = "nvidia";
        s.family = r.die;
        s.name = r.product.empty() ? r.hwmodel : r.product;
      }
      if (signed_id) s.vendor = "nvidia";
      for (auto f : r.findings) {
        f.pointer = s.label + " " + f.pointer;
        s.findings.push_back(std::move(f));
      }
      for (const auto& f : slot.duplicate) s.findings.push_back(f);
      s.checks.bundle[BundleCheck::kUnique] = unique ? CheckStatus::kPass : CheckStatus::kFail;
      attested = check_of(r.checks, nvidia::DeviceCheck::kSignature) == CheckStatus::kPass &&
                 check_of(r.checks, nvidia::DeviceCheck::kNonce) == CheckStatus::kPass &&
                 check_of(r.checks, nvidia::DeviceCheck::kChain) == CheckStatus::kPass && unique &&
                 fresh == Freshness::kIssued;
      // Freshness of this device's report, judged against the issued nonce (stage 1).
      switch (fresh) {
        case Freshness::kIssued:
          s.checks.bundle[BundleCheck::kFreshness] =
              check_of(r.checks, nvidia::DeviceCheck::kNonce) == CheckStatus::kPass
                  ? CheckStatus::kPass
                  : CheckStatus::kFail;
          break;
        case Freshness::kMismatch:
          // The report is judged against the issued nonce.
          s.checks.bundle[BundleCheck::kFreshness] = CheckStatus::kFail;
          break;
        case Freshness::kRefused:
          s.checks.bundle[BundleCheck::kFreshness] = CheckStatus::kFail;
          s.findings.push_back({codes::kPipelineEvidenceReplayed,
                                "the nonce this report answers was refused by the nonce store: "
                                "the evidence is not fresh, so it attests nothing now",
                                s.label, Severity::kFail});
          break;
        case Freshness::kUnchecked:
          s.checks.bundle[BundleCheck::kFreshness] = CheckStatus::kUnchecked;
          s.findings.push_back({codes::kPipelineFreshnessUnchecked,
                                "the report answers the bundle's own nonce, which no verifier "
                                "issued: it may be replayed, so the device is not `attested`",
                                s.label, Severity::kWarn});
          break;
      }
      // The UEID is the device's identity only when its evidence is attested; otherwise it is
      // what an unverified (or replayed, or duplicated) certificate says.
      if (!r.ueid.empty()) {
        s.ueid = r.ueid;
        s.ueid_source = attested ? Assurance::kAttested : Assurance::kReported;
      }
    } else {
      s.kind = DeviceKind::kPciDevice;
      s.trust_vector["sourced-data"] = platform_bound ? 2 : 32;
    }
    s.assurance = attested         ? Assurance::kAttested
                  : platform_bound ? Assurance::kPlatformBound
                                   : Assurance::kReported;
    if (s.serial)
      s.serial_source = platform_bound ? Assurance::kPlatformBound : Assurance::kReported;
    pd.name = s.name;
    pd.flags = s.flags;
    pd.assurance = s.assurance;
    if (attested && s.ueid) pd.attested_identity = *s.ueid;
    if (s.serial) pd.reported_identities.push_back(*s.serial);
    if (!attested && s.ueid) pd.reported_identities.push_back(*s.ueid);
    policy_devices.push_back(std::move(pd));
    devices.push_back(std::move(s));
  }

  // The host as a computer holding these ICs (4A090 / 4A994.l).
  {
    std::vector<Eccn> ics;
    std::vector<std::string> secondary;
    for (size_t i = 0; i < devices.size(); ++i) {
      if (devices[i].eccn == "not-assessed" || devices[i].kind == DeviceKind::kNvidiaSwitch)
        continue;
      ics.push_back(policy_devices[i].eccn);
      secondary.push_back(devices[i].secondary);
    }
    host.eccn = host_class(ics, secondary);
  }

  // 6. The export policy.
  PolicyInputs pin;
  pin.site_country = bundle.site_country;
  pin.licence = refs.licence;
  pin.end_user_hq = refs.end_user_hq;
  pin.at = refs.at;
  PolicyOutcome po = evaluate_policy(*refs.policy, policy_devices, pin);
  out.end_user_hq = po.end_user_hq;
  // The destination as the licence names it: a region (ISO 3166-2, "UA-43") stays a region.
  out.destination = refs.licence && refs.licence->destination_region
                        ? refs.licence->destination_region
                        : po.destination;
  for (auto& f : po.host_findings) host.findings.push_back(std::move(f));
  for (auto& d : devices) {
    auto it = po.device_findings.find(d.label);
    if (it != po.device_findings.end())
      for (auto& f : it->second) d.findings.push_back(std::move(f));
  }

  // 7. Location. Each device's entries are judged as one set (appraise.h): their caps must all
  // hold at once, every record must carry the nonce the verifier issued, and the declared site
  // is checked against them.
  if (refs.boundaries) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const location::LocationEvidence*>> by_device;
    for (const auto& ev : bundle.location_evidence) {
      auto [it, first] = by_device.try_emplace(ev.device);
      if (first) order.push_back(ev.device);
      it->second.push_back(&ev);
    }
    for (const auto& label : order) {
      const auto& entries = by_device[label];
      const location::LocationEvidence& ev = *entries.front();
      auto d = std::find_if(devices.begin(), devices.end(),
                            [&](const Submod& x) { return x.label == label; });
      if (d == devices.end()) {
        host.findings.push_back(
            {codes::kLocationDeviceMismatch,
             "location evidence for " + label + ", which is no appraised device",
             "bundle#/location", Severity::kFail});
        continue;
      }
      location::LocationReferences lr;
      lr.boundaries = refs.boundaries;
      lr.landmarks = refs.landmarks;
      lr.restricted = refs.restricted_locations;
      lr.allowed = refs.allowed_locations;
      lr.at = refs.at;
      lr.expected_nonce = refs.expected_nonce ? *refs.expected_nonce : bundle.nonce;
      if (fresh == Freshness::kRefused) lr.expected_nonce.reset();
      lr.site_country = bundle.site_country;
      lr.site_position = bundle.site_position;
      lr.proc_min_ms =
          refs.processing.for_family(ev.scheme == "sim-p384" ? "simulated" : d->family);
      ossl::PKey key;
      std::optional<Finding> unbound;
      const BundleDevice* src = nullptr;
      for (const auto& bd : bundle.devices)
        if (bd.pci.address == d->address) src = &bd;
      if (ev.scheme == "nvidia-spdm") {
        if (d->assurance == Assurance::kAttested && src && src->nvidia) {
          auto chain = x509::parse_pem_chain(src->nvidia->chain_pem, d->address);
          if (chain && !chain->empty()) {
            EVP_PKEY* pub = X509_get0_pubkey((*chain)[0].get());
            EVP_PKEY_up_ref(pub);
            key.reset(pub);
            lr.device_identity = "UEID " + d->ueid.value_or("?");
          }
        }
      } else if (refs.simulated_device_root) {
        // The first entry's chain names the key; another entry's responses must verify with it.
        auto id =
            location::chain_device_identity(ev.chain_pem, refs.simulated_device_root, refs.at);
        if (id) {
          key = std::move(id->key);
          lr.device_identity = id->identity;
        } else {
          unbound = Finding{id.error().code, id.error().message, d->address, Severity::kFail};
        }
      }
      lr.device_key = key.get();
      location::LocationResult lres = location::appraise_location(entries, lr);
      if (fresh == Freshness::kRefused) {
        // The records answer a nonce the store refused: however recent, they predate nothing.
        lres.findings.insert(lres.findings.begin(),
                             Finding{codes::kLocationStale,
                                     "the bundle's nonce was refused by the nonce store: its "
                                     "location evidence is not bound to a live challenge",
                                     d->address, Severity::kFail});
        lres.status = verdict_of(lres.findings);
        lres.verdict = "indeterminate";  // stale caps prove nothing
      }
      if (!key) {
        lres.findings.insert(lres.findings.begin(),
                             unbound.value_or(Finding{codes::kLocationIdentityUnbound,
                                                      "no key attested for this device: its "
                                                      "location responses prove nothing",
                                                      d->address, Severity::kFail}));
        lres.status = verdict_of(lres.findings);
      }
      for (const auto& f : lres.findings) d->findings.push_back(f);
      d->location = std::move(lres);
    }
  }

  settle(host);
  out.status = host.status;
  out.submods.push_back(std::move(host));
  std::sort(devices.begin(), devices.end(),
            [](const Submod& a, const Submod& b) { return a.address < b.address; });
  for (auto& d : devices) {
    settle(d);
    out.status = worse(out.status, d.status);
    out.submods.push_back(std::move(d));
  }
  return out;
}

}  // namespace aa
