#include <iostream>

#include "cli/commands.h"
#include "core/text.h"
#include "registry/classify.h"
#include "registry/describe.h"

namespace aa::cli {

namespace {

struct RegistryOptions {
  std::string id;
  bool json = false;
};

const Part* find_part(const Registry& reg, const std::string& id) {
  const Part* p = reg.find(id);
  if (!p) {
    fail(make_error("input.unknown-part", id,
                    "no registry part with this id (see `accel-attest registry list`)"));
  }
  return p;
}

int list(const RegistryOptions& o, Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return 2;
  Json out = Json::array();
  for (const Part& p : reg->parts()) {
    Classification c = classify(p, reg->country_groups());
    if (o.json) {
      out.push_back(
          Json{{"id", p.id},
               {"name", p.name},
               {"vendor_id", p.vendor_id_known ? Json(to_hex(p.vendor_id, 4)) : Json(nullptr)},
               {"tpp", interval_json(c.tpp)},
               {"performance_density", interval_json(c.pd)},
               {"eccn_3a090", eccn_name(c.eccn)}});
      continue;
    }
    std::string ids;
    for (const auto& id : p.pci) ids += (ids.empty() ? "" : ",") + to_hex(id.device, 4);
    std::cout << p.id << std::string(p.id.size() < 30 ? 30 - p.id.size() : 1, ' ')
              << (p.vendor_id_known ? to_hex(p.vendor_id, 4) : std::string("----")) << ":"
              << (ids.empty() ? "-" : ids) << "  " << p.name << "  TPP "
              << format_interval(c.tpp, 0) << "  " << eccn_name(c.eccn) << "\n";
  }
  if (o.json) {
    Json doc = document("registry-list");
    doc["registry_digest"] = "sha256:" + reg->digest();
    doc["parts"] = out;
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << reg->parts().size() << " parts; registry digest sha256:" << reg->digest() << "\n";
  }
  return 0;
}

int show(const RegistryOptions& o, Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return 2;
  const Part* p = find_part(*reg, o.id);
  if (!p) return 2;
  if (o.json) {
    Json doc = document("registry-show");
    doc["part"] = part_to_json(*p);
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << describe_part(*p, *reg);
  }
  return 0;
}

int classify_cmd(const RegistryOptions& o, Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return 2;
  const Part* p = find_part(*reg, o.id);
  if (!p) return 2;
  Classification c = classify(*p, reg->country_groups());
  if (o.json) {
    Json doc = document("registry-classify");
    doc["classification"] = classification_to_json(*p, c);
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << describe_classification(*p, c);
  }
  return 0;
}

}  // namespace

void add_registry(CLI::App& app, Context& ctx) {
  CLI::App* reg = app.add_subcommand(
      "registry",
      "Inspect the chip-family registry (firmware-profiles/registry/). Exit 0: shown; 2: bad "
      "input (input.unknown-part); 3: internal error.");
  reg->require_subcommand(1);

  auto lo = std::make_shared<RegistryOptions>();
  CLI::App* l = reg->add_subcommand("list", "List every part with its TPP and 3A090 class.");
  l->add_flag("--json", lo->json, "print JSON (schema accel-attest/registry-list/v1)");
  l->callback([lo, &ctx] { ctx.exit_code = list(*lo, ctx); });

  auto so = std::make_shared<RegistryOptions>();
  CLI::App* s = reg->add_subcommand("show",
                                    "Show every fact of one part with its source and "
                                    "confidence (V verified, D datasheet recalled, E "
                                    "estimate, U unverified).");
  s->add_option("ID", so->id, "part id, e.g. nvidia-h100-sxm5-80gb")->required();
  s->add_flag("--json", so->json, "print JSON (schema accel-attest/registry-show/v1)");
  s->callback([so, &ctx] { ctx.exit_code = show(*so, ctx); });

  auto co = std::make_shared<RegistryOptions>();
  CLI::App* c = reg->add_subcommand(
      "classify",
      "Print the worked TPP and performance-density computation of one part, each "
      "3A090 paragraph's test, which prong decided the class, the alternative "
      "readings and the flags.");
  c->add_option("ID", co->id, "part id")->required();
  c->add_flag("--json", co->json, "print JSON (schema accel-attest/registry-classify/v1)");
  c->callback([co, &ctx] { ctx.exit_code = classify_cmd(*co, ctx); });
}

}  // namespace aa::cli
