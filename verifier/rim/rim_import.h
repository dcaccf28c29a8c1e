// Filling the RIM store (rim/rim_store.h) from RIM files as NVIDIA publishes them.
//
// Contract: import_rim() takes one file's bytes in either form NVIDIA hands RIMs out in:
//   - the SWID XML itself (nvtrust's `*.swidtag` samples, `jq -r .rim | base64 -d` output);
//   - the RIM service's JSON answer (`curl .../v1/rim/<ID> -o x.swidtag`): {"id", "rim" (base64
//     of the XML)} with optional "sha256", "last_updated", "rim_format" (must be TCG, the SWID
//     format; CORIM is refused), "request_id" strings; any other member is refused. "sha256" is
//     not compared: what it is a digest of is not documented.
// The XML must parse as a SWID RIM (rim::parse_rim, rim.malformed), its XML-DSig must verify
// with the key of its signer certificate under NVIDIA's profile (rim.signature-invalid,
// rim.signature-profile), and its KeyInfo chain must lead to `rim_root` (rim.chain-invalid);
// a chain whose only fault is a validity period at `at` is imported and said so (RIM signers
// live about two years; the appraiser checks them at its own verification time).
// The RIM ID, first found of: `id` (the caller's --id), the service's "id" (both given: they
// must agree), the file name without .swidtag/.xml when it is an NV_ ID, NVIDIA's sample naming
// <PROJECT>_<PROJECT_SKU>_<CHIP_SKU>_<VBIOS 10 hex>[_anything].swidtag (a GPU or switch VBIOS
// RIM, the edition decides which), or, for a driver RIM (a colloquialVersion that is not a VBIOS
// version), the driver template of the family whose rim_products holds the RIM's product
// (families.json). The ID must then agree with the signed fields: NV_GPU_DRIVER_ /
// NV_GPU_CC_DRIVER_ IDs end in "_<colloquialVersion>" and need edition GPU, NV_GPU_VBIOS_ IDs in
// "_<colloquialVersion without dots, upper case>" with edition GPU, NV_SWITCH_BIOS_ likewise with
// edition SWITCH; a tagId that is not a 96-hex digest must equal the ID (rim.import-id).
// The XML is written as <store>/<ID>.xml (created, with the store directory if missing). A
// file already there with the same bytes is left ("unchanged"); with other bytes it is replaced
// only with `force` (rim.import-conflict otherwise).
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include <openssl/x509.h>

#include "core/result.h"
#include "nvidia/profile.h"

namespace aa::rim {

struct ImportOptions {
  const X509* rim_root = nullptr;
  std::time_t at = 0;  // the time the signer chain is checked at
  std::string id;      // the caller's RIM ID ("" to read it from the file)
  bool force = false;
  const nvidia::NvidiaProfile* profile = nullptr;  // driver RIM IDs from the family templates
};

struct ImportedRim {
  std::string file;       // where it came from
  std::string form;       // "swid-xml" or "rim-service-json"
  std::string id;         // the RIM ID it is stored under
  std::string id_source;  // "--id", "rim service id", "file name", "nvidia sample file name",
                          // "driver template"
  std::string path;       // <store>/<ID>.xml
  std::string action;     // "written", "unchanged" or "replaced"
  std::string product, edition, version, tag_id, signer;
  std::time_t signer_not_after = 0;
  bool chain_valid_at_time = false;  // false: the chain's only fault is a validity period
  std::string chain_detail;          // OpenSSL's words when not valid at the time
};

// Reads, checks and names one RIM without writing anything.
Result<ImportedRim> check_rim_file(std::string_view body, const std::string& file,
                                   const ImportOptions& o, std::string* xml_out);

// Writes a checked RIM (its XML from check_rim_file()) as <store_dir>/<r.id>.xml; sets r.path
// and r.action.
Status store_checked_rim(ImportedRim& r, const std::string& xml, const std::string& store_dir,
                         bool force);

// check_rim_file(), then store_checked_rim().
Result<ImportedRim> import_rim(std::string_view body, const std::string& file,
                               const std::string& store_dir, const ImportOptions& o);

}  // namespace aa::rim
