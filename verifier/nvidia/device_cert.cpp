#include "nvidia/device_cert.h"

#include "crypto/der.h"
#include "crypto/x509.h"

namespace aa::nvidia {

namespace {

constexpr const char* kDeviceIdOid = "1.3.6.1.4.1.412.274.1";
constexpr uint8_t kFwidsTag = 0xA6;  // [6] constructed

// SEQUENCE { OID hashAlg, OCTET STRING digest } -> digest.
std::optional<Bytes> fwid_digest(const der::Tlv& fwid) {
  if (fwid.tag != der::kSequence) return std::nullopt;
  auto parts = der::children(fwid.content);
  if (!parts || parts->size() != 2 || (*parts)[0].tag != der::kOid ||
      (*parts)[1].tag != der::kOctetString) {
    return std::nullopt;
  }
  ByteView d = (*parts)[1].content;
  return Bytes(d.begin(), d.end());
}

}  // namespace

std::optional<DeviceId> device_id(const X509* leaf) {
  for (const auto& s : x509::san_other_names(leaf, kDeviceIdOid)) {
    size_t a = s.find(':');
    size_t b = a == std::string::npos ? a : s.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos || s.substr(0, a) != "NVIDIA") continue;
    return DeviceId{s, s.substr(a + 1, b - a - 1)};
  }
  return std::nullopt;
}

std::optional<Bytes> cert_fwid(const X509* leaf, const std::string& oid) {
  auto ext = x509::extension_value(leaf, oid.c_str());
  if (!ext) return std::nullopt;
  size_t pos = 0;
  auto top = der::read(*ext, pos);
  if (!top || top->tag != der::kSequence || pos != ext->size()) return std::nullopt;
  auto items = der::children(top->content);
  if (!items || items->empty()) return std::nullopt;
  if (oid == "2.23.133.5.4.1") return fwid_digest(items->back());
  for (const auto& it : *items) {
    if (it.tag != kFwidsTag) continue;
    auto list = der::children(it.content);
    if (!list || list->empty()) return std::nullopt;
    return fwid_digest(list->front());
  }
  return std::nullopt;
}

}  // namespace aa::nvidia
