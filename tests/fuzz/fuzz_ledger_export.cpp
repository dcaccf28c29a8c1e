// libFuzzer target: a ledger export file (`ledger export`, accel-attest/ledger-archive/v1) as
// `ledger verify --export` reads it from an auditor's disk: parsed, then walked (hashes, links,
// positions, heads) with no keys. The seed two-entries.json is the first two entries of a ledger
// written by tests/load/run.sh against a SQLite store.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "results/jose.h"
#include "store/ledger.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto x = aa::ledger::parse_export(text, "fuzz");
  if (!x) {
    if (x.error().code.empty() || x.error().field.rfind("fuzz", 0) != 0) std::abort();
    return 0;
  }
  const aa::jose::Jwks none;
  auto report = aa::ledger::verify_export(*x, none);
  if (report.first_break && report.first_break->code.empty()) std::abort();
  return 0;
}
