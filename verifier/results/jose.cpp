#include "results/jose.h"

#include <openssl/core_names.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>

#include "core/bytes.h"
#include "core/json_text.h"
#include "crypto/digest.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace aa::jose {

namespace {

Result<ossl::PKey> ec_p256(ByteView x, ByteView y, const std::string& where) {
  if (x.size() != 32 || y.size() != 32) {
    return make_error("jose.bad-key", where, "x and y must be 32 bytes for P-256");
  }
  Bytes point = {0x04};
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  return ec_public_key("P-256", point, "jose.bad-key", where);
}

// x and y of an EC P-256 public key, 32 bytes each.
bool coordinates(EVP_PKEY* key, Bytes& x, Bytes& y) {
  unsigned char point[65];
  size_t n = 0;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
      EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &n) != 1 ||
      n != 65) {
    return false;
  }
  x.assign(point + 1, point + 33);
  y.assign(point + 33, point + 65);
  return true;
}

Result<Jwk> read_jwk(const JsonAt& at) {
  AA_TRY(o, at.object());
  if (o.optional_field("d")) {
    return make_error("jose.bad-key", o.where(), "a private key (\"d\") does not belong in a JWKS");
  }
  auto str = [&](const char* k) -> Result<std::string> {
    AA_TRY(f, o.field(k));
    return f.string();
  };
  AA_TRY(kty, str("kty"));
  AA_TRY(crv, str("crv"));
  if (kty != "EC" || crv != "P-256") {
    return make_error("jose.bad-key", o.where(), "only EC P-256 (ES256) keys are accepted");
  }
  if (auto alg = o.optional_field("alg")) {
    AA_TRY(a, alg->string());
    if (a != "ES256") return make_error("jose.bad-key", alg->where(), "alg must be ES256");
  }
  // A key published for encryption is not one to check signatures with (RFC 7517 4.2).
  if (auto use = o.optional_field("use")) {
    AA_TRY(u, use->string());
    if (u != "sig") return make_error("jose.bad-key", use->where(), "use must be sig");
  }
  AA_TRY(xs, str("x"));
  AA_TRY(ys, str("y"));
  auto x = base64url_decode(xs);
  auto y = base64url_decode(ys);
  if (!x || !y) return make_error("jose.bad-key", o.where(), "x or y is not base64url");
  AA_TRY(key, ec_p256(*x, *y, o.where()));
  Jwk k;
  if (auto kid = o.optional_field("kid")) {
    AA_TRY(s, kid->string());
    k.kid = s;
  } else {
    k.kid = thumbprint(key.get());
  }
  k.key = std::move(key);
  return k;
}

}  // namespace

const Jwk* Jwks::find(const std::string& kid) const {
  for (const auto& k : keys) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

std::string thumbprint(EVP_PKEY* key) {
  Bytes x, y;
  if (!coordinates(key, x, y)) return "";
  std::string canon = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + base64url_encode(x) +
                      "\",\"y\":\"" + base64url_encode(y) + "\"}";
  auto d = sha256(canon);
  return base64url_encode(d);
}

Json public_jwk(EVP_PKEY* key, const std::string& kid) {
  Bytes x, y;
  coordinates(key, x, y);
  return Json{{"kty", "EC"},
              {"crv", "P-256"},
              {"x", base64url_encode(x)},
              {"y", base64url_encode(y)},
              {"kid", kid},
              {"alg", "ES256"},
              {"use", "sig"}};
}

Result<Jwks> parse_jwks(std::string_view json, const std::string& origin) {
  AA_TRY(doc, parse_json_strict(json, origin, JsonLimits{1u << 20, 8, 1u << 16}));
  JsonAt root(doc, origin);
  AA_TRY(o, root.object());
  Jwks out;
  if (auto keys = o.optional_field("keys")) {
    AA_TRY(arr, keys->array());
    for (size_t i = 0; i < arr.json().size(); ++i) {
      AA_TRY(k, read_jwk(arr.at(i)));
      out.keys.push_back(std::move(k));
    }
  } else {
    AA_TRY(k, read_jwk(o));
    out.keys.push_back(std::move(k));
  }
  if (out.keys.empty()) return make_error("jose.bad-key", origin, "no keys");
  return out;
}

namespace {

// The order n of the P-256 group, big-endian.
constexpr uint8_t kP256Order[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

// n - s for a 32-byte big-endian s with 0 < s < n; nullopt otherwise.
std::optional<Bytes> order_minus(ByteView s) {
  if (s.size() != 32) return std::nullopt;
  if (std::all_of(s.begin(), s.end(), [](uint8_t b) { return b == 0; })) return std::nullopt;
  if (!std::lexicographical_compare(s.begin(), s.end(), std::begin(kP256Order),
                                    std::end(kP256Order))) {
    return std::nullopt;
  }
  Bytes out(32);
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = kP256Order[i] - s[i] - borrow;
    borrow = d < 0 ? 1 : 0;
    out[i] = static_cast<uint8_t>(d + 256 * borrow);
  }
  return out;
}

struct Segments {
  std::string_view signing_input;
  Bytes header, payload, signature;
};

Result<Segments> split(std::string_view token, const std::string& origin) {
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.remove_suffix(1);
  if (token.size() > kMaxTokenBytes) {
    return make_error("input.too-large", origin,
                      "token over " + std::to_string(kMaxTokenBytes >> 20) + " MiB");
  }
  size_t a = token.find('.');
  size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (a == std::string_view::npos || b == std::string_view::npos ||
      token.find('.', b + 1) != std::string_view::npos) {
    return make_error("jose.bad-format", origin, "a compact JWS has exactly three segments");
  }
  auto hb = base64url_decode(token.substr(0, a));
  auto pb = base64url_decode(token.substr(a + 1, b - a - 1));
  auto sb = base64url_decode(token.substr(b + 1));
  if (!hb || !pb || !sb || hb->empty() || pb->empty()) {
    return make_error("jose.bad-format", origin, "a segment is empty or not base64url");
  }
  return Segments{token.substr(0, b), std::move(*hb), std::move(*pb), std::move(*sb)};
}

// A segment that must be a strict JSON object; any failure is `code`, keeping the field.
Result<Json> object_segment(const Bytes& raw, const std::string& where, const char* code,
                            const JsonLimits& limits) {
  auto doc = parse_json_strict(as_chars(raw), where, limits);
  if (!doc) {
    Error e = doc.error();
    e.code = code;
    return e;
  }
  if (!doc->is_object()) return make_error(code, where + "#/", "not a JSON object");
  return std::move(*doc);
}

constexpr JsonLimits kHeaderLimits{1u << 16, 8, 1u << 16};
// Whatever fits in a token is read: a string as long as the token allows (a certificate's CN
// quoted in a finding, a host's name), every value it can hold.
constexpr JsonLimits kPayloadLimits{kMaxTokenBytes, 32, kMaxTokenBytes, kMaxTokenBytes};

}  // namespace

Result<VerifiedJws> verify_compact(std::string_view token, const Jwks& keys,
                                   const std::string& origin) {
  AA_TRY(seg, split(token, origin));
  AA_TRY(header, object_segment(seg.header, origin + " header", "jose.bad-header", kHeaderLimits));
  JsonAt ho(header, origin + " header");
  // Every header problem is jose.bad-header, with the field JsonAt names.
  auto bad_header = [](const Error& e) {
    return make_error("jose.bad-header", e.field, e.message);
  };
  auto alg_at = ho.field("alg");
  if (!alg_at) return bad_header(alg_at.error());
  auto alg_r = alg_at->string();
  if (!alg_r) return bad_header(alg_r.error());
  const std::string alg = *alg_r;
  if (alg != "ES256") {
    return make_error("jose.bad-header", alg_at->where(),
                      "alg \"" + alg + "\" refused: the key pins ES256");
  }
  if (auto crit = ho.optional_field("crit")) {
    return make_error("jose.bad-header", crit->where(), "no critical extensions are understood");
  }
  const Jwk* key = nullptr;
  std::string kid;
  if (auto kid_at = ho.optional_field("kid")) {
    auto k_r = kid_at->string();
    if (!k_r) return bad_header(k_r.error());
    const std::string k = *k_r;
    kid = k;
    key = keys.find(k);
    if (!key)
      return make_error("jose.unknown-key", kid_at->where(), "no key \"" + k + "\" in the JWKS");
  } else if (keys.keys.size() == 1) {
    key = &keys.keys[0];
    kid = key->kid;
  } else {
    return make_error("jose.unknown-key", ho.where(), "no kid and the JWKS holds several keys");
  }
  if (seg.signature.size() != 64) {
    return make_error("jose.bad-signature", origin, "an ES256 signature is 64 bytes r||s");
  }
  if (!x509::verify_ecdsa_raw(key->key.get(), EVP_sha256(), as_bytes(seg.signing_input),
                              seg.signature)) {
    return make_error("jose.bad-signature", origin,
                      "the ES256 signature does not verify with key \"" + kid + "\"");
  }
  AA_TRY(payload,
         object_segment(seg.payload, origin + " payload", "jose.bad-payload", kPayloadLimits));
  return VerifiedJws{std::move(header), std::move(payload), kid};
}

Result<DecodedJws> decode_unverified(std::string_view token, const std::string& origin) {
  AA_TRY(seg, split(token, origin));
  AA_TRY(header, object_segment(seg.header, origin + " header", "jose.bad-header", kHeaderLimits));
  AA_TRY(payload,
         object_segment(seg.payload, origin + " payload", "jose.bad-payload", kPayloadLimits));
  return DecodedJws{std::move(header), std::move(payload)};
}

Result<Jwks> jwks_from_pem(std::string_view pem, const std::string& origin) {
  if (pem.size() > (1u << 16)) return make_error("input.too-large", origin, "key over 64 KiB");
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return make_error("jose.bad-key", origin, "cannot read the key");
  ossl::PKey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ossl::Bio again(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (again) key.reset(PEM_read_bio_PrivateKey(again.get(), nullptr, nullptr, nullptr));
  }
  ERR_clear_error();
  Bytes x, y;
  if (!key || !coordinates(key.get(), x, y) || EVP_PKEY_get_bits(key.get()) != 256) {
    return make_error("jose.bad-key", origin, "not a PEM EC P-256 public or private key");
  }
  // Through the public JWK, so that only the public half is kept and P-256 is checked again.
  const std::string kid = thumbprint(key.get());
  return parse_jwks(public_jwk(key.get(), kid).dump(), origin);
}

bool es256_low_s(ByteView rs) {
  if (rs.size() != 64) return false;
  ByteView s = rs.subspan(32);
  auto other = order_minus(s);
  return other && std::lexicographical_compare(s.begin(), s.end(), other->begin(), other->end());
}

Bytes es256_flip_s(ByteView rs) {
  if (rs.size() != 64) return {};
  auto other = order_minus(rs.subspan(32));
  if (!other) return {};
  Bytes out(rs.begin(), rs.begin() + 32);
  out.insert(out.end(), other->begin(), other->end());
  return out;
}

Result<std::string> sign_es256(EVP_PKEY* private_key, const std::string& kid, const Json& payload) {
  Json header{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid}};
  std::string h = json_text(header), p = json_text(payload);
  std::string input = base64url_encode(as_bytes(h)) + "." + base64url_encode(as_bytes(p));
  Bytes raw = x509::sign_ecdsa_raw(private_key, EVP_sha256(), as_bytes(input), 32);
  if (raw.size() != 64) {
    return make_error("jose.sign-failed", kid, "the ES256 signature could not be made");
  }
  if (!es256_low_s(raw)) raw = es256_flip_s(raw);
  if (raw.size() != 64 || !es256_low_s(raw)) {
    return make_error("jose.sign-failed", kid, "the signature's s is not in range");
  }
  std::string token = input + "." + base64url_encode(raw);
  if (token.size() > kMaxTokenBytes) {
    // What made it so large came with the evidence (its devices, names and serials): the
    // caller's input, refused as such.
    return make_error("input.too-large", "result",
                      "the signed result would be " + std::to_string(token.size()) +
                          " bytes, over the " + std::to_string(kMaxTokenBytes) +
                          " every reader accepts: not signed (the evidence's devices, names and "
                          "serials make it this large)");
  }
  return token;
}

}  // namespace aa::jose
