#include "tpm/pcrs.h"

#include <cstring>

#include "core/json.h"
#include "tpm/quote.h"

namespace aa::tpm {

namespace {

constexpr size_t kSelectionBytes = 132;  // u32 count + 16 x (u16 hash, u8 size, u8[4], pad)
constexpr size_t kDigestListBytes = 4 + 8 * (2 + 64);

size_t digest_size(TPMI_ALG_HASH alg) {
  const EVP_MD* md = digest_for(alg);
  return md ? static_cast<size_t>(EVP_MD_get_size(md)) : 0;
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// The "marshaled" PCR file of later tpm2-tools (-F marshaled): the TSS2 wire form, big-endian,
// of a TPML_PCR_SELECTION, a UINT32 count n, then n TPML_DIGEST, each read to its exact end.
Status read_marshaled(ByteView b, const std::string& origin, TPML_PCR_SELECTION& fs,
                      std::vector<Bytes>& digests) {
  size_t pos = 0;
  auto need = [&](size_t n) -> Status {
    if (b.size() - pos < n) {
      return make_error(
          "tpm.bad-pcr-file", origin,
          "marshaled PCR file ends inside a structure at byte " + std::to_string(pos));
    }
    return Ok{};
  };
  AA_CHECK(need(4));
  fs = TPML_PCR_SELECTION{};
  fs.count = be32(b.data());
  pos = 4;
  if (fs.count == 0 || fs.count > TPM2_NUM_PCR_BANKS) {
    return make_error("tpm.bad-pcr-file", origin, "selection count " + std::to_string(fs.count));
  }
  for (uint32_t i = 0; i < fs.count; ++i) {
    AA_CHECK(need(3));
    fs.pcrSelections[i].hash = static_cast<TPMI_ALG_HASH>((b[pos] << 8) | b[pos + 1]);
    fs.pcrSelections[i].sizeofSelect = b[pos + 2];
    pos += 3;
    if (fs.pcrSelections[i].sizeofSelect > 4) {
      return make_error("tpm.bad-pcr-file", origin, "sizeofSelect above 4");
    }
    AA_CHECK(need(fs.pcrSelections[i].sizeofSelect));
    std::memcpy(fs.pcrSelections[i].pcrSelect, b.data() + pos, fs.pcrSelections[i].sizeofSelect);
    pos += fs.pcrSelections[i].sizeofSelect;
  }
  AA_CHECK(need(4));
  uint32_t lists = be32(b.data() + pos);
  pos += 4;
  if (lists > 64) return make_error("tpm.bad-pcr-file", origin, "over 64 digest lists");
  for (uint32_t l = 0; l < lists; ++l) {
    AA_CHECK(need(4));
    uint32_t n = be32(b.data() + pos);
    pos += 4;
    if (n > 8) return make_error("tpm.bad-pcr-file", origin, "a digest list holds over 8");
    for (uint32_t k = 0; k < n; ++k) {
      AA_CHECK(need(2));
      size_t size = (size_t{b[pos]} << 8) | b[pos + 1];
      pos += 2;
      if (size > 64) return make_error("tpm.bad-pcr-file", origin, "a digest is over 64 bytes");
      AA_CHECK(need(size));
      digests.emplace_back(b.begin() + static_cast<long>(pos),
                           b.begin() + static_cast<long>(pos + size));
      pos += size;
    }
  }
  if (pos != b.size()) {
    return make_error("tpm.bad-pcr-file", origin,
                      std::to_string(b.size() - pos) + " bytes after the marshaled PCR values");
  }
  return Ok{};
}

}  // namespace

bool same_selection(const TPML_PCR_SELECTION& a, const TPML_PCR_SELECTION& b) {
  if (a.count != b.count) return false;
  for (uint32_t i = 0; i < a.count && i < TPM2_NUM_PCR_BANKS; ++i) {
    if (a.pcrSelections[i].hash != b.pcrSelections[i].hash) return false;
    if (selected_pcrs(a.pcrSelections[i]) != selected_pcrs(b.pcrSelections[i])) return false;
  }
  return true;
}

std::string selection_text(const TPML_PCR_SELECTION& s) {
  std::string out;
  for (uint32_t i = 0; i < s.count && i < TPM2_NUM_PCR_BANKS; ++i) {
    if (!out.empty()) out += " ";
    out += std::string(hash_name(s.pcrSelections[i].hash)) + ":";
    bool first = true;
    for (unsigned p : selected_pcrs(s.pcrSelections[i])) {
      out += (first ? "" : ",") + std::to_string(p);
      first = false;
    }
  }
  return out;
}

Result<PcrFile> parse_pcr_file(ByteView bytes, const TPML_PCR_SELECTION& sel,
                               const std::string& origin) {
  PcrFile f;
  std::vector<std::pair<TPMI_ALG_HASH, unsigned>> slots;
  size_t raw_size = 0;
  for (uint32_t i = 0; i < sel.count && i < TPM2_NUM_PCR_BANKS; ++i) {
    size_t ds = digest_size(sel.pcrSelections[i].hash);
    if (ds == 0) {
      return make_error(
          "tpm.bad-pcr-file", origin,
          "the quote selects an unsupported bank " + std::to_string(sel.pcrSelections[i].hash));
    }
    for (unsigned p : selected_pcrs(sel.pcrSelections[i])) {
      slots.emplace_back(sel.pcrSelections[i].hash, p);
      raw_size += ds;
    }
  }
  std::vector<Bytes> digests;
  if (bytes.size() == raw_size) {
    f.form = "raw";
    size_t pos = 0;
    for (const auto& [bank, index] : slots) {
      size_t ds = digest_size(bank);
      digests.emplace_back(bytes.begin() + static_cast<long>(pos),
                           bytes.begin() + static_cast<long>(pos + ds));
      pos += ds;
    }
  } else if (bytes.size() >= kSelectionBytes + 4 &&
             (bytes.size() - kSelectionBytes - 4) % kDigestListBytes == 0 &&
             !(be32(bytes.data()) >= 1 && be32(bytes.data()) <= TPM2_NUM_PCR_BANKS)) {
    f.form = "tpm2-tools";
    TPML_PCR_SELECTION fs{};
    fs.count = le32(bytes.data());
    if (fs.count > TPM2_NUM_PCR_BANKS) {
      return make_error("tpm.bad-pcr-file", origin, "selection count " + std::to_string(fs.count));
    }
    for (uint32_t i = 0; i < fs.count; ++i) {
      const uint8_t* e = bytes.data() + 4 + 8 * i;
      fs.pcrSelections[i].hash = le16(e);
      fs.pcrSelections[i].sizeofSelect = e[2];
      if (e[2] > 4) return make_error("tpm.bad-pcr-file", origin, "sizeofSelect above 4");
      std::memcpy(fs.pcrSelections[i].pcrSelect, e + 3, 4);
    }
    f.file_selection = fs;
    uint32_t lists = le32(bytes.data() + kSelectionBytes);
    if (kSelectionBytes + 4 + size_t{lists} * kDigestListBytes != bytes.size()) {
      return make_error("tpm.bad-pcr-file", origin,
                        "digest list count " + std::to_string(lists) + " disagrees with the size");
    }
    for (uint32_t l = 0; l < lists; ++l) {
      const uint8_t* dl = bytes.data() + kSelectionBytes + 4 + size_t{l} * kDigestListBytes;
      uint32_t n = le32(dl);
      if (n > 8) return make_error("tpm.bad-pcr-file", origin, "a digest list holds over 8");
      for (uint32_t k = 0; k < n; ++k) {
        const uint8_t* d = dl + 4 + k * 66;
        uint16_t size = le16(d);
        if (size > 64) return make_error("tpm.bad-pcr-file", origin, "a digest is over 64 bytes");
        digests.emplace_back(d + 2, d + 2 + size);
      }
    }
  } else if (bytes.size() > raw_size && bytes.size() >= 4 && be32(bytes.data()) >= 1 &&
             be32(bytes.data()) <= TPM2_NUM_PCR_BANKS) {
    f.form = "tpm2-tools-marshaled";
    TPML_PCR_SELECTION fs{};
    AA_CHECK(read_marshaled(bytes, origin, fs, digests));
    f.file_selection = fs;
  } else {
    return make_error("tpm.bad-pcr-file", origin,
                      std::to_string(bytes.size()) + " bytes: neither the " +
                          std::to_string(raw_size) + " raw digest bytes the quote's selection (" +
                          selection_text(sel) + ") needs nor a tpm2-tools PCR file");
  }
  if (digests.size() != slots.size()) {
    return make_error("tpm.pcr-count", origin,
                      std::to_string(digests.size()) + " PCR values for the " +
                          std::to_string(slots.size()) + " PCRs the quote selects (" +
                          selection_text(sel) + ")");
  }
  for (size_t i = 0; i < slots.size(); ++i) {
    if (digests[i].size() != digest_size(slots[i].first)) {
      return make_error("tpm.bad-pcr-file", origin,
                        "value " + std::to_string(i) + " is " + std::to_string(digests[i].size()) +
                            " bytes, not a " + hash_name(slots[i].first) + " digest");
    }
    f.values.push_back({slots[i].first, slots[i].second, std::move(digests[i])});
  }
  return f;
}

Result<PcrPolicy> load_pcr_policy(std::string_view json, const std::string& origin) {
  AA_TRY(doc, parse_json_strict(json, origin));
  JsonAt root(doc, origin);
  AA_TRY(o, root.object());
  AA_CHECK(o.only_fields({"schema", "about", "banks"}));
  AA_TRY(schema, o.field("schema"));
  AA_TRY(s, schema.string());
  if (s != "accel-attest/pcr-policy/v1") {
    return make_error("input.bad-value", schema.where(), "unsupported schema " + s);
  }
  PcrPolicy p;
  AA_TRY(banks, o.field("banks"));
  AA_TRY(bo, banks.object());
  for (const auto& [bank, pcrs] : bo.json().items()) {
    if (bank != "sha1" && bank != "sha256" && bank != "sha384" && bank != "sha512") {
      return make_error("input.bad-value", bo.child(bank).where(), "unknown bank " + bank);
    }
    AA_TRY(po, bo.child(bank).object());
    for (const auto& [idx, vals] : po.json().items()) {
      JsonAt at = po.child(idx);
      unsigned index = 0;
      bool ok = !idx.empty() && idx.size() <= 2;
      for (char c : idx) ok = ok && c >= '0' && c <= '9';
      if (ok) index = static_cast<unsigned>(std::stoul(idx));
      if (!ok || index > 23) return make_error("input.bad-value", at.where(), "PCR index 0..23");
      AA_TRY(arr, at.array());
      // An empty list would allow nothing, yet read as "no constraint": refused, as is a
      // policy that constrains no PCR at all (the boot state would count as checked).
      if (arr.json().empty()) {
        return make_error("input.bad-value", at.where(),
                          "no allowed value: list at least one digest, or leave the PCR out");
      }
      for (size_t i = 0; i < arr.json().size(); ++i) {
        AA_TRY(h, arr.at(i).string());
        auto d = hex_decode(h);
        if (!d) return make_error("input.bad-hex", arr.at(i).where(), "not hex");
        p.allowed[bank][index].push_back(std::move(*d));
      }
    }
  }
  if (p.allowed.empty()) {
    return make_error("input.bad-value", banks.where(),
                      "the policy allows every boot state: name at least one PCR");
  }
  return p;
}

}  // namespace aa::tpm
