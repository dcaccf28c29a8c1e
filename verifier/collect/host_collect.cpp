#include "collect/host_collect.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <openssl/evp.h>

#include "ascend/npu_smi.h"
#include "collect/dcmi_npu.h"
#include "collect/nvml_gpu.h"
#include "core/json_text.h"
#include "core/text.h"
#include "crypto/x509.h"
#include "inventory/sysfs.h"
#include "spdm/measurements.h"

extern char** environ;

namespace aa::collect {

namespace {

constexpr uint16_t kNvidia = 0x10de;
constexpr uint16_t kHuawei = 0x19e5;
constexpr uint16_t kAscendDiversity = 0xffff;  // the Ascend driver's "diversity" vendor ID
constexpr size_t kNpuSmiLimit = 1u << 20;

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string size_text(size_t n) {
  return n < 1024
             ? std::to_string(n) + " B"
             : std::to_string(n / 1024) + "." + std::to_string((n % 1024) * 10 / 1024) + " KiB";
}

Finding finding(const char* code, const std::string& where, std::string message,
                Severity sev = Severity::kWarn) {
  return Finding{code, std::move(message), where, sev};
}

}  // namespace

Selected select_device(const PciDevice& d, bool accelerator_vendor, bool known_part) {
  const uint8_t base = static_cast<uint8_t>(d.class_code >> 16);
  const uint16_t base_sub = static_cast<uint16_t>(d.class_code >> 8);
  if (d.vendor == kNvidia && base_sub == 0x0680) return Selected::kNvSwitch;
  if (base == 0x12 || base_sub == 0x0b40 || base_sub == 0x0302) return Selected::kAccelerator;
  if ((base_sub == 0x0300 || base_sub == 0x0380) && accelerator_vendor) {
    return Selected::kAccelerator;
  }
  if (known_part) return Selected::kAccelerator;
  return Selected::kNo;
}

std::string base64_encode(ByteView b) {
  std::string out(4 * ((b.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), b.data(),
                                static_cast<int>(b.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

Result<std::string> run_program(const std::vector<std::string>& argv, size_t limit) {
  const std::string& prog = argv.at(0);
  int fds[2];
  if (::pipe(fds) != 0) {
    return make_error("collect.program-failed", prog, std::string("pipe: ") + std::strerror(errno));
  }
  Fd rd(fds[0]), wr(fds[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  std::unique_ptr<posix_spawn_file_actions_t, void (*)(posix_spawn_file_actions_t*)> fa_guard(
      &fa, [](posix_spawn_file_actions_t* p) { posix_spawn_file_actions_destroy(p); });
  posix_spawn_file_actions_adddup2(&fa, wr.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, rd.get());
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, prog.c_str(), &fa, nullptr, cargv.data(), environ);
  wr.reset();
  if (rc != 0) {
    return make_error("collect.program-failed", prog,
                      std::string("cannot run it: ") + std::strerror(rc));
  }
  std::string out;
  char buf[8192];
  bool too_large = false;
  for (;;) {
    ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (out.size() + static_cast<size_t>(n) > limit) {
      too_large = true;
      continue;  // drain, so that the child is not blocked on a full pipe
    }
    out.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  if (too_large) {
    return make_error("collect.program-failed", prog,
                      "`" + cmd + "` printed more than " + std::to_string(limit) + " bytes");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return make_error("collect.program-failed", prog,
                      "`" + cmd + "` " +
                          (WIFEXITED(status) ? "exited " + std::to_string(WEXITSTATUS(status))
                                             : std::string("was killed by a signal")));
  }
  return out;
}

Result<Json> read_site_file(const std::string& path) {
  AA_TRY(text, read_file(path, 64u << 10));
  JsonLimits limits;
  limits.max_bytes = 64u << 10;
  limits.max_depth = 4;
  AA_TRY(doc, parse_json_strict(text, path, limits));
  JsonAt at(doc, path);
  AA_TRY(o, at.object());
  AA_CHECK(o.only_fields({"country", "name", "lat", "lon"}));
  AA_TRY(country, o.string_field("country"));
  if (country.size() != 2 ||
      !std::all_of(country.begin(), country.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return make_error("input.bad-value", o.child("country").where(),
                      "not an ISO 3166-1 alpha-2 code in upper case");
  }
  if (auto n = o.optional_field("name")) AA_CHECK(n->string());
  const bool lat = o.optional_field("lat").has_value(), lon = o.optional_field("lon").has_value();
  if (lat != lon) {
    return make_error("input.bad-value", at.where(), "give both lat and lon, or neither");
  }
  for (const char* k : {"lat", "lon"}) {
    if (auto f = o.optional_field(k)) {
      AA_TRY(v, f->number());
      const double bound = std::string(k) == "lat" ? 90 : 180;
      if (!(v >= -bound && v <= bound)) {
        return make_error(
            "input.bad-value", f->where(),
            "outside -" + std::to_string(int(bound)) + ".." + std::to_string(int(bound)));
      }
    }
  }
  return doc;
}

std::optional<Bytes> read_event_log(const std::string& securityfs_root, std::string& why) {
  const std::string path =
      (std::filesystem::path(securityfs_root) / "tpm0" / "binary_bios_measurements").string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    why = path +
          " does not exist (no TPM event log: securityfs not mounted, or firmware "
          "without a TPM log)";
    return std::nullopt;
  }
  auto text = read_file(path, 16u << 20);
  if (!text) {
    why = path + ": " + text.error().message + " (reading it needs root)";
    return std::nullopt;
  }
  if (text->empty()) {
    why = path + " is empty";
    return std::nullopt;
  }
  return Bytes(text->begin(), text->end());
}

namespace {

Json device_json(const PciDevice& d) {
  return Json{{"address", d.address},
              {"vendor_id", to_hex(d.vendor, 4)},
              {"device_id", to_hex(d.device, 4)},
              {"subsystem_vendor_id", to_hex(d.subsystem_vendor, 4)},
              {"subsystem_device_id", to_hex(d.subsystem_device, 4)},
              {"class", to_hex(d.class_code, 6)}};
}

// NVIDIA GPUs and NVSwitches through NVML. `session` is opened on the first NVIDIA device.
struct NvidiaCollector {
  NvidiaCollector(const CollectOptions& opts, Collected& c) : o(opts), out(c) {}
  const CollectOptions& o;
  Collected& out;
  bool tried = false;
  std::shared_ptr<nvidia::NvmlSession> session;
  std::string why_not;
  nvidia::NvmlCcState cc;
  std::optional<std::string> driver;

  void open() {
    if (tried) return;
    tried = true;
    if (o.nvml_library.empty()) {
      why_not = "NVML was not asked for (--no-nvml)";
      return;
    }
    auto s = nvidia::NvmlSession::open(o.nvml_library);
    if (!s) {
      why_not = s.error().to_string();
      return;
    }
    session = std::move(*s);
    cc = session->cc_state();
    if (auto dv = session->driver_version()) driver = *dv;
    out.host_facts.push_back("NVML " + o.nvml_library + ": driver " +
                             driver.value_or("version unknown"));
    if (!cc.known) {
      out.host_facts.push_back("confidential computing: unknown (NVML does not say)");
    } else {
      out.host_facts.push_back(std::string("confidential computing: ") + (cc.cc_on ? "on" : "OFF") +
                               (cc.devtools ? " (devtools mode)" : "") +
                               (cc.environment == 2   ? ", production environment"
                                : cc.environment == 1 ? ", simulated environment"
                                                      : ""));
    }
    if (cc.protected_pcie) {
      out.host_facts.push_back(std::string("multi-GPU protected PCIe: ") +
                               (*cc.protected_pcie ? "on" : "off"));
    }
  }

  void gpu(const PciDevice& d, Json& dev, DeviceSummary& sum) {
    open();
    const std::string& a = d.address;
    if (!session) {
      out.findings.push_back(
          finding("collect.nvml-unavailable", a,
                  "NVIDIA GPU " + a + " is reported only (no attestation): " + why_not));
      return;
    }
    auto info = session->device(a);
    if (!info) {
      out.findings.push_back(finding("collect.gpu-not-in-nvml", a,
                                     "NVIDIA GPU " + a +
                                         " is in sysfs but NVML does not give it: " +
                                         info.error().to_string() + "; reported only"));
      return;
    }
    if (info->vendor != 0 && (info->vendor != d.vendor || info->device != d.device)) {
      out.findings.push_back(finding("collect.gpu-not-in-nvml", a,
                                     "NVML's GPU at " + a + " is " + to_hex(info->vendor, 4) + ":" +
                                         to_hex(info->device, 4) + ", sysfs says " +
                                         to_hex(d.vendor, 4) + ":" + to_hex(d.device, 4) +
                                         "; reported only"));
      return;
    }
    nvidia::NvmlIdentity id = session->identity(*info);
    if (id.name) sum.facts.push_back("name " + *id.name + " (NVML, reported)");
    if (id.uuid) sum.facts.push_back("UUID " + *id.uuid + " (NVML, reported)");
    if (id.serial) {
      sum.facts.push_back("board serial " + *id.serial + " (NVML, reported)");
      dev["reported"] = Json{{"serial", *id.serial}};
    }
    if (id.vbios_version) sum.facts.push_back("VBIOS " + *id.vbios_version + " (NVML, reported)");
    if (driver) sum.facts.push_back("driver " + *driver + " (NVML, reported)");
    const std::string arch = id.architecture ? nvidia::nvml_arch_name(*id.architecture) : "";
    if (arch.empty()) {
      out.findings.push_back(finding(
          "collect.gpu-no-attestation", a,
          "NVIDIA GPU " + a + " has architecture " +
              (id.architecture ? std::to_string(*id.architecture) : std::string("unknown")) +
              " (NVML), which has no SPDM attestation (Hopper and Blackwell have): reported only",
          Severity::kInfo));
      return;
    }
    // Reports come in CC mode, its devtools mode, and multi-GPU protected-PCIe mode (where the
    // GPUs' own CC mode is off); outside those NVML refuses, so it is not asked.
    if (cc.known && !cc.cc_on && !cc.devtools && cc.protected_pcie != true) {
      out.findings.push_back(finding(
          "collect.gpu-cc-off", a,
          "NVIDIA GPU " + a + " (" + arch + (id.uuid ? ", " + *id.uuid : std::string()) +
              ") is not in confidential-computing mode, so it gives no attestation report: its "
              "identity is kept, reported only (enable CC with NVIDIA's "
              "nvidia_gpu_tools.py --set-cc-mode on, then reboot)"));
      return;
    }
    if (o.nonce.size() != 32) {
      out.findings.push_back(finding("collect.gpu-evidence-failed", a,
                                     "NVIDIA GPU " + a +
                                         ": NVML signs 32-byte nonces and the "
                                         "nonce has " +
                                         std::to_string(o.nonce.size()) + " bytes; reported only"));
      return;
    }
    auto report = session->attestation_report(*info, o.nonce);
    if (!report) {
      out.findings.push_back(finding("collect.gpu-evidence-failed", a,
                                     "NVIDIA GPU " + a + ": no attestation report: " +
                                         report.error().to_string() + "; reported only"));
      return;
    }
    auto chain = session->certificate_chain_pem(*info);
    if (!chain) {
      out.findings.push_back(finding("collect.gpu-evidence-failed", a,
                                     "NVIDIA GPU " + a + ": no certificate chain: " +
                                         chain.error().to_string() + "; reported only"));
      return;
    }
    // The element's nonce is the one the report signed (its request), which is the asked one
    // unless the driver or the host replays a report: then the verifier's nonce check fails it,
    // and this says so now.
    std::string signed_nonce = hex_encode(o.nonce);
    if (auto parsed = spdm::parse_measurement_report(*report, 96, a + " report")) {
      signed_nonce =
          hex_encode(ByteView(parsed->request_nonce.data(), parsed->request_nonce.size()));
      if (signed_nonce != hex_encode(o.nonce)) {
        out.findings.push_back(finding("collect.gpu-nonce-mismatch", a,
                                       "NVIDIA GPU " + a + ": NVML's report answers nonce " +
                                           signed_nonce + ", not the one asked (" +
                                           hex_encode(o.nonce) +
                                           "): a replayed report, which the verifier will refuse"));
      }
    }
    Json nv{{"arch", arch},
            {"nonce", signed_nonce},
            {"evidence", base64_encode(*report)},
            {"certificate", base64_encode(as_bytes(*chain))}};
    if (driver) nv["driver_version"] = *driver;
    if (id.vbios_version) nv["vbios_version"] = *id.vbios_version;
    dev["evidence"] = Json{{"scheme", "nvidia-spdm"}, {"nvidia", nv}};
    sum.evidence = "nvidia-spdm";
    auto certs = x509::parse_pem_chain(*chain, a);
    sum.facts.push_back("SPDM report over the nonce (" + size_text(report->size()) +
                        "), attestation chain of " + std::to_string(certs ? certs->size() : 0) +
                        " certificate(s)");
  }

  void nvswitch(const PciDevice& d) {
    out.findings.push_back(finding(
        "collect.nvswitch-not-attested", d.address,
        "NVSwitch " + d.address +
            " is reported only: NVML gives no NVSwitch attestation (NVIDIA's NSCQ library does, "
            "which collect does not load yet)"));
  }
};

// Huawei NPUs through npu-smi (the table once, a board query per NPU id) and DCMI (every chip
// once).
struct AscendCollector {
  AscendCollector(const CollectOptions& opts, Collected& c) : o(opts), out(c) {}
  const CollectOptions& o;
  Collected& out;
  bool tried = false;
  std::string table, why_not, why_not_dcmi;
  std::vector<ascend::NpuChip> chips;
  std::map<int, std::string> boards;
  std::optional<ascend::DcmiChips> dcmi;

  void open() {
    if (tried) return;
    tried = true;
    open_dcmi();
    if (o.npu_smi.empty()) {
      why_not = "npu-smi was not asked for";
      return;
    }
    auto t = run_program({o.npu_smi, "info"}, kNpuSmiLimit);
    if (!t) {
      why_not = t.error().to_string();
      return;
    }
    auto c = ascend::parse_npu_smi(*t, "npu-smi info");
    if (!c) {
      why_not = c.error().to_string();
      return;
    }
    table = std::move(*t);
    chips = std::move(*c);
  }

  void open_dcmi() {
    if (o.dcmi_library.empty()) {
      why_not_dcmi = "DCMI was not asked for";
      return;
    }
    auto session = ascend::DcmiSession::open(o.dcmi_library);
    auto list = session ? (*session)->chips() : Result<ascend::DcmiChips>(session.error());
    if (!list) {
      why_not_dcmi = list.error().to_string();
      out.findings.push_back(finding("collect.dcmi-unavailable", "dcmi",
                                     "DCMI gives no NPU identity: " + why_not_dcmi,
                                     Severity::kInfo));
      return;
    }
    for (const auto& why : list->skipped) {
      out.findings.push_back(finding("collect.dcmi-chip-skipped", "dcmi", why, Severity::kInfo));
    }
    dcmi = std::move(*list);
  }

  const ascend::DcmiChip* dcmi_chip(const std::string& address) const {
    if (!dcmi) return nullptr;
    for (const auto& c : dcmi->chips)
      if (c.address == address) return &c;
    return nullptr;
  }

  void npu(const PciDevice& d, Json& dev, DeviceSummary& sum) {
    open();
    const std::string& a = d.address;
    const ascend::DcmiChip* dc = dcmi_chip(a);
    if (dcmi && !dc) {
      out.findings.push_back(
          finding("collect.dcmi-no-chip", a, "DCMI lists no chip at " + a, Severity::kInfo));
    }
    Json reported = Json::object();
    const ascend::NpuChip* pc = nullptr;  // what the verifier will read from npu-smi's text
    std::optional<std::vector<ascend::NpuChip>> parsed;
    if (table.empty()) {
      out.findings.push_back(
          finding("collect.npu-smi-unavailable", a,
                  "NPU " + a + " is identified by " +
                      (dc ? std::string("DCMI's chip name and serial only") : "PCI IDs only") +
                      ": " + why_not));
    } else if (const ascend::NpuChip* c = ascend::chip_at(chips, a); !c) {
      out.findings.push_back(
          finding("collect.npu-smi-no-chip", a,
                  "`npu-smi info` lists no chip at " + a + ": identified by " +
                      (dc ? std::string("DCMI's chip name and serial only") : "PCI IDs only")));
    } else {
      std::string text = table;
      auto b = boards.find(c->npu_id);
      if (b == boards.end()) {
        auto q = run_program({o.npu_smi, "info", "-t", "board", "-i", std::to_string(c->npu_id)},
                             kNpuSmiLimit);
        if (!q) {
          out.findings.push_back(
              finding("collect.npu-smi-board-failed", a,
                      "NPU " + a + ": no board query (no serial): " + q.error().to_string(),
                      Severity::kInfo));
        }
        b = boards.emplace(c->npu_id, q ? *q : std::string()).first;
      }
      if (!b->second.empty()) text += "\n" + b->second;
      reported["npu_smi"] = text;
      if (auto p = ascend::parse_npu_smi(text, "npu-smi")) {
        parsed = std::move(*p);
        pc = ascend::chip_at(*parsed, a);
      }
      sum.facts.push_back(
          "npu-smi: NPU " + std::to_string(c->npu_id) + " chip " + std::to_string(c->chip_id) +
          (pc && !pc->name.empty() ? ", name " + pc->name : std::string()) +
          (pc && pc->serial ? ", serial " + *pc->serial : std::string(", no serial")) +
          ", health " + (c->health.empty() ? "?" : c->health) + " (reported)");
    }
    if (dc) dcmi_identity(*dc, pc, a, reported, sum);
    if (!reported.empty()) dev["reported"] = std::move(reported);
  }

  // DCMI's name and serial go into the bundle where npu-smi does not contradict them.
  void dcmi_identity(const ascend::DcmiChip& dc, const ascend::NpuChip* pc, const std::string& a,
                     Json& reported, DeviceSummary& sum) {
    sum.facts.push_back(
        "DCMI: card " + std::to_string(dc.card) + " chip " + std::to_string(dc.device) +
        (dc.chip_name ? ", " + dc.chip_type.value_or("") + (dc.chip_type ? " " : "") + *dc.chip_name
                      : std::string(", no chip name")) +
        (dc.serial ? ", serial " + *dc.serial : std::string(", no serial")) +
        (dc.vdie_id ? ", VDie " + *dc.vdie_id : std::string()) + " (reported)");
    std::string disagree;
    if (dc.chip_name && pc && !pc->name.empty() && pc->name != *dc.chip_name) {
      disagree += "npu-smi names the chip " + pc->name + ", DCMI " + *dc.chip_name;
    }
    if (dc.serial && pc && pc->serial && *pc->serial != *dc.serial) {
      disagree += (disagree.empty() ? "" : "; ") + std::string("npu-smi gives serial ") +
                  *pc->serial + ", DCMI " + *dc.serial;
    }
    if (!disagree.empty()) {
      out.findings.push_back(finding(
          "collect.ascend-sources-disagree", a,
          "NPU " + a + ": " + disagree + " (both are the host's claims; npu-smi's are kept)"));
      return;
    }
    if (dc.chip_name) reported["name"] = *dc.chip_name;
    if (dc.serial) reported["serial"] = *dc.serial;
  }
};

}  // namespace

Result<Collected> collect_host(const CollectOptions& o) {
  Collected out;
  AA_TRY(all, read_sysfs_pci(o.sysfs_root));
  NvidiaCollector nv(o, out);
  AscendCollector asc(o, out);
  Json devices = Json::array();
  for (const PciDevice& d : all) {
    const bool vendor = o.accelerator_vendor && o.accelerator_vendor(d.vendor);
    const bool known = o.known_part && o.known_part(d.vendor, d.device);
    const Selected sel = select_device(d, vendor, known);
    if (sel == Selected::kNo) continue;
    Json dev = device_json(d);
    DeviceSummary sum;
    sum.address = d.address;
    sum.facts.push_back(to_hex(d.vendor, 4) + ":" + to_hex(d.device, 4) + " subsystem " +
                        to_hex(d.subsystem_vendor, 4) + ":" + to_hex(d.subsystem_device, 4) +
                        " class " + to_hex(d.class_code, 6) + " (sysfs, reported)");
    if (sel == Selected::kNvSwitch) {
      sum.kind = "NVSwitch";
      nv.nvswitch(d);
    } else if (d.vendor == kNvidia && (d.class_code >> 16) == 0x03) {
      sum.kind = "NVIDIA GPU";
      nv.gpu(d, dev, sum);
    } else if (d.vendor == kHuawei || d.vendor == kAscendDiversity) {
      sum.kind = "Huawei NPU";
      asc.npu(d, dev, sum);
    } else {
      sum.kind = "accelerator";
    }
    if (!dev.contains("evidence")) dev["evidence"] = Json{{"scheme", "none"}};
    devices.push_back(std::move(dev));
    out.devices.push_back(std::move(sum));
  }
  // A GPU NVML has and the sysfs tree lacks is not collected (the bundle binds what sysfs
  // listed), but said.
  if (nv.session) {
    std::set<std::string> listed;
    for (const auto& d : out.devices) listed.insert(d.address);
    if (auto gpus = nv.session->devices()) {
      for (const auto& g : *gpus) {
        if (listed.count(g.bus_id)) continue;
        out.findings.push_back(finding("collect.gpu-not-in-sysfs", g.bus_id,
                                       "NVML gives a GPU at " + g.bus_id +
                                           " that is not an accelerator under " + o.sysfs_root +
                                           "/bus/pci/devices: not collected"));
      }
    }
  }
  Json host{{"name", o.host_name}};
  if (o.site) host["site"] = *o.site;
  out.bundle = Json{{"schema", "accel-attest/bundle/v1"},
                    {"nonce", hex_encode(o.nonce)},
                    {"collected_at", x509::rfc3339(o.collected_at)},
                    {"host", host},
                    {"devices", devices}};
  return out;
}

}  // namespace aa::collect
