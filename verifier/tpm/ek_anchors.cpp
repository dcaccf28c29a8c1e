#include "tpm/ek_anchors.h"

#include <algorithm>
#include <filesystem>

#include "core/text.h"
#include "crypto/x509.h"

namespace aa::tpm {

namespace fs = std::filesystem;

Result<EkAnchors> EkAnchors::load(const std::string& dir) {
  EkAnchors a;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error("input.missing-directory", dir, "not a directory");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".pem" || ext == ".der" || ext == ".crt" || ext == ".cer")) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    AA_TRY(body, read_file(f, 1u << 20));
    std::vector<ossl::X509Ptr> certs;
    if (body.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
      AA_TRY(list, x509::parse_pem_chain(body, f, 8));
      certs = std::move(list);
    } else {
      AA_TRY(c, x509::parse_der(as_bytes(body), f));
      certs.push_back(std::move(c));
    }
    for (auto& c : certs) {
      (x509::self_signed(c.get()) ? a.roots : a.intermediates).push_back(std::move(c));
    }
    a.files.push_back(f);
  }
  return a;
}

}  // namespace aa::tpm
