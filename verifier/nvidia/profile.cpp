#include "nvidia/profile.h"

#include <filesystem>

#include "core/json.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "nvidia/device_cert.h"

namespace aa::nvidia {

namespace {

const char* const kFields[] = {"DRIVER",      "VBIOS",    "PROJECT",
                               "PROJECT_SKU", "CHIP_SKU", "CHIP_INFO"};

bool known_field(const std::string& f) {
  for (const char* k : kFields) {
    if (f == k) return true;
  }
  return false;
}

// Calls fn(name, default, has_default) for each placeholder; literal text goes to `lit`.
template <class Fn, class Lit>
Status walk_template(const std::string& t, const std::string& where, Fn fn, Lit lit) {
  size_t pos = 0;
  while (pos < t.size()) {
    size_t open = t.find('{', pos);
    if (open == std::string::npos) {
      lit(t.substr(pos));
      break;
    }
    lit(t.substr(pos, open - pos));
    size_t close = t.find('}', open);
    if (close == std::string::npos) {
      return make_error("profile.bad-value", where, "unclosed { in \"" + t + "\"");
    }
    std::string inner = t.substr(open + 1, close - open - 1);
    size_t bar = inner.find('|');
    std::string name = inner.substr(0, bar);
    std::string def = bar == std::string::npos ? "" : inner.substr(bar + 1);
    AA_CHECK(fn(name, def, bar != std::string::npos));
    pos = close + 1;
  }
  return Ok{};
}

}  // namespace

const ToleratedMismatch* Family::tolerates(unsigned rim_index, const std::string& source) const {
  for (const auto& t : tolerated) {
    if (t.rim_index == rim_index && (t.source == "any" || t.source == source)) return &t;
  }
  return nullptr;
}

const Family* NvidiaProfile::find(const std::string& die) const {
  for (const auto& f : families) {
    if (f.die == die) return &f;
  }
  return nullptr;
}

std::string NvidiaProfile::arch_of_chain(std::string_view chain_pem) const {
  auto certs = x509::parse_pem_chain(chain_pem, "certificate chain", 8);
  if (!certs || certs->empty()) return "";
  auto id = device_id(certs->front().get());
  const Family* f = id ? find(id->die) : nullptr;
  return f ? f->arch : "";
}

Result<std::string> expand_rim_id(const std::string& tmpl,
                                  const std::map<std::string, std::string>& values,
                                  const std::string& origin) {
  std::string out;
  AA_CHECK(walk_template(
      tmpl, origin,
      [&](const std::string& name, const std::string& def, bool has_def) -> Status {
        auto it = values.find(name);
        if (it != values.end() && !it->second.empty()) {
          out += it->second;
        } else if (has_def) {
          out += def;
        } else {
          return make_error("nvidia.rim.id-underivable", origin,
                            "the report has no " + name + " field, needed for the RIM ID " + tmpl);
        }
        return Ok{};
      },
      [&](const std::string& s) { out += s; }));
  return out;
}

Result<NvidiaProfile> load_nvidia_profile(const std::string& profiles_dir) {
  std::string path = (std::filesystem::path(profiles_dir) / "nvidia" / "families.json").string();
  AA_TRY(text, read_file(path, 1u << 20));
  AA_TRY(doc, parse_json_strict(text, path));
  NvidiaProfile prof;
  prof.digest = sha256_hex(text);
  JsonAt root(doc, path);
  AA_TRY(ro, root.object());
  AA_CHECK(ro.only_fields({"schema", "about", "families"}));
  AA_TRY(schema, ro.field("schema"));
  AA_TRY(schema_s, schema.string());
  if (schema_s != "accel-attest/nvidia-families/v1") {
    return make_error("profile.bad-value", schema.where(), "unsupported schema " + schema_s);
  }
  AA_TRY(fams, ro.field("families"));
  AA_TRY(fa, fams.array());
  for (size_t i = 0; i < fa.json().size(); ++i) {
    AA_TRY(fo, fa.at(i).object());
    AA_CHECK(fo.only_fields({"die", "kind", "arch", "registry_dies", "name", "pci_devices",
                             "fwid_extension", "driver_rim", "vbios_rim", "rim_products",
                             "tolerated_mismatches"}));
    Family f;
    auto str = [&](const char* k, std::string& dst) -> Status {
      AA_TRY(v, fo.field(k));
      AA_TRY(s, v.string());
      dst = s;
      return Ok{};
    };
    AA_CHECK(str("die", f.die));
    std::string kind;
    AA_CHECK(str("kind", kind));
    auto parsed_kind = from_string<DeviceKind>(kind);
    if (!parsed_kind) {
      return make_error("profile.bad-value", fo.child("kind").where(), "must be gpu or switch");
    }
    f.kind = *parsed_kind;
    AA_CHECK(str("arch", f.arch));
    AA_CHECK(str("fwid_extension", f.fwid_extension));
    if (f.fwid_extension != "2.23.133.5.4.1" && f.fwid_extension != "2.23.133.5.4.1.1") {
      return make_error("profile.bad-value", fo.child("fwid_extension").where(),
                        "must be 2.23.133.5.4.1 or 2.23.133.5.4.1.1");
    }
    AA_CHECK(str("driver_rim", f.driver_rim));
    AA_CHECK(str("vbios_rim", f.vbios_rim));
    for (const std::string* t : {&f.driver_rim, &f.vbios_rim}) {
      std::string where = fo.where() + (t == &f.driver_rim ? "/driver_rim" : "/vbios_rim");
      AA_CHECK(walk_template(
          *t, where,
          [&](const std::string& name, const std::string&, bool) -> Status {
            if (known_field(name)) return Ok{};
            return make_error("profile.bad-value", where, "unknown placeholder {" + name + "}");
          },
          [](const std::string&) {}));
    }
    if (auto n = fo.optional_field("name")) {
      AA_TRY(s, n->string());
      f.name = s;
    }
    if (auto rd = fo.optional_field("registry_dies")) {
      AA_TRY(ra, rd->array());
      for (size_t j = 0; j < ra.json().size(); ++j) {
        AA_TRY(s, ra.at(j).string());
        f.registry_dies.push_back(s);
      }
    }
    if (auto rp = fo.optional_field("rim_products")) {
      AA_TRY(ra, rp->array());
      for (size_t j = 0; j < ra.json().size(); ++j) {
        AA_TRY(s, ra.at(j).string());
        if (s.empty()) return make_error("profile.bad-value", ra.at(j).where(), "empty product");
        f.rim_products.push_back(s);
      }
    }
    if (auto pd = fo.optional_field("pci_devices")) {
      AA_TRY(pa, pd->array());
      for (size_t j = 0; j < pa.json().size(); ++j) {
        AA_TRY(s, pa.at(j).string());
        auto v = parse_hex_exact(s, 4);
        if (!v) return make_error("profile.bad-value", pa.at(j).where(), "not 4 hex digits");
        f.pci_devices.push_back(static_cast<uint16_t>(*v));
      }
    }
    AA_TRY(tol, fo.field("tolerated_mismatches"));
    AA_TRY(ta, tol.array());
    for (size_t j = 0; j < ta.json().size(); ++j) {
      AA_TRY(to, ta.at(j).object());
      AA_CHECK(to.only_fields({"rim_index", "source", "reason"}));
      ToleratedMismatch t;
      AA_TRY(idx, to.field("rim_index"));
      AA_TRY(n, idx.number());
      if (n < 0 || n > 255 || n != static_cast<double>(static_cast<unsigned>(n))) {
        return make_error("profile.bad-value", idx.where(), "must be an integer 0..255");
      }
      t.rim_index = static_cast<unsigned>(n);
      AA_TRY(src, to.field("source"));
      AA_TRY(srcs, src.string());
      if (srcs != "driver" && srcs != "vbios" && srcs != "any") {
        return make_error("profile.bad-value", src.where(), "must be driver, vbios or any");
      }
      t.source = srcs;
      AA_TRY(why, to.field("reason"));
      AA_TRY(whys, why.string());
      t.reason = whys;
      f.tolerated.push_back(std::move(t));
    }
    if (prof.find(f.die)) {
      return make_error("profile.duplicate-id", fo.child("die").where(), "die " + f.die + " twice");
    }
    prof.families.push_back(std::move(f));
  }
  return prof;
}

}  // namespace aa::nvidia
