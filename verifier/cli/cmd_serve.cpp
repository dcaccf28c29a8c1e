// accel-attest serve (the verifier as an HTTP service, docs/service.md) and accel-attest keys
// rotate (the service's key directory).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <ctime>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "core/file_out.h"
#include "core/json_text.h"
#include "core/output_json.h"
#include "service/keys.h"
#include "service/server.h"

namespace aa::cli {

namespace {

struct ServeOptions {
  service::ServeConfig cfg;
  std::string listen = "127.0.0.1:8443", store = "sqlite:accel-attest.sqlite", at, port_file;
  std::vector<std::string> ak_intermediates, enrolment_keys;
  bool list_routes = false;
};

Result<std::pair<std::string, int>> parse_listen(const std::string& s) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) {
    return make_error("input.bad-value", "--listen", "ADDR:PORT, e.g. 127.0.0.1:8443");
  }
  std::string host = s.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = s.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stol(port) > 65535) {
    return make_error("input.bad-value", "--listen", "the port is 0 to 65535");
  }
  return std::pair{host, static_cast<int>(std::stol(port))};
}

int run_serve(ServeOptions& o, Context& ctx) {
  if (o.list_routes) {
    Json list = Json::array();
    for (const auto& r : service::routes(o.cfg)) {
      list.push_back({{"method", r.method}, {"path", r.path}, {"authenticated", r.authenticated}});
    }
    std::cout << json_text(list, 2) << "\n";
    return 0;
  }
  auto hp = parse_listen(o.listen);
  if (!hp) return fail(hp.error());
  o.cfg.host = hp->first;
  o.cfg.port = hp->second;
  o.cfg.files.profiles_dir = ctx.profiles();
  o.cfg.files.ak_intermediates = o.ak_intermediates;
  o.cfg.files.enrolment_keys = o.enrolment_keys;
  o.cfg.build = std::string("accel-attest ") + ACCEL_ATTEST_VERSION;
  if (!o.at.empty()) {
    auto t = verification_time(o.at);
    if (!t) return fail(t.error());
    o.cfg.frozen_at = *t;
  }
  if (!o.port_file.empty()) {
    if (auto s = check_writable(o.port_file, "--port-file"); !s) return fail(s.error());
  }
  // The signals are taken by one thread (sigwait), so every thread, httplib's included, is
  // created with them blocked; a peer that closes early must not kill the process (SIGPIPE).
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);
  auto store = service::open_store(o.store);
  if (!store) return fail(store.error());
  auto server = service::Server::create(o.cfg, std::move(*store));
  if (!server) return fail(server.error());
  auto port = (*server)->bind();
  if (!port) return fail(port.error());
  if (!o.port_file.empty()) {
    if (auto s = write_file_atomic(o.port_file, std::to_string(*port) + "\n"); !s) {
      return fail(s.error());
    }
  }
  std::cerr << "accel-attest serve: listening on " << o.cfg.host << ":" << *port << "\n";
  std::atomic<bool> done{false};
  service::Server* srv = server->get();
  std::thread signals([&] {
    const timespec tick{0, 200 * 1000 * 1000};
    while (!done) {
      const int sig = sigtimedwait(&sigs, nullptr, &tick);
      if (sig == SIGHUP) {
        // Off the request path: requests keep the old references until the swap.
        if (auto s = srv->reload(); s) {
          std::cerr << "accel-attest serve: references reloaded\n";
        } else {
          std::cerr << "accel-attest serve: reload failed, keeping the old references: "
                    << s.error().to_string() << "\n";
        }
      } else if (sig == SIGTERM || sig == SIGINT) {
        std::cerr << "accel-attest serve: stopping; finishing the requests in flight\n";
        srv->stop();
        return;
      }
    }
  });
  auto st = srv->run();
  done = true;
  signals.join();
  if (!st) return fail(st.error());
  std::cerr << "accel-attest serve: stopped\n";
  return 0;
}

}  // namespace

void add_serve(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ServeOptions>();
  service::ServeConfig& c = o->cfg;
  CLI::App* s = app.add_subcommand(
      "serve",
      "Run the verifier as an HTTP service (docs/service.md, docs/openapi.yaml): challenges, "
      "verification of bundles into signed, ledgered results, result queries and the JWKS. "
      "SIGTERM stops it after the requests in flight; SIGHUP reloads the references, licences, "
      "keys and bearer tokens.");
  s->add_option("--listen", o->listen, "ADDR:PORT to listen on (port 0: any free port)");
  auto* key = s->add_option("--key", c.key_file, "result signing key (PEM EC P-256)");
  auto* keys = s->add_option("--keys", c.keys_dir,
                             "key directory (current.pem and previous/, accel-attest keys "
                             "rotate): the JWKS lists the previous keys too");
  key->excludes(keys);
  s->add_option("--store", o->store,
                "result store: sqlite:PATH, postgresql://... or memory: (tests; nothing kept)");
  s->add_option("--tls-cert", c.tls_cert, "TLS certificate chain (PEM)");
  s->add_option("--tls-key", c.tls_key, "TLS private key (PEM)");
  s->add_option("--client-ca", c.client_ca,
                "CA (PEM) of client certificates accepted for the API (mutual TLS)");
  s->add_option("--bearer-tokens", c.bearer_tokens,
                "file of accepted bearer tokens' hex SHA-256 hashes, one a line");
  s->add_flag("--allow-unauthenticated", c.allow_unauthenticated,
              "serve the API with no authentication (a loopback test only)");
  s->add_flag("--public-metrics", c.metrics_public, "/metrics needs no authentication");
  s->add_option("--policy", c.files.policy, "export policy JSON");
  s->add_option("--licence-dir", c.licence_dir,
                "directory of licences <name>.json, chosen per request with ?licence=<name>");
  s->add_option("--rim-store", c.files.rim_store, "directory of NVIDIA RIMs named <RIM_ID>.xml");
  s->add_option("--crl", c.files.crl_dir, "directory of CRL files");
  s->add_option("--ocsp", c.files.ocsp_dir, "directory of stored DER OCSP responses");
  s->add_option("--ak-ca", c.files.ak_ca, "trust anchor for the TPM AK certificate");
  s->add_option("--ak-intermediate", o->ak_intermediates, "intermediate CA for the AK certificate");
  s->add_option("--enrolment-key", o->enrolment_keys,
                "key(s) whose AK enrolment records are trusted: JWKS or PEM EC P-256");
  s->add_option("--pcr-policy", c.files.pcr_policy, "PCR policy JSON (docs/tpm.md)");
  s->add_option("--landmarks", c.files.landmarks, "trusted landmarks: appraise location evidence");
  s->add_flag("--allow-debug-modes", c.allow_debug_modes,
              "an NVIDIA device in devtools or debug mode is a warning, not a failure");
  s->add_option("--at", o->at,
                "verify every bundle at this RFC 3339 time instead of now (tests: a frozen "
                "time for recorded evidence; nonce expiry and token times stay the clock's)");
  s->add_option("--max-body", c.max_body, "largest request body in bytes (default 16 MiB)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{32} << 20));
  s->add_option("--threads", c.threads, "worker threads (default 8)")->check(CLI::Range(1, 256));
  s->add_option("--nonce-ttl", c.nonce_ttl, "seconds a challenge nonce lives (default 300)")
      ->check(CLI::Range(1L, 86400L));
  s->add_option("--ttl", c.token_ttl, "seconds a signed result stays valid (default 86400)")
      ->check(CLI::Range(60L, 86400L * 366));
  s->add_option("--head-interval", c.head_interval,
                "seconds between signed ledger heads (default 300; 0: none)")
      ->check(CLI::Range(0L, 86400L));
  s->add_option("--read-timeout", c.read_timeout,
                "seconds a request may take to arrive (default 10)")
      ->check(CLI::Range(1L, 600L));
  s->add_option("--write-timeout", c.write_timeout,
                "seconds a response may take to be taken (default 10)")
      ->check(CLI::Range(1L, 600L));
  s->add_option("--port-file", o->port_file, "write the port listened on to this file");
  s->add_flag("--list-routes", o->list_routes,
              "print the routes the server registers (JSON) and exit");
  s->callback([o, &ctx] { ctx.exit_code = run_serve(*o, ctx); });

  auto dir = std::make_shared<std::string>();
  CLI::App* k = app.add_subcommand("keys", "The service's key directory.");
  k->require_subcommand(1);
  CLI::App* rot = k->add_subcommand(
      "rotate",
      "Make a new current.pem in the key directory and keep the old one under previous/, so "
      "that `serve --keys` (after SIGHUP) signs with the new key and its JWKS still lists the "
      "old one: tokens signed before the rotation keep verifying.");
  rot->add_option("--dir", *dir, "key directory (created when missing)")->required();
  rot->callback([dir, &ctx] {
    auto kid = service::rotate_keys(*dir);
    if (!kid) {
      ctx.exit_code = fail(kid.error());
      return;
    }
    std::cout << "new current key " << *kid << " in " << *dir << "\n";
    ctx.exit_code = 0;
  });
}

}  // namespace aa::cli
