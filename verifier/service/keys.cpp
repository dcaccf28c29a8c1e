#include "service/keys.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/pem.h>

#include "core/file_out.h"
#include "crypto/ossl.h"
#include "results/jose.h"

namespace aa::service {

namespace fs = std::filesystem;

namespace {

Result<std::string> read_small(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return make_error("input.missing-file", path, "no such key file");
  }
  if (fs::file_size(path, ec) > (1u << 16)) {
    return make_error("input.too-large", path, "a key file is at most 64 KiB");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in && !in.eof()) return make_error("input.unreadable", path, "cannot read");
  return s.str();
}

Json public_of(const accel_attest::Signer& s) {
  return jose::public_jwk(s.key.get(), s.kid);
}

Result<std::string> private_pem(EVP_PKEY* key, const std::string& path) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error("internal.error", path, "cannot encode the key");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  if (n <= 0 || data == nullptr) return make_error("internal.error", path, "cannot encode the key");
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

Result<KeySet> load_key_file(const std::string& pem_path, const std::string& build) {
  AA_TRY(pem, read_small(pem_path));
  AA_TRY(signer, accel_attest::load_signer(pem, pem_path, build));
  KeySet k;
  k.jwks = Json{{"keys", Json::array({public_of(signer)})}};
  k.current = std::move(signer);
  return k;
}

Result<KeySet> load_key_dir(const std::string& dir, const std::string& build) {
  AA_TRY(k, load_key_file((fs::path(dir) / "current.pem").string(), build));
  std::error_code ec;
  const fs::path prev = fs::path(dir) / "previous";
  std::vector<std::string> files;
  if (fs::is_directory(prev, ec)) {
    for (const auto& e : fs::directory_iterator(prev, ec)) {
      if (e.path().extension() == ".pem") files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());  // a stable JWKS order
  for (const auto& f : files) {
    AA_TRY(pem, read_small(f));
    AA_TRY(s, accel_attest::load_signer(pem, f, build));
    if (s.kid == k.current.kid) continue;
    k.jwks["keys"].push_back(public_of(s));
  }
  return k;
}

Result<std::string> rotate_keys(const std::string& dir) {
  std::error_code ec;
  const fs::path prev = fs::path(dir) / "previous";
  fs::create_directories(prev, ec);
  if (ec) return make_error("output.unwritable", prev.string(), ec.message());
  const std::string current = (fs::path(dir) / "current.pem").string();
  if (fs::exists(current, ec)) {
    AA_TRY(old_pem, read_small(current));
    AA_TRY(old, accel_attest::load_signer(old_pem, current));
    // The old key is kept first: a rotation that fails after this leaves both files whole.
    AA_CHECK(write_file_atomic((prev / (old.kid + ".pem")).string(), old_pem, 0600));
  }
  ossl::PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return make_error("internal.error", current, "key generation failed");
  AA_TRY(pem, private_pem(key.get(), current));
  AA_CHECK(write_file_atomic(current, pem, 0600));
  return jose::thumbprint(key.get());
}

}  // namespace aa::service
