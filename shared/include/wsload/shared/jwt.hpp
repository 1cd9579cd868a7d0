#pragma once
// HS256 JSON Web Tokens (RFC 7519) with OpenSSL HMAC. The algorithm is pinned: verification rejects
// any header whose "alg" is not exactly "HS256" (including "none").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace wsload::shared {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// base64url(HMAC-SHA256(key, signing_input)): the third part of a token whose first two parts,
// joined by '.', are `signing_input`.
std::string hs256_signature(std::string_view signing_input, std::string_view key);

// Signs `claims` (a JSON object) with header {"alg":"HS256","typ":"JWT"}.
std::string jwt_sign_hs256(const nlohmann::json& claims, std::string_view secret);

// A token for `subject` issued at `now_s` (seconds since epoch) valid for `ttl_s` seconds.
std::string jwt_make_token(std::string_view secret, std::string_view subject, int64_t now_s,
                           int64_t ttl_s);

enum class JwtError { kNone, kMalformed, kBadAlgorithm, kBadSignature, kExpired, kNotYetValid };

struct JwtVerdict {
  JwtError error = JwtError::kNone;
  std::string reason;       // short human text, e.g. "token expired 35s ago"
  std::string claims_json;  // the payload when it decoded, also on expiry (for `doctor`)
  bool ok() const { return error == JwtError::kNone; }
};

// Verifies signature, algorithm, exp and nbf (each with `leeway_s` seconds of tolerance) at `now_s`.
JwtVerdict jwt_verify_hs256(std::string_view token, std::string_view secret, int64_t now_s,
                            int64_t leeway_s = 30);

// Decodes the payload without verifying anything (for display); nullopt when malformed.
std::optional<std::string> jwt_decode_claims_unverified(std::string_view token);

}  // namespace wsload::shared
