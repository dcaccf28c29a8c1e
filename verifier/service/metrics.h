// The service's Prometheus metrics (text exposition format 0.0.4): requests and latency by
// endpoint and status code, verdicts by status, and gauges the caller samples (nonce store
// size, ledger length, reference reloads).
//
// Contract: every method is thread-safe. `endpoint` is a route pattern from the service's own
// table ("/v1/verify", "other" for anything unrouted), never a raw request path, so a client
// cannot grow the label set; `code` is the HTTP status. Latency buckets are fixed (seconds).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace aa::service {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5,   10.0};
  void request(const std::string& endpoint, int code, double seconds);
  void verdict(const std::string& status);
  void reload(bool ok);
  // The exposition text, with the gauges given by the caller (negative: not available).
  std::string render(std::int64_t live_nonces, std::int64_t ledger_length) const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, Histogram> latency_;  // by endpoint
  std::map<std::string, std::uint64_t> verdicts_;
  std::uint64_t reloads_ok_ = 0, reloads_failed_ = 0;
};

}  // namespace aa::service
