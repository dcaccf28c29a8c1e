// A real TPM for tests: swtpm 0.7 started on loopback TCP in a private directory, with an EK
// certificate issued by a local test CA (swtpm_setup + swtpm_localca). Nothing is assumed to be
// running: the fixture starts it and kills it. If swtpm is not installed the tests fail (the
// test suite installs it through tools/setup-debian.sh).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace aa::test {

class Swtpm {
 public:
  Swtpm() {
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("aa-swtpm-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "ca");
    std::filesystem::create_directories(dir_ / "state");
    write("localca.conf", "statedir = " + path("ca") + "\nsigningkey = " + path("ca/signkey.pem") +
                              "\nissuercert = " + path("ca/issuercert.pem") +
                              "\ncertserial = " + path("ca/certserial") + "\n");
    write("setup.conf", "create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = " +
                            path("localca.conf") +
                            "\ncreate_certs_tool_options = /etc/swtpm-localca.options\n"
                            "active_pcr_banks = sha256\n");
    std::string setup = "swtpm_setup --tpm2 --tpm-state " + path("state") +
                        " --createek --create-ek-cert --config " + path("setup.conf") +
                        " --overwrite >" + path("setup.log") + " 2>&1";
    if (std::system(setup.c_str()) != 0) {
      error_ = "swtpm_setup failed (is swtpm-tools installed?): see " + path("setup.log");
      return;
    }
    for (int attempt = 0; attempt < 20 && port_ == 0; ++attempt) {
      // Below the ephemeral range (32768 and up): a busy test run leaves thousands of
      // client ports there in TIME_WAIT, which a listener cannot bind.
      int p = 20000 + 2 * static_cast<int>((::getpid() + attempt * 977) % 6000);
      std::string run = "swtpm socket --tpm2 --tpmstate dir=" + path("state") +
                        " --server type=tcp,port=" + std::to_string(p) +
                        ",bindaddr=127.0.0.1 --ctrl type=tcp,port=" + std::to_string(p + 1) +
                        ",bindaddr=127.0.0.1 --flags not-need-init,startup-clear --daemon"
                        " --pid file=" +
                        path("swtpm.pid") + " >>" + path("swtpm.log") + " 2>&1";
      if (std::system(run.c_str()) == 0) port_ = p;
    }
    if (port_ == 0) error_ = "swtpm did not start: see " + path("swtpm.log");
  }
  ~Swtpm() {
    std::ifstream pid(dir_ / "swtpm.pid");
    long p = 0;
    if (pid >> p && p > 0) ::kill(static_cast<pid_t>(p), SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::filesystem::remove_all(dir_);
  }
  Swtpm(const Swtpm&) = delete;
  Swtpm& operator=(const Swtpm&) = delete;

  const std::string& error() const { return error_; }
  std::string tcti() const { return "swtpm:host=127.0.0.1,port=" + std::to_string(port_); }
  std::string path(const std::string& rel) const { return (dir_ / rel).string(); }
  // The local CA that issued the EK certificates: root, and the issuing intermediate.
  std::string ca_root() const { return path("ca/swtpm-localca-rootca-cert.pem"); }
  std::string ca_issuer() const { return path("ca/issuercert.pem"); }

 private:
  void write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  std::filesystem::path dir_;
  int port_ = 0;
  std::string error_;
};

}  // namespace aa::test
