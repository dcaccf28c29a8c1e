#include "collect/nvml_gpu.h"

#include <dlfcn.h>

#include <algorithm>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "collect/dl.h"
#include "collect/nvml_abi.h"
#include "crypto/ossl.h"
#include "crypto/x509.h"
#include "inventory/pci_device.h"

namespace aa::nvidia {

using namespace nvml_abi;

struct NvmlSession::Api {
  // Required (every driver since 535).
  NvmlReturn (*init)() = nullptr;
  NvmlReturn (*shutdown)() = nullptr;
  const char* (*error_string)(NvmlReturn) = nullptr;
  NvmlReturn (*by_bus_id)(const char*, NvmlDevice*) = nullptr;
  NvmlReturn (*report)(NvmlDevice, AttestationReport*) = nullptr;
  NvmlReturn (*certificate)(NvmlDevice, Certificate*) = nullptr;
  // Optional: absent means the field is unknown.
  NvmlReturn (*count)(unsigned int*) = nullptr;
  NvmlReturn (*by_index)(unsigned int, NvmlDevice*) = nullptr;
  NvmlReturn (*pci_info)(NvmlDevice, PciInfo*) = nullptr;
  NvmlReturn (*driver_version)(char*, unsigned int) = nullptr;
  NvmlReturn (*vbios_version)(NvmlDevice, char*, unsigned int) = nullptr;
  NvmlReturn (*uuid)(NvmlDevice, char*, unsigned int) = nullptr;
  NvmlReturn (*serial)(NvmlDevice, char*, unsigned int) = nullptr;
  NvmlReturn (*name)(NvmlDevice, char*, unsigned int) = nullptr;
  NvmlReturn (*architecture)(NvmlDevice, Architecture*) = nullptr;
  NvmlReturn (*cc_state)(ConfComputeSystemState*) = nullptr;
  NvmlReturn (*cc_settings)(ConfComputeSettings*) = nullptr;
};

namespace {

Error call_error(const NvmlSession::Api& api, const char* fn, NvmlReturn rc) {
  const char* words = api.error_string ? api.error_string(rc) : nullptr;
  return make_error(
      "nvml.call", fn,
      std::string(words ? words : "error") + " (NVML code " + std::to_string(rc) + ")");
}

template <typename F>
Status resolve(void* lib, const char* name, F& out) {
  return collect::resolve(lib, name, out, "nvml.unavailable", "NVML");
}
using collect::resolve_optional;

// A NUL-terminated string NVML wrote into a buffer of `n` bytes (the buffer's end bounds it).
std::string from_buffer(const char* buf, size_t n) {
  return collect::text_of(buf, n);
}

template <size_t N>
std::optional<std::string> text_query(NvmlReturn (*fn)(NvmlDevice, char*, unsigned int),
                                      NvmlDevice d) {
  if (!fn) return std::nullopt;
  char buf[N] = {};
  if (fn(d, buf, N) != kSuccess) return std::nullopt;
  std::string s = from_buffer(buf, N);
  if (s.empty()) return std::nullopt;
  return s;
}

// NVML's "00000000:18:00.0" (8-digit domain) as "0000:18:00.0".
std::optional<std::string> bus_id_of(const PciInfo& p) {
  std::string s = from_buffer(p.bus_id, sizeof p.bus_id);
  size_t colon = s.find(':');
  if (colon == 8 && s.compare(0, 4, "0000") == 0) s = s.substr(4);
  return normalize_pci_address(s);
}

}  // namespace

Result<std::shared_ptr<NvmlSession>> NvmlSession::open(const std::string& library) {
  std::shared_ptr<NvmlSession> s(new NvmlSession());
  AA_TRY(handle, collect::open_library(library, "nvml.unavailable", "NVIDIA's driver provides it"));
  s->library_ = std::move(handle);
  void* lib = s->library_.get();
  s->api_ = std::make_unique<Api>();
  Api& api = *s->api_;
  AA_CHECK(resolve(lib, "nvmlErrorString", api.error_string));
  AA_CHECK(resolve(lib, "nvmlInit_v2", api.init));
  AA_CHECK(resolve(lib, "nvmlShutdown", api.shutdown));
  AA_CHECK(resolve(lib, "nvmlDeviceGetHandleByPciBusId_v2", api.by_bus_id));
  AA_CHECK(resolve(lib, "nvmlDeviceGetConfComputeGpuAttestationReport", api.report));
  AA_CHECK(resolve(lib, "nvmlDeviceGetConfComputeGpuCertificate", api.certificate));
  resolve_optional(lib, "nvmlDeviceGetCount_v2", api.count);
  resolve_optional(lib, "nvmlDeviceGetHandleByIndex_v2", api.by_index);
  resolve_optional(lib, "nvmlDeviceGetPciInfo_v3", api.pci_info);
  resolve_optional(lib, "nvmlSystemGetDriverVersion", api.driver_version);
  resolve_optional(lib, "nvmlDeviceGetVbiosVersion", api.vbios_version);
  resolve_optional(lib, "nvmlDeviceGetUUID", api.uuid);
  resolve_optional(lib, "nvmlDeviceGetSerial", api.serial);
  resolve_optional(lib, "nvmlDeviceGetName", api.name);
  resolve_optional(lib, "nvmlDeviceGetArchitecture", api.architecture);
  resolve_optional(lib, "nvmlSystemGetConfComputeState", api.cc_state);
  resolve_optional(lib, "nvmlSystemGetConfComputeSettings", api.cc_settings);
  if (NvmlReturn rc = api.init(); rc != kSuccess) return call_error(api, "nvmlInit_v2", rc);
  s->initialised_ = true;
  return s;
}

NvmlSession::~NvmlSession() {
  if (initialised_ && api_ && api_->shutdown) api_->shutdown();
}

Result<std::string> NvmlSession::driver_version() const {
  const char* fn = "nvmlSystemGetDriverVersion";
  if (!api_->driver_version) return make_error("nvml.unavailable", fn, "no such function");
  char buf[kDriverVersionSize] = {};
  if (NvmlReturn rc = api_->driver_version(buf, sizeof buf); rc != kSuccess) {
    return call_error(*api_, fn, rc);
  }
  return from_buffer(buf, sizeof buf);
}

NvmlCcState NvmlSession::cc_state() const {
  NvmlCcState out;
  if (api_->cc_state) {
    ConfComputeSystemState st{};
    if (api_->cc_state(&st) == kSuccess) {
      out.known = true;
      out.cc_on = st.cc_feature == kCcFeatureEnabled;
      out.devtools = st.dev_tools_mode == 1;
      out.environment = st.environment;
    }
  }
  if (api_->cc_settings) {
    ConfComputeSettings st{};
    st.version = kConfComputeSettingsV1;
    if (api_->cc_settings(&st) == kSuccess) {
      out.known = true;
      out.cc_on = st.cc_feature == kCcFeatureEnabled;
      out.devtools = st.dev_tools_mode == 1;
      out.environment = st.environment;
      out.protected_pcie = st.multi_gpu_mode == kMultiGpuProtectedPcie;
    }
  }
  return out;
}

Result<NvmlDeviceInfo> NvmlSession::info_of(void* handle) const {
  NvmlDeviceInfo d;
  d.handle = handle;
  const char* fn = "nvmlDeviceGetPciInfo_v3";
  if (!api_->pci_info) return make_error("nvml.unavailable", fn, "no such function");
  PciInfo p{};
  if (NvmlReturn rc = api_->pci_info(handle, &p); rc != kSuccess) return call_error(*api_, fn, rc);
  auto bus = bus_id_of(p);
  if (!bus) {
    return make_error(
        "nvml.bad-output", fn,
        "busId \"" + from_buffer(p.bus_id, sizeof p.bus_id) + "\" is not a PCI address");
  }
  d.bus_id = *bus;
  d.vendor = static_cast<uint16_t>(p.pci_device_id & 0xffff);
  d.device = static_cast<uint16_t>(p.pci_device_id >> 16);
  d.subsystem_vendor = static_cast<uint16_t>(p.pci_subsystem_id & 0xffff);
  d.subsystem_device = static_cast<uint16_t>(p.pci_subsystem_id >> 16);
  return d;
}

Result<std::vector<NvmlDeviceInfo>> NvmlSession::devices() const {
  if (!api_->count)
    return make_error("nvml.unavailable", "nvmlDeviceGetCount_v2", "no such function");
  if (!api_->by_index) {
    return make_error("nvml.unavailable", "nvmlDeviceGetHandleByIndex_v2", "no such function");
  }
  unsigned int n = 0;
  if (NvmlReturn rc = api_->count(&n); rc != kSuccess) {
    return call_error(*api_, "nvmlDeviceGetCount_v2", rc);
  }
  std::vector<NvmlDeviceInfo> out;
  for (unsigned int i = 0; i < n && i < 512; ++i) {
    NvmlDevice h = nullptr;
    if (NvmlReturn rc = api_->by_index(i, &h); rc != kSuccess) {
      Error e = call_error(*api_, "nvmlDeviceGetHandleByIndex_v2", rc);
      e.message += " for GPU index " + std::to_string(i);
      return e;
    }
    AA_TRY(d, info_of(h));
    out.push_back(std::move(d));
  }
  return out;
}

Result<NvmlDeviceInfo> NvmlSession::device(const std::string& pci_bus_id) const {
  NvmlDevice h = nullptr;
  if (NvmlReturn rc = api_->by_bus_id(pci_bus_id.c_str(), &h); rc != kSuccess) {
    Error e = call_error(*api_, "nvmlDeviceGetHandleByPciBusId_v2", rc);
    e.message += " for " + pci_bus_id;
    return e;
  }
  if (!api_->pci_info) {  // an old driver: the caller's bus ID is all there is
    NvmlDeviceInfo d;
    d.handle = h;
    d.bus_id = normalize_pci_address(pci_bus_id).value_or(pci_bus_id);
    return d;
  }
  return info_of(h);
}

NvmlIdentity NvmlSession::identity(const NvmlDeviceInfo& d) const {
  NvmlIdentity id;
  id.uuid = text_query<kUuidSize>(api_->uuid, d.handle);
  id.serial = text_query<kSerialSize>(api_->serial, d.handle);
  id.vbios_version = text_query<kVbiosVersionSize>(api_->vbios_version, d.handle);
  id.name = text_query<kNameSize>(api_->name, d.handle);
  Architecture a = 0;
  if (api_->architecture && api_->architecture(d.handle, &a) == kSuccess) id.architecture = a;
  return id;
}

Result<Bytes> NvmlSession::attestation_report(const NvmlDeviceInfo& d, ByteView nonce) const {
  if (nonce.size() != kNonceSize) {
    return make_error("nvml.bad-output", "nonce", "the nonce must be 32 bytes");
  }
  auto rep = std::make_unique<AttestationReport>();  // value-initialised: zeroed
  std::copy(nonce.begin(), nonce.end(), rep->nonce);
  const char* fn = "nvmlDeviceGetConfComputeGpuAttestationReport";
  if (NvmlReturn rc = api_->report(d.handle, rep.get()); rc != kSuccess) {
    return call_error(*api_, fn, rc);
  }
  if (rep->report_size == 0 || rep->report_size > kReportSize) {
    return make_error("nvml.bad-output", fn,
                      "attestationReportSize " + std::to_string(rep->report_size) +
                          " is outside 1.." + std::to_string(kReportSize));
  }
  return Bytes(rep->report, rep->report + rep->report_size);
}

Result<std::string> NvmlSession::certificate_chain_pem(const NvmlDeviceInfo& d) const {
  auto cert = std::make_unique<Certificate>();  // value-initialised: zeroed
  const char* fn = "nvmlDeviceGetConfComputeGpuCertificate";
  if (NvmlReturn rc = api_->certificate(d.handle, cert.get()); rc != kSuccess) {
    return call_error(*api_, fn, rc);
  }
  const size_t n = cert->attestation_chain_size;
  if (n == 0 || n > kAttestationChainSize) {
    return make_error("nvml.bad-output", fn,
                      "attestationCertChainSize " + std::to_string(n) + " is outside 1.." +
                          std::to_string(kAttestationChainSize));
  }
  return chain_pem_from_nvml(ByteView(cert->attestation_chain, n));
}

Result<std::unique_ptr<NvmlGpu>> NvmlGpu::open(const std::string& library,
                                               const std::string& pci_bus_id) {
  std::unique_ptr<NvmlGpu> gpu(new NvmlGpu());
  AA_TRY(s, NvmlSession::open(library));
  AA_TRY(d, s->device(pci_bus_id));
  gpu->session_ = std::move(s);
  gpu->device_ = std::move(d);
  return gpu;
}

std::string nvml_arch_name(unsigned architecture) {
  switch (architecture) {
    case kArchHopper:
      return "HOPPER";
    case kArchBlackwell:
      return "BLACKWELL";
    default:
      return "";
  }
}

Result<std::string> chain_pem_from_nvml(ByteView bytes) {
  const char* field = "attestationCertChain";
  if (bytes.size() > kAttestationChainSize) {
    return make_error("nvml.bad-output", field, "larger than NVML's buffer");
  }
  std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
    auto certs = x509::parse_pem_chain(text, field);
    if (!certs) return make_error("nvml.bad-output", field, certs.error().message);
    if (certs->empty()) return make_error("nvml.bad-output", field, "no certificate");
    return text;
  }
  // Concatenated DER (zero padding after the last): re-encode each certificate as PEM.
  std::string pem;
  const unsigned char* p = bytes.data();
  const unsigned char* end = p + bytes.size();
  while (p < end && *p != 0) {
    const size_t offset = static_cast<size_t>(p - bytes.data());
    ossl::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(end - p)));
    if (!x) {
      return make_error("nvml.bad-output", field,
                        "no DER certificate at offset " + std::to_string(offset));
    }
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509(bio.get(), x.get()) != 1) {
      return make_error("nvml.bad-output", field,
                        "certificate at offset " + std::to_string(offset) + " does not re-encode");
    }
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    pem.append(data, static_cast<size_t>(len));
  }
  if (pem.empty()) return make_error("nvml.bad-output", field, "no certificate");
  return pem;
}

}  // namespace aa::nvidia
