#include "store/ledger.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "core/json_text.h"
#include "crypto/digest.h"
#include "crypto/x509.h"

namespace aa::ledger {

namespace {

// One field of the hashed encoding: its length (8 bytes, big-endian), then its bytes.
void put_field(Sha256& h, std::string_view v) {
  const auto n = static_cast<std::uint64_t>(v.size());
  char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((n >> (56 - 8 * i)) & 0xff);
  h.update(std::string_view(len, 8)).update(v);
}

bool hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string entry_hash(const LedgerEntry& e) {
  Sha256 enc;
  const NewResult& r = e.result;
  put_field(enc, "accel-attest/ledger-entry/v1");
  put_field(enc, std::to_string(e.position));
  put_field(enc, r.id);
  put_field(enc, std::to_string(static_cast<long long>(r.verified_at)));
  put_field(enc, r.host);
  put_field(enc, std::to_string(r.devices.size()));
  for (const auto& d : r.devices) put_field(enc, d);
  put_field(enc, r.status);
  put_field(enc, r.bundle_sha256);
  put_field(enc, r.nonce_hex);
  put_field(enc, r.token);
  put_field(enc, r.document);
  put_field(enc, e.prev_hash);
  return hex_of(enc.final());
}

Status check_new_result(const NewResult& r) {
  if (r.id.size() != 32 || !std::all_of(r.id.begin(), r.id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return make_error("input.bad-value", "result.id", "must be 32 lower-case hex characters");
  }
  std::vector<std::pair<const char*, const std::string*>> texts = {
      {"result.host", &r.host},
      {"result.status", &r.status},
      {"result.bundle_sha256", &r.bundle_sha256},
      {"result.nonce_hex", &r.nonce_hex},
      {"result.token", &r.token},
      {"result.document", &r.document}};
  for (const auto& d : r.devices) texts.emplace_back("result.devices", &d);
  for (const auto& [name, s] : texts) {
    if (!valid_utf8(*s)) return make_error("input.bad-value", name, "not valid UTF-8");
  }
  return Ok{};
}

Result<SignedHead> sign_head(ResultStore& store, EVP_PKEY* key, const std::string& kid,
                             std::time_t now) {
  AA_TRY(st, store.stats(now));
  if (st.ledger_length == 0) {
    return make_error("ledger.empty", "ledger", "no entries: there is no head to sign");
  }
  AA_TRY(tip, store.entries(st.ledger_length, 1));
  if (tip.size() != 1 || tip[0].position != st.ledger_length) {
    return make_error("store.io", "ledger", "the tip entry could not be read");
  }
  SignedHead h;
  h.position = tip[0].position;
  h.entry_hash = tip[0].entry_hash;
  h.signed_at = now;
  Json payload{
      {"position", h.position}, {"entry_hash", h.entry_hash}, {"iat", static_cast<long long>(now)}};
  AA_TRY(jws, jose::sign_es256(key, kid, payload));
  h.jws = std::move(jws);
  AA_CHECK(store.put_head(h));
  return h;
}

namespace {

// The walk shared by a store and an export: entries are fed in ascending order, then heads.
class Walker {
 public:
  Walker(bool from_genesis, const jose::Jwks& keys, const VerifyOptions& o)
      : from_genesis_(from_genesis), keys_(keys), o_(o) {}

  void entry(const LedgerEntry& e) {
    if (r_.entries == 0) {
      r_.first_position = e.position;
      if (from_genesis_ && e.position != 1) {
        note_entry(1, "ledger.gap", "the ledger starts at position " + std::to_string(e.position));
      }
      if (e.position == 1 && e.prev_hash != kGenesisHash) {
        note_entry(1, "ledger.broken-link", "prev_hash of position 1 is not 64 zeros");
      }
    } else if (e.position != expect_) {
      note_entry(
          expect_, "ledger.gap",
          "expected position " + std::to_string(expect_) + ", found " + std::to_string(e.position));
    }
    // The entry's own hash before its link: an edited row is reported as itself.
    if (!hex64(e.entry_hash) || entry_hash(e) != e.entry_hash) {
      note_entry(e.position, "ledger.hash-mismatch",
                 "entry_hash does not match the entry's content (edited after it was written)");
    }
    if (r_.entries > 0 && e.position == expect_ && e.prev_hash != prev_) {
      note_entry(e.position, "ledger.broken-link",
                 "prev_hash is not the entry_hash of position " + std::to_string(e.position - 1));
    }
    if (!keys_.keys.empty()) check_result(e);
    times_.emplace_back(e.position, e.result.verified_at);
    ++r_.entries;
    r_.last_position = e.position;
    expect_ = e.position + 1;
    prev_ = e.entry_hash;
    if (wanted_.count(e.position)) hashes_[e.position] = e.entry_hash;
  }

  void want(std::int64_t position) { wanted_.insert(position); }

  void heads(const std::vector<SignedHead>& hs) {
    if (keys_.keys.empty()) return;
    for (const auto& h : hs) {
      if (r_.entries > 0 && h.position < r_.first_position) continue;  // before an export
      ++r_.heads;
      auto bad = [&](const char* code, const std::string& m) {
        note(head_break_, h.position, code, m);
      };
      auto v = jose::verify_compact(h.jws, keys_, "head");
      if (!v) {
        bad("ledger.head-bad-signature", "the head's JWS does not verify: " + v.error().code);
        continue;
      }
      const Json& p = v->payload;
      auto pos = p.find("position");
      auto eh = p.find("entry_hash");
      auto iat = p.find("iat");
      if (pos == p.end() || !pos->is_number_integer() || eh == p.end() || !eh->is_string() ||
          iat == p.end() || !iat->is_number_integer() || pos->get<std::int64_t>() != h.position ||
          eh->get<std::string>() != h.entry_hash ||
          iat->get<long long>() != static_cast<long long>(h.signed_at)) {
        bad("ledger.head-mismatch", "the signed payload differs from the head's recorded fields");
        continue;
      }
      auto it = hashes_.find(h.position);
      if (it == hashes_.end()) {
        bad("ledger.head-beyond-tip", "a signed head covers position " +
                                          std::to_string(h.position) +
                                          ", which the ledger no longer holds (truncated)");
        continue;
      }
      if (it->second != h.entry_hash) {
        bad("ledger.head-mismatch",
            "the signed head's entry_hash is not the entry_hash at its position");
        continue;
      }
      r_.covered_up_to = std::max(r_.covered_up_to, h.position);
    }
  }

  // The store's device index against the entries' devices (entries already walked).
  void index(std::int64_t position, std::vector<std::string> indexed,
             std::vector<std::string> devices) {
    std::sort(indexed.begin(), indexed.end());
    std::sort(devices.begin(), devices.end());
    if (indexed != devices) {
      note_entry(position, "ledger.index-mismatch",
                 "the store's device index for this entry differs from the entry's devices "
                 "(edited: device queries would answer wrongly)");
    }
  }

  VerifyReport finish() {
    if (!keys_.keys.empty() && o_.max_unsigned_age >= 0) {
      for (const auto& [pos, at] : times_) {
        if (pos > r_.covered_up_to && at < o_.now - o_.max_unsigned_age) {
          note_entry(pos, "ledger.unsigned-entry",
                     "no valid signed head covers this entry, verified " +
                         std::to_string(static_cast<long long>(o_.now - at)) +
                         " s before the check (more than --max-unsigned-age " +
                         std::to_string(o_.max_unsigned_age) +
                         " s): heads were removed, or the service stopped signing them");
          break;
        }
      }
    }
    r_.first_break = entry_break_;
    if (head_break_ && (!r_.first_break || head_break_->position < r_.first_break->position)) {
      r_.first_break = head_break_;
    }
    return r_;
  }

 private:
  static void note(std::optional<Break>& slot, std::int64_t pos, const char* code,
                   const std::string& m) {
    if (!slot || pos < slot->position) slot = Break{pos, code, m};
  }
  void note_entry(std::int64_t pos, const char* code, const std::string& m) {
    note(entry_break_, pos, code, m);
  }

  // The entry against the token the verifier signed and the document it serves.
  void check_result(const LedgerEntry& e) {
    const NewResult& r = e.result;
    auto bad = [&](const char* code, const std::string& m) { note_entry(e.position, code, m); };
    if (!seen_tokens_.insert(sha256_hex(r.token)).second) {
      bad("ledger.duplicate-token", "the entry's token is an earlier entry's");
    }
    auto v = jose::verify_compact(r.token, keys_, "token");
    if (!v) {
      bad("ledger.token-invalid", "the entry's token does not verify: " + v.error().code);
      return;
    }
    const Json& p = v->payload;
    auto iat = p.find("iat");
    auto st = p.find("ear_status");
    if (iat == p.end() || !iat->is_number_integer() ||
        iat->get<long long>() != static_cast<long long>(r.verified_at)) {
      bad("ledger.token-mismatch", "the token's iat is not the entry's verified_at");
    } else if (st == p.end() || !st->is_string() || st->get<std::string>() != r.status) {
      bad("ledger.token-mismatch", "the token's ear_status is not the entry's status");
    } else if (!r.nonce_hex.empty()) {
      auto raw = hex_decode(r.nonce_hex);
      auto n = p.find("eat_nonce");
      if (!raw || n == p.end() || !n->is_string() ||
          n->get<std::string>() != base64url_encode(*raw)) {
        bad("ledger.token-mismatch", "the token's eat_nonce is not the entry's nonce");
      }
    }
    Json doc = Json::parse(r.document, nullptr, false);
    auto field_is = [&](const char* k, const Json& want) {
      auto it = doc.find(k);
      return it != doc.end() && *it == want;
    };
    if (doc.is_discarded() || !doc.is_object() || !field_is("id", r.id) ||
        !field_is("status", r.status) || !field_is("host", r.host) ||
        !field_is("devices", r.devices) || !field_is("token", r.token) ||
        !field_is("bundle_sha256", r.bundle_sha256) ||
        !field_is("verified_at", x509::rfc3339(r.verified_at)) ||
        !field_is("nonce_accepted", !r.nonce_hex.empty()) || !field_is("kid", v->kid)) {
      bad("ledger.document-mismatch",
          "the entry's document does not carry its id, status, host, devices, token, "
          "bundle_sha256, verified_at, nonce_accepted and kid");
      return;
    }
    // The document's nonce is the bundle's, which the token signed (eat_nonce).
    auto dn = doc.find("nonce");
    auto en = p.find("eat_nonce");
    std::optional<Bytes> dn_raw;
    if (dn != doc.end() && dn->is_string()) dn_raw = hex_decode(dn->get<std::string>());
    const bool nonce_ok = en == p.end() ? (dn != doc.end() && *dn == "")
                                        : (dn_raw && en->is_string() &&
                                           en->get<std::string>() == base64url_encode(*dn_raw));
    if (!nonce_ok) {
      bad("ledger.document-mismatch", "the document's nonce is not the one the token signed");
      return;
    }
    // Its findings are the token's, every submodule's (compared as a set of documents).
    std::vector<std::string> signed_findings, served_findings;
    if (auto sm = p.find("submods"); sm != p.end() && sm->is_object()) {
      for (const auto& [label, sub] : sm->items()) {
        if (!sub.is_object()) continue;
        for (const auto& [k, ext] : sub.items()) {
          if (!ext.is_object()) continue;
          auto f = ext.find("findings");
          if (f == ext.end() || !f->is_array()) continue;
          for (const auto& one : *f) signed_findings.push_back(one.dump());
        }
      }
    }
    auto df = doc.find("findings");
    if (df == doc.end() || !df->is_array()) {
      bad("ledger.document-mismatch", "the document has no findings array");
      return;
    }
    for (const auto& one : *df) served_findings.push_back(one.dump());
    std::sort(signed_findings.begin(), signed_findings.end());
    std::sort(served_findings.begin(), served_findings.end());
    if (signed_findings != served_findings) {
      bad("ledger.document-mismatch",
          "the document's findings are not the findings the token signed");
    }
  }

  bool from_genesis_;
  const jose::Jwks& keys_;
  const VerifyOptions& o_;
  std::vector<std::pair<std::int64_t, std::time_t>> times_;
  std::set<std::string> seen_tokens_;
  VerifyReport r_;
  std::int64_t expect_ = 1;
  std::string prev_;
  std::set<std::int64_t> wanted_;
  std::map<std::int64_t, std::string> hashes_;
  std::optional<Break> entry_break_, head_break_;
};

}  // namespace

Result<VerifyReport> verify_ledger(ResultStore& store, const jose::Jwks& keys,
                                   const VerifyOptions& options) {
  AA_TRY(hs, store.heads());
  Walker w(true, keys, options);
  for (const auto& h : hs) w.want(h.position);
  std::int64_t from = 1;
  for (;;) {
    AA_TRY(page, store.entries(from, 500));
    if (page.empty()) break;
    for (const auto& e : page) w.entry(e);
    AA_TRY(idx, store.device_index(page.front().position, page.back().position + 1));
    if (idx) {
      std::map<std::int64_t, std::vector<std::string>> by_position;
      for (auto& [pos, d] : *idx) by_position[pos].push_back(std::move(d));
      for (const auto& e : page) {
        auto it = by_position.find(e.position);
        w.index(e.position, it == by_position.end() ? std::vector<std::string>{} : it->second,
                e.result.devices);
      }
    }
    from = page.back().position + 1;
    if (page.size() < 500) break;
  }
  // Index rows for positions the ledger does not hold: beyond its tip, or below position 1.
  AA_TRY(stray, store.device_index(from, std::numeric_limits<std::int64_t>::max()));
  if (stray && !stray->empty()) {
    w.index(stray->front().first, {stray->front().second}, {});
  }
  AA_TRY(below, store.device_index(std::numeric_limits<std::int64_t>::min(), 1));
  if (below && !below->empty()) {
    w.index(1, {below->front().second}, {});
  }
  w.heads(hs);
  return w.finish();
}

VerifyReport verify_export(const Export& x, const jose::Jwks& keys, const VerifyOptions& options) {
  Walker w(false, keys, options);
  for (const auto& h : x.heads) w.want(h.position);
  for (const auto& e : x.entries) w.entry(e);
  w.heads(x.heads);
  return w.finish();
}

Json entry_json(const LedgerEntry& e) {
  const NewResult& r = e.result;
  return Json{{"position", e.position},
              {"id", r.id},
              {"verified_at", static_cast<long long>(r.verified_at)},
              {"host", r.host},
              {"devices", r.devices},
              {"status", r.status},
              {"bundle_sha256", r.bundle_sha256},
              {"nonce", r.nonce_hex},
              {"token", r.token},
              {"document", r.document},
              {"prev_hash", e.prev_hash},
              {"entry_hash", e.entry_hash}};
}

Result<Json> export_ledger(ResultStore& store, std::optional<std::time_t> since) {
  Json entries = Json::array();
  std::int64_t first = 0, last = 0;
  std::int64_t from = 1;
  for (;;) {
    AA_TRY(page, store.entries(from, 500));
    if (page.empty()) break;
    for (const auto& e : page) {
      // From the first entry at or after `since` to the tip: a contiguous run.
      if (first == 0 && since && e.result.verified_at < *since) continue;
      if (first == 0) first = e.position;
      last = e.position;
      entries.push_back(entry_json(e));
    }
    from = page.back().position + 1;
    if (page.size() < 500) break;
  }
  AA_TRY(hs, store.heads());
  Json heads = Json::array();
  for (const auto& h : hs) {
    // Heads before the run cannot be checked in it; a head signed after the last page was read
    // covers entries this export does not hold.
    if (h.position < first || h.position > last) continue;
    heads.push_back(Json{{"position", h.position},
                         {"entry_hash", h.entry_hash},
                         {"signed_at", static_cast<long long>(h.signed_at)},
                         {"jws", h.jws}});
  }
  return Json{{"schema", "accel-attest/ledger-archive/v1"},
              {"since", since ? Json(static_cast<long long>(*since)) : Json(nullptr)},
              {"first_position", first},
              {"last_position", last},
              {"entries", entries},
              {"heads", heads}};
}

namespace {

// An integer member within [lo, hi] (positions: 1 to 2^53, so that no count overflows).
Result<std::int64_t> int_field(const JsonAt& o, std::string_view key, std::int64_t lo,
                               std::int64_t hi) {
  AA_TRY(f, o.field(key));
  if (!f.json().is_number_integer()) return f.type_error("an integer");
  if (f.json().is_number_unsigned() && f.json().get<std::uint64_t>() > std::uint64_t{1} << 62) {
    return make_error("input.bad-value", f.where(), "out of range");
  }
  const auto v = f.json().get<std::int64_t>();
  if (v < lo || v > hi) return make_error("input.bad-value", f.where(), "out of range");
  return v;
}

constexpr std::int64_t kMaxPosition = std::int64_t{1} << 53;
constexpr std::int64_t kMaxTime = std::int64_t{1} << 40;

}  // namespace

Result<Export> parse_export(std::string_view text, const std::string& origin) {
  JsonLimits lim;
  lim.max_bytes = std::size_t{1} << 30;
  lim.max_string = std::size_t{16} << 20;
  lim.max_values = std::size_t{64} << 20;  // an auditor's file: about 15 values an entry
  AA_TRY(doc, parse_json_strict(text, origin, lim));
  JsonAt root(doc, origin);
  AA_TRY(obj, root.object());
  AA_CHECK(
      obj.only_fields({"schema", "since", "first_position", "last_position", "entries", "heads"}));
  AA_CHECK(obj.expect_string("schema", "accel-attest/ledger-archive/v1"));
  Export x;
  AA_TRY(es, obj.field("entries"));
  AA_TRY(ea, es.array());
  for (std::size_t i = 0; i < ea.json().size(); ++i) {
    AA_TRY(e, ea.at(i).object());
    AA_CHECK(
        e.only_fields({"position", "id", "verified_at", "host", "devices", "status",
                       "bundle_sha256", "nonce", "token", "document", "prev_hash", "entry_hash"}));
    LedgerEntry le;
    AA_TRY(pos, int_field(e, "position", 1, kMaxPosition));
    AA_TRY(at, int_field(e, "verified_at", -kMaxTime, kMaxTime));
    le.position = pos;
    le.result.verified_at = static_cast<std::time_t>(at);
    AA_TRY(id, e.string_field("id"));
    AA_TRY(host, e.string_field("host"));
    AA_TRY(status, e.string_field("status"));
    AA_TRY(bsha, e.string_field("bundle_sha256"));
    AA_TRY(nonce, e.string_field("nonce"));
    AA_TRY(token, e.string_field("token"));
    AA_TRY(document, e.string_field("document"));
    AA_TRY(prev, e.string_field("prev_hash"));
    AA_TRY(eh, e.string_field("entry_hash"));
    AA_TRY(devs, e.field("devices"));
    AA_TRY(da, devs.array());
    for (std::size_t j = 0; j < da.json().size(); ++j) {
      AA_TRY(d, da.at(j).string());
      le.result.devices.push_back(d);
    }
    le.result.id = id;
    le.result.host = host;
    le.result.status = status;
    le.result.bundle_sha256 = bsha;
    le.result.nonce_hex = nonce;
    le.result.token = token;
    le.result.document = document;
    le.prev_hash = prev;
    le.entry_hash = eh;
    x.entries.push_back(std::move(le));
  }
  AA_TRY(hsf, obj.field("heads"));
  AA_TRY(ha, hsf.array());
  for (std::size_t i = 0; i < ha.json().size(); ++i) {
    AA_TRY(h, ha.at(i).object());
    AA_CHECK(h.only_fields({"position", "entry_hash", "signed_at", "jws"}));
    SignedHead sh;
    AA_TRY(pos, int_field(h, "position", 1, kMaxPosition));
    AA_TRY(at, int_field(h, "signed_at", -kMaxTime, kMaxTime));
    AA_TRY(eh, h.string_field("entry_hash"));
    AA_TRY(jws, h.string_field("jws"));
    sh.position = pos;
    sh.signed_at = static_cast<std::time_t>(at);
    sh.entry_hash = eh;
    sh.jws = jws;
    x.heads.push_back(std::move(sh));
  }
  return x;
}

}  // namespace aa::ledger
