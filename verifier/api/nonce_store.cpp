#include "accel_attest/nonce_store.h"

#include <map>
#include <mutex>

#include <openssl/rand.h>

#include "core/bytes.h"
#include "store/nonce_store.h"

namespace accel_attest {

namespace {

// The SQLite store behind a mutex: one connection, one statement sequence at a time.
class SqliteStore final : public NonceStore {
 public:
  explicit SqliteStore(aa::NonceStore s) : s_(std::move(s)) {}
  aa::Result<std::string> issue(std::time_t now, long ttl) override {
    std::lock_guard<std::mutex> lock(mu_);
    return s_.issue(now, ttl);
  }
  aa::Status consume(const std::string& nonce_hex, std::time_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    return s_.consume(nonce_hex, now);
  }

 private:
  std::mutex mu_;
  aa::NonceStore s_;
};

class MemoryStore final : public NonceStore {
 public:
  aa::Result<std::string> issue(std::time_t now, long ttl) override {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) {
      return aa::make_error("store.io", "memory nonce store", "no random bytes");
    }
    std::string hex = aa::hex_encode(aa::ByteView(raw, sizeof raw));
    std::lock_guard<std::mutex> lock(mu_);
    nonces_[hex] = Entry{now + ttl, false};
    return hex;
  }
  aa::Status consume(const std::string& nonce_hex, std::time_t now) override {
    std::string n = nonce_hex;
    for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::lock_guard<std::mutex> lock(mu_);
    auto it = nonces_.find(n);
    if (it == nonces_.end()) {
      return aa::make_error("store.nonce-unknown", "nonce " + n, "this verifier never issued it");
    }
    if (it->second.used) {
      return aa::make_error("store.nonce-reused", "nonce " + n, "already used");
    }
    if (now > it->second.expires) {
      return aa::make_error("store.nonce-expired", "nonce " + n, "expired");
    }
    it->second.used = true;
    return aa::Ok{};
  }

 private:
  struct Entry {
    std::time_t expires;
    bool used;
  };
  std::mutex mu_;
  std::map<std::string, Entry> nonces_;
};

}  // namespace

aa::Result<std::unique_ptr<NonceStore>> open_sqlite_nonce_store(const std::string& path) {
  AA_TRY(s, aa::NonceStore::open(path));
  return std::unique_ptr<NonceStore>(std::make_unique<SqliteStore>(std::move(s)));
}

std::unique_ptr<NonceStore> memory_nonce_store() {
  return std::make_unique<MemoryStore>();
}

}  // namespace accel_attest
