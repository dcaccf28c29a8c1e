#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "core/json_text.h"
#include "core/text.h"
#include "identify/identify.h"
#include "identify/render.h"
#include "inventory/inventory_json.h"
#include "inventory/lspci.h"
#include "inventory/sysfs.h"

namespace aa::cli {

namespace {

struct IdentifyOptions {
  std::string sysfs_root = "/sys";
  std::string lspci, inventory;
  bool json = false;
  std::string fail_on = "warning";
};

Result<std::string> read_input(const std::string& path) {
  return read_file(path, 4u << 20);  // cli/output.h: '-' is stdin
}

struct Devices {
  std::vector<PciDevice> list;
  std::vector<bool> class_known;
};

Result<Devices> load_devices(const IdentifyOptions& o) {
  Devices d;
  if (!o.lspci.empty()) {
    AA_TRY(text, read_input(o.lspci));
    AA_TRY(list, parse_lspci_nmm(text, o.lspci == "-" ? "<stdin>" : o.lspci));
    d.list = std::move(list);
  } else if (!o.inventory.empty()) {
    AA_TRY(text, read_input(o.inventory));
    AA_TRY(inv, parse_inventory_json(text, o.inventory == "-" ? "<stdin>" : o.inventory));
    d.list = std::move(inv.devices);
    d.class_known = std::move(inv.class_known);
  } else {
    AA_TRY(list, read_sysfs_pci(o.sysfs_root));
    d.list = std::move(list);
  }
  if (d.list.empty()) {
    // An empty list is a capture that failed, not a host without accelerators: no PCI host
    // has no PCI function at all.
    const std::string origin = !o.lspci.empty()       ? o.lspci
                               : !o.inventory.empty() ? o.inventory
                                                      : o.sysfs_root + "/bus/pci/devices";
    return make_error("input.no-devices", origin == "-" ? "<stdin>" : origin,
                      "the input lists no PCI device, so nothing could be identified (an empty "
                      "capture is not a host without accelerators)");
  }
  if (d.class_known.empty()) d.class_known.assign(d.list.size(), true);
  return d;
}

int run(const IdentifyOptions& o, Context& ctx) {
  const Registry* reg = ctx.registry();
  if (!reg) return 2;
  auto devices = load_devices(o);
  if (!devices) return fail(devices.error());
  IdentifyReport report = identify(devices->list, devices->class_known, *reg);
  if (o.json) {
    std::cout << json_text(identify_to_json(report), 2) << "\n";
  } else {
    std::cout << render_identify_table(report);
  }
  return findings_exit(report.findings, o.fail_on);
}

}  // namespace

void add_identify(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<IdentifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "identify",
      "List the accelerators a host reports, with registry family, TPP, performance density, "
      "ECCN 3A090 class, flags and attestation capability. Identity assurance is 'reported': "
      "PCI IDs are claims. Exit 0: no finding; 1: findings (an Ascend part, a possible Ascend "
      "part, a PRC 3A090 IC, an unknown accelerator; with --fail-on fail only a finding of "
      "severity "
      "fail); 2: bad input (input.no-devices for an empty capture); 3: internal error.");
  auto* sysfs = cmd->add_option("--sysfs-root", opts->sysfs_root,
                                "sysfs root to read bus/pci/devices/* from (default /sys)");
  auto* lspci = cmd->add_option("--lspci", opts->lspci,
                                "read the output of `lspci -nmm -D` from FILE ('-' for stdin)");
  auto* inv = cmd->add_option("--inventory", opts->inventory,
                              "read an inventory JSON file (docs/inventory.schema.json; '-' for "
                              "stdin)");
  sysfs->excludes(lspci)->excludes(inv);
  lspci->excludes(inv);
  cmd->add_flag("--json", opts->json,
                "print JSON instead of a table (schema accel-attest/identify/v2)");
  add_fail_on(cmd, opts->fail_on);
  cmd->callback([opts, &ctx] { ctx.exit_code = run(*opts, ctx); });
}

}  // namespace aa::cli
