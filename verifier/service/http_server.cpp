#include "service/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

namespace aa::service {
namespace {

using Clock = std::chrono::steady_clock;

thread_local bool t_close_after = false;

struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

// Waits for `events` on fd until `deadline`; false when it passed (or the socket failed).
bool wait_until(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (r > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
    if (r < 0 && errno != EINTR) return false;
  }
}

// After an SSL call failed with `err`: waits for what it wants (reading or writing) until
// `deadline`; false for any other error, or when the deadline passed.
bool ssl_ready(int fd, int err, Clock::time_point deadline) {
  if (err == SSL_ERROR_WANT_READ) return wait_until(fd, POLLIN, deadline);
  if (err == SSL_ERROR_WANT_WRITE) return wait_until(fd, POLLOUT, deadline);
  ERR_clear_error();
  return false;
}

void address_of(const sockaddr_storage& a, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&a), len, host, sizeof host, nullptr, 0,
                    NI_NUMERICHOST) == 0) {
    ip = host;
  }
  if (a.ss_family == AF_INET) port = ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) port = ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
}

// One connection, plain or TLS, on a non-blocking socket: every wait is bounded by the
// current request's read or write deadline.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(int fd, SSL* ssl, time_t read_s, time_t write_s)
      : fd_(fd), ssl_(ssl), read_s_(read_s), write_s_(write_s) {}

  void begin_request() {
    read_deadline_ = Clock::now() + std::chrono::seconds(read_s_);
    write_deadline_.reset();
  }
  // Whether a request begins within `seconds`, or before `stopped()` turns true.
  template <class Stopped>
  bool wait_for_request(time_t seconds, Stopped stopped) {
    if (buffered()) return true;
    // In steps of 100 ms, so that `stopped` (the server stopping, or others waiting for a
    // worker) is seen; a request that is on its way gets at least the first step.
    const auto end = Clock::now() + std::chrono::seconds(seconds);
    for (;;) {
      const auto step = std::min(end, Clock::now() + std::chrono::milliseconds(100));
      if (wait_until(fd_, POLLIN, step)) return true;
      if (Clock::now() >= end || stopped()) return false;
    }
  }

  bool is_readable() const override {
    if (buffered()) return true;
    return wait_until(fd_, POLLIN, read_deadline_);
  }
  bool is_writable() const override { return wait_until(fd_, POLLOUT, write_deadline()); }

  ssize_t read(char* ptr, size_t size) override {
    for (;;) {
      if (ssl_) {
        const int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
        if (n > 0) return n;
        const int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_ZERO_RETURN) return 0;
        if (!ssl_wait(e, read_deadline_)) return -1;
        continue;
      }
      // Plain: read ahead into buf_ (httplib asks for 4 KB at a time; a 100 kB bundle would be
      // 25 system calls), and hand out what it holds.
      if (head_ < len_) {
        const size_t n = std::min(size, len_ - head_);
        std::memcpy(ptr, buf_.get() + head_, n);
        head_ += n;
        return static_cast<ssize_t>(n);
      }
      if (!buf_) buf_ = std::make_unique<char[]>(kReadAhead);
      head_ = len_ = 0;
      const ssize_t n = ::recv(fd_, buf_.get(), kReadAhead, 0);
      const int err = errno;
      if (n > 0) {
        len_ = static_cast<size_t>(n);
        continue;
      }
      if (n == 0) return 0;
      if (err == EINTR) continue;
      if ((err != EAGAIN && err != EWOULDBLOCK) || !wait_until(fd_, POLLIN, read_deadline_))
        return -1;
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!write_deadline_) write_deadline_ = Clock::now() + std::chrono::seconds(write_s_);
    for (;;) {
      if (ssl_) {
        const int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
        if (n > 0) return n;
        if (!ssl_wait(SSL_get_error(ssl_, n), *write_deadline_)) return -1;
        continue;
      }
      const ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if ((errno != EAGAIN && errno != EWOULDBLOCK) || !wait_until(fd_, POLLOUT, *write_deadline_))
        return -1;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      address_of(a, len, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      address_of(a, len, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  static constexpr size_t kReadAhead = 64 * 1024;
  bool buffered() const { return ssl_ ? SSL_pending(ssl_) > 0 : head_ < len_; }
  Clock::time_point write_deadline() const {
    return write_deadline_ ? *write_deadline_ : Clock::now() + std::chrono::seconds(write_s_);
  }
  bool ssl_wait(int err, Clock::time_point deadline) const { return ssl_ready(fd_, err, deadline); }

  int fd_;
  SSL* ssl_;
  time_t read_s_, write_s_;
  Clock::time_point read_deadline_ = Clock::now();
  std::optional<Clock::time_point> write_deadline_;
  // Plain connections: bytes received, buf_[head_, len_) not yet handed to httplib.
  std::unique_ptr<char[]> buf_;
  size_t head_ = 0, len_ = 0;
};

}  // namespace

void close_after_this_response() {
  t_close_after = true;
}

// httplib's pool, counting the connections it holds that no worker has taken yet.
class CountingPool final : public httplib::ThreadPool {
 public:
  CountingPool(size_t n, std::atomic<int>& waiting) : ThreadPool(n), waiting_(waiting) {}
  void enqueue(std::function<void()> fn) override {
    ++waiting_;
    ThreadPool::enqueue([this, fn = std::move(fn)] {
      --waiting_;
      fn();
    });
  }

 private:
  std::atomic<int>& waiting_;
};

DeadlineServer::DeadlineServer(SslCtxPtr tls, int threads, int backlog)
    : tls_(std::move(tls)), backlog_(backlog) {
  // httplib takes ownership of the queue it is given (a unique_ptr inside listen).
  new_task_queue = [this, threads] {
    return new CountingPool(static_cast<size_t>(threads), waiting_);
  };
  // httplib's default also sets SO_REUSEPORT, which lets a second process bind the same port
  // and take a share of its connections.
  set_socket_options([](socket_t s) {
    int yes = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

bool DeadlineServer::apply_backlog() {
  const socket_t s = svr_sock_;
  return s != INVALID_SOCKET && ::listen(s, backlog_) == 0;
}

bool DeadlineServer::process_and_close_socket(socket_t sock) {
  const int flags = ::fcntl(sock, F_GETFL, 0);
  SslPtr ssl;
  bool usable = flags >= 0 && ::fcntl(sock, F_SETFL, flags | O_NONBLOCK) == 0;
  if (usable && tls_) {
    ssl.reset(SSL_new(tls_.get()));
    usable = ssl && SSL_set_fd(ssl.get(), sock) == 1;
    const auto deadline = Clock::now() + std::chrono::seconds(read_timeout_sec_);
    while (usable) {
      const int r = SSL_accept(ssl.get());
      if (r == 1) break;
      usable = ssl_ready(sock, SSL_get_error(ssl.get(), r), deadline);
    }
    if (!usable) ERR_clear_error();
  }
  if (usable) {
    DeadlineStream strm(sock, ssl.get(), read_timeout_sec_, write_timeout_sec_);
    SSL* raw_ssl = ssl.get();
    size_t left = keep_alive_max_count_;
    // Another connection is waiting for a worker: stop waiting for this one's next request.
    auto yield = [this] { return svr_sock_ == INVALID_SOCKET || waiting_.load() > 0; };
    while (left > 0 && strm.wait_for_request(keep_alive_timeout_sec_, yield)) {
      strm.begin_request();
      bool closed = false;
      t_close_after = false;
      // The last request this connection may make, or others are waiting: close after it.
      const bool last = left == 1 || waiting_.load() > 0;
      const bool ok = process_request(strm, last, closed,
                                      [raw_ssl](httplib::Request& req) { req.ssl = raw_ssl; });
      if (!ok || closed || t_close_after || last) break;
      --left;
    }
    if (ssl) SSL_shutdown(ssl.get());  // one try: a close_notify, never a wait for the peer's
    ERR_clear_error();
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

}  // namespace aa::service
