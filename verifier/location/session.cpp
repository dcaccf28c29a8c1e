#include "location/session.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "core/json_text.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "results/jose.h"

namespace aa::location {

namespace {

constexpr size_t kMaxLine = 64u << 10;

int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Error proto(const std::string& what, const std::string& msg) {
  return make_error("location.protocol", what, msg);
}

Status send_line(int fd, const Json& j, const std::string& what) {
  std::string line = json_text(j) + "\n";  // never throws on a label that is not UTF-8
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return proto(what, std::string("send failed: ") + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
  return Ok{};
}

// Reads one line (without the newline) from fd, keeping the rest in `buf`.
Result<Json> recv_line(int fd, std::string& buf, int timeout_ms, const std::string& what) {
  for (;;) {
    size_t nl = buf.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      auto j = parse_json_strict(line, what);
      if (!j || !j->is_object()) return proto(what, "not a JSON object");
      return *j;
    }
    if (buf.size() > kMaxLine) return proto(what, "a message longer than 64 KiB");
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, timeout_ms);
    if (r == 0) return proto(what, "timed out");
    if (r < 0) return proto(what, std::strerror(errno));
    char tmp[4096];
    ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return proto(what, "connection closed");
    buf.append(tmp, static_cast<size_t>(n));
  }
}

Result<std::string> str(const Json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    return proto(what, std::string("no string \"") + key + "\"");
  return it->get<std::string>();
}

Status expect_type(const Json& j, const char* type, const std::string& what) {
  AA_TRY(t, str(j, "type", what));
  if (t != type)
    return proto(what, "expected a \"" + std::string(type) + "\" message, got " + printable(t));
  return Ok{};
}

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

Result<addrinfo*> resolve(const std::string& addr, bool passive) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return make_error("input.bad-value", addr, "expected HOST:PORT");
  std::string host = addr.substr(0, colon), port = addr.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res) != 0 ||
      !res) {
    return make_error("input.bad-value", addr, "cannot resolve");
  }
  return res;
}

}  // namespace

Result<int> listen_tcp(const std::string& addr) {
  AA_TRY(ai, resolve(addr, true));
  int fd = ::socket(ai->ai_family, ai->ai_socktype, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool ok = fd >= 0 && ::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 16) == 0;
  ::freeaddrinfo(ai);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return make_error("location.protocol", addr,
                      std::string("cannot listen: ") + std::strerror(errno));
  }
  return fd;
}

Result<int> connect_tcp(const std::string& addr, int timeout_ms) {
  AA_TRY(ai, resolve(addr, false));
  int fd = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  do {  // the landmark may still be starting
    fd = ::socket(ai->ai_family, ai->ai_socktype, 0);
    if (fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    if (fd >= 0) ::close(fd);
    fd = -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  ::freeaddrinfo(ai);
  if (fd < 0) return make_error("location.protocol", addr, "cannot connect");
  set_nodelay(fd);
  return fd;
}

Result<std::string> serve_session(int fd, const LandmarkConfig& cfg, EVP_PKEY* key,
                                  const std::string& kid) {
  set_nodelay(fd);
  std::string buf;
  AA_CHECK(send_line(fd,
                     {{"type", "hello"},
                      {"protocol", kProbeContext},
                      {"landmark", cfg.id},
                      {"probes", cfg.probes}},
                     "hello"));
  AA_TRY(ready, recv_line(fd, buf, cfg.timeout_ms, "ready"));
  AA_CHECK(expect_type(ready, "ready", "ready"));
  AA_TRY(device, str(ready, "device", "ready"));
  TimingRecord rec;
  rec.landmark_id = cfg.id;
  rec.position = cfg.position;
  rec.device = device;
  if (auto it = ready.find("challenge"); it != ready.end()) {
    auto ch = it->is_string() ? hex_decode(it->get<std::string>()) : std::nullopt;
    if (!ch || ch->size() < kMinChallenge || ch->size() > kMaxChallenge)
      return proto("ready", "a challenge is 16 to 64 bytes of hex");
    rec.challenge = std::move(*ch);
  }
  rec.rtt_min_ns = INT64_MAX;
  for (unsigned seq = 1; seq <= cfg.probes; ++seq) {
    const std::string what = "probe " + std::to_string(seq);
    Bytes nonce(32);
    if (RAND_bytes(nonce.data(), 32) != 1) return proto(what, "no randomness");
    Json probe = {{"type", "probe"}, {"seq", seq}, {"nonce", hex_encode(nonce)}};
    const int64_t t0 = now_ns();
    AA_CHECK(send_line(fd, probe, what));
    AA_TRY(resp, recv_line(fd, buf, cfg.timeout_ms, "response " + std::to_string(seq)));
    const int64_t t1 = now_ns();
    AA_CHECK(expect_type(resp, "response", what));
    if (!resp.contains("seq") || resp["seq"] != seq)
      return proto(what, "a response out of sequence");
    AA_TRY(sig, str(resp, "signature", what));
    auto sig_bytes = base64url_decode(sig);
    if (!sig_bytes) return proto(what, "the signature is not base64url");
    ProbeTiming t{seq, nonce, t1 - t0, sha256_hex(as_chars(*sig_bytes))};
    rec.rtt_min_ns = std::min(rec.rtt_min_ns, t.rtt_ns);
    rec.probes.push_back(std::move(t));
  }
  rec.issued_at = std::time(nullptr);
  AA_TRY(jws, jose::sign_es256(key, kid, timing_record_json(rec)));
  AA_CHECK(send_line(fd, {{"type", "record"}, {"record", jws}}, "record"));
  return jws;
}

Result<LandmarkEvidence> respond_session(int fd, const Responder& r) {
  std::string buf;
  AA_TRY(hello, recv_line(fd, buf, r.timeout_ms, "hello"));
  AA_CHECK(expect_type(hello, "hello", "hello"));
  AA_TRY(protocol, str(hello, "protocol", "hello"));
  if (protocol != kProbeContext) return proto("hello", "protocol " + printable(protocol));
  AA_TRY(landmark, str(hello, "landmark", "hello"));
  Json ready = {{"type", "ready"}, {"device", r.device}};
  if (!r.challenge.empty()) ready["challenge"] = hex_encode(r.challenge);
  AA_CHECK(send_line(fd, ready, "ready"));
  LandmarkEvidence ev;
  for (;;) {
    AA_TRY(msg, recv_line(fd, buf, r.timeout_ms, "probe"));
    AA_TRY(type, str(msg, "type", "probe"));
    if (type == "record") {
      AA_TRY(rec, str(msg, "record", "record"));
      ev.record = rec;
      return ev;
    }
    if (type != "probe" || !msg.contains("seq") || !msg["seq"].is_number_unsigned()) {
      return proto("probe", "expected a probe or the record");
    }
    AA_TRY(nonce_hex, str(msg, "nonce", "probe"));
    auto nonce = hex_decode(nonce_hex);
    if (!nonce || nonce->size() != 32) return proto("probe", "a nonce is 32 bytes of hex");
    if (r.extra_delay_ms > 0) {
      std::this_thread::sleep_for(
          std::chrono::microseconds(static_cast<int64_t>(r.extra_delay_ms * 1000)));
    }
    AA_TRY(sig, r.answer(landmark, *nonce));
    if (sig.empty()) return proto("probe", "the device gave an empty answer");
    AA_CHECK(send_line(
        fd, {{"type", "response"}, {"seq", msg["seq"]}, {"signature", base64url_encode(sig)}},
        "response"));
    ev.responses.push_back(std::move(sig));
    if (ev.responses.size() > kMaxProbes) return proto("probe", "too many probes");
  }
}

}  // namespace aa::location
