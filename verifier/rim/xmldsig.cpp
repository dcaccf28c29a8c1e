#include "rim/xmldsig.h"

#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <cstdlib>
#include <memory>

#include "core/init.h"

namespace aa::rim {

namespace {

struct DsigCtxDeleter {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};
struct KeyDeleter {
  void operator()(xmlSecKey* k) const { xmlSecKeyDestroy(k); }
};
struct KeyDataDeleter {
  void operator()(xmlSecKeyData* d) const { xmlSecKeyDataDestroy(d); }
};

Error profile_error(const Rim& rim, const std::string& msg) {
  return make_error("rim.signature-profile", rim.origin + " Signature", msg);
}

}  // namespace

Status verify_rim_signature(const Rim& rim, EVP_PKEY* key) {
  if (!key) {
    return make_error("rim.signature-invalid", rim.origin,
                      "the signer certificate carries no usable public key");
  }
  if (!init_libraries()) {  // core/init.h: once per process, never shut down
    return make_error("rim.signature-invalid", rim.origin, "xmlsec could not be initialised");
  }
  xmlNode* root = xmlDocGetRootElement(rim.doc.get());
  xmlNode* sig = nullptr;
  int count = 0;
  for (xmlNode* c = root ? root->children : nullptr; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && xmlSecCheckNodeName(c, xmlSecNodeSignature, xmlSecDSigNs)) {
      sig = c;
      ++count;
    }
  }
  // A Signature anywhere else (nested) is outside NVIDIA's profile as well.
  if (count != 1 || xmlSecFindNode(root, xmlSecNodeSignature, xmlSecDSigNs) != sig) {
    return profile_error(rim, "expected exactly one Signature, a child of the root");
  }
  if (EVP_PKEY_up_ref(key) != 1) std::abort();
  std::unique_ptr<xmlSecKeyData, KeyDataDeleter> data(xmlSecOpenSSLEvpKeyAdopt(key));
  if (!data) {
    EVP_PKEY_free(key);
    return make_error("rim.signature-invalid", rim.origin, "signer key is not usable by xmlsec");
  }
  std::unique_ptr<xmlSecKey, KeyDeleter> sk(xmlSecKeyCreate());
  if (!sk || xmlSecKeySetValue(sk.get(), data.get()) < 0) {
    return make_error("rim.signature-invalid", rim.origin, "cannot set up the signer key");
  }
  data.release();  // owned by sk now
  std::unique_ptr<xmlSecDSigCtx, DsigCtxDeleter> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return make_error("rim.signature-invalid", rim.origin, "cannot create context");
  ctx->signKey = sk.release();  // destroyed with the context
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
  if (xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformEnvelopedId) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformInclC14N11Id) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformSha384Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformInclC14N11Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformEcdsaSha384Id) < 0) {
    return make_error("rim.signature-invalid", rim.origin, "cannot restrict transforms");
  }
  if (xmlSecDSigCtxVerify(ctx.get(), sig) < 0) {
    // Processing failed before a verdict: a transform, URI or algorithm outside the profile,
    // or a structure xmlsec cannot read.
    return profile_error(rim,
                         "not verifiable under NVIDIA's profile (enveloped, C14N 1.1, SHA-384, "
                         "ecdsa-sha384, URI=\"\")");
  }
  if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) {
    return profile_error(rim, "expected exactly one Reference");
  }
  auto* ref =
      static_cast<xmlSecDSigReferenceCtx*>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
  if (!ref || (ref->uri && ref->uri[0] != '\0')) {
    return profile_error(rim, "the Reference does not cover the whole document (URI=\"\")");
  }
  if (ctx->status != xmlSecDSigStatusSucceeded) {
    std::string what = ref->status != xmlSecDSigStatusSucceeded
                           ? "the digest of the document does not match its Reference"
                           : "the signature over SignedInfo does not verify with the signer key";
    return make_error("rim.signature-invalid", rim.origin, what);
  }
  return Ok{};
}

}  // namespace aa::rim
