#include "inventory/sysfs.h"

#include <algorithm>
#include <filesystem>

#include "core/text.h"

namespace aa {

namespace fs = std::filesystem;

Result<uint32_t> parse_sysfs_id_file(std::string_view body, size_t digits,
                                     const std::string& file) {
  auto v = parse_sysfs_hex(body, digits);
  if (!v) {
    return make_error("input.bad-hex", file,
                      "expected \"0x\" and " + std::to_string(digits) + " hex digits, found \"" +
                          printable(body) + "\"");
  }
  return *v;
}

Result<std::vector<PciDevice>> read_sysfs_pci(const std::string& root) {
  fs::path dir = fs::path(root) / "bus" / "pci" / "devices";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error("input.missing-directory", dir.string(), "not a directory");
  }
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec) return make_error("input.unreadable", dir.string(), ec.message());
  std::sort(entries.begin(), entries.end());

  std::vector<PciDevice> out;
  for (const auto& e : entries) {
    std::string name = e.filename().string();
    auto addr = normalize_pci_address(name);
    if (!addr) {
      return make_error("input.bad-address", e.string(),
                        "directory name is not a PCI address (DDDD:BB:DD.F)");
    }
    PciDevice d;
    d.address = *addr;
    d.origin = e.string();
    struct Field {
      const char* file;
      size_t digits;
      uint32_t* target32;
      uint16_t* target16;
    } fields[] = {
        {"vendor", 4, nullptr, &d.vendor},
        {"device", 4, nullptr, &d.device},
        {"subsystem_vendor", 4, nullptr, &d.subsystem_vendor},
        {"subsystem_device", 4, nullptr, &d.subsystem_device},
        {"class", 6, &d.class_code, nullptr},
    };
    for (const auto& f : fields) {
      std::string path = (e / f.file).string();
      AA_TRY(body, read_file(path, 64));
      AA_TRY(v, parse_sysfs_id_file(body, f.digits, path));
      if (f.target16) *f.target16 = static_cast<uint16_t>(v);
      if (f.target32) *f.target32 = v;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace aa
