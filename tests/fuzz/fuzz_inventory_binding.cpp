// libFuzzer target: inventory binding v2 over any bundle the parser accepts. Properties, not
// only "no crash": the canonical bytes decode back, field by field, to exactly the bound
// inventory (so no two inventories share them: the encoding is unambiguous), with nothing left
// over; they start with the v2 tag; the device order of the bundle does not change them.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "binding/inventory_digest.h"
#include "bundle/bundle.h"

namespace {

struct Reader {
  std::string_view in;
  size_t at = 0;
  bool ok = true;
  uint32_t num(size_t n) {
    if (in.size() - at < n) {
      ok = false;
      return 0;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(in[at++]);
    return v;
  }
  std::string str() {
    const uint32_t n = num(4);
    if (!ok || in.size() - at < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(at, n));
    at += n;
    return s;
  }
  std::optional<std::string> opt() {
    const uint32_t present = num(1);
    if (present > 1) ok = false;
    if (present != 1) return std::nullopt;
    return str();
  }
};

std::optional<aa::Bytes> as_bytes(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return aa::Bytes(s->begin(), s->end());
}

void check(bool c) {
  if (!c) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto b = aa::parse_bundle(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!b.ok()) return 0;
  const aa::BoundInventory inv = aa::bound_inventory(*b);
  const std::string m = aa::canonical_inventory_v2(inv);
  check(m.compare(0, 26, std::string_view("accel-attest inventory v2\0", 26)) == 0);

  Reader r{m, 26};
  check(r.str() == inv.host_name);
  check(r.opt() == inv.site_country);
  check(r.opt() == inv.site_name);
  check(r.opt() == inv.collected_at);
  std::vector<const aa::BoundDevice*> sorted;
  for (const auto& d : inv.devices) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* x, const auto* y) { return x->address < y->address; });
  check(r.num(4) == sorted.size());
  for (const aa::BoundDevice* d : sorted) {
    check(r.str() == d->address);
    check(r.num(2) == d->vendor && r.num(2) == d->device);
    check(r.num(2) == d->subsystem_vendor && r.num(2) == d->subsystem_device);
    auto cls = r.opt();
    check(cls.has_value() == d->class_code.has_value());
    if (cls) {
      check(cls->size() == 3);
      const uint32_t v = (static_cast<uint32_t>(static_cast<uint8_t>((*cls)[0])) << 16) |
                         (static_cast<uint32_t>(static_cast<uint8_t>((*cls)[1])) << 8) |
                         static_cast<uint8_t>((*cls)[2]);
      check(v == *d->class_code);
    }
    check(r.str() == d->scheme);
    check(r.opt() == d->reported_name);
    check(r.opt() == d->serial);
    check(r.opt() == d->npu_smi);
    check(as_bytes(r.opt()) == d->report_sha256);
    check(as_bytes(r.opt()) == d->chain_sha256);
    check(r.opt() == d->arch);
    check(r.ok);
  }
  if (inv.site_position) {
    check(r.num(1) == 1);
    check(r.str() == "site-position");
    check(r.str() == *inv.site_position);
  }
  check(r.ok && r.at == m.size());

  aa::Bundle reversed = *b;
  std::reverse(reversed.devices.begin(), reversed.devices.end());
  check(aa::canonical_inventory_v2(aa::bound_inventory(reversed)) == m);
  return 0;
}
