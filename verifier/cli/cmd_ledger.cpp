// The result ledger: accel-attest ledger verify, ledger export (docs/ledger.md).
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "core/json_text.h"
#include "crypto/x509.h"
#include "store/ledger.h"
#include "store/result_store.h"

namespace aa::cli {

namespace {

// The store to verify or export: it must exist (an SQLite path that names no file would be
// created empty and look intact).
Result<std::unique_ptr<ResultStore>> open_existing(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    const std::string path = url.substr(kSqlite.size());
    std::error_code ec;
    if (!path.empty() && !std::filesystem::is_regular_file(path, ec)) {
      return make_error("input.missing-file", path, "no such SQLite store");
    }
  }
  return open_result_store(url);
}

struct LedgerVerifyOptions {
  std::string store, archive, jwks, key, at;
  long max_unsigned_age = 3600;
};

Json break_json(const ledger::Break& b) {
  return Json{{"position", b.position}, {"code", b.code}, {"message", b.message}};
}

int ledger_verify(const LedgerVerifyOptions& o) {
  if (o.store.empty() == o.archive.empty()) {
    return fail(make_error("input.missing-field", "--store",
                           "give the ledger as --store URL or as an export file (--export)"));
  }
  jose::Jwks keys;
  if (!o.jwks.empty() || !o.key.empty()) {
    auto k = load_verification_keys(o.jwks, o.key);
    if (!k) return fail(k.error());
    keys = std::move(*k);
  }
  ledger::VerifyOptions vo;
  vo.now = std::time(nullptr);
  if (!o.at.empty()) {
    auto at = x509::parse_rfc3339(o.at);
    if (!at) return fail(make_error("input.bad-value", "--at", "not an RFC 3339 time"));
    vo.now = *at;
  }
  vo.max_unsigned_age = o.max_unsigned_age;
  ledger::VerifyReport r;
  if (!o.store.empty()) {
    auto s = open_existing(o.store);
    if (!s) return fail(s.error());
    auto v = ledger::verify_ledger(**s, keys, vo);
    if (!v) return fail(v.error());
    r = std::move(*v);
  } else {
    auto text = read_file(o.archive, std::size_t{1} << 30);
    if (!text) return fail(text.error());
    auto x = ledger::parse_export(*text, o.archive);
    if (!x) return fail(x.error());
    r = ledger::verify_export(*x, keys, vo);
  }
  const bool keyed = !keys.keys.empty();
  if (output_state().json) {
    Json doc = document("ledger-verify");
    doc["source"] = o.store.empty() ? "export" : "store";
    doc["intact"] = r.intact();
    doc["entries"] = r.entries;
    doc["first_position"] = r.first_position;
    doc["last_position"] = r.last_position;
    doc["heads_checked"] = keyed;
    doc["heads"] = r.heads;
    doc["covered_up_to"] = r.covered_up_to;
    doc["break"] = r.first_break ? break_json(*r.first_break) : Json(nullptr);
    std::cout << json_text(doc, 2) << "\n";
  } else if (r.first_break) {
    std::cout << "BROKEN at position " << r.first_break->position << ": " << r.first_break->code
              << ": " << r.first_break->message << "\n";
  } else {
    std::cout << "INTACT: " << r.entries << " entries";
    if (r.entries > 0) {
      std::cout << " (positions " << r.first_position << ".." << r.last_position << ")";
    }
    std::cout << "\n";
    if (!keyed) {
      std::cout << "  signed heads not checked (no --jwks or --key): the chain is consistent, "
                   "but nothing shows it is the chain the verifier signed\n";
    } else {
      std::cout << "  " << r.heads << " signed heads verified; covered up to position "
                << r.covered_up_to << "\n";
      if (r.covered_up_to < r.last_position) {
        std::cout << "  positions " << r.covered_up_to + 1 << ".." << r.last_position
                  << " are after the last signed head: their removal would not be detected\n";
      }
    }
  }
  return r.first_break ? 1 : 0;
}

struct LedgerExportOptions {
  std::string store, since, out = "-";
};

int ledger_export(const LedgerExportOptions& o) {
  std::optional<std::time_t> since;
  if (!o.since.empty()) {
    since = x509::parse_rfc3339(o.since);
    if (!since) return fail(make_error("input.bad-value", "--since", "not an RFC 3339 time"));
  }
  if (auto w = check_writable(o.out); !w) return fail(w.error());
  auto s = open_existing(o.store);
  if (!s) return fail(s.error());
  auto doc = ledger::export_ledger(**s, since);
  if (!doc) return fail(doc.error());
  if (auto w = write_file_atomic(o.out, json_text(*doc, 2) + "\n"); !w) return fail(w.error());
  const std::size_t entries = (*doc)["entries"].size(), heads = (*doc)["heads"].size();
  if (output_state().json) {
    Json summary = document("ledger-export");
    summary["out"] = o.out;
    summary["entries"] = entries;
    summary["heads"] = heads;
    summary["first_position"] = (*doc)["first_position"];
    summary["last_position"] = (*doc)["last_position"];
    std::cout << json_text(summary, 2) << "\n";
  } else {
    std::cout << "exported " << entries << " entries (positions "
              << (*doc)["first_position"].get<std::int64_t>() << ".."
              << (*doc)["last_position"].get<std::int64_t>() << ") and " << heads
              << " signed heads to " << o.out << "\n";
  }
  return 0;
}

}  // namespace

void add_ledger(CLI::App& app, Context& ctx) {
  CLI::App* lg = app.add_subcommand(
      "ledger",
      "The tamper-evident result ledger of `serve` (docs/ledger.md): verify its hash chain and "
      "signed heads, export it for an auditor.");
  lg->require_subcommand(1);

  auto vo = std::make_shared<LedgerVerifyOptions>();
  CLI::App* v = lg->add_subcommand(
      "verify",
      "Walk the whole ledger, recompute every entry hash, check every link and every signed "
      "head, and name the first break with its position. With --jwks or --key, every entry's "
      "token must verify and agree with the entry and its document, and entries older than "
      "--max-unsigned-age must be covered by a signed head. Exit 0: intact; 1: a break; 2: bad "
      "input; 3: internal error.");
  auto* store = v->add_option("--store", vo->store,
                              "the result store: sqlite:PATH or postgresql://... (libpq URI)");
  auto* exp = v->add_option("--export", vo->archive,
                            "an export file of `ledger export` instead of a store ('-' for stdin)");
  store->excludes(exp);
  auto* jwks = v->add_option("--jwks", vo->jwks,
                             "JWKS of the result keys that sign the heads (without it, or "
                             "--key, the heads are not checked)");
  auto* key = v->add_option("--key", vo->key, "PEM EC P-256 key whose public half signs the heads");
  jwks->excludes(key);
  v->add_option("--max-unsigned-age", vo->max_unsigned_age,
                "with --jwks/--key: seconds an entry may go without a signed head covering it "
                "before that is a break (ledger.unsigned-entry); -1: report only (default 3600)")
      ->check(CLI::Range(-1L, 10L * 365 * 86400));
  v->add_option("--at", vo->at, "the time entry ages are judged at (RFC 3339; default now)");
  v->add_flag("--json")->description("print JSON (schema accel-attest/ledger-verify/v1)");
  v->callback([vo, &ctx] { ctx.exit_code = ledger_verify(*vo); });

  auto eo = std::make_shared<LedgerExportOptions>();
  CLI::App* e = lg->add_subcommand(
      "export",
      "Write the ledger's entries with their hashes, and the signed heads that cover them, as "
      "one JSON document (schema accel-attest/ledger-archive/v1) that `ledger verify --export` "
      "checks offline.");
  e->add_option("--store", eo->store, "the result store: sqlite:PATH or postgresql://...")
      ->required();
  e->add_option("--since", eo->since,
                "start at the first entry verified at or after this RFC 3339 time (the export "
                "runs from there to the tip)");
  e->add_option("--out", eo->out, "output file ('-', the default, for stdout)");
  e->add_flag("--json")->description("print JSON (schema accel-attest/ledger-export/v1)");
  e->callback([eo, &ctx] { ctx.exit_code = ledger_export(*eo); });
}

}  // namespace aa::cli
