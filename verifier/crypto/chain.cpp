#include "crypto/chain.h"

#include <algorithm>
#include <limits>

#include "crypto/digest.h"
#include "crypto/x509.h"

namespace aa {

namespace {

ossl::X509Ptr share(X509* cert) {
  X509_up_ref(cert);
  return ossl::X509Ptr(cert);
}

}  // namespace

std::string CertificateCache::key(const X509* anchor, const std::vector<ossl::X509Ptr>& chain) {
  return key(anchor_digest(anchor), x509::chain_digest(chain));
}

std::string CertificateCache::anchor_digest(const X509* anchor) {
  std::vector<ossl::X509Ptr> one;
  one.push_back(share(const_cast<X509*>(anchor)));
  return x509::chain_digest(one);
}

std::string CertificateCache::key(const std::string& anchor_digest,
                                  const std::string& chain_digest) {
  // Both digests are 32 bytes: their concatenation is unambiguous.
  if (anchor_digest.empty() || chain_digest.empty()) return "";
  return sha256_hex(anchor_digest + chain_digest);
}

std::shared_ptr<const CertificateCache::Entry> CertificateCache::find(const std::string& k,
                                                                      std::time_t at) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(k);
  if (it == entries_.end()) return nullptr;
  if (at < it->second->not_before || at > it->second->not_after) return nullptr;
  return it->second;
}

void CertificateCache::insert(std::string k, std::shared_ptr<const Entry> entry) {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.count(k)) return;
  if (max_ == 0) return;
  while (entries_.size() >= max_ && !order_.empty()) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(k);
  entries_.emplace(std::move(k), std::move(entry));
}

size_t CertificateCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

ChainVerifier::ChainVerifier(const X509* anchor, std::time_t at, CertificateCache* cache)
    : anchor_(share(const_cast<X509*>(anchor))), at_(at), store_(X509_STORE_new()), shared_(cache) {
  X509_STORE_add_cert(store_.get(), anchor_.get());
  if (shared_) anchor_digest_ = CertificateCache::anchor_digest(anchor_.get());
}

ChainOutcome ChainVerifier::verify(const std::vector<ossl::X509Ptr>& chain,
                                   const std::string* chain_digest) {
  ChainOutcome out;
  if (chain.empty()) {
    out.reason = "no certificates";
    return out;
  }
  std::string shared_key;
  if (shared_) {
    shared_key = CertificateCache::key(anchor_digest_,
                                       chain_digest ? *chain_digest : x509::chain_digest(chain));
    if (auto e = shared_key.empty() ? nullptr : shared_->find(shared_key, at_)) {
      out.ok = true;
      out.warm = true;
      out.out_of_order = e->out_of_order;
      for (const auto& c : e->path) out.path.push_back(c.get());
      out.hold = e;
      return out;
    }
  }
  ossl::X509Stack untrusted(sk_X509_new_null());
  for (size_t i = 1; i < chain.size(); ++i) sk_X509_push(untrusted.get(), chain[i].get());
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), chain[0].get(), untrusted.get()) != 1) {
    out.reason = "cannot set up verification";
    return out;
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, at_);
  // Cached intermediates become anchors only once verified up to the pinned root; the pinned
  // root stays the only self-signed anchor.
  if (!cached_.empty()) X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_PARTIAL_CHAIN);
  int rc = 0;
  if (shared_) {
    std::lock_guard<std::mutex> lock(shared_->verify_mutex());
    rc = X509_verify_cert(ctx.get());
  } else {
    rc = X509_verify_cert(ctx.get());
  }
  if (rc != 1) {
    out.error = X509_STORE_CTX_get_error(ctx.get());
    out.error_depth = X509_STORE_CTX_get_error_depth(ctx.get());
    out.reason = X509_verify_cert_error_string(out.error);
    out.expired =
        out.error == X509_V_ERR_CERT_HAS_EXPIRED || out.error == X509_V_ERR_CERT_NOT_YET_VALID;
    return out;
  }
  out.ok = true;
  STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(built); ++i) out.path.push_back(sk_X509_value(built, i));
  for (size_t i = 0; i + 1 < out.path.size() && i < chain.size(); ++i) {
    if (out.path[i] != chain[i].get()) out.out_of_order = true;
  }
  X509* top = out.path.back();
  if (!x509::same_cert(top, anchor_.get())) {
    auto it = cached_.find(x509::fingerprint_sha256(top));
    if (it != cached_.end()) {
      out.used_cache = true;
      // it->second[0] is `top` itself; the rest is the path above it.
      for (size_t j = 1; j < it->second.size(); ++j) out.path.push_back(it->second[j].get());
    }
  }
  // Remember the verified intermediates (not the leaf, whose key signs evidence).
  for (size_t i = 1; i + 1 < out.path.size(); ++i) {
    std::string fp = x509::fingerprint_sha256(out.path[i]);
    if (cached_.count(fp)) continue;
    std::vector<ossl::X509Ptr> above;
    for (size_t j = i + 1; j < out.path.size(); ++j) above.push_back(share(out.path[j]));
    ossl::X509Ptr self = share(out.path[i]);
    X509_STORE_add_cert(store_.get(), self.get());
    above.insert(above.begin(), std::move(self));  // keeps the stored object alive
    cached_.emplace(std::move(fp), std::move(above));
  }
  if (shared_ && !shared_key.empty()) {
    auto e = std::make_shared<CertificateCache::Entry>();
    e->out_of_order = out.out_of_order;
    e->not_after = std::numeric_limits<std::time_t>::max();
    for (X509* c : out.path) {
      e->path.push_back(share(c));
      e->not_before = std::max(e->not_before, x509::not_before(c));
      e->not_after = std::min(e->not_after, x509::not_after(c));
    }
    shared_->insert(std::move(shared_key), std::move(e));
  }
  return out;
}

}  // namespace aa
