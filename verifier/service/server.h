// accel-attest serve: the verifier as an HTTP service (docs/service.md, docs/openapi.yaml).
//
// Contract:
//   - Every request is hostile. Bodies are limited (max_body: 413 input.too-large), reads and
//     writes time out (a body that does not arrive in time: 408 http.timeout; headers that do
//     not: 400 http.bad-request, connection closed), POST bodies must be application/json (415),
//     and every error is the JSON document {schema: accel-attest/error/v1, error: {code, field,
//     message}} with a code from docs/findings.md. Unknown paths are 404, known paths with another
//     method 405.
//   - POST /v1/verify: the bundle's nonce is checked (ResultStore::check_nonce) before the
//     bundle is appraised with it as the expected nonce; a refused nonce is a 409 error with the
//     store's code and nothing is ledgered. The result is then signed and ResultStore::append()
//     consumes the nonce and ledgers it in one transaction. When append() loses a race for the
//     nonce, the pass is never returned: the bundle is appraised again as a replay (every device
//     pipeline.evidence-replayed), and that refusal is signed, ledgered (with no nonce) and
//     returned, with nonce_accepted false. A result is acknowledged only once it is ledgered.
//   - The reference set (references, licences, keys, bearer tokens) is one immutable snapshot
//     behind an atomic shared_ptr: reload() builds a new one off the request path and swaps it
//     in; requests in flight keep the one they started with; a failed reload keeps the old one.
//   - stop() stops accepting; run() returns once the requests in flight have been answered.
//   - Authentication (bearer tokens, mutual TLS) guards /v1/* (and /metrics unless it is
//     public); the JWKS and the health endpoints are public.
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accel_attest/references.h"
#include "core/json.h"
#include "core/result.h"
#include "store/result_store.h"

namespace aa::service {

struct ServeConfig {
  std::string host = "127.0.0.1";
  int port = 0;                    // 0: any free port (bind() says which)
  std::string key_file, keys_dir;  // exactly one
  std::string tls_cert, tls_key, client_ca;
  std::string bearer_tokens;           // file of hex SHA-256 token hashes (service/auth.h)
  bool allow_unauthenticated = false;  // neither tokens nor client CA: refused unless set
  bool metrics_public = false;
  accel_attest::ReferenceFiles files;
  std::string licence_dir;  // <name>.json licences, chosen with ?licence=<name>
  bool allow_debug_modes = false;
  std::optional<std::time_t> frozen_at;  // tests: the verification time of every request
  std::size_t max_body = 16u << 20;
  int threads = 8;
  long nonce_ttl = 300;
  long token_ttl = 86400;
  long head_interval = 300;  // seconds between signed ledger heads; 0: none
  long read_timeout = 10, write_timeout = 10;
  std::string build;  // the verifier identity results name
};

// One route the server registers: what docs/openapi.yaml must document.
struct Route {
  std::string method;  // GET or POST
  std::string path;    // OpenAPI template: /v1/results/{id}
  bool authenticated;  // false: public
};
std::vector<Route> routes(const ServeConfig& c);

// "memory:" is this layer's MemoryResultStore; anything else goes to aa::open_result_store().
Result<std::unique_ptr<ResultStore>> open_store(const std::string& url);

class Server {
 public:
  // Loads the snapshot (references, licences, keys, tokens) and checks the TLS files.
  static Result<std::unique_ptr<Server>> create(const ServeConfig& c,
                                                std::unique_ptr<ResultStore> store);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port.
  Result<int> bind();
  // Serves until stop(); returns when the requests in flight are answered.
  Status run();
  void stop();  // async-signal-unsafe: call it from a thread, not a handler
  Status reload();
  ResultStore& store();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aa::service
