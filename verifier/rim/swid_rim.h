// NVIDIA reference integrity manifests (RIMs): TCG base RIMs as ISO/IEC 19770-2:2015 SWID tag
// XML with an enveloped XML-DSig signature.
//
// Contract: parse_rim() reads untrusted XML with libxml2 (no network, no DTD, no entity
// expansion; a document with a DOCTYPE is refused) and extracts, naming the element or
// attribute and its line in every error (code rim.malformed):
//   - SoftwareIdentity (SWID 2015 namespace) as the root, its name and tagId;
//   - exactly one Meta with colloquialVersion, and its product, edition and the TCG
//     FirmwareManufacturerId;
//   - every Payload/Resource of type "Measurement": index (0..255, unique), active
//     ("True"/"False"), alternatives k (1..16) and the attributes Hash0..Hash{k-1} in the
//     xmlenc#sha384 namespace, each hex of exactly `size` bytes;
//   - the certificates of Signature/KeyInfo/X509Data, in document order.
// The same parsed document is what verify_rim_signature() checks (crypto/xmldsig), so what is
// read is what was verified.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/ossl.h"

typedef struct _xmlDoc xmlDoc;

namespace aa::rim {

struct Measurement {
  unsigned index = 0;  // RIM index; the SPDM block index is index + 1
  bool active = false;
  std::vector<Bytes> alternatives;  // Hash0..Hash{k-1}
  std::string name;
  size_t size = 0;
  long line = 0;
};

struct XmlDocDeleter {
  void operator()(xmlDoc* d) const;
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocDeleter>;

struct Rim {
  std::string origin;  // file it came from
  std::string name, tag_id, colloquial_version, product, edition, firmware_manufacturer_id;
  std::vector<Measurement> measurements;
  std::vector<ossl::X509Ptr> certs;  // KeyInfo X509Data, document order (signer first)
  XmlDoc doc;                        // the parsed document, for the signature check

  const Measurement* find(unsigned index) const;
};

// Documents larger than 4 MiB are refused (input.too-large).
Result<Rim> parse_rim(std::string_view xml, const std::string& origin);

}  // namespace aa::rim
