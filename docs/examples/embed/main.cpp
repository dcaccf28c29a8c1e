// Embedding accel-attest: verify one evidence bundle from several threads at once through the
// public API (verifier/include/accel_attest/), with one shared, immutable reference set and
// one shared certificate cache, and print the EAR claims each thread signed.
//
//   embed_example PROFILES BUNDLE AK_CA LICENCE TIME KEY [THREADS] [ROUNDS]
//
// Every thread verifies the bundle ROUNDS times (default 2: cold, then warm through the
// cache), against the bundle's own nonce as the issued one (as `verify --nonce` does), at the
// RFC 3339 time TIME, and signs the claims with the PEM P-256 key KEY. The program prints the
// claims of the first result (JSON, keys sorted, without iat and exp, the signing time) and
// exits 0 only when every result of every thread has exactly those claims and its signature
// verifies; tests/cli/run_embed_tests.sh compares them with `accel-attest verify --json`.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "accel_attest/accel_attest.h"
#include "crypto/x509.h"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int usage() {
  std::cerr << "usage: embed_example PROFILES BUNDLE AK_CA LICENCE TIME KEY [THREADS] [ROUNDS]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) return usage();
  const int threads = argc > 7 ? std::atoi(argv[7]) : 4;
  const int rounds = argc > 8 ? std::atoi(argv[8]) : 2;
  if (threads < 1 || rounds < 1) return usage();

  accel_attest::ReferenceFiles files;
  files.profiles_dir = argv[1];
  files.ak_ca = argv[3];
  auto refs = accel_attest::References::load(files);
  if (!refs) {
    std::cerr << refs.error().to_string() << "\n";
    return 2;
  }
  const std::string bundle = slurp(argv[2]);
  auto licence = accel_attest::parse_licence(slurp(argv[4]), argv[4]);
  if (!licence) {
    std::cerr << licence.error().to_string() << "\n";
    return 2;
  }
  auto at = aa::x509::parse_rfc3339(argv[5]);
  if (!at) return usage();
  auto signer = accel_attest::load_signer(slurp(argv[6]), argv[6]);
  if (!signer) {
    std::cerr << signer.error().to_string() << "\n";
    return 2;
  }
  auto keys = aa::jose::jwks_from_pem(slurp(argv[6]), argv[6]);
  if (!keys) {
    std::cerr << keys.error().to_string() << "\n";
    return 2;
  }
  // The bundle's own nonce stands for the one this verifier issued, as in tools/run-examples.sh.
  auto nonce_at = bundle.find("\"nonce\"");
  auto q1 = bundle.find('"', bundle.find(':', nonce_at) + 1);
  auto q2 = bundle.find('"', q1 + 1);
  auto nonce = accel_attest::parse_nonce(bundle.substr(q1 + 1, q2 - q1 - 1), "bundle nonce");
  if (nonce_at == std::string::npos || !nonce) return usage();

  aa::CertificateCache cache;  // shared by every thread: the second round is the warm path
  std::vector<std::vector<std::string>> out(static_cast<size_t>(threads));
  std::vector<std::string> errors(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r) {
        accel_attest::VerifyOptions o;
        o.at = *at;
        o.expected_nonce = *nonce;
        o.licence = *licence;
        o.certificate_cache = &cache;
        o.origin = argv[2];
        auto v = accel_attest::verify(*refs, bundle, o);
        if (!v) {
          errors[static_cast<size_t>(t)] = v.error().to_string();
          return;
        }
        aa::Json claims = accel_attest::result_claims(*v, *signer, *at, 3600);
        auto token = accel_attest::sign_claims(*signer, claims);
        aa::ear::TokenPolicy p;
        p.read.now = *at;
        if (!token || !accel_attest::verify_result(*token, *keys, "token", p)) {
          errors[static_cast<size_t>(t)] = "the signed result does not verify";
          return;
        }
        claims.erase("iat");
        claims.erase("exp");
        out[static_cast<size_t>(t)].push_back(claims.dump(2));
      }
    });
  }
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t) {
    if (!errors[static_cast<size_t>(t)].empty()) {
      std::cerr << "thread " << t << ": " << errors[static_cast<size_t>(t)] << "\n";
      return 1;
    }
  }
  const std::string& first = out[0][0];
  for (int t = 0; t < threads; ++t) {
    for (int r = 0; r < rounds; ++r) {
      if (out[static_cast<size_t>(t)][static_cast<size_t>(r)] != first) {
        std::cerr << "thread " << t << " round " << r << ": claims differ from thread 0's\n";
        return 1;
      }
    }
  }
  std::cout << first << "\n";
  std::cerr << threads << " threads x " << rounds << " rounds: identical claims; " << cache.size()
            << " chains cached\n";
  return 0;
}
