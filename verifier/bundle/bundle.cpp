#include "bundle/bundle.h"

#include <cmath>
#include <set>

#include "core/country.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "inventory/inventory_json.h"
#include "location/probe.h"
#include "nvidia/evidence_input.h"

namespace aa {

namespace {

constexpr size_t kMaxDevices = 512;
Status short_text(const JsonAt& at, const std::string& s) {
  if (s.size() <= kMaxShortText) return Ok{};
  return make_error("input.too-large", at.where(),
                    std::to_string(s.size()) + " bytes; at most " + std::to_string(kMaxShortText));
}

Result<Bytes> b64(const JsonAt& o, std::string_view key) {
  AA_TRY(f, o.field(key));
  AA_TRY(s, f.string_view());
  auto b = base64_decode(s);
  if (!b || b->empty()) return make_error("input.bad-base64", f.where(), "not non-empty base64");
  return std::move(*b);
}

Result<std::optional<Bytes>> optional_b64(const JsonAt& o, std::string_view key) {
  if (!o.optional_field(key)) return std::optional<Bytes>{};
  AA_TRY(b, b64(o, key));
  return std::optional<Bytes>(std::move(b));
}

Result<BundleTpm> read_tpm(const JsonAt& at) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields(
      {"quote", "signature", "pcrs", "ak_public", "ak_certificate", "ak_enrolment", "eventlog"}));
  BundleTpm t;
  AA_TRY(q, b64(o, "quote"));
  AA_TRY(s, b64(o, "signature"));
  AA_TRY(p, b64(o, "pcrs"));
  AA_TRY(a, b64(o, "ak_public"));
  AA_TRY(c, optional_b64(o, "ak_certificate"));
  AA_TRY(e, optional_b64(o, "eventlog"));
  AA_TRY(en, optional_b64(o, "ak_enrolment"));
  t.quote = std::move(q);
  t.signature = std::move(s);
  t.pcrs = std::move(p);
  t.ak_public = std::move(a);
  t.ak_certificate = std::move(c);
  t.eventlog = std::move(e);
  t.ak_enrolment = std::move(en);
  return t;
}

Result<BundleDevice> read_device(const JsonAt& at, std::set<std::string>& seen) {
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields({"address", "vendor_id", "device_id", "subsystem_vendor_id",
                          "subsystem_device_id", "class", "evidence", "reported"}));
  BundleDevice d;
  AA_TRY(pci, read_pci_identity(o, seen));
  d.pci = std::move(pci);
  d.class_known = o.optional_field("class").has_value();
  if (auto ev = o.optional_field("evidence")) {
    AA_TRY(eo, ev->object());
    AA_CHECK(eo.only_fields({"scheme", "nvidia"}));
    AA_TRY(scheme, eo.string_field("scheme"));
    if (scheme != "nvidia-spdm" && scheme != "none") {
      return make_error("input.bad-value", eo.child("scheme").where(),
                        "scheme \"" + printable(scheme) + "\" is not nvidia-spdm or none");
    }
    d.scheme = scheme;
    if (scheme == "nvidia-spdm") {
      AA_TRY(nv_at, eo.field("nvidia"));
      AA_TRY(sd, nvidia::read_serialized_device(nv_at));
      d.nvidia = std::move(sd.evidence);
      d.nvidia->label = d.pci.address;
      d.nvidia->pci_id = std::pair<uint16_t, uint16_t>{d.pci.vendor, d.pci.device};
      d.pci.evidence_sha256 = sha256_hex(std::string_view(
          reinterpret_cast<const char*>(d.nvidia->report.data()), d.nvidia->report.size()));
    } else if (eo.optional_field("nvidia")) {
      return make_error("input.bad-value", eo.child("nvidia").where(),
                        "evidence for scheme \"none\"");
    }
  }
  if (auto rep = o.optional_field("reported")) {
    AA_TRY(ro, rep->object());
    AA_CHECK(ro.only_fields({"name", "serial", "npu_smi"}));
    if (auto n = ro.optional_field("name")) {
      AA_TRY(s, n->string());
      AA_CHECK(short_text(*n, s));
      d.pci.reported_name = s;
    }
    if (auto n = ro.optional_field("serial")) {
      AA_TRY(s, n->string());
      AA_CHECK(short_text(*n, s));
      d.serial = s;
    }
    if (auto n = ro.optional_field("npu_smi")) {
      AA_TRY(s, n->string());
      d.npu_smi = s;
    }
  }
  return d;
}

}  // namespace

Result<Bundle> parse_bundle(std::string_view json, const std::string& origin) {
  JsonLimits limits;
  limits.max_bytes = 32u << 20;
  limits.max_depth = 16;
  limits.max_string = 8u << 20;
  // A 512-device bundle with location evidence from several landmarks each is well below this;
  // a body of empty objects reaches it at 1.5 MB and 40 MB of memory.
  limits.max_values = 1u << 19;
  AA_TRY(doc, parse_json_strict(json, origin, limits));
  JsonAt root(doc, origin);
  AA_TRY(o, root.object());
  AA_CHECK(
      o.only_fields({"schema", "nonce", "collected_at", "host", "devices", "location", "usage"}));
  AA_TRY(schema, o.string_field("schema"));
  if (schema != "accel-attest/bundle/v1") {
    return make_error("input.bad-value", o.child("schema").where(),
                      "unsupported schema \"" + printable(schema) + "\"");
  }
  Bundle b;
  AA_TRY(nonce, o.string_field("nonce"));
  auto nb = hex_decode(nonce);
  if (!nb || nb->size() < 16 || nb->size() > 64) {
    return make_error("input.bad-hex", o.child("nonce").where(), "not 16 to 64 bytes of hex");
  }
  b.nonce = *nb;
  b.nonce_hex = hex_encode(*nb);
  AA_TRY(when, o.string_field("collected_at"));
  auto t = x509::parse_rfc3339(when);
  if (!t) return make_error("input.bad-value", o.child("collected_at").where(), "not RFC 3339");
  b.collected_at = *t;
  AA_TRY(host_at, o.field("host"));
  AA_TRY(ho, host_at.object());
  AA_CHECK(ho.only_fields({"name", "site", "tpm"}));
  AA_TRY(name, ho.string_field("name"));
  AA_CHECK(short_text(ho.child("name"), name));
  b.host_name = name;
  if (auto site = ho.optional_field("site")) {
    AA_TRY(so, site->object());
    AA_CHECK(so.only_fields({"country", "name", "lat", "lon"}));
    AA_TRY(c, so.string_field("country"));
    if (!is_country_code(c)) {
      return make_error("input.bad-value", so.child("country").where(),
                        "not an ISO 3166-1 alpha-2 code");
    }
    b.site_country = c;
    if (so.optional_field("name")) {
      AA_TRY(n, so.string_field("name"));
      AA_CHECK(short_text(so.child("name"), n));
      b.site_name = n;
    }
    auto lat = so.optional_field("lat");
    auto lon = so.optional_field("lon");
    if (lat || lon) {
      AA_TRY(lat_v, so.number_field("lat"));
      AA_TRY(lon_v, so.number_field("lon"));
      if (!std::isfinite(lat_v) || !std::isfinite(lon_v) || lat_v < -90 || lat_v > 90 ||
          lon_v < -180 || lon_v > 180) {
        return make_error("input.bad-value", site->where(), "not a position in degrees");
      }
      b.site_position = location::LatLon{lat_v, lon_v};
    }
  }
  if (auto tpm = ho.optional_field("tpm")) {
    AA_TRY(tp, read_tpm(*tpm));
    b.tpm = std::move(tp);
  }
  AA_TRY(devs, o.field("devices"));
  AA_TRY(arr, devs.array());
  if (arr.json().size() > kMaxDevices) {
    return make_error("input.too-large", arr.where(), "more than 512 devices");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < arr.json().size(); ++i) {
    AA_TRY(d, read_device(arr.at(i), seen));
    b.devices.push_back(std::move(d));
  }
  if (auto usage = o.optional_field("usage")) {
    AA_TRY(uo, usage->object());
    b.usage = uo.json();
  }
  if (auto loc = o.optional_field("location")) {
    AA_TRY(lo, loc->object());
    AA_CHECK(lo.only_fields({"evidence"}));
    if (auto ev = lo.optional_field("evidence")) {
      AA_TRY(ea, ev->array());
      if (ea.json().size() > kMaxDevices)
        return make_error("input.too-large", ea.where(), "too many");
      for (size_t i = 0; i < ea.json().size(); ++i) {
        AA_TRY(le, location::read_location_evidence(ea.at(i)));
        b.location_evidence.push_back(std::move(le));
      }
    }
  }
  return b;
}

}  // namespace aa
