#include "service/metrics.h"

#include <cstdio>
#include <sstream>

namespace aa::service {

namespace {

// A label value as the exposition format quotes it.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void Metrics::request(const std::string& endpoint, int code, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{endpoint, code}];
  Histogram& h = latency_[endpoint];
  for (std::size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::verdict(const std::string& status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++verdicts_[status];
}

void Metrics::reload(bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  ++(ok ? reloads_ok_ : reloads_failed_);
}

std::string Metrics::render(std::int64_t live_nonces, std::int64_t ledger_length) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream o;
  o << "# HELP accel_attest_http_requests_total HTTP requests by endpoint and status code.\n"
       "# TYPE accel_attest_http_requests_total counter\n";
  for (const auto& [k, n] : requests_) {
    o << "accel_attest_http_requests_total{endpoint=\"" << label(k.first) << "\",code=\""
      << k.second << "\"} " << n << "\n";
  }
  o << "# HELP accel_attest_http_request_duration_seconds Request latency by endpoint.\n"
       "# TYPE accel_attest_http_request_duration_seconds histogram\n";
  for (const auto& [ep, h] : latency_) {
    const std::string l = "endpoint=\"" + label(ep) + "\"";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      o << "accel_attest_http_request_duration_seconds_bucket{" << l << ",le=\"" << num(kBuckets[i])
        << "\"} " << h.buckets[i] << "\n";
    }
    o << "accel_attest_http_request_duration_seconds_bucket{" << l << ",le=\"+Inf\"} " << h.count
      << "\n";
    o << "accel_attest_http_request_duration_seconds_sum{" << l << "} " << num(h.sum) << "\n";
    o << "accel_attest_http_request_duration_seconds_count{" << l << "} " << h.count << "\n";
  }
  o << "# HELP accel_attest_verdicts_total Verification results by overall status.\n"
       "# TYPE accel_attest_verdicts_total counter\n";
  for (const auto& [s, n] : verdicts_) {
    o << "accel_attest_verdicts_total{status=\"" << label(s) << "\"} " << n << "\n";
  }
  o << "# HELP accel_attest_reference_reloads_total Reference reloads (SIGHUP) by outcome.\n"
       "# TYPE accel_attest_reference_reloads_total counter\n"
       "accel_attest_reference_reloads_total{outcome=\"ok\"} "
    << reloads_ok_ << "\naccel_attest_reference_reloads_total{outcome=\"failed\"} "
    << reloads_failed_ << "\n";
  if (live_nonces >= 0) {
    o << "# HELP accel_attest_live_nonces Issued nonces neither used nor expired.\n"
         "# TYPE accel_attest_live_nonces gauge\naccel_attest_live_nonces "
      << live_nonces << "\n";
  }
  if (ledger_length >= 0) {
    o << "# HELP accel_attest_ledger_length Entries in the result ledger (its length).\n"
         "# TYPE accel_attest_ledger_length gauge\naccel_attest_ledger_length "
      << ledger_length << "\n";
  }
  return o.str();
}

}  // namespace aa::service
