// The HTTP(S) server `serve` runs: cpp-httplib parses and routes each request, over
// connections this class accepts, reads and writes itself, so that a request has a deadline
// and not only a timeout per read (a client that drips one header line a second would
// otherwise hold a worker thread for ever).
//
// Contract:
//   - Each request's line, headers and body must arrive within `read_timeout` seconds of the
//     request's first byte; its response must be written within `write_timeout` seconds of
//     its first byte. A connection that misses either is closed (httplib answers what it can:
//     400 or 408, docs/service.md). A TLS handshake must end within `read_timeout` seconds.
//   - A connection waits at most `keep_alive_timeout` seconds for its next request, and
//     serves at most keep_alive_max_count requests. While another connection waits for a worker
//     (all `threads` busy), a connection is closed after its response instead of kept alive,
//     and one waiting for its next request gives its worker up: a few clients that keep
//     connections alive, or open and idle, cannot hold every worker.
//   - The listening socket has SO_REUSEADDR and never SO_REUSEPORT, so a second server
//     cannot share the port; its backlog is `backlog`.
//   - A connection closes after a response sent with "Connection: close" by
//     close_after_this_response().
//   - With a TLS context (tls != null, owned here), the connection is TLS and each Request
//     carries its SSL object (Request::ssl) for the client-certificate check.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <memory>

#include <httplib.h>

namespace aa::service {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// Called from a handler (on the connection's thread): the connection closes after this
// response, whatever the request asked (a request whose body was not read, a broken one).
void close_after_this_response();

class DeadlineServer final : public httplib::Server {
 public:
  DeadlineServer(SslCtxPtr tls, int threads, int backlog = 128);
  // The listener's backlog, applied after bind_to_port/bind_to_any_port (httplib's is 5).
  bool apply_backlog();

 private:
  bool process_and_close_socket(socket_t sock) override;
  SslCtxPtr tls_;
  int backlog_;
  std::atomic<int> waiting_{0};  // accepted connections no worker has taken yet
};

}  // namespace aa::service
