#include "service/memory_store.h"

#include "store/ledger.h"
#include "store/nonces.h"

#include <algorithm>
#include <cctype>

#include <openssl/rand.h>

#include "core/bytes.h"
#include "core/json.h"
#include "crypto/digest.h"

namespace aa::service {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::string kZeroHash(64, '0');

}  // namespace

Result<std::string> MemoryResultStore::issue_nonce(std::time_t now, long ttl_seconds) {
  if (ttl_seconds <= 0) return make_error("input.bad-value", "ttl", "a nonce lives at least 1 s");
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    return make_error("store.io", "memory store", "no random bytes");
  }
  std::string hex = hex_encode(ByteView(raw, sizeof raw));
  std::lock_guard<std::mutex> lock(mu_);
  if (now >= next_sweep_) {  // as the database stores sweep (store/nonces.h)
    std::erase_if(nonces_,
                  [&](const auto& n) { return n.second.expires < now - nonces::kSweepGrace; });
    next_sweep_ = now + nonces::kSweepEvery;
  }
  nonces_[hex] = Nonce{now + ttl_seconds, false};
  return hex;
}

void MemoryResultStore::seed_nonce(const std::string& nonce_hex, std::time_t expires) {
  std::lock_guard<std::mutex> lock(mu_);
  nonces_[lower(nonce_hex)] = Nonce{expires, false};
}

Status MemoryResultStore::check_locked(const std::string& n, std::time_t now) const {
  auto it = nonces_.find(n);
  if (it == nonces_.end()) {
    return make_error("store.nonce-unknown", "nonce " + n, "this verifier never issued it");
  }
  if (it->second.used) return make_error("store.nonce-reused", "nonce " + n, "already used");
  if (now > it->second.expires) return make_error("store.nonce-expired", "nonce " + n, "expired");
  return Ok{};
}

Status MemoryResultStore::check_nonce(const std::string& nonce_hex, std::time_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  return check_locked(lower(nonce_hex), now);
}

Result<LedgerEntry> MemoryResultStore::append(const std::string& nonce_hex, std::time_t now,
                                              const NewResult& r) {
  const std::string n = lower(nonce_hex);
  std::lock_guard<std::mutex> lock(mu_);
  // Everything that can refuse runs before anything changes: one transaction.
  AA_CHECK(ledger::check_new_result(r));
  if (!n.empty()) AA_CHECK(check_locked(n, now));
  if (by_id_.count(r.id)) return make_error("store.io", "id " + r.id, "an entry has this id");
  LedgerEntry e;
  e.position = static_cast<std::int64_t>(ledger_.size()) + 1;
  e.result = r;
  e.prev_hash = ledger_.empty() ? kZeroHash : ledger_.back().entry_hash;
  e.entry_hash = ledger_entry_hash(e);
  if (!n.empty()) nonces_[n].used = true;
  by_id_[r.id] = ledger_.size();
  ledger_.push_back(std::move(e));
  return ledger_.back();
}

Result<std::optional<LedgerEntry>> MemoryResultStore::get(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::optional<LedgerEntry>();
  return std::optional<LedgerEntry>(ledger_[it->second]);
}

Result<ResultPage> MemoryResultStore::query(const ResultQuery& q) {
  const std::size_t limit = std::clamp<std::size_t>(q.limit, 1, 1000);
  std::lock_guard<std::mutex> lock(mu_);
  ResultPage page;
  std::size_t i = q.after_position > 0 ? static_cast<std::size_t>(q.after_position) : 0;
  for (; i < ledger_.size(); ++i) {
    const LedgerEntry& e = ledger_[i];
    const NewResult& r = e.result;
    if (q.host && r.host != *q.host) continue;
    if (q.status && r.status != *q.status) continue;
    if (q.since && r.verified_at < *q.since) continue;
    if (q.device && std::find(r.devices.begin(), r.devices.end(), *q.device) == r.devices.end()) {
      continue;
    }
    if (page.entries.size() == limit) {
      page.next_after = page.entries.back().position;
      break;
    }
    page.entries.push_back(e);
  }
  return page;
}

Result<std::vector<LedgerEntry>> MemoryResultStore::entries(std::int64_t from_position,
                                                            std::size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LedgerEntry> out;
  for (std::size_t i = from_position > 1 ? static_cast<std::size_t>(from_position - 1) : 0;
       i < ledger_.size() && out.size() < limit; ++i) {
    out.push_back(ledger_[i]);
  }
  return out;
}

Status MemoryResultStore::put_head(const SignedHead& h) {
  std::lock_guard<std::mutex> lock(mu_);
  heads_.push_back(h);
  return Ok{};
}

Result<std::vector<SignedHead>> MemoryResultStore::heads() {
  std::lock_guard<std::mutex> lock(mu_);
  return heads_;
}

Result<StoreStats> MemoryResultStore::stats(std::time_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  StoreStats s;
  for (const auto& [n, v] : nonces_)
    if (!v.used && now <= v.expires) ++s.live_nonces;
  s.ledger_length = static_cast<std::int64_t>(ledger_.size());
  return s;
}

}  // namespace aa::service
