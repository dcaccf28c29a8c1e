#include "location/probe.h"

#include <set>

#include "core/text.h"
#include "crypto/x509.h"

namespace aa::location {

namespace {

Error bad(const std::string& where, const std::string& what) {
  return make_error("location.bad-record", where, what);
}

Result<int64_t> integer(const JsonAt& at, int64_t lo, int64_t hi) {
  if (!at.json().is_number_integer()) return at.type_error("an integer");
  int64_t v = at.json().get<int64_t>();
  if (v < lo || v > hi) return bad(at.where(), "out of range");
  return v;
}

Result<std::string> hex_field(const JsonAt& o, std::string_view key, size_t bytes) {
  AA_TRY(f, o.field(key));
  AA_TRY(s, f.string());
  auto b = hex_decode(s);
  if (!b || b->size() != bytes)
    return bad(f.where(), "expected " + std::to_string(bytes) + " bytes of hex");
  return s;
}

}  // namespace

Bytes probe_message(const std::string& landmark_id, ByteView nonce) {
  Bytes m(kProbeContext, kProbeContext + sizeof(kProbeContext) - 1);
  m.push_back(0);
  m.insert(m.end(), landmark_id.begin(), landmark_id.end());
  m.push_back(0);
  m.insert(m.end(), nonce.begin(), nonce.end());
  return m;
}

Json timing_record_json(const TimingRecord& r) {
  Json probes = Json::array();
  for (const auto& p : r.probes) {
    probes.push_back({{"seq", p.seq},
                      {"nonce", hex_encode(p.nonce)},
                      {"rtt_ns", p.rtt_ns},
                      {"response_sha256", p.response_sha256}});
  }
  Json j = {{"schema", "accel-attest/timing-record/v1"},
            {"landmark", {{"id", r.landmark_id}, {"lat", r.position.lat}, {"lon", r.position.lon}}},
            {"device", r.device},
            {"clock", "CLOCK_MONOTONIC"},
            {"probes", probes},
            {"rtt_min_ns", r.rtt_min_ns},
            {"issued_at", static_cast<int64_t>(r.issued_at)}};
  if (!r.challenge.empty()) j["challenge"] = hex_encode(r.challenge);
  return j;
}

Result<TimingRecord> parse_timing_record(const Json& payload, const std::string& origin) {
  JsonAt root(payload, origin);
  AA_TRY(o, root.object());
  AA_CHECK(o.only_fields({"schema", "landmark", "device", "clock", "challenge", "probes",
                          "rtt_min_ns", "issued_at", "iat"}));
  AA_CHECK(o.expect_string("schema", "accel-attest/timing-record/v1", "location.bad-record"));
  AA_TRY(clock_s, o.string_field("clock"));
  if (clock_s != "CLOCK_MONOTONIC")
    return bad(o.child("clock").where(), "RTTs must come from a monotonic clock");
  TimingRecord r;
  AA_TRY(lm, o.field("landmark"));
  AA_TRY(lmo, lm.object());
  AA_CHECK(lmo.only_fields({"id", "lat", "lon"}));
  AA_TRY(id_s, lmo.string_field("id"));
  if (id_s.empty() || id_s.size() > 64)
    return bad(lmo.child("id").where(), "a landmark ID of 1 to 64 characters");
  r.landmark_id = id_s;
  AA_TRY(lat_v, lmo.number_field("lat"));
  AA_TRY(lon_v, lmo.number_field("lon"));
  if (lat_v < -90 || lat_v > 90 || lon_v < -180 || lon_v > 180)
    return bad(lm.where(), "not a position");
  r.position = {lat_v, lon_v};
  AA_TRY(dev_s, o.string_field("device"));
  r.device = dev_s;
  if (auto ch = o.optional_field("challenge")) {
    AA_TRY(ch_s, ch->string());
    auto ch_b = hex_decode(ch_s);
    if (!ch_b || ch_b->size() < kMinChallenge || ch_b->size() > kMaxChallenge)
      return bad(ch->where(), "a challenge is 16 to 64 bytes of hex");
    r.challenge = std::move(*ch_b);
  }
  AA_TRY(issued, o.field("issued_at"));
  AA_TRY(issued_v, integer(issued, 0, int64_t{1} << 40));
  r.issued_at = static_cast<std::time_t>(issued_v);
  AA_TRY(probes, o.field("probes"));
  AA_TRY(pa, probes.array());
  if (pa.json().empty() || pa.json().size() > kMaxProbes) {
    return bad(pa.where(), "1 to " + std::to_string(kMaxProbes) + " probes");
  }
  std::set<unsigned> seqs;
  std::set<std::string> nonces;
  int64_t min = INT64_MAX;
  for (size_t i = 0; i < pa.json().size(); ++i) {
    AA_TRY(p, pa.at(i).object());
    AA_CHECK(p.only_fields({"seq", "nonce", "rtt_ns", "response_sha256"}));
    ProbeTiming t;
    AA_TRY(seq, p.field("seq"));
    AA_TRY(seq_v, integer(seq, 1, static_cast<int64_t>(kMaxProbes)));
    t.seq = static_cast<unsigned>(seq_v);
    if (!seqs.insert(t.seq).second) return bad(seq.where(), "sequence number repeated");
    AA_TRY(nonce, hex_field(p, "nonce", 32));
    if (!nonces.insert(nonce).second) return bad(p.child("nonce").where(), "nonce repeated");
    t.nonce = *hex_decode(nonce);
    AA_TRY(rtt, p.field("rtt_ns"));
    AA_TRY(rtt_v, integer(rtt, 1, int64_t{60} * 1000000000));
    t.rtt_ns = rtt_v;
    AA_TRY(digest, hex_field(p, "response_sha256", 32));
    t.response_sha256 = digest;
    min = std::min(min, t.rtt_ns);
    r.probes.push_back(std::move(t));
  }
  AA_TRY(rmin, o.field("rtt_min_ns"));
  AA_TRY(rmin_v, integer(rmin, 1, int64_t{60} * 1000000000));
  if (rmin_v != min) return bad(rmin.where(), "not the minimum of the probes' RTTs");
  r.rtt_min_ns = rmin_v;
  return r;
}

Json location_evidence_json(const LocationEvidence& e) {
  Json lms = Json::array();
  for (const auto& l : e.landmarks) {
    Json resp = Json::array();
    for (const auto& r : l.responses) resp.push_back(base64url_encode(r));
    lms.push_back({{"record", l.record}, {"responses", resp}});
  }
  return {{"schema", "accel-attest/location-evidence/v1"},
          {"device", e.device},
          {"scheme", e.scheme},
          {"device_chain", e.chain_pem},
          {"landmarks", lms}};
}

Result<LocationEvidence> parse_location_evidence(std::string_view json, const std::string& origin) {
  JsonLimits lim;
  lim.max_bytes = 4u << 20;
  lim.max_depth = 8;
  lim.max_string = 1u << 20;
  AA_TRY(doc, parse_json_strict(json, origin, lim));
  JsonAt root(doc, origin);
  return read_location_evidence(root);
}

Result<LocationEvidence> read_location_evidence(const JsonAt& at) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields({"schema", "device", "scheme", "device_chain", "landmarks"}));
  AA_CHECK(o.expect_string("schema", "accel-attest/location-evidence/v1", "location.bad-record"));
  LocationEvidence e;
  AA_TRY(dev_s, o.string_field("device"));
  e.device = dev_s;
  AA_TRY(scheme_s, o.string_field("scheme"));
  if (scheme_s != "sim-p384" && scheme_s != "nvidia-spdm") {
    return bad(o.child("scheme").where(), "schemes: sim-p384, nvidia-spdm");
  }
  e.scheme = scheme_s;
  if (auto chain = o.optional_field("device_chain")) {  // nvidia-spdm: the bundle's evidence has it
    AA_TRY(chain_s, chain->string());
    e.chain_pem = chain_s;
  }
  AA_TRY(lms, o.field("landmarks"));
  AA_TRY(la, lms.array());
  if (la.json().empty() || la.json().size() > 32) return bad(la.where(), "1 to 32 landmarks");
  for (size_t i = 0; i < la.json().size(); ++i) {
    AA_TRY(l, la.at(i).object());
    AA_CHECK(l.only_fields({"record", "responses"}));
    LandmarkEvidence le;
    AA_TRY(rec_s, l.string_field("record"));
    le.record = rec_s;
    AA_TRY(resp, l.field("responses"));
    AA_TRY(ra, resp.array());
    if (ra.json().size() > kMaxProbes) return bad(ra.where(), "too many responses");
    for (size_t j = 0; j < ra.json().size(); ++j) {
      AA_TRY(s, ra.at(j).string());
      auto b = base64url_decode(s);
      if (!b) return make_error("input.bad-base64", ra.at(j).where(), "not base64url");
      le.responses.push_back(std::move(*b));
    }
    e.landmarks.push_back(std::move(le));
  }
  return e;
}

}  // namespace aa::location
