// A ResultStore in memory (store/result_store.h): for "memory:" store URLs, tests and
// benchmarks. Its nonces and its ledger die with the process: never a production store.
//
// Contract: the whole ResultStore contract, behind one mutex: append() consumes the nonce and
// writes the entry under one lock (so two appends racing on one nonce: exactly one wins, the
// other gets store.nonce-reused), positions are dense from 1, prev_hash chains the entries
// (64 zeros before position 1), ids are unique (store.io on a duplicate id). seed_nonce() is a
// test hook of this class only (not of the interface, not reachable over HTTP): it records a
// nonce the caller chose, for evidence whose nonce is already signed (the HGX example bundle).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/result_store.h"

namespace aa::service {

class MemoryResultStore final : public ResultStore {
 public:
  Result<std::string> issue_nonce(std::time_t now, long ttl_seconds) override;
  Status check_nonce(const std::string& nonce_hex, std::time_t now) override;
  Result<LedgerEntry> append(const std::string& nonce_hex, std::time_t now,
                             const NewResult& r) override;
  Result<std::optional<LedgerEntry>> get(const std::string& id) override;
  Result<ResultPage> query(const ResultQuery& q) override;
  Result<std::vector<LedgerEntry>> entries(std::int64_t from_position, std::size_t limit) override;
  Status put_head(const SignedHead& h) override;
  Result<std::vector<SignedHead>> heads() override;
  Result<StoreStats> stats(std::time_t now) override;

  // Tests only: records `nonce_hex` (lower-cased) as issued, valid until `expires`.
  void seed_nonce(const std::string& nonce_hex, std::time_t expires);

 private:
  struct Nonce {
    std::time_t expires = 0;
    bool used = false;
  };
  Status check_locked(const std::string& nonce, std::time_t now) const;

  std::mutex mu_;
  std::map<std::string, Nonce> nonces_;
  std::time_t next_sweep_ = 0;
  std::vector<LedgerEntry> ledger_;           // position p at index p - 1
  std::map<std::string, std::size_t> by_id_;  // id -> index
  std::vector<SignedHead> heads_;
};

}  // namespace aa::service
