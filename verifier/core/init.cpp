#include "core/init.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <openssl/crypto.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmlsec.h>

#include <mutex>

namespace aa {

namespace {

void silence_libxml(void*, const char*, ...) {}

void silence_xmlsec(const char*, int, const char*, const char*, const char*, int, const char*) {}

}  // namespace

bool init_libraries() {
  static std::once_flag once;
  static bool xmlsec_ok = false;
  std::call_once(once, [] {
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
    xmlInitParser();
    xmlSetGenericErrorFunc(nullptr, silence_libxml);
    xmlSecErrorsSetCallback(silence_xmlsec);
    xmlsec_ok = xmlSecInit() >= 0 && xmlSecCheckVersion() == 1 &&
                xmlSecCryptoAppInit(nullptr) >= 0 && xmlSecCryptoInit() >= 0;
  });
  return xmlsec_ok;
}

}  // namespace aa
