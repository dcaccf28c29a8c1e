#include "collect/tpm_host.h"

#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <algorithm>
#include <cstring>

#include "tpm/quote.h"

namespace aa::tpm {

namespace {

// Frees what ESYS returns.
struct EsysFree {
  void operator()(void* p) const { Esys_Free(p); }
};
template <class T>
using EsysPtr = std::unique_ptr<T, EsysFree>;

Error tpm_error(const std::string& what, TSS2_RC rc) {
  return make_error("tpm.host", what, Tss2_RC_Decode(rc));
}

// PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256: the authPolicy of the TCG default EKs.
const uint8_t kPolicyA[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
                              0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
                              0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};

constexpr TPMA_OBJECT kEkAttributes =
    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
    TPMA_OBJECT_ADMINWITHPOLICY | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
constexpr TPMA_OBJECT kAkAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                      TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                                      TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;

// Flushes a session when it goes out of scope (ESYS sessions keep continueSession set).
class SessionGuard {
 public:
  SessionGuard(ESYS_CONTEXT* esys, ESYS_TR s) : esys_(esys), s_(s) {}
  ~SessionGuard() { Esys_FlushContext(esys_, s_); }
  SessionGuard(const SessionGuard&) = delete;
  SessionGuard& operator=(const SessionGuard&) = delete;

 private:
  ESYS_CONTEXT* esys_;
  ESYS_TR s_;
};

}  // namespace

Bytes marshal_public(const TPM2B_PUBLIC& pub) {
  uint8_t buf[sizeof(TPM2B_PUBLIC)];
  size_t off = 0;
  if (Tss2_MU_TPM2B_PUBLIC_Marshal(&pub, buf, sizeof buf, &off) != TSS2_RC_SUCCESS) return {};
  return Bytes(buf, buf + off);
}

Result<std::unique_ptr<TpmHost>> TpmHost::open(const std::string& tcti) {
  std::unique_ptr<TpmHost> h(new TpmHost());
  TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti.c_str(), &h->tcti_);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("TCTI " + tcti, rc);
  rc = Esys_Initialize(&h->esys_, h->tcti_, nullptr);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("Esys_Initialize", rc);
  return h;
}

TpmHost::~TpmHost() {
  if (esys_) {
    for (ESYS_TR t : transient_) Esys_FlushContext(esys_, t);
    Esys_Finalize(&esys_);
  }
  if (tcti_) Tss2_TctiLdr_Finalize(&tcti_);
}

Result<ESYS_TR> TpmHost::ek_policy_session() {
  TPMT_SYM_DEF sym{};
  sym.algorithm = TPM2_ALG_NULL;
  ESYS_TR session = ESYS_TR_NONE;
  TSS2_RC rc =
      Esys_StartAuthSession(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                            ESYS_TR_NONE, nullptr, TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, &session);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("StartAuthSession", rc);
  TPM2B_TIMEOUT* timeout = nullptr;
  TPMT_TK_AUTH* ticket = nullptr;
  rc = Esys_PolicySecret(esys_, ESYS_TR_RH_ENDORSEMENT, session, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                         ESYS_TR_NONE, nullptr, nullptr, nullptr, 0, &timeout, &ticket);
  EsysPtr<TPM2B_TIMEOUT> t1(timeout);
  EsysPtr<TPMT_TK_AUTH> t2(ticket);
  if (rc != TSS2_RC_SUCCESS) {
    Esys_FlushContext(esys_, session);
    return tpm_error("PolicySecret(endorsement)", rc);
  }
  return session;
}

Result<TpmHost::Key> TpmHost::create_primary_ek(bool ecc) {
  TPM2B_PUBLIC in{};
  TPMT_PUBLIC& p = in.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = kEkAttributes;
  p.authPolicy.size = 32;
  std::memcpy(p.authPolicy.buffer, kPolicyA, 32);
  if (ecc) {
    p.type = TPM2_ALG_ECC;
    p.parameters.eccDetail.symmetric = {TPM2_ALG_AES, {128}, {TPM2_ALG_CFB}};
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    p.unique.ecc.x.size = 32;
    p.unique.ecc.y.size = 32;
  } else {
    p.type = TPM2_ALG_RSA;
    p.parameters.rsaDetail.symmetric = {TPM2_ALG_AES, {128}, {TPM2_ALG_CFB}};
    p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
    p.parameters.rsaDetail.keyBits = 2048;
    p.unique.rsa.size = 256;
  }
  TPM2B_SENSITIVE_CREATE sens{};
  TPM2B_DATA outside{};
  TPML_PCR_SELECTION pcrs{};
  ESYS_TR handle = ESYS_TR_NONE;
  TPM2B_PUBLIC* out = nullptr;
  TPM2B_CREATION_DATA* cd = nullptr;
  TPM2B_DIGEST* ch = nullptr;
  TPMT_TK_CREATION* tk = nullptr;
  TSS2_RC rc =
      Esys_CreatePrimary(esys_, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                         ESYS_TR_NONE, &sens, &in, &outside, &pcrs, &handle, &out, &cd, &ch, &tk);
  EsysPtr<TPM2B_PUBLIC> o(out);
  EsysPtr<TPM2B_CREATION_DATA> c1(cd);
  EsysPtr<TPM2B_DIGEST> c2(ch);
  EsysPtr<TPMT_TK_CREATION> c3(tk);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("CreatePrimary(EK)", rc);
  transient_.push_back(handle);
  return Key{handle, *o};
}

Result<TpmHost::Key> TpmHost::ek() {
  ESYS_TR h = ESYS_TR_NONE;
  if (Esys_TR_FromTPMPublic(esys_, 0x81010001, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &h) ==
      TSS2_RC_SUCCESS) {
    TPM2B_PUBLIC* pub = nullptr;
    TPM2B_NAME *name = nullptr, *qname = nullptr;
    TSS2_RC rc =
        Esys_ReadPublic(esys_, h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &name, &qname);
    EsysPtr<TPM2B_PUBLIC> p(pub);
    EsysPtr<TPM2B_NAME> n1(name), n2(qname);
    if (rc != TSS2_RC_SUCCESS) return tpm_error("ReadPublic(EK)", rc);
    return Key{h, *p};
  }
  return create_primary_ek(false);
}

Result<TpmHost::Key> TpmHost::ecc_ek() {
  return create_primary_ek(true);
}

Result<std::optional<Bytes>> TpmHost::nv_read(TPM2_HANDLE index) {
  ESYS_TR nv = ESYS_TR_NONE;
  if (Esys_TR_FromTPMPublic(esys_, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &nv) !=
      TSS2_RC_SUCCESS) {
    return std::optional<Bytes>{};
  }
  TPM2B_NV_PUBLIC* pub = nullptr;
  TPM2B_NAME* name = nullptr;
  TSS2_RC rc = Esys_NV_ReadPublic(esys_, nv, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &name);
  EsysPtr<TPM2B_NV_PUBLIC> p(pub);
  EsysPtr<TPM2B_NAME> n(name);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("NV_ReadPublic", rc);
  Bytes out;
  uint16_t size = p->nvPublic.dataSize;
  while (out.size() < size) {
    uint16_t chunk = static_cast<uint16_t>(std::min<size_t>(512, size - out.size()));
    TPM2B_MAX_NV_BUFFER* data = nullptr;
    rc = Esys_NV_Read(esys_, nv, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, chunk,
                      static_cast<uint16_t>(out.size()), &data);
    EsysPtr<TPM2B_MAX_NV_BUFFER> d(data);
    if (rc != TSS2_RC_SUCCESS) return tpm_error("NV_Read", rc);
    out.insert(out.end(), d->buffer, d->buffer + d->size);
  }
  return std::optional<Bytes>(std::move(out));
}

Result<TpmHost::Key> TpmHost::create_ak(ESYS_TR ek, bool ecc) {
  TPM2B_PUBLIC in{};
  TPMT_PUBLIC& p = in.publicArea;
  p.nameAlg = TPM2_ALG_SHA256;
  p.objectAttributes = kAkAttributes;
  if (ecc) {
    p.type = TPM2_ALG_ECC;
    p.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
    p.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    p.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  } else {
    p.type = TPM2_ALG_RSA;
    p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
    p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
    p.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    p.parameters.rsaDetail.keyBits = 2048;
  }
  TPM2B_SENSITIVE_CREATE sens{};
  TPM2B_DATA outside{};
  TPML_PCR_SELECTION pcrs{};
  AA_TRY(s1, ek_policy_session());
  SessionGuard g1(esys_, s1);
  TPM2B_PRIVATE* priv = nullptr;
  TPM2B_PUBLIC* pub = nullptr;
  TPM2B_CREATION_DATA* cd = nullptr;
  TPM2B_DIGEST* ch = nullptr;
  TPMT_TK_CREATION* tk = nullptr;
  TSS2_RC rc = Esys_Create(esys_, ek, s1, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &in, &outside, &pcrs,
                           &priv, &pub, &cd, &ch, &tk);
  EsysPtr<TPM2B_PRIVATE> pv(priv);
  EsysPtr<TPM2B_PUBLIC> pb(pub);
  EsysPtr<TPM2B_CREATION_DATA> c1(cd);
  EsysPtr<TPM2B_DIGEST> c2(ch);
  EsysPtr<TPMT_TK_CREATION> c3(tk);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("Create(AK)", rc);
  AA_TRY(s2, ek_policy_session());
  SessionGuard g2(esys_, s2);
  ESYS_TR ak = ESYS_TR_NONE;
  rc = Esys_Load(esys_, ek, s2, ESYS_TR_NONE, ESYS_TR_NONE, pv.get(), pb.get(), &ak);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("Load(AK)", rc);
  transient_.push_back(ak);
  return Key{ak, *pb};
}

Status TpmHost::persist(const Key& ak, TPM2_HANDLE handle) {
  if (handle < 0x81000000 || handle > 0x81ffffff) {
    return make_error("tpm.host", "persistent handle", "not in 0x81000000..0x81ffffff");
  }
  ESYS_TR existing = ESYS_TR_NONE;
  if (Esys_TR_FromTPMPublic(esys_, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &existing) ==
      TSS2_RC_SUCCESS) {
    Esys_TR_Close(esys_, &existing);
    return make_error("tpm.host", "persistent handle", "already holds an object");
  }
  ESYS_TR out = ESYS_TR_NONE;
  TSS2_RC rc = Esys_EvictControl(esys_, ESYS_TR_RH_OWNER, ak.handle, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                 ESYS_TR_NONE, handle, &out);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("EvictControl", rc);
  Esys_TR_Close(esys_, &out);
  return Ok{};
}

Result<TpmHost::Key> TpmHost::load_persistent(TPM2_HANDLE handle) {
  ESYS_TR h = ESYS_TR_NONE;
  TSS2_RC rc = Esys_TR_FromTPMPublic(esys_, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &h);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("no persistent object at the handle", rc);
  TPM2B_PUBLIC* pub = nullptr;
  TPM2B_NAME *name = nullptr, *qname = nullptr;
  rc = Esys_ReadPublic(esys_, h, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &name, &qname);
  EsysPtr<TPM2B_PUBLIC> p(pub);
  EsysPtr<TPM2B_NAME> n1(name), n2(qname);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("ReadPublic", rc);
  return Key{h, *p};
}

Result<Bytes> TpmHost::activate(ESYS_TR ak, ESYS_TR ek, const TPM2B_ID_OBJECT& blob,
                                const TPM2B_ENCRYPTED_SECRET& secret) {
  AA_TRY(session, ek_policy_session());
  SessionGuard guard(esys_, session);
  TPM2B_DIGEST* info = nullptr;
  TSS2_RC rc = Esys_ActivateCredential(esys_, ak, ek, ESYS_TR_PASSWORD, session, ESYS_TR_NONE,
                                       &blob, &secret, &info);
  EsysPtr<TPM2B_DIGEST> i(info);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("ActivateCredential", rc);
  return Bytes(i->buffer, i->buffer + i->size);
}

Status TpmHost::extend_sha256(unsigned pcr, ByteView digest) {
  TPML_DIGEST_VALUES v{};
  v.count = 1;
  v.digests[0].hashAlg = TPM2_ALG_SHA256;
  std::memcpy(v.digests[0].digest.sha256, digest.data(), std::min<size_t>(32, digest.size()));
  TSS2_RC rc =
      Esys_PCR_Extend(esys_, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &v);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("PCR_Extend", rc);
  return Ok{};
}

Result<TpmHost::QuoteOut> TpmHost::quote(ESYS_TR ak, ByteView extra_data,
                                         const TPML_PCR_SELECTION& selection) {
  TPM2B_DATA q{};
  if (extra_data.size() > sizeof q.buffer) return make_error("tpm.host", "nonce", "too long");
  q.size = static_cast<UINT16>(extra_data.size());
  std::memcpy(q.buffer, extra_data.data(), extra_data.size());
  TPMT_SIG_SCHEME scheme{};
  scheme.scheme = TPM2_ALG_NULL;  // the AK's own scheme
  TPM2B_ATTEST* quoted = nullptr;
  TPMT_SIGNATURE* sig = nullptr;
  TSS2_RC rc = Esys_Quote(esys_, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &q, &scheme,
                          &selection, &quoted, &sig);
  EsysPtr<TPM2B_ATTEST> qa(quoted);
  EsysPtr<TPMT_SIGNATURE> qs(sig);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("Quote", rc);
  QuoteOut out;
  out.attest.assign(qa->attestationData, qa->attestationData + qa->size);
  uint8_t buf[sizeof(TPMT_SIGNATURE)];
  size_t off = 0;
  if (Tss2_MU_TPMT_SIGNATURE_Marshal(qs.get(), buf, sizeof buf, &off) != TSS2_RC_SUCCESS) {
    return make_error("tpm.host", "Quote", "cannot marshal the signature");
  }
  out.signature.assign(buf, buf + off);
  // PCR_Read returns at most 8 digests per call: read bank by bank, PCR by PCR.
  for (uint32_t b = 0; b < selection.count; ++b) {
    for (unsigned byte = 0; byte < selection.pcrSelections[b].sizeofSelect; ++byte) {
      for (unsigned bit = 0; bit < 8; ++bit) {
        if (!(selection.pcrSelections[b].pcrSelect[byte] & (1u << bit))) continue;
        TPML_PCR_SELECTION one{};
        one.count = 1;
        one.pcrSelections[0].hash = selection.pcrSelections[b].hash;
        one.pcrSelections[0].sizeofSelect = 3;
        one.pcrSelections[0].pcrSelect[byte] = static_cast<BYTE>(1u << bit);
        UINT32 counter = 0;
        TPML_PCR_SELECTION* outsel = nullptr;
        TPML_DIGEST* values = nullptr;
        rc = Esys_PCR_Read(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &one, &counter, &outsel,
                           &values);
        EsysPtr<TPML_PCR_SELECTION> os(outsel);
        EsysPtr<TPML_DIGEST> ov(values);
        if (rc != TSS2_RC_SUCCESS) return tpm_error("PCR_Read", rc);
        if (ov->count != 1) return make_error("tpm.host", "PCR_Read", "PCR not available");
        out.pcrs.insert(out.pcrs.end(), ov->digests[0].buffer,
                        ov->digests[0].buffer + ov->digests[0].size);
      }
    }
  }
  return out;
}

Result<TPML_PCR_SELECTION> parse_pcr_selection(const std::string& text, const std::string& option) {
  TPML_PCR_SELECTION sel{};
  size_t colon = text.find(':');
  std::string bank = text.substr(0, colon);
  TPMI_ALG_HASH alg = bank == "sha1"     ? TPM2_ALG_SHA1
                      : bank == "sha256" ? TPM2_ALG_SHA256
                      : bank == "sha384" ? TPM2_ALG_SHA384
                                         : TPM2_ALG_NULL;
  if (colon == std::string::npos || alg == TPM2_ALG_NULL) {
    return make_error("input.bad-value", option, "expected BANK:I,J,... with sha1/sha256/sha384");
  }
  sel.count = 1;
  sel.pcrSelections[0].hash = alg;
  sel.pcrSelections[0].sizeofSelect = 3;
  size_t pos = colon + 1;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string n = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    bool ok = !n.empty() && n.size() <= 2 && std::all_of(n.begin(), n.end(), ::isdigit);
    unsigned i = ok ? static_cast<unsigned>(std::stoul(n)) : 99;
    if (i > 23) return make_error("input.bad-value", option, "PCR index \"" + n + "\" not 0..23");
    sel.pcrSelections[0].pcrSelect[i / 8] |= static_cast<BYTE>(1u << (i % 8));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return sel;
}

Result<HostQuote> quote_host(const std::string& tcti, ByteView extra_data,
                             const TPML_PCR_SELECTION& selection,
                             std::optional<TPM2_HANDLE> persistent_ak, bool ecc) {
  AA_TRY(host, TpmHost::open(tcti));
  AA_TRY(ek, host->ek());
  TpmHost::Key ak;
  if (persistent_ak) {
    AA_TRY(p, host->load_persistent(*persistent_ak));
    ak = p;
  } else {
    AA_TRY(fresh, host->create_ak(ek.handle, ecc));
    ak = fresh;
  }
  AA_TRY(q, host->quote(ak.handle, extra_data, selection));
  HostQuote out;
  out.attest = std::move(q.attest);
  out.signature = std::move(q.signature);
  out.pcrs = std::move(q.pcrs);
  out.ak_public = marshal_public(ak.pub);
  out.ak_name = ak_name(ak.pub.publicArea);
  out.ek_public = marshal_public(ek.pub);
  AA_TRY(cert, host->nv_read(0x01c00002));
  out.ek_certificate = std::move(cert);
  return out;
}

}  // namespace aa::tpm
