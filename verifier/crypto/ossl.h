// RAII ownership for OpenSSL objects: every object is owned by a unique_ptr from the line that
// creates it, so no path leaks it.
#pragma once

#include <memory>

#include <openssl/evp.h>

namespace aa::ossl {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

}  // namespace aa::ossl
