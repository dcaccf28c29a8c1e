#include "registry/registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/json.h"
#include "core/text.h"
#include "crypto/digest.h"

#ifndef ACCEL_ATTEST_SOURCE_PROFILES
#define ACCEL_ATTEST_SOURCE_PROFILES "firmware-profiles"
#endif

namespace aa {

namespace fs = std::filesystem;

bool CountryGroups::in(const std::string& group, const std::string& country) const {
  auto g = groups.find(group);
  if (g == groups.end()) return false;
  auto a = aliases.find(country);
  const std::string& c = a == aliases.end() ? country : a->second;
  return g->second.count(c) > 0;
}

bool CountryGroups::d5_or_macau(const std::string& country) const {
  return country == "MO" || in("D:5", country);
}

namespace {

constexpr size_t kMaxProfileBytes = 4u << 20;

class PartReader {
 public:
  explicit PartReader(const std::map<std::string, std::string>& sources) : sources_(sources) {}

  // Reads the provenance every fact carries: conf (V/D/E/U), a known source key, a note.
  struct Meta {
    std::string conf, source, note;
  };
  Result<Meta> meta(const JsonAt& f) const {
    Meta m;
    AA_TRY(conf, f.field("conf"));
    AA_TRY(c, conf.string());
    if (c != "V" && c != "D" && c != "E" && c != "U") {
      return make_error("profile.bad-value", conf.where(), "conf must be V, D, E or U");
    }
    AA_TRY(src, f.field("source"));
    AA_TRY(s, src.string());
    if (!sources_.count(s)) {
      return make_error("profile.bad-value", src.where(), "unknown source key \"" + s + "\"");
    }
    m.conf = c;
    m.source = s;
    if (auto n = f.optional_field("note")) {
      AA_TRY(ns, n->string());
      m.note = ns;
    }
    return m;
  }

  Result<Fact> number(const std::optional<JsonAt>& at) const {
    Fact f;
    if (!at || at->json().is_null()) return f;
    AA_TRY(o, at->object());
    AA_CHECK(o.only_fields({"value", "min", "max", "conf", "source", "note", "kind"}));
    AA_TRY(m, meta(o));
    f.conf = m.conf;
    f.source = m.source;
    f.note = m.note;
    if (auto v = o.optional_field("value")) {
      if (!v->json().is_null()) {
        AA_TRY(d, v->number());
        f.lo = f.hi = d;
      }
    } else {
      AA_TRY(mn, o.field("min"));
      AA_TRY(mx, o.field("max"));
      AA_TRY(a, mn.number());
      AA_TRY(b, mx.number());
      if (!(a < b)) return make_error("profile.bad-value", o.where(), "min must be below max");
      f.lo = a;
      f.hi = b;
    }
    if (f.lo && *f.lo < 0) return make_error("profile.bad-value", o.where(), "negative value");
    return f;
  }

  // A text or boolean fact: {"value": ... or null, conf, source, note}.
  template <class F, class Get>
  Result<F> valued(const std::optional<JsonAt>& at, Get get) const {
    F f;
    if (!at || at->json().is_null()) return f;
    AA_TRY(o, at->object());
    AA_CHECK(o.only_fields({"value", "conf", "source", "note"}));
    AA_TRY(m, meta(o));
    f.conf = m.conf;
    f.source = m.source;
    f.note = m.note;
    AA_TRY(v, o.field("value"));
    if (!v.json().is_null()) {
      AA_TRY(x, get(v));
      f.value = x;
    }
    return f;
  }
  Result<TextFact> text(const std::optional<JsonAt>& at) const {
    return valued<TextFact>(at, [](const JsonAt& v) { return v.string(); });
  }
  Result<BoolFact> boolean(const JsonAt& at) const {
    return valued<BoolFact>(at, [](const JsonAt& v) { return v.boolean(); });
  }

  Result<Part> part(const JsonAt& at) const {
    Part p;
    AA_TRY(o, at.object());
    AA_CHECK(o.only_fields({"id",
                            "vendor",
                            "vendor_id",
                            "pci",
                            "pci_source",
                            "die",
                            "family",
                            "name",
                            "variant_names",
                            "datacenter",
                            "designer",
                            "country_of_design",
                            "dense_peak",
                            "logic_die_area_mm2",
                            "dies_per_ic",
                            "ics_per_board",
                            "memory",
                            "scale_up_io_gbps",
                            "attestation",
                            "alt_readings",
                            "nvidia_sku",
                            "notes"}));
    auto str = [&](std::string_view k) -> Result<std::string> {
      AA_TRY(f, o.field(k));
      return f.string();
    };
    AA_TRY(id, str("id"));
    p.id = id;
    AA_TRY(vendor, str("vendor"));
    p.vendor = vendor;
    AA_TRY(vid_at, o.field("vendor_id"));
    if (vid_at.json().is_null()) {
      p.vendor_id_known = false;  // a part with no public PCI vendor ID (Biren)
    } else {
      AA_TRY(vid_s, vid_at.string());
      auto vid = parse_hex_exact(vid_s, 4);
      if (!vid) return make_error("profile.bad-value", vid_at.where(), "not 4 hex digits");
      p.vendor_id = static_cast<uint16_t>(*vid);
    }
    AA_TRY(pci, o.field("pci"));
    AA_TRY(pci_arr, pci.array());
    if (!p.vendor_id_known && !pci_arr.json().empty()) {
      return make_error("profile.bad-value", vid_at.where(),
                        "a part with PCI device IDs needs a vendor_id");
    }
    for (size_t i = 0; i < pci_arr.json().size(); ++i) {
      JsonAt e = pci_arr.at(i);
      AA_TRY(eo, e.object());
      AA_TRY(dev, eo.field("device"));
      AA_TRY(dev_s, dev.string());
      auto d = parse_hex_exact(dev_s, 4);
      if (!d) return make_error("profile.bad-value", dev.where(), "not 4 hex digits");
      PciId id4{static_cast<uint16_t>(*d), {}};
      if (auto subs = eo.optional_field("subsystems")) {
        AA_TRY(sa, subs->array());
        for (size_t j = 0; j < sa.json().size(); ++j) {
          AA_TRY(ss, sa.at(j).string());
          auto sv =
              ss.size() == 9 && ss[4] == ':' ? parse_hex_exact(ss.substr(0, 4), 4) : std::nullopt;
          auto sd = ss.size() == 9 ? parse_hex_exact(ss.substr(5), 4) : std::nullopt;
          if (!sv || !sd) {
            return make_error("profile.bad-value", sa.at(j).where(), "expected VVVV:DDDD");
          }
          id4.subsystems.emplace_back(static_cast<uint16_t>(*sv), static_cast<uint16_t>(*sd));
        }
      }
      p.pci.push_back(std::move(id4));
    }
    AA_TRY(pci_source, str("pci_source"));
    p.pci_source = pci_source;
    AA_TRY(die, str("die"));
    p.die = die;
    AA_TRY(family, str("family"));
    p.family = family;
    AA_TRY(name, str("name"));
    p.name = name;
    if (auto vn = o.optional_field("variant_names")) {
      AA_TRY(va, vn->array());
      for (size_t j = 0; j < va.json().size(); ++j) {
        AA_TRY(s, va.at(j).string());
        p.variant_names.push_back(s);
      }
    }
    AA_TRY(dc, o.field("datacenter"));
    AA_TRY(dcf, boolean(dc));
    p.datacenter = dcf;
    AA_TRY(designer, o.field("designer"));
    AA_TRY(dn, designer.field("name"));
    AA_TRY(dns, dn.string());
    p.designer = dns;
    AA_TRY(hq, designer.field("hq_country"));
    AA_TRY(hqs, hq.string());
    p.designer_hq = hqs;
    AA_TRY(cod, str("country_of_design"));
    p.country_of_design = cod;
    AA_TRY(dense, o.field("dense_peak"));
    AA_TRY(dense_o, dense.object());
    for (const auto& [k, _] : dense_o.json().items()) {
      bool known = false;
      for (const auto& pr : kPrecisions) known = known || k == pr.name;
      if (!known) {
        return make_error("profile.bad-value", dense_o.child(k).where(), "unknown precision");
      }
      AA_TRY(f, number(dense_o.child(k)));
      p.dense_peak[k] = f;
    }
    AA_TRY(area, number(o.optional_field("logic_die_area_mm2")));
    p.die_area = area;
    if (area.known()) {
      AA_TRY(kind_at, o.child("logic_die_area_mm2").field("kind"));
      AA_TRY(kind, kind_at.string());
      if (kind != "official" && kind != "die-shot" && kind != "estimate") {
        return make_error("profile.bad-value", kind_at.where(),
                          "kind must be official, die-shot or estimate");
      }
      p.die_area_kind = kind;
    }
    if (auto n = o.optional_field("dies_per_ic")) {
      AA_TRY(v, n->number());
      p.dies_per_ic = static_cast<int>(v);
    }
    if (auto n = o.optional_field("ics_per_board")) {
      AA_TRY(v, n->number());
      p.ics_per_board = static_cast<int>(v);
    }
    AA_TRY(mem, o.field("memory"));
    AA_TRY(mem_o, mem.object());
    AA_TRY(mt, text(mem_o.optional_field("type")));
    p.memory_type = mt;
    AA_TRY(ms, number(mem_o.optional_field("size_gb")));
    p.memory_size_gb = ms;
    AA_TRY(mb, number(mem_o.optional_field("bandwidth_gbps")));
    p.memory_bandwidth_gbps = mb;
    AA_TRY(su, number(o.optional_field("scale_up_io_gbps")));
    p.scale_up_gbps = su;
    AA_TRY(att, text(o.optional_field("attestation")));
    static const std::set<std::string> kAtt = {"none", "nvidia-spdm", "habana-sec-attest",
                                               "ascend-iak", "unknown"};
    if (!att.value || !kAtt.count(*att.value)) {
      return make_error("profile.bad-value", o.where() + "/attestation",
                        "attestation must be one of none, nvidia-spdm, habana-sec-attest, "
                        "ascend-iak, unknown");
    }
    p.attestation = att;
    if (auto alts = o.optional_field("alt_readings")) {
      AA_TRY(aa, alts->array());
      for (size_t j = 0; j < aa.json().size(); ++j) {
        JsonAt a = aa.at(j);
        AltReading r;
        AA_TRY(aid, a.field("id"));
        AA_TRY(aids, aid.string());
        r.id = aids;
        AA_TRY(ad, a.field("description"));
        AA_TRY(ads, ad.string());
        r.description = ads;
        AA_TRY(t, number(a.optional_field("tpp")));
        if (!t.known())
          return make_error("profile.bad-value", a.where(), "alt reading needs a tpp");
        r.tpp = t;
        p.alt_readings.push_back(std::move(r));
      }
    }
    if (auto skus = o.optional_field("nvidia_sku")) {
      AA_TRY(sa, skus->array());
      for (size_t j = 0; j < sa.json().size(); ++j) {
        JsonAt e = sa.at(j);
        AA_TRY(eo, e.object());
        AA_CHECK(eo.only_fields({"project", "project_sku", "chip_sku", "conf", "source", "note"}));
        NvidiaSku sku;
        for (auto [key, dst] : {std::pair<const char*, std::string*>{"project", &sku.project},
                                {"project_sku", &sku.project_sku},
                                {"chip_sku", &sku.chip_sku}}) {
          AA_TRY(f, eo.field(key));
          AA_TRY(v, f.string());
          *dst = v;
        }
        AA_TRY(prov, meta(eo));
        sku.conf = prov.conf;
        sku.source = prov.source;
        sku.note = prov.note;
        p.nvidia_skus.push_back(std::move(sku));
      }
    }
    if (auto n = o.optional_field("notes")) {
      AA_TRY(s, n->string());
      p.notes = s;
    }
    return p;
  }

 private:
  const std::map<std::string, std::string>& sources_;
};

Result<Json> load_json(const fs::path& path, std::string& digest_input) {
  AA_TRY(text, read_file(path.string(), kMaxProfileBytes));
  digest_input += path.filename().string();
  digest_input += '\0';
  digest_input += text;
  digest_input += '\0';
  return parse_json_strict(text, path.string());
}

}  // namespace

Result<Registry> Registry::load(const std::string& profiles_dir) {
  Registry reg;
  fs::path reg_dir = fs::path(profiles_dir) / "registry";
  std::error_code ec;
  if (!fs::is_directory(reg_dir, ec)) {
    return make_error("input.missing-directory", reg_dir.string(),
                      "registry directory not found (set --profiles or ACCEL_ATTEST_PROFILES)");
  }
  std::string digest_input;

  AA_TRY(sources_doc, load_json(reg_dir / "sources.json", digest_input));
  JsonAt sroot(sources_doc, (reg_dir / "sources.json").string());
  AA_TRY(srcs, sroot.field("sources"));
  AA_TRY(srcs_o, srcs.object());
  for (const auto& [k, v] : srcs_o.json().items()) {
    if (!v.is_string()) return srcs_o.child(k).type_error("a string");
    reg.sources_[k] = v.get<std::string>();
  }

  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(reg_dir, ec)) {
    if (e.path().extension() == ".json" && e.path().filename() != "sources.json") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  PartReader reader(reg.sources_);
  std::set<std::string> ids;
  for (const auto& f : files) {
    AA_TRY(doc, load_json(f, digest_input));
    JsonAt root(doc, f.string());
    AA_TRY(schema, root.field("schema"));
    AA_TRY(schema_s, schema.string());
    if (schema_s != "accel-attest/registry-parts/v1") {
      return make_error("profile.bad-value", schema.where(), "unsupported schema " + schema_s);
    }
    AA_TRY(parts, root.field("parts"));
    AA_TRY(parts_a, parts.array());
    for (size_t i = 0; i < parts_a.json().size(); ++i) {
      AA_TRY(p, reader.part(parts_a.at(i)));
      if (!ids.insert(p.id).second) {
        return make_error("profile.duplicate-id", parts_a.at(i).where(),
                          "duplicate part id " + p.id);
      }
      if (p.vendor_id_known) reg.vendors_.emplace(p.vendor_id, p.vendor);
      reg.parts_.push_back(std::move(p));
    }
  }

  fs::path cg = fs::path(profiles_dir) / "policy" / "country-groups.json";
  AA_TRY(cg_doc, load_json(cg, digest_input));
  JsonAt cgr(cg_doc, cg.string());
  AA_TRY(date, cgr.field("ecfr_date"));
  AA_TRY(date_s, date.string());
  reg.groups_.ecfr_date = date_s;
  AA_TRY(groups, cgr.field("groups"));
  AA_TRY(groups_o, groups.object());
  for (const auto& [name, _] : groups_o.json().items()) {
    AA_TRY(members, groups_o.child(name).field("members"));
    AA_TRY(ma, members.array());
    for (size_t i = 0; i < ma.json().size(); ++i) {
      AA_TRY(c, ma.at(i).string());
      reg.groups_.groups[name].insert(c);
    }
  }
  if (auto al = cgr.optional_field("aliases")) {
    for (const auto& [k, v] : al->json().items()) {
      if (!v.is_string()) return al->child(k).type_error("a string");
      reg.groups_.aliases[k] = v.get<std::string>();
    }
  }
  reg.digest_ = sha256_hex(digest_input);
  return reg;
}

std::string Registry::vendor_name(uint16_t vendor) const {
  auto it = vendors_.find(vendor);
  return it == vendors_.end() ? to_hex(vendor, 4) : it->second;
}

const Part* Registry::find(const std::string& id) const {
  for (const auto& p : parts_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::pair<const Part*, const NvidiaSku*> Registry::find_nvidia_sku(
    const std::string& project, const std::string& project_sku, const std::string& chip_sku) const {
  for (const auto& p : parts_) {
    for (const auto& s : p.nvidia_skus) {
      if (s.project == project && s.project_sku == project_sku && s.chip_sku == chip_sku) {
        return {&p, &s};
      }
    }
  }
  return {nullptr, nullptr};
}

std::vector<const Part*> Registry::match(uint16_t vendor, uint16_t device, uint16_t sub_vendor,
                                         uint16_t sub_device) const {
  std::vector<const Part*> all, by_subsystem;
  for (const auto& p : parts_) {
    if (!p.vendor_id_known || p.vendor_id != vendor) continue;
    for (const auto& id : p.pci) {
      if (id.device != device) continue;
      all.push_back(&p);
      for (const auto& [sv, sd] : id.subsystems) {
        if (sv == sub_vendor && sd == sub_device) by_subsystem.push_back(&p);
      }
      break;
    }
  }
  return by_subsystem.empty() ? all : by_subsystem;
}

std::vector<const Part*> Registry::match_ascend_device(uint16_t device) const {
  return match(0x19e5, device, 0, 0);
}

}  // namespace aa
