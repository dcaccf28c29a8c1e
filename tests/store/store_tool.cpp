// A test tool for the result stores (tests/cli/run_ledger_tests.sh): fills a store's ledger the
// way `serve` does (a nonce issued, then consumed by the append), and signs its head.
//   store_tool fill URL N KEY.pem [sign]  append N results, each with a token KEY signs (iat,
//                                         ear_status, eat_nonce as `serve` writes them) and
//                                         its document; with "sign", then sign the head
//   store_tool sign URL KEY.pem       sign the current head
// Times are frozen (2026-09-21 onwards), so that exports are the same at every run.
#include <openssl/pem.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "core/bytes.h"
#include "core/json.h"
#include "crypto/x509.h"
#include "results/jose.h"
#include "store/ledger.h"
#include "store/result_store.h"
#include "store/signed_result.h"

namespace {

constexpr std::time_t kNow = 1790000000;

aa::ossl::PKey read_key(const std::string& pem_path) {
  std::ifstream in(pem_path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string pem = ss.str();
  aa::ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return aa::ossl::PKey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

int sign(aa::ResultStore& s, const std::string& pem_path, std::time_t at) {
  aa::ossl::PKey key = read_key(pem_path);
  if (!key) {
    std::cerr << "store_tool: cannot read " << pem_path << "\n";
    return 2;
  }
  auto h = aa::ledger::sign_head(s, key.get(), aa::jose::thumbprint(key.get()), at);
  if (!h) {
    std::cerr << h.error().to_string() << "\n";
    return 1;
  }
  std::cout << "signed head at position " << h->position << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: store_tool fill URL N [KEY.pem] | sign URL KEY.pem\n";
    return 2;
  }
  const std::string cmd = argv[1];
  auto s = aa::open_result_store(argv[2]);
  if (!s) {
    std::cerr << s.error().to_string() << "\n";
    return 2;
  }
  auto st = (*s)->stats(kNow);
  if (!st) {
    std::cerr << st.error().to_string() << "\n";
    return 2;
  }
  if (cmd == "sign") return sign(**s, argv[3], kNow + 100000 + st->ledger_length);
  if (cmd != "fill" || argc < 5) return 2;
  const int n = std::stoi(argv[3]);
  aa::ossl::PKey key = read_key(argv[4]);
  if (!key) {
    std::cerr << "store_tool: cannot read " << argv[4] << "\n";
    return 2;
  }
  const std::string kid = aa::jose::thumbprint(key.get());
  for (int i = 0; i < n; ++i) {
    const auto k = st->ledger_length + i + 1;
    const std::time_t at = kNow + 60 * k;
    auto nonce = (*s)->issue_nonce(at - 5, 600);
    if (!nonce) {
      std::cerr << nonce.error().to_string() << "\n";
      return 1;
    }
    aa::NewResult r;
    char id[33];
    std::snprintf(id, sizeof id, "%032llx", static_cast<unsigned long long>(k));
    r.id = id;
    r.verified_at = at;
    r.host = "node-" + std::to_string(k % 4);
    r.devices = {"GPU-" + std::to_string(k)};
    r.status = k % 5 ? "affirming" : "warning";
    r.bundle_sha256 = std::string(64, 'a');
    if (auto signed_ok =
            aa::testing::sign_as_serve(r, key.get(), kid, *nonce, aa::Json{{"result", k}});
        !signed_ok) {
      std::cerr << signed_ok.error().to_string() << "\n";
      return 1;
    }
    auto e = (*s)->append(*nonce, at, r);
    if (!e) {
      std::cerr << e.error().to_string() << "\n";
      return 1;
    }
  }
  if (argc > 5 && std::string(argv[5]) == "sign") {
    return sign(**s, argv[4], kNow + 100000 + st->ledger_length + n);
  }
  return 0;
}
