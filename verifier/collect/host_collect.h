// `accel-attest collect`, the host side: everything a host can say about its accelerators, in one
// evidence bundle (docs/bundle.schema.json, docs/collect.md). This runs on the host being
// attested, never inside the verifier; what it gathers is what the host reports, a claim, until
// the verifier appraises the signed parts.
//
// Contract: collect_host() reads, for one verifier nonce,
//   - the PCI functions under <sysfs>/bus/pci/devices (inventory/sysfs.h) and keeps those
//     select_device() picks (the rule is written there);
//   - for each NVIDIA GPU, through NVML loaded at run time (collect/nvml_gpu.h): the SPDM report
//     over the nonce and the attestation chain (scheme nvidia-spdm), the driver and VBIOS
//     versions, the board serial (reported.serial), the UUID and the CC and protected-PCIe
//     state (printed, not in the bundle, which has no field for them);
//   - for each Huawei NPU, `npu-smi info` and `npu-smi info -t board -i <NPU id>` (run without a
//     shell, output bounded at 1 MiB each), attached verbatim as reported.npu_smi: the table and
//     the board block of that NPU;
//   - for each Huawei NPU, where the DCMI library loads (collect/dcmi_npu.h), its chip name and
//     electronic-label serial as reported.name and reported.serial -- unless npu-smi names the
//     chip otherwise or gives another serial: then npu-smi's stay, and
//     collect.ascend-sources-disagree says both (two claims from one host that contradict);
//   - the declared site (`site`, as the bundle's host.site) and the host name.
// A piece that cannot be had never aborts the run: the device stays in the bundle with what
// could be had, and a finding (collect.* codes, docs/findings.md) names the device and says why.
// The TPM quote is not made here: it binds the bundle as it will be shipped (the CLI computes the
// binding, docs/inventory-binding.md, and calls tpm::quote_host()); read_event_log() gives the
// firmware event log the bundle carries next to it. Errors (exit 2) are only for input the
// caller gave: a sysfs tree that cannot be read, a site that is not one.
#pragma once

#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/finding.h"
#include "core/json.h"
#include "core/result.h"
#include "inventory/pci_device.h"

namespace aa::collect {

// Which PCI functions a bundle carries. In order, a function is kept when
//   - its vendor is NVIDIA (10de) and its class 0x0680 (other bridge): an NVSwitch;
//   - its class is 0x12xxxx (processing accelerator), 0x0b40xx (co-processor) or 0x0302xx (3D
//     controller), whatever the vendor;
//   - its class is 0x0300xx (VGA) or 0x0380xx (other display) and its vendor makes
//     accelerators (`accelerator_vendor`: a vendor with a part in the registry), so that a
//     server's BMC display (ASPEED, Matrox) stays out;
//   - the registry knows its (vendor, device) (`known_part`), whatever the class says.
// Everything else (bridges, NICs, storage, the BMC display) is left out: the bundle binds what
// it carries, and the verdict reads only accelerators.
enum class Selected { kNo, kAccelerator, kNvSwitch };
Selected select_device(const PciDevice& d, bool accelerator_vendor, bool known_part);

struct CollectOptions {
  Bytes nonce;
  std::string host_name;
  std::time_t collected_at = 0;
  std::string sysfs_root = "/sys";
  std::string nvml_library;  // empty: NVML is not tried (every NVIDIA device reported only)
  std::string npu_smi;       // program path or name on PATH; empty: not run
  std::string dcmi_library;  // empty: DCMI is not tried
  std::optional<Json> site;  // host.site as the bundle carries it
  std::function<bool(uint16_t vendor)> accelerator_vendor;
  std::function<bool(uint16_t vendor, uint16_t device)> known_part;
};

// What was collected of one device, for the person running the command.
struct DeviceSummary {
  std::string address, kind;       // kind: "NVIDIA GPU", "NVSwitch", "Ascend NPU", "accelerator"
  std::vector<std::string> facts;  // "UUID GPU-...", "SPDM report over the nonce (2.1 KiB)", ...
  std::string evidence = "none";   // the bundle's scheme for it
};

struct Collected {
  Json bundle;  // host.tpm absent: the caller adds it after the quote
  std::vector<DeviceSummary> devices;
  std::vector<Finding> findings;  // pointer: the device address, "tpm", "nvml", "npu-smi", "dcmi"
  std::vector<std::string> host_facts;  // driver version, CC state, protected PCIe
};

Result<Collected> collect_host(const CollectOptions& o);

// The declared site from a config file: a JSON object {"country", "name"?, "lat"?, "lon"?} as
// the bundle's host.site takes it (input.* errors name the file and the field).
Result<Json> read_site_file(const std::string& path);

// <securityfs>/tpm0/binary_bios_measurements (16 MiB at most); nullopt with `why` set when it
// is absent or unreadable.
std::optional<Bytes> read_event_log(const std::string& securityfs_root, std::string& why);

// Standard base64 with padding, as the bundle's binary members are written.
std::string base64_encode(ByteView b);

// Runs `argv` (argv[0] a path, or a name looked up on PATH) without a shell and returns its
// standard output (at most `limit` bytes); collect.program-failed naming argv[0] when it cannot
// be started, exits non-zero or says more.
Result<std::string> run_program(const std::vector<std::string>& argv, size_t limit);

}  // namespace aa::collect
