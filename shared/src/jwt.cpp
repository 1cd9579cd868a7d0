#include "wsload/shared/jwt.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "wsload/shared/duration.hpp"

namespace wsload::shared {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kSignatureBytes = 32;

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::array<unsigned char, kSignatureBytes> hmac_sha256(std::string_view data,
                                                       std::string_view key) {
  std::array<unsigned char, kSignatureBytes> mac{};
  unsigned int length = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  if (ok == nullptr || length != kSignatureBytes) throw std::runtime_error("HMAC-SHA256 failed");
  return mac;
}

struct Parts {
  std::string_view header, payload, signature;
};

std::optional<Parts> split_token(std::string_view token) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return Parts{token.substr(0, first), token.substr(first + 1, second - first - 1),
               token.substr(second + 1)};
}

// True when no array or object in `text` (scanned as JSON, strings skipped) nests deeper than
// `max_depth`. Linear, no recursion: the bound is checked before any DOM is built.
bool json_depth_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

// Decodes a base64url part holding a JSON object nested at most kJwtMaxJsonDepth deep; nullopt
// otherwise.
std::optional<std::pair<std::string, nlohmann::json>> decode_json_object(std::string_view part) {
  auto text = base64url_decode(part);
  if (!text || !json_depth_within(*text, kJwtMaxJsonDepth)) return std::nullopt;
  auto json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  return std::pair{std::move(*text), std::move(json)};
}

std::string seconds_text(double seconds) {
  const auto whole = static_cast<int64_t>(std::ceil(std::min(seconds, 1e11)));
  return format_duration(std::chrono::seconds(whole));
}

JwtVerdict fail(JwtError error, std::string reason, std::string claims = {}) {
  return JwtVerdict{error, std::move(reason), std::move(claims)};
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    if (rest == 2) out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // Padding is optional, but when present it must complete the last quantum.
  if (!text.empty() && text.back() == '=') {
    if (text.size() % 4 != 0) return std::nullopt;
    text.remove_suffix(1);
    if (!text.empty() && text.back() == '=') text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = decode_char(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Non-zero leftover bits mean a non-canonical encoding.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string hs256_signature(std::string_view signing_input, std::string_view key) {
  const auto mac = hmac_sha256(signing_input, key);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string jwt_sign_hs256(const nlohmann::json& claims, std::string_view secret) {
  if (!claims.is_object()) throw std::invalid_argument("JWT claims must be a JSON object");
  // base64url of {"alg":"HS256","typ":"JWT"} (jwt_test decodes and checks it).
  constexpr std::string_view kHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
  std::string input(kHeader);
  input += '.';
  input += base64url_encode(claims.dump());
  const std::string signature = hs256_signature(input, secret);
  return input + "." + signature;
}

std::string jwt_make_token(std::string_view secret, std::string_view subject, int64_t now_s,
                           int64_t ttl_s) {
  const nlohmann::json claims = {
      {"sub", subject}, {"iat", now_s}, {"exp", now_s + std::max<int64_t>(ttl_s, 1)}};
  return jwt_sign_hs256(claims, secret);
}

JwtVerdict jwt_verify_hs256(std::string_view token, std::string_view secret, int64_t now_s,
                            int64_t leeway_s) {
  if (token.size() > kJwtMaxTokenBytes) {
    return fail(JwtError::kMalformed,
                "token longer than " + std::to_string(kJwtMaxTokenBytes) + " bytes");
  }
  const auto parts = split_token(token);
  if (!parts) return fail(JwtError::kMalformed, "token does not have three dot-separated parts");
  const auto header = decode_json_object(parts->header);
  if (!header) return fail(JwtError::kMalformed, "token header is not base64url JSON");
  const auto payload = decode_json_object(parts->payload);
  if (!payload) return fail(JwtError::kMalformed, "token payload is not a base64url JSON object");
  const std::string& claims = payload->first;

  const auto alg = header->second.find("alg");
  if (alg == header->second.end() || !alg->is_string()) {
    return fail(JwtError::kBadAlgorithm, "token header has no alg", claims);
  }
  const auto alg_name = alg->get<std::string>();
  if (alg_name != "HS256") {
    return fail(JwtError::kBadAlgorithm, "algorithm " + alg_name + " is not accepted", claims);
  }

  const auto signature = base64url_decode(parts->signature);
  if (!signature) return fail(JwtError::kMalformed, "token signature is not base64url", claims);
  const size_t signed_length = parts->header.size() + 1 + parts->payload.size();
  const auto expected = hmac_sha256(token.substr(0, signed_length), secret);
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return fail(JwtError::kBadSignature, "signature does not match", claims);
  }

  const auto& json = payload->second;
  const double now = static_cast<double>(now_s);
  const double leeway = static_cast<double>(leeway_s);
  const auto exp = json.find("exp");
  if (exp == json.end()) {
    return fail(JwtError::kMissingExpiry, "token has no exp claim (tokens must expire)", claims);
  }
  if (!exp->is_number()) return fail(JwtError::kMalformed, "exp is not a number", claims);
  if (const double at = exp->get<double>(); now >= at + leeway) {
    return fail(JwtError::kExpired, "token expired " + seconds_text(now - at) + " ago", claims);
  }
  if (const auto nbf = json.find("nbf"); nbf != json.end()) {
    if (!nbf->is_number()) return fail(JwtError::kMalformed, "nbf is not a number", claims);
    const double at = nbf->get<double>();
    if (now + leeway < at) {
      return fail(JwtError::kNotYetValid, "token not valid for another " + seconds_text(at - now),
                  claims);
    }
  }
  return JwtVerdict{JwtError::kNone, "", claims};
}

std::optional<std::string> jwt_decode_claims_unverified(std::string_view token) {
  const auto parts = split_token(token);
  if (!parts) return std::nullopt;
  auto payload = decode_json_object(parts->payload);
  if (!payload) return std::nullopt;
  return std::move(payload->first);
}

}  // namespace wsload::shared
