#include "service/server.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>

#include <httplib.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "accel_attest/verify.h"
#include "core/bytes.h"
#include "core/json_text.h"
#include "core/output_json.h"
#include "core/status.h"
#include "crypto/chain.h"
#include "crypto/x509.h"
#include "service/auth.h"
#include "service/http_server.h"
#include "service/keys.h"
#include "service/ledger_head.h"
#include "service/memory_store.h"
#include "service/metrics.h"

namespace aa::service {

namespace fs = std::filesystem;

namespace {

constexpr const char* kJson = "application/json";

// Everything a request is judged with, loaded together and swapped together.
struct Snapshot {
  accel_attest::References refs;
  std::map<std::string, std::shared_ptr<const Licence>> licences;
  std::shared_ptr<const KeySet> keys;
  std::string jwks_text;
  std::optional<BearerTokens> tokens;
};

bool licence_name_ok(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '-' && c != '_' && c != '.') return false;
  }
  return n[0] != '.';
}

Result<std::string> read_limited(const std::string& path, std::size_t max) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return make_error("input.missing-file", path, "no such file");
  if (fs::file_size(path, ec) > max) {
    return make_error("input.too-large", path, "larger than " + std::to_string(max) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<std::shared_ptr<const Snapshot>> load_snapshot(const ServeConfig& c) {
  AA_TRY(refs, accel_attest::References::load(c.files));
  std::map<std::string, std::shared_ptr<const Licence>> licences;
  if (!c.licence_dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(c.licence_dir, ec)) {
      return make_error("input.missing-directory", c.licence_dir, "no licence directory");
    }
    for (const auto& e : fs::directory_iterator(c.licence_dir, ec)) {
      if (e.path().extension() != ".json") continue;
      const std::string name = e.path().stem().string();
      if (!licence_name_ok(name)) continue;
      AA_TRY(text, read_limited(e.path().string(), 4u << 20));
      AA_TRY(lic, accel_attest::parse_licence(text, e.path().string()));
      licences[name] = std::move(lic);
    }
  }
  auto keys =
      c.keys_dir.empty() ? load_key_file(c.key_file, c.build) : load_key_dir(c.keys_dir, c.build);
  if (!keys) return keys.error();
  std::optional<BearerTokens> tokens;
  if (!c.bearer_tokens.empty()) {
    AA_TRY(t, BearerTokens::load(c.bearer_tokens));
    tokens = std::move(t);
  }
  std::string jwks = json_text(keys->jwks, 2) + "\n";
  return std::shared_ptr<const Snapshot>(std::make_shared<Snapshot>(Snapshot{
      std::move(refs), std::move(licences), std::make_shared<const KeySet>(std::move(*keys)),
      std::move(jwks), std::move(tokens)}));
}

std::string random_id() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return {};
  return hex_encode(ByteView(raw, sizeof raw));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// verify()'s nonce store during a request: consume() only CHECKS the nonce (ResultStore::
// check_nonce) and remembers it; the nonce is consumed by ResultStore::append(), in the same
// transaction as the ledger entry. The request's verify() does not appraise a refused nonce
// (VerifyOptions::appraise_refused_nonce): the refusal is its error, answered 409.
class CheckingNonces final : public accel_attest::NonceStore {
 public:
  explicit CheckingNonces(ResultStore& s) : s_(s) {}
  Result<std::string> issue(std::time_t, long) override {
    return make_error("internal.error", "nonce store", "not for issuing");
  }
  Status consume(const std::string& nonce_hex, std::time_t now) override {
    nonce = lower(nonce_hex);
    return s_.check_nonce(nonce, now);
  }
  std::string nonce;

 private:
  ResultStore& s_;
};

// verify()'s nonce store when append() lost the nonce: consume() refuses with that error, so
// the appraisal is the replay refusal (every device pipeline.evidence-replayed).
class RefusingNonces final : public accel_attest::NonceStore {
 public:
  explicit RefusingNonces(Error e) : e_(std::move(e)) {}
  Result<std::string> issue(std::time_t, long) override { return e_; }
  Status consume(const std::string&, std::time_t) override { return e_; }

 private:
  Error e_;
};

int http_status(const Error& e) {
  static const std::map<std::string, int> kStatus = {
      {"input.too-large", 413},   {"http.unauthorized", 401},
      {"http.not-found", 404},    {"http.method-not-allowed", 405},
      {"http.timeout", 408},      {"http.unsupported-media-type", 415},
      {"service.not-ready", 503}, {"internal.error", 500},
      {"jose.sign-failed", 500}};
  if (auto it = kStatus.find(e.code); it != kStatus.end()) return it->second;
  if (e.code.rfind("store.nonce-", 0) == 0) return 409;
  if (e.code.rfind("store.", 0) == 0) return 503;
  return 400;
}

std::string error_body(const Error& e) {
  Json doc = document("error");
  doc["error"] = error_json(e);
  return json_text(doc) + "\n";
}

void send_error(httplib::Response& res, const Error& e) {
  res.status = http_status(e);
  res.set_content(error_body(e), kJson);
}

void send_json(httplib::Response& res, int status, const Json& doc) {
  res.status = status;
  res.set_content(json_text(doc) + "\n", kJson);
}

bool is_json_type(const std::string& ct) {
  const std::string t = lower(ct.substr(0, ct.find(';')));
  std::string trimmed;
  for (char c : t)
    if (c != ' ' && c != '\t') trimmed += c;
  return trimmed == "application/json";
}

// The Content-Length header as a number (0 when absent or not a number: httplib refuses those).
std::uint64_t content_length(const httplib::Request& req) {
  const std::string v = req.get_header_value("Content-Length");
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  return std::stoull(v);
}

struct RouteDef {
  std::string method, pattern, label;
  bool auth;
  std::regex re;
};

thread_local std::chrono::steady_clock::time_point t_request_start;
thread_local bool t_request_timed = false;

}  // namespace

std::vector<Route> routes(const ServeConfig& c) {
  return {{"POST", "/v1/challenge", true},
          {"POST", "/v1/verify", true},
          {"GET", "/v1/results", true},
          {"GET", "/v1/results/{id}", true},
          {"GET", "/.well-known/jwks.json", false},
          {"GET", "/healthz", false},
          {"GET", "/readyz", false},
          {"GET", "/metrics", !c.metrics_public}};
}

Result<std::unique_ptr<ResultStore>> open_store(const std::string& url) {
  if (url == "memory:") return std::unique_ptr<ResultStore>(std::make_unique<MemoryResultStore>());
  return open_result_store(url);
}

struct Server::Impl {
  ServeConfig cfg;
  std::unique_ptr<ResultStore> store;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot;
  CertificateCache cache;
  Metrics metrics;
  std::unique_ptr<DeadlineServer> http;
  std::vector<RouteDef> table;
  std::atomic<bool> draining{false};
  // Why the last SIGHUP reload failed; null while the last one succeeded (or none was made).
  std::atomic<std::shared_ptr<const std::string>> reload_error;
  std::mutex head_mu;
  std::condition_variable head_cv;
  bool head_stop = false;

  const RouteDef* match(const std::string& path, std::vector<const RouteDef*>* same_path) const {
    const RouteDef* hit = nullptr;
    for (const auto& r : table) {
      if (std::regex_match(path, r.re)) {
        if (same_path) same_path->push_back(&r);
        if (!hit) hit = &r;
      }
    }
    return hit;
  }

  std::string label_of(const httplib::Request& req) const {
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    for (const auto& r : table)
      if (r.method == method && std::regex_match(req.path, r.re)) return r.label;
    return "other";
  }

  bool authenticated(const httplib::Request& req, const Snapshot& s) const {
    if (s.tokens) {
      if (s.tokens->accepts(bearer_of(req.get_header_value("Authorization")))) return true;
    }
    if (!cfg.client_ca.empty() && req.ssl) {
      X509* peer = SSL_get0_peer_certificate(req.ssl);
      if (peer && SSL_get_verify_result(req.ssl) == X509_V_OK) return true;
    }
    return !s.tokens && cfg.client_ca.empty() && cfg.allow_unauthenticated;
  }

  httplib::Server::HandlerResponse pre_route(const httplib::Request& req, httplib::Response& res) {
    t_request_start = std::chrono::steady_clock::now();
    t_request_timed = true;
    auto reject = [&](const Error& e) {
      send_error(res, e);
      // The body was not read: the connection cannot be reused.
      if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) {
        res.set_header("Connection", "close");
        close_after_this_response();
      }
      return httplib::Server::HandlerResponse::Handled;
    };
    std::vector<const RouteDef*> same;
    match(req.path, &same);
    if (same.empty()) {
      return reject(make_error("http.not-found", "path", "no such endpoint"));
    }
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    const RouteDef* route = nullptr;
    std::string allow;
    for (const auto* r : same) {
      if (r->method == method) route = r;
      allow += (allow.empty() ? "" : ", ") + r->method;
    }
    if (!route) {
      res.set_header("Allow", allow);
      return reject(make_error("http.method-not-allowed", "method",
                               req.method + " is not allowed here (allowed: " + allow + ")"));
    }
    if (route->auth) {
      auto snap = snapshot.load();
      if (!authenticated(req, *snap)) {
        res.set_header("WWW-Authenticate", "Bearer");
        return reject(make_error("http.unauthorized", "Authorization",
                                 "a valid bearer token or client certificate is required"));
      }
    }
    if (method == "POST") {
      const bool has_body = content_length(req) > 0 || req.has_header("Transfer-Encoding");
      if ((route->pattern == "/v1/verify" || has_body) &&
          !is_json_type(req.get_header_value("Content-Type"))) {
        return reject(make_error("http.unsupported-media-type", "Content-Type",
                                 "the body must be application/json"));
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  // httplib's own refusals (oversize body, a body that did not arrive, a request it could not
  // parse) get the JSON error document too.
  httplib::Server::HandlerResponse on_error(const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Error e;
    if (res.status == 413) {
      e = make_error("input.too-large", "body",
                     "the body is larger than " + std::to_string(cfg.max_body) + " bytes");
    } else if (res.status == 404) {
      e = make_error("http.not-found", "path", "no such endpoint");
    } else if (res.status == 400 && req.has_header("Content-Length") &&
               req.body.size() < content_length(req)) {
      e = make_error("http.timeout", "body",
                     "the body did not arrive within " + std::to_string(cfg.read_timeout) + " s");
    } else {
      e = make_error("http.bad-request", "request",
                     "the request line or headers could not be read (malformed, or not complete "
                     "within " +
                         std::to_string(cfg.read_timeout) + " s)");
    }
    send_error(res, e);
    res.set_header("Connection", "close");
    close_after_this_response();
    return httplib::Server::HandlerResponse::Handled;
  }

  void challenge(const httplib::Request& req, httplib::Response& res) {
    if (!req.params.empty()) {
      return send_error(res, make_error("input.unknown-field", req.params.begin()->first,
                                        "unknown query parameter"));
    }
    // No body, or a JSON object (ignored): the challenge takes no input.
    const auto first = req.body.find_first_not_of(" \t\r\n");
    if (first != std::string::npos) {
      Json b = Json::parse(req.body, nullptr, false);
      if (b.is_discarded() || !b.is_object()) {
        return send_error(res, make_error("input.bad-value", "body",
                                          "POST /v1/challenge takes no body, or a JSON object"));
      }
    }
    const std::time_t now = std::time(nullptr);
    auto n = store->issue_nonce(now, cfg.nonce_ttl);
    if (!n) return send_error(res, n.error());
    Json doc = document("service-challenge");
    doc["nonce"] = *n;
    doc["expires_at"] = x509::rfc3339(now + cfg.nonce_ttl);
    send_json(res, 201, doc);
  }

  // The signed result of `v` and its ledger record (the document without its ledger part).
  Result<NewResult> result_of(const Snapshot& s, const accel_attest::Verification& v,
                              std::time_t at, std::time_t now, const std::string& nonce,
                              bool nonce_accepted) {
    const accel_attest::Signer& signer = s.keys->current;
    Json claims = accel_attest::result_claims(v, signer, now, cfg.token_ttl);
    AA_TRY(token, accel_attest::sign_claims(signer, claims));
    NewResult nr;
    nr.id = random_id();
    if (nr.id.empty()) return make_error("internal.error", "id", "no random bytes");
    nr.verified_at = now;
    nr.host = v.host_name;
    nr.status = to_string(v.result.status);
    nr.bundle_sha256 = v.bundle_sha256;
    nr.nonce_hex = nonce_accepted ? nonce : "";
    nr.token = token;
    Json findings = Json::array();
    for (const auto& sm : v.result.submods) {
      for (const auto& f : sm.findings) findings.push_back(finding_json(f, sm.label));
      if (sm.kind == DeviceKind::kHost) continue;
      for (const auto* id : {&sm.ueid, &sm.serial}) {
        if (*id && std::find(nr.devices.begin(), nr.devices.end(), **id) == nr.devices.end()) {
          nr.devices.push_back(**id);
        }
      }
    }
    Json doc = document("service-result");
    doc["id"] = nr.id;
    doc["status"] = nr.status;
    doc["host"] = nr.host;
    doc["devices"] = nr.devices;
    doc["at"] = x509::rfc3339(at);
    doc["verified_at"] = x509::rfc3339(now);
    doc["nonce"] = v.result.nonce_hex;
    doc["nonce_accepted"] = nonce_accepted;
    doc["bundle_sha256"] = nr.bundle_sha256;
    doc["kid"] = signer.kid;
    doc["token"] = token;
    doc["findings"] = std::move(findings);
    nr.document = json_text(utf8_safe(std::move(doc)));  // moved: the token is most of it
    return nr;
  }

  // The stored document with its ledger part. `fresh`: the document is the JSON text of an
  // object this request just wrote, so the ledger member is spliced in before its closing brace
  // (no re-parse on the verify path); a document read back from the store is parsed and
  // re-written (a row edited by hand gives whatever object it holds, with the ledger part).
  static std::string with_ledger(const LedgerEntry& e, bool fresh) {
    const Json ledger = {
        {"position", e.position}, {"prev_hash", e.prev_hash}, {"entry_hash", e.entry_hash}};
    const std::string& d = e.result.document;
    if (fresh && d.size() > 2 && d.front() == '{' && d.back() == '}') {
      const std::string part = json_text(ledger);
      std::string out;
      out.reserve(d.size() + part.size() + 12);
      out.append(d, 0, d.size() - 1).append(",\"ledger\":").append(part).append("}\n");
      return out;
    }
    Json doc = Json::parse(d, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) doc = Json::object();
    doc["ledger"] = ledger;
    return json_text(utf8_safe(doc)) + "\n";
  }

  static void send_text(httplib::Response& res, int status, std::string body) {
    res.status = status;
    res.set_content(std::move(body), kJson);
  }

  void verify(const httplib::Request& req, httplib::Response& res) {
    const std::shared_ptr<const Snapshot> snap = snapshot.load();  // this request's references
    const std::time_t now = std::time(nullptr);
    const std::time_t at = cfg.frozen_at.value_or(now);
    accel_attest::VerifyOptions vo;
    vo.origin = "bundle";
    vo.at = at;
    vo.now = now;
    vo.allow_debug_modes = cfg.allow_debug_modes;
    vo.certificate_cache = &cache;
    for (const auto& [k, _] : req.params) {
      if (k != "licence") {
        return send_error(res, make_error("input.unknown-field", k, "unknown query parameter"));
      }
    }
    if (req.has_param("licence")) {
      const std::string name = req.get_param_value("licence");
      auto it = licence_name_ok(name) ? snap->licences.find(name) : snap->licences.end();
      if (req.get_param_value_count("licence") != 1) {
        return send_error(res, make_error("input.bad-value", "licence", "given more than once"));
      }
      if (it == snap->licences.end()) {
        return send_error(res, make_error("input.bad-value", "licence",
                                          "no licence of that name in the licence directory"));
      }
      vo.licence = it->second;
    }
    CheckingNonces checking(*store);
    vo.nonce_store = &checking;
    vo.appraise_refused_nonce = false;  // a replay is a 409, not an appraisal
    auto v = accel_attest::verify(snap->refs, req.body, vo);
    if (!v) return send_error(res, v.error());
    auto nr = result_of(*snap, *v, at, now, checking.nonce, true);
    if (!nr) return send_error(res, nr.error());
    auto entry = store->append(checking.nonce, now, *nr);
    if (!entry && entry.error().code.rfind("store.nonce-", 0) == 0) {
      // Lost the nonce between the check and the append (another request or replica used it,
      // or it expired): never the pass. The replay refusal is what is signed and ledgered.
      RefusingNonces refusing(entry.error());
      vo.nonce_store = &refusing;
      vo.appraise_refused_nonce = true;
      auto replay = accel_attest::verify(snap->refs, req.body, vo);
      if (!replay) return send_error(res, replay.error());
      auto nr2 = result_of(*snap, *replay, at, now, "", false);
      if (!nr2) return send_error(res, nr2.error());
      entry = store->append("", now, *nr2);
    }
    if (!entry) return send_error(res, entry.error());
    metrics.verdict(entry->result.status);
    send_text(res, 201, with_ledger(*entry, true));
  }

  void result(const httplib::Request& req, httplib::Response& res) {
    if (!req.params.empty()) {
      return send_error(res, make_error("input.unknown-field", req.params.begin()->first,
                                        "unknown query parameter"));
    }
    const std::string id = req.matches[1];
    if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return send_error(res, make_error("http.not-found", "id", "no result with this id"));
    }
    auto e = store->get(id);
    if (!e) return send_error(res, e.error());
    if (!*e) return send_error(res, make_error("http.not-found", "id", "no result with this id"));
    send_text(res, 200, with_ledger(**e, false));
  }

  void results(const httplib::Request& req, httplib::Response& res) {
    ResultQuery q;
    for (const auto& param : req.params) {
      // (Not a structured binding: clang 14 cannot capture one in the lambda below.)
      const std::string& k = param.first;
      const std::string& value = param.second;
      if (req.get_param_value_count(k) != 1) {
        return send_error(res, make_error("input.bad-value", k, "given more than once"));
      }
      auto number = [&](std::int64_t lo, std::int64_t hi) -> std::optional<std::int64_t> {
        if (value.empty() || value.size() > 18) return std::nullopt;
        for (char c : value)
          if (c < '0' || c > '9') return std::nullopt;
        const std::int64_t n = std::stoll(value);
        if (n < lo || n > hi) return std::nullopt;
        return n;
      };
      if (k == "host") {
        q.host = value;
      } else if (k == "device") {
        q.device = value;
      } else if (k == "status") {
        if (value != "affirming" && value != "warning" && value != "contraindicated" &&
            value != "none") {
          return send_error(
              res, make_error("input.bad-value", k, "affirming, warning, contraindicated or none"));
        }
        q.status = value;
      } else if (k == "since") {
        auto t = x509::parse_rfc3339(value);
        if (!t) return send_error(res, make_error("input.bad-value", k, "not an RFC 3339 time"));
        q.since = *t;
      } else if (k == "after") {
        auto n = number(0, std::int64_t{1} << 62);
        if (!n) return send_error(res, make_error("input.bad-value", k, "not a cursor"));
        q.after_position = *n;
      } else if (k == "limit") {
        auto n = number(1, 1000);
        if (!n) return send_error(res, make_error("input.bad-value", k, "an integer 1 to 1000"));
        q.limit = static_cast<std::size_t>(*n);
      } else {
        return send_error(res, make_error("input.unknown-field", k, "unknown query parameter"));
      }
    }
    auto page = store->query(q);
    if (!page) return send_error(res, page.error());
    Json doc = document("service-results");
    Json list = Json::array();
    for (const auto& e : page->entries) {
      list.push_back({{"id", e.result.id},
                      {"position", e.position},
                      {"verified_at", x509::rfc3339(e.result.verified_at)},
                      {"host", e.result.host},
                      {"devices", e.result.devices},
                      {"status", e.result.status},
                      {"bundle_sha256", e.result.bundle_sha256},
                      {"entry_hash", e.entry_hash}});
    }
    doc["results"] = std::move(list);
    doc["next"] = page->next_after ? Json(std::to_string(*page->next_after)) : Json(nullptr);
    send_json(res, 200, utf8_safe(doc));
  }

  void readyz(httplib::Response& res) {
    if (draining) {
      return send_error(res, make_error("service.not-ready", "server", "shutting down"));
    }
    if (auto why = reload_error.load()) {
      // Still serving with the references it had, but not what the operator last asked for
      // (a token revoked in the file is still accepted): say so until a reload succeeds.
      return send_error(res, make_error("service.not-ready", "reload",
                                        "the last SIGHUP reload failed (" + *why +
                                            "): serving with the references loaded before it"));
    }
    auto s = store->stats(std::time(nullptr));
    if (!s) {
      return send_error(res, make_error("service.not-ready", "store", s.error().to_string()));
    }
    Json doc = document("service-health");
    doc["status"] = "ready";
    send_json(res, 200, doc);
  }

  void metrics_page(httplib::Response& res) {
    auto s = store->stats(std::time(nullptr));
    res.status = 200;
    res.set_content(metrics.render(s ? s->live_nonces : -1, s ? s->ledger_length : -1),
                    "text/plain; version=0.0.4");
  }

  void head_loop() {
    std::int64_t signed_length = 0;  // a head is signed only when the ledger grew since the last
    std::unique_lock<std::mutex> lock(head_mu);
    while (!head_stop) {
      head_cv.wait_for(lock, std::chrono::seconds(cfg.head_interval));
      if (head_stop) break;
      lock.unlock();
      auto snap = snapshot.load();
      if (auto st =
              sign_ledger_head(*store, snap->keys->current, std::time(nullptr), &signed_length);
          !st) {
        std::cerr << "accel-attest serve: ledger head not signed: " << st.error().to_string()
                  << "\n";
      }
      lock.lock();
    }
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

ResultStore& Server::store() {
  return *impl_->store;
}

// Whether `host` is a numeric loopback address (127.0.0.0/8 or ::1): the only listener that
// --allow-unauthenticated may have.
static bool loopback_host(const std::string& host) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

// The TLS context: TLS 1.2 or later, the server's chain and key, and with a client CA a
// certificate asked of every client -- one that does not verify ends the handshake; one that
// is absent does not, so that the public endpoints stay public. Each protected endpoint then
// requires a verified one (or a bearer token).
static bool configure_tls(SSL_CTX& ctx, const ServeConfig& cfg) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(&ctx, cfg.tls_cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(&ctx, cfg.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    return false;
  }
  if (!cfg.client_ca.empty()) {
    if (SSL_CTX_load_verify_locations(&ctx, cfg.client_ca.c_str(), nullptr) != 1) return false;
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(cfg.client_ca.c_str());
    if (!names) return false;
    SSL_CTX_set_client_CA_list(&ctx, names);
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
  }
  return true;
}

Result<std::unique_ptr<Server>> Server::create(const ServeConfig& c,
                                               std::unique_ptr<ResultStore> store) {
  if (c.key_file.empty() == c.keys_dir.empty()) {
    return make_error("input.bad-value", "--key", "give --key or --keys, exactly one");
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return make_error("input.missing-field", "--tls-key", "TLS needs --tls-cert and --tls-key");
  }
  if (!c.client_ca.empty() && c.tls_cert.empty()) {
    return make_error("input.missing-field", "--tls-cert", "--client-ca needs TLS");
  }
  if (c.bearer_tokens.empty() && c.client_ca.empty() && !c.allow_unauthenticated) {
    return make_error("input.missing-field", "--bearer-tokens",
                      "the API needs authentication: --bearer-tokens and/or --client-ca (or "
                      "--allow-unauthenticated, for a loopback test only)");
  }
  if (c.allow_unauthenticated && !loopback_host(c.host)) {
    return make_error(
        "input.bad-value", "--allow-unauthenticated",
        "only with a numeric loopback --listen address (127.0.0.1, ::1), not " + c.host);
  }
  if (!store) return make_error("internal.error", "store", "no store");
  auto impl = std::make_unique<Impl>();
  impl->cfg = c;
  impl->store = std::move(store);
  AA_TRY(snap, load_snapshot(c));
  impl->snapshot.store(snap);
  SslCtxPtr tls;
  if (!c.tls_cert.empty()) {
    tls.reset(SSL_CTX_new(TLS_server_method()));
    if (!tls || !configure_tls(*tls, c)) {
      return make_error("input.bad-value", "--tls-cert",
                        "the TLS certificate, key or client CA cannot be used");
    }
  }
  impl->http = std::make_unique<DeadlineServer>(std::move(tls), c.threads);
  Impl* p = impl.get();
  for (const auto& r : routes(c)) {
    std::string re = std::regex_replace(r.path, std::regex(R"(\{[a-z]+\})"), "([^/]+)");
    re = std::regex_replace(re, std::regex(R"(\.)"), "\\.");
    p->table.push_back(RouteDef{r.method, r.path, r.path, r.authenticated, std::regex(re)});
  }
  httplib::Server& h = *p->http;
  h.set_payload_max_length(c.max_body);
  h.set_read_timeout(c.read_timeout, 0);
  h.set_write_timeout(c.write_timeout, 0);
  // A response is written as headers, then body: without TCP_NODELAY the second write waits
  // for the client's delayed ACK (40 ms on Linux) on a keep-alive connection.
  h.set_tcp_nodelay(true);
  h.set_keep_alive_timeout(5);
  h.set_keep_alive_max_count(1000);
  h.set_pre_routing_handler(
      [p](const httplib::Request& req, httplib::Response& res) { return p->pre_route(req, res); });
  h.set_error_handler(httplib::Server::HandlerWithResponse(
      [p](const httplib::Request& req, httplib::Response& res) { return p->on_error(req, res); }));
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, make_error("internal.error", "server", "the request could not be handled"));
  });
  h.set_logger([p](const httplib::Request& req, const httplib::Response& res) {
    double secs = 0;
    if (t_request_timed) {
      secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t_request_start).count();
      t_request_timed = false;
    }
    p->metrics.request(p->label_of(req), res.status, secs);
  });
  h.Post("/v1/challenge",
         [p](const httplib::Request& q, httplib::Response& r) { p->challenge(q, r); });
  h.Post("/v1/verify", [p](const httplib::Request& q, httplib::Response& r) {
    p->verify(q, r);
    // A large body leaves its parse's memory in the allocator's arenas; give it back, so that
    // a few hostile 16 MiB bodies do not keep the process at gigabytes.
    if (q.body.size() > (std::size_t{1} << 20)) malloc_trim(0);
  });
  h.Get("/v1/results", [p](const httplib::Request& q, httplib::Response& r) { p->results(q, r); });
  h.Get("/v1/results/([^/]+)",
        [p](const httplib::Request& q, httplib::Response& r) { p->result(q, r); });
  h.Get("/\\.well-known/jwks\\.json", [p](const httplib::Request&, httplib::Response& r) {
    r.set_header("Cache-Control", "max-age=60");
    r.set_content(p->snapshot.load()->jwks_text, kJson);
  });
  h.Get("/healthz", [](const httplib::Request&, httplib::Response& r) {
    Json doc = document("service-health");
    doc["status"] = "ok";
    send_json(r, 200, doc);
  });
  h.Get("/readyz", [p](const httplib::Request&, httplib::Response& r) { p->readyz(r); });
  h.Get("/metrics", [p](const httplib::Request&, httplib::Response& r) { p->metrics_page(r); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<int> Server::bind() {
  httplib::Server& h = *impl_->http;
  if (impl_->cfg.port == 0) {
    const int port = h.bind_to_any_port(impl_->cfg.host);
    if (port <= 0 || !impl_->http->apply_backlog())
      return make_error("input.bad-value", "--listen", "cannot bind " + impl_->cfg.host);
    return port;
  }
  if (!h.bind_to_port(impl_->cfg.host, impl_->cfg.port) || !impl_->http->apply_backlog()) {
    return make_error("input.bad-value", "--listen",
                      "cannot bind " + impl_->cfg.host + ":" + std::to_string(impl_->cfg.port));
  }
  return impl_->cfg.port;
}

Status Server::run() {
  Impl& p = *impl_;
  std::thread head;
  if (p.cfg.head_interval > 0) head = std::thread([&p] { p.head_loop(); });
  const bool ok = p.http->listen_after_bind();
  {
    std::lock_guard<std::mutex> lock(p.head_mu);
    p.head_stop = true;
  }
  p.head_cv.notify_all();
  if (head.joinable()) head.join();
  if (!ok && !p.draining) return make_error("internal.error", "server", "the listener failed");
  return Ok{};
}

void Server::stop() {
  impl_->draining = true;
  impl_->http->stop();
}

Status Server::reload() {
  auto snap = load_snapshot(impl_->cfg);
  impl_->metrics.reload(static_cast<bool>(snap));
  if (!snap) {
    impl_->reload_error.store(std::make_shared<const std::string>(snap.error().to_string()));
    return snap.error();
  }
  impl_->snapshot.store(*snap);
  impl_->reload_error.store(nullptr);
  return Ok{};
}

}  // namespace aa::service
