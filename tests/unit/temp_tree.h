// A temporary directory tree for tests that need malformed files on disk.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace aa::test {

class TempTree {
 public:
  TempTree() {
    static int n = 0;
    root_ = std::filesystem::temp_directory_path() /
            ("aa-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~TempTree() { std::filesystem::remove_all(root_); }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  void write(const std::string& rel, const std::string& text) const {
    auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  // A sysfs PCI device directory with the five ID files.
  void device(const std::string& addr, const std::string& vendor, const std::string& device,
              const std::string& cls, const std::string& sv = "0x0000\n",
              const std::string& sd = "0x0000\n") const {
    std::string d = "bus/pci/devices/" + addr + "/";
    write(d + "vendor", vendor);
    write(d + "device", device);
    write(d + "class", cls);
    write(d + "subsystem_vendor", sv);
    write(d + "subsystem_device", sd);
  }
  std::string path() const { return root_.string(); }
  std::string path(const std::string& rel) const { return (root_ / rel).string(); }

 private:
  std::filesystem::path root_;
};

}  // namespace aa::test
