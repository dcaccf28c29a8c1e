#include "spdm/measurements.h"

#include <algorithm>
#include <cstdio>

namespace aa::spdm {

namespace {

constexpr size_t kMaxReport = 64u << 10;

std::string hex2(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02x", v & 0xffu);
  return b;
}

// A bounds-checked reader over the blob; every read names its field for the error.
class Reader {
 public:
  Reader(ByteView b, const std::string& origin) : b_(b), origin_(origin) {}
  // Field names are literals; they become strings only on the error path.

  size_t pos() const { return pos_; }
  size_t left() const { return b_.size() - pos_; }

  Error truncated(std::string_view field, size_t need) const {
    return make_error("spdm.truncated", where(field),
                      "needs " + std::to_string(need) + " bytes at offset " + std::to_string(pos_) +
                          ", " + std::to_string(left()) + " left");
  }
  std::string where(std::string_view field) const { return origin_ + "#" + std::string(field); }

  Result<const uint8_t*> take(std::string_view field, size_t n) {
    if (left() < n) return truncated(field, n);
    const uint8_t* p = b_.data() + pos_;
    pos_ += n;
    return p;
  }
  Result<uint8_t> u8(std::string_view field) {
    AA_TRY(p, take(field, 1));
    return *p;
  }

 private:
  ByteView b_;
  const std::string& origin_;  // outlives the reader (a parameter of the parse)
  size_t pos_ = 0;
};

Status expect(Reader& r, std::string_view field, uint8_t got, uint8_t want, size_t at) {
  if (got == want) return Ok{};
  return make_error("spdm.unexpected-value", r.where(field),
                    hex2(got) + " at offset " + std::to_string(at) + ", expected " + hex2(want));
}

Result<MeasurementBlock> parse_block(ByteView record, size_t base, size_t& pos, size_t n,
                                     const std::string& origin) {
  // Built only on the error path: an H100 report has 64 blocks.
  auto where = [&](const char* f) {
    return origin + "#response.MeasurementRecord.block[" + std::to_string(n) + "]" + f;
  };
  if (record.size() - pos < 4) {
    return make_error("spdm.length-overrun", where(""),
                      "block header at offset " + std::to_string(base + pos) +
                          " runs past the MeasurementRecordLength");
  }
  MeasurementBlock b;
  b.offset = base + pos;
  b.index = record[pos];
  b.specification = record[pos + 1];
  uint16_t size = le16(&record[pos + 2]);
  pos += 4;
  if (size > record.size() - pos) {
    return make_error("spdm.length-overrun", where(".MeasurementSize"),
                      std::to_string(size) + " bytes at offset " + std::to_string(b.offset + 2) +
                          " run past the MeasurementRecordLength");
  }
  ByteView m = record.subspan(pos, size);
  pos += size;
  if (b.specification != 0x01) {
    return make_error("spdm.unexpected-value", where(".MeasurementSpecification"),
                      hex2(b.specification) + " at offset " + std::to_string(b.offset + 1) +
                          ", expected 0x01 (DMTF)");
  }
  if (m.size() < 3) {
    return make_error(
        "spdm.truncated", where(".DMTFSpecMeasurementValueSize"),
        "MeasurementSize " + std::to_string(m.size()) + " is smaller than the 3-byte DMTF header");
  }
  b.value_type = m[0];
  uint16_t vsize = le16(&m[1]);
  if (vsize != m.size() - 3) {
    return make_error("spdm.length-overrun", where(".DMTFSpecMeasurementValueSize"),
                      std::to_string(vsize) + " at offset " + std::to_string(b.offset + 5) +
                          " disagrees with MeasurementSize " + std::to_string(m.size()) + " - 3");
  }
  b.value.assign(m.begin() + 3, m.end());
  return b;
}

}  // namespace

const MeasurementBlock* MeasurementReport::block(uint8_t index) const {
  for (const auto& b : blocks) {
    if (b.index == index) return &b;
  }
  return nullptr;
}

Result<MeasurementReport> parse_measurement_report(ByteView blob, size_t signature_size,
                                                   const std::string& origin) {
  if (blob.size() > kMaxReport) {
    return make_error("input.too-large", origin,
                      std::to_string(blob.size()) + " bytes; an SPDM report is at most " +
                          std::to_string(kMaxReport));
  }
  MeasurementReport rep;
  Reader r(blob, origin);
  // Request.
  AA_TRY(req, r.take("request", kRequestSize));
  rep.request_version = req[0];
  rep.request_code = req[1];
  rep.request_param1 = req[2];
  rep.request_param2 = req[3];
  std::copy(req + 4, req + 36, rep.request_nonce.begin());
  rep.slot_id = req[36];
  AA_CHECK(expect(r, "request.SPDMVersion", rep.request_version, kVersion11, 0));
  AA_CHECK(expect(r, "request.RequestResponseCode", rep.request_code, kGetMeasurements, 1));
  if (!(rep.request_param1 & 0x01)) {
    return make_error("spdm.unexpected-value", r.where("request.Param1"),
                      hex2(rep.request_param1) + " at offset 2: no signature was requested");
  }
  // Response header.
  size_t resp = r.pos();
  AA_TRY(hdr, r.take("response.header", 8));
  rep.version = hdr[0];
  rep.code = hdr[1];
  rep.param1 = hdr[2];
  rep.param2 = hdr[3];
  rep.number_of_blocks = hdr[4];
  rep.record_length = le24(hdr + 5);
  AA_CHECK(expect(r, "response.SPDMVersion", rep.version, kVersion11, resp));
  AA_CHECK(expect(r, "response.RequestResponseCode", rep.code, kMeasurements, resp + 1));
  if (rep.record_length > r.left()) {
    return make_error("spdm.length-overrun", r.where("response.MeasurementRecordLength"),
                      std::to_string(rep.record_length) + " at offset " + std::to_string(resp + 5) +
                          " exceeds the " + std::to_string(r.left()) + " bytes left");
  }
  size_t record_at = r.pos();
  AA_TRY(rec, r.take("response.MeasurementRecord", rep.record_length));
  ByteView record(rec, rep.record_length);
  size_t pos = 0;
  while (pos < record.size()) {
    AA_TRY(b, parse_block(record, record_at, pos, rep.blocks.size(), origin));
    for (const auto& prev : rep.blocks) {
      if (prev.index == b.index) {
        return make_error("spdm.unexpected-value",
                          r.where("response.MeasurementRecord.block[" +
                                  std::to_string(rep.blocks.size()) + "].Index"),
                          "index " + std::to_string(b.index) + " at offset " +
                              std::to_string(b.offset) + " appears twice");
      }
    }
    rep.blocks.push_back(std::move(b));
  }
  if (rep.blocks.size() != rep.number_of_blocks) {
    return make_error("spdm.unexpected-value", r.where("response.NumberOfBlocks"),
                      std::to_string(rep.number_of_blocks) + " at offset " +
                          std::to_string(resp + 4) + " but the record holds " +
                          std::to_string(rep.blocks.size()) + " blocks");
  }
  AA_TRY(nonce, r.take("response.Nonce", 32));
  std::copy(nonce, nonce + 32, rep.responder_nonce.begin());
  size_t opaque_len_at = r.pos();
  AA_TRY(ol, r.take("response.OpaqueLength", 2));
  uint16_t opaque_len = le16(ol);
  if (opaque_len > r.left()) {
    return make_error("spdm.length-overrun", r.where("response.OpaqueLength"),
                      std::to_string(opaque_len) + " at offset " + std::to_string(opaque_len_at) +
                          " exceeds the " + std::to_string(r.left()) + " bytes left");
  }
  rep.opaque_offset = r.pos();
  AA_TRY(op, r.take("response.OpaqueData", opaque_len));
  rep.opaque.assign(op, op + opaque_len);
  rep.signed_length = r.pos();
  AA_TRY(sig, r.take("response.Signature", signature_size));
  rep.signature.assign(sig, sig + signature_size);
  size_t tail = r.left();
  if (tail > 0) {
    ByteView rest = blob.subspan(r.pos());
    auto nz = std::find_if(rest.begin(), rest.end(), [](uint8_t v) { return v != 0; });
    if (nz != rest.end()) {
      return make_error("spdm.trailing-bytes", r.where("response.Signature"),
                        std::to_string(tail) + " bytes follow the signature (offset " +
                            std::to_string(r.pos()) + "), not all zero");
    }
    rep.trailing_zeros = tail;
  }
  return rep;
}

}  // namespace aa::spdm
