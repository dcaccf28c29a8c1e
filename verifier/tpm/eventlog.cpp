#include "tpm/eventlog.h"

#include <cstring>

#include "tpm/quote.h"

namespace aa::tpm {

namespace {

constexpr size_t kMaxLog = 16u << 20;
constexpr size_t kMaxEvents = 200000;

class Reader {
 public:
  Reader(ByteView b, std::string origin) : b_(b), origin_(std::move(origin)) {}
  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= b_.size(); }
  Error bad(size_t event, const std::string& msg) const {
    return make_error("tpm.bad-eventlog", origin_ + "#event[" + std::to_string(event) + "]",
                      msg + " at offset " + std::to_string(pos_));
  }
  Result<uint32_t> u32(size_t ev, const char* what) {
    if (b_.size() - pos_ < 4) return bad(ev, std::string(what) + " truncated");
    uint32_t v = le32(b_.data() + pos_);
    pos_ += 4;
    return v;
  }
  Result<uint16_t> u16(size_t ev, const char* what) {
    if (b_.size() - pos_ < 2) return bad(ev, std::string(what) + " truncated");
    uint16_t v = le16(b_.data() + pos_);
    pos_ += 2;
    return v;
  }
  Result<Bytes> take(size_t ev, size_t n, const char* what) {
    if (b_.size() - pos_ < n) {
      return bad(ev, std::string(what) + " of " + std::to_string(n) + " bytes runs past the log");
    }
    Bytes out(b_.begin() + static_cast<long>(pos_), b_.begin() + static_cast<long>(pos_ + n));
    pos_ += n;
    return out;
  }

 private:
  ByteView b_;
  std::string origin_;
  size_t pos_ = 0;
};

// The first event, in SHA-1 format.
Result<LogEvent> sha1_event(Reader& r, size_t n) {
  LogEvent e;
  e.offset = r.pos();
  AA_TRY(pcr, r.u32(n, "pcrIndex"));
  AA_TRY(type, r.u32(n, "eventType"));
  AA_TRY(digest, r.take(n, 20, "SHA-1 digest"));
  AA_TRY(size, r.u32(n, "eventSize"));
  AA_TRY(data, r.take(n, size, "event data"));
  e.pcr = pcr;
  e.type = type;
  e.digests[TPM2_ALG_SHA1] = std::move(digest);
  e.data = std::move(data);
  return e;
}

}  // namespace

Result<EventLog> parse_event_log(ByteView bytes, const std::string& origin) {
  if (bytes.size() > kMaxLog) return make_error("input.too-large", origin, "event log over 16 MiB");
  EventLog log;
  Reader r(bytes, origin);
  AA_TRY(first, sha1_event(r, 0));
  static const char kSpec[] = "Spec ID Event03";
  bool agile = first.type == kEvNoAction && first.data.size() >= 16 + 12 &&
               std::memcmp(first.data.data(), kSpec, sizeof kSpec) == 0;
  if (!agile) {
    log.banks[TPM2_ALG_SHA1] = 20;
    log.events.push_back(std::move(first));
    while (!r.done()) {
      if (log.events.size() == kMaxEvents) return r.bad(log.events.size(), "too many events");
      AA_TRY(e, sha1_event(r, log.events.size()));
      log.events.push_back(std::move(e));
    }
    return log;
  }
  log.crypto_agile = true;
  // Spec ID header: signature[16], platformClass u32, minor, major, errata, uintnSize (4 x u8),
  // numberOfAlgorithms u32, then {algId u16, digestSize u16}.
  const Bytes& h = first.data;
  uint32_t algs = le32(h.data() + 24);
  if (algs == 0 || algs > 8 || h.size() < 28 + size_t{algs} * 4) {
    return make_error("tpm.bad-eventlog", origin + "#event[0]",
                      "Spec ID header lists " + std::to_string(algs) + " algorithms");
  }
  for (uint32_t i = 0; i < algs; ++i) {
    uint16_t alg = le16(h.data() + 28 + i * 4);
    uint16_t size = le16(h.data() + 30 + i * 4);
    if (size == 0 || size > 64) {
      return make_error("tpm.bad-eventlog", origin + "#event[0]",
                        "digest size " + std::to_string(size));
    }
    log.banks[alg] = size;
  }
  while (!r.done()) {
    size_t n = log.events.size() + 1;
    if (n > kMaxEvents) return r.bad(n, "too many events");
    LogEvent e;
    e.offset = r.pos();
    AA_TRY(pcr, r.u32(n, "pcrIndex"));
    AA_TRY(type, r.u32(n, "eventType"));
    AA_TRY(count, r.u32(n, "digest count"));
    if (count > log.banks.size()) return r.bad(n, "digest count " + std::to_string(count));
    for (uint32_t i = 0; i < count; ++i) {
      AA_TRY(alg, r.u16(n, "hashAlg"));
      auto it = log.banks.find(alg);
      if (it == log.banks.end()) return r.bad(n, "digest of an algorithm the header does not list");
      AA_TRY(d, r.take(n, it->second, "digest"));
      if (e.digests.count(alg)) return r.bad(n, "two digests of one algorithm");
      e.digests[alg] = std::move(d);
    }
    AA_TRY(size, r.u32(n, "eventSize"));
    AA_TRY(data, r.take(n, size, "event data"));
    e.pcr = pcr;
    e.type = type;
    e.data = std::move(data);
    log.events.push_back(std::move(e));
  }
  return log;
}

std::map<unsigned, Bytes> replay(const EventLog& log, TPMI_ALG_HASH bank) {
  std::map<unsigned, Bytes> pcrs;
  const EVP_MD* md = digest_for(bank);
  if (!md) return pcrs;
  size_t size = static_cast<size_t>(EVP_MD_get_size(md));
  static const char kLocality[] = "StartupLocality";
  for (const auto& e : log.events) {
    if (e.pcr > 23) continue;
    if (e.type == kEvNoAction) {
      if (e.pcr == 0 && e.data.size() == sizeof kLocality + 1 &&
          std::memcmp(e.data.data(), kLocality, sizeof kLocality) == 0) {
        Bytes init(size, 0);
        init.back() = e.data.back();
        pcrs[0] = init;
      }
      continue;
    }
    auto d = e.digests.find(bank);
    if (d == e.digests.end()) continue;
    Bytes& v = pcrs.try_emplace(e.pcr, Bytes(size, 0)).first->second;
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestInit_ex(ctx.get(), md, nullptr);
    EVP_DigestUpdate(ctx.get(), v.data(), v.size());
    EVP_DigestUpdate(ctx.get(), d->second.data(), d->second.size());
    EVP_DigestFinal_ex(ctx.get(), out, &n);
    v.assign(out, out + n);
  }
  return pcrs;
}

}  // namespace aa::tpm
