#include "location/appraise.h"

#include <optional>

#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "results/ear.h"
#include "spdm/measurements.h"

namespace aa::location {

Result<ChainIdentity> chain_device_identity(const std::string& chain_pem, const X509* root,
                                            std::time_t at) {
  AA_TRY(certs, x509::parse_pem_chain(chain_pem, "device_chain"));
  if (certs.empty()) return make_error("location.device-untrusted", "device_chain", "empty chain");
  ossl::X509Store store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), const_cast<X509*>(root));
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  ossl::X509Stack untrusted(sk_X509_new_null());
  for (size_t i = 1; i < certs.size(); ++i) sk_X509_push(untrusted.get(), certs[i].get());
  X509_STORE_CTX_init(ctx.get(), store.get(), certs[0].get(), untrusted.get());
  X509_STORE_CTX_set_time(ctx.get(), 0, at);
  if (X509_verify_cert(ctx.get()) != 1) {
    return make_error("location.device-untrusted", "device_chain",
                      X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  EVP_PKEY* pub = X509_get0_pubkey(certs[0].get());
  EVP_PKEY_up_ref(pub);
  const std::string cn = x509::subject_cn(certs[0].get());
  return ChainIdentity{ossl::PKey(pub),
                       cn + " (sha256 " + x509::fingerprint_sha256(certs[0].get()) + ")",
                       cn.substr(0, cn.find(' '))};
}

bool response_signed(const std::string& scheme, EVP_PKEY* key, const std::string& landmark,
                     ByteView nonce, ByteView response) {
  if (!key) return false;
  if (scheme == "nvidia-spdm") {
    // An SPDM GET_MEASUREMENTS request || response whose request nonce is the probe nonce,
    // signed (P-384, raw r||s) by the device key.
    auto rep = spdm::parse_measurement_report(response, 96, "response");
    if (!rep || !std::equal(nonce.begin(), nonce.end(), rep->request_nonce.begin(),
                            rep->request_nonce.end())) {
      return false;
    }
    return x509::verify_ecdsa_sha384_raw(key, ByteView(response.data(), rep->signed_length),
                                         rep->signature);
  }
  return x509::verify_ecdsa_sha384_raw(key, probe_message(landmark, nonce), response);
}

LocationResult appraise_location(const std::vector<const LocationEvidence*>& entries,
                                 const LocationReferences& refs) {
  LocationResult res;
  res.device = entries.empty() ? std::string() : entries.front()->device;
  res.identity = refs.device_identity;
  res.proc_min_ms = refs.proc_min_ms;
  auto add = [&](const char* code, const std::string& where, const std::string& msg,
                 Severity s = Severity::kFail) {
    res.findings.push_back({code, msg, where, s});
  };
  if (!refs.expected_nonce) {
    add("location.nonce-unchecked", res.device,
        "no verifier nonce to check the records against: their freshness rests on their age",
        Severity::kWarn);
  }
  std::vector<Cap> caps;
  for (size_t k = 0; k < entries.size(); ++k) {
    const LocationEvidence& ev = *entries[k];
    const std::string prefix =
        entries.size() > 1 ? "evidence/" + std::to_string(k) + "/" : std::string();
    for (size_t i = 0; i < ev.landmarks.size(); ++i) {
      const LandmarkEvidence& le = ev.landmarks[i];
      const std::string where = prefix + "landmarks/" + std::to_string(i);
      // Find the landmark by the record's kid before trusting anything in it.
      const TrustedLandmark* lm = nullptr;
      std::optional<jose::VerifiedJws> v;
      for (const auto& [id, t] : *refs.landmarks) {
        if (auto r = jose::verify_compact(le.record, t.key, where)) {
          lm = &t;
          v = std::move(*r);
          break;
        }
      }
      if (!lm) {
        add("location.unknown-landmark", where,
            "the timing record is signed by no trusted landmark (certs/landmarks or --landmarks)");
        continue;
      }
      auto rec = parse_timing_record(v->payload, where);
      if (!rec) {
        add("location.record-invalid", rec.error().field, rec.error().message);
        continue;
      }
      LandmarkUse use;
      use.id = lm->id;
      use.position = lm->position;
      bool ok = true;
      if (rec->landmark_id != lm->id) {
        add("location.record-invalid", where,
            "record for landmark " + rec->landmark_id + " signed with the key of " + lm->id);
        ok = false;
      }
      if (distance_km(rec->position, lm->position) > 0.001) {
        add("location.landmark-moved", where,
            "landmark " + lm->id + " reports a position other than its trusted one");
        ok = false;
      }
      if (rec->device != ev.device || ev.device != res.device) {
        add("location.device-mismatch", where, "the record times device " + printable(rec->device));
        ok = false;
      }
      if (rec->issued_at > refs.at + 300 || refs.at - rec->issued_at > refs.max_age_s) {
        add("location.stale", where,
            "record issued " + x509::rfc3339(rec->issued_at) + ", verified " +
                x509::rfc3339(refs.at));
        ok = false;
      }
      if (refs.expected_nonce && rec->challenge != *refs.expected_nonce) {
        add("location.stale", where,
            rec->challenge.empty()
                ? "the record names no verifier challenge: it may predate this bundle's nonce"
                : "the record was made for challenge " + hex_encode(rec->challenge) +
                      ", not for the nonce the verifier issued for this bundle");
        ok = false;
      }
      if (le.responses.size() != rec->probes.size()) {
        add("location.response-mismatch", where,
            std::to_string(le.responses.size()) + " responses for " +
                std::to_string(rec->probes.size()) + " probes");
        ok = false;
      }
      for (size_t j = 0; ok && j < rec->probes.size(); ++j) {
        const auto& p = rec->probes[j];
        const Bytes& r = le.responses[j];
        if (sha256_hex(as_chars(r)) != p.response_sha256) {
          add("location.response-mismatch", where + "/responses/" + std::to_string(j),
              "not the response the landmark timed");
          ok = false;
        } else if (!response_signed(ev.scheme, refs.device_key, lm->id, p.nonce, r)) {
          add("location.identity-unbound", where + "/responses/" + std::to_string(j),
              "the response to probe " + std::to_string(p.seq) +
                  " is not signed by the attested device key (" + refs.device_identity +
                  "): the timing may come from another device");
          ok = false;
        }
        use.rtts_ms.push_back(static_cast<double>(p.rtt_ns) / 1e6);
      }
      use.rtt_min_ms = static_cast<double>(rec->rtt_min_ns) / 1e6;
      use.radius_c_km = bound_km(use.rtt_min_ms, refs.proc_min_ms, kSpeedOfLightKmPerMs);
      use.radius_fibre_km = bound_km(use.rtt_min_ms, refs.proc_min_ms, kFibreKmPerMs);
      use.used = ok;
      if (ok) caps.push_back({lm->id, lm->position, use.radius_c_km});
      res.landmarks.push_back(std::move(use));
    }
  }
  // Caps that cannot overlap, within one entry or across entries: no place is within both
  // distances, so a landmark lies, its key is misused, or the responses were relayed from more
  // than one device.
  bool inconsistent = false;
  for (size_t i = 0; i < caps.size(); ++i) {
    for (size_t j = i + 1; j < caps.size(); ++j) {
      const double d = distance_km(caps[i].centre, caps[j].centre);
      if (d > caps[i].radius_km + caps[j].radius_km) {
        add("location.inconsistent", res.device,
            "landmarks " + caps[i].landmark + " and " + caps[j].landmark + " are " +
                std::to_string(static_cast<long>(d)) +
                " km apart, but their measurements put the "
                "device within " +
                std::to_string(static_cast<long>(caps[i].radius_km)) + " and " +
                std::to_string(static_cast<long>(caps[j].radius_km)) + " km of each");
        inconsistent = true;
      }
    }
  }
  if (!inconsistent && caps.size() >= 2 && !caps_overlap(caps)) {
    // Pairwise overlapping caps whose common intersection is still empty.
    add("location.inconsistent", res.device,
        "no place lies within every landmark's distance at once");
    inconsistent = true;
  }
  if (inconsistent) caps.clear();
  // The declared site against the evidence: the caps prove where the device cannot be.
  if (!caps.empty() && refs.site_country && refs.boundaries->find(*refs.site_country)) {
    const std::string by = excluded_by(*refs.boundaries, caps, *refs.site_country);
    if (!by.empty()) {
      res.site_contradicted = true;
      add("location.site-contradicted", res.device,
          "the site is declared in " + *refs.site_country + ", but " + by +
              " puts the device outside it (with the " + fixed(refs.boundaries->margin_km(), 1) +
              " km boundary margin): the device is elsewhere");
    }
  }
  if (!caps.empty() && refs.site_position) {
    for (const auto& c : caps) {
      const double d = distance_km(*refs.site_position, c.centre);
      if (d > c.radius_km + refs.boundaries->margin_km()) {
        res.site_contradicted = true;
        add("location.site-contradicted", res.device,
            "the declared site coordinates are " + std::to_string(static_cast<long>(d)) +
                " km from landmark " + c.landmark + ", which puts the device within " +
                std::to_string(static_cast<long>(c.radius_km)) +
                " km of it: the device is elsewhere");
        break;
      }
    }
  }
  res.geometry = decide(*refs.boundaries, caps, refs.restricted, refs.allowed);
  res.verdict = res.geometry.verdict;
  if (res.verdict == "indeterminate") {
    add("location.indeterminate", res.device,
        caps.empty() ? "no landmark measurement could be used"
                     : "the measured delays allow the device to be in a restricted or "
                       "non-allowed country",
        Severity::kWarn);
  }
  res.status = verdict_of(res.findings);
  return res;
}

LocationResult appraise_location(const LocationEvidence& ev, const LocationReferences& refs) {
  return appraise_location(std::vector<const LocationEvidence*>{&ev}, refs);
}

}  // namespace aa::location
