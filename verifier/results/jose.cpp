#include "results/jose.h"

#include <openssl/core_names.h>

#include <cstring>

#include "core/bytes.h"
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

Result<VerifiedJws> verify_compact(std::string_view token, const Jwks& keys,
                                   const std::string& origin) {
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.remove_suffix(1);
  if (token.size() > (1u << 20)) return make_error("input.too-large", origin, "token over 1 MiB");
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
  AA_TRY(header,
         parse_json_strict(as_chars(*hb), origin + " header", JsonLimits{1u << 16, 8, 1u << 16}));
  JsonAt h(header, origin + " header");
  AA_TRY(ho, h.object());
  AA_TRY(alg_at, ho.field("alg"));
  AA_TRY(alg, alg_at.string());
  if (alg != "ES256") {
    return make_error("jose.bad-header", alg_at.where(),
                      "alg \"" + alg + "\" refused: the key pins ES256");
  }
  if (auto crit = ho.optional_field("crit")) {
    return make_error("jose.bad-header", crit->where(), "no critical extensions are understood");
  }
  const Jwk* key = nullptr;
  std::string kid;
  if (auto kid_at = ho.optional_field("kid")) {
    AA_TRY(k, kid_at->string());
    kid = k;
    key = keys.find(k);
    if (!key)
      return make_error("jose.unknown-key", kid_at->where(), "no key \"" + k + "\" in the JWKS");
  } else if (keys.keys.size() == 1) {
    key = &keys.keys[0];
    kid = key->kid;
  } else {
    return make_error("jose.unknown-key", h.where(), "no kid and the JWKS holds several keys");
  }
  if (sb->size() != 64) {
    return make_error("jose.bad-signature", origin, "an ES256 signature is 64 bytes r||s");
  }
  std::string_view signing_input = token.substr(0, b);
  if (!x509::verify_ecdsa_raw(key->key.get(), EVP_sha256(), as_bytes(signing_input), *sb)) {
    return make_error("jose.bad-signature", origin,
                      "the ES256 signature does not verify with key \"" + kid + "\"");
  }
  auto payload = parse_json_strict(as_chars(*pb), origin + " payload");
  if (!payload) {
    Error e = payload.error();
    e.code = "jose.bad-payload";
    return e;
  }
  if (!payload->is_object())
    return make_error("jose.bad-payload", origin, "the payload is not a JSON object");
  return VerifiedJws{std::move(header), std::move(*payload), kid};
}

std::string sign_es256(EVP_PKEY* private_key, const std::string& kid, const Json& payload) {
  Json header{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid}};
  std::string h = header.dump(), p = payload.dump();
  std::string input = base64url_encode(as_bytes(h)) + "." + base64url_encode(as_bytes(p));
  Bytes raw = x509::sign_ecdsa_raw(private_key, EVP_sha256(), as_bytes(input), 32);
  if (raw.empty()) return "";
  return input + "." + base64url_encode(raw);
}

}  // namespace aa::jose
