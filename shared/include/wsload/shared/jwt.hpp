#pragma once
// HS256 JSON Web Tokens (RFC 7519) with OpenSSL HMAC. The algorithm is pinned: verification rejects
// any header whose "alg" is not exactly "HS256" (including "none").
#include <cstddef>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace wsload::shared {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// base64url(HMAC-SHA256(key, signing_input)): the third part of a token whose first two parts,
// joined by '.', are `signing_input`.
std::string hs256_signature(std::string_view signing_input, std::string_view key);

// Signs `claims` (a JSON object) with header {"alg":"HS256","typ":"JWT"}.
std::string jwt_sign_hs256(const nlohmann::json& claims, std::string_view secret);

// A token for `subject` issued at `now_s` (seconds since epoch) valid for `ttl_s` seconds. It
// always carries "exp": a `ttl_s` below 1 (a sub-second ttl truncated to whole seconds) is raised
// to 1, so exp is always after iat.
std::string jwt_make_token(std::string_view secret, std::string_view subject, int64_t now_s,
                           int64_t ttl_s);

// Tokens longer than this are refused unparsed (kMalformed); HTTP headers bound them anyway.
inline constexpr std::size_t kJwtMaxTokenBytes = 8192;
// Header and payload JSON nested deeper than this are refused unparsed (kMalformed).
inline constexpr int kJwtMaxJsonDepth = 16;

enum class JwtError {
  kNone,
  kMalformed,
  kBadAlgorithm,
  kBadSignature,
  kMissingExpiry,  // no "exp" claim: a token that never expires is refused
  kExpired,
  kNotYetValid
};

struct JwtVerdict {
  JwtError error = JwtError::kNone;
  std::string reason;       // short human text, e.g. "token expired 35s ago"
  std::string claims_json;  // the payload when it decoded, also on expiry (for `doctor`)
  bool ok() const { return error == JwtError::kNone; }
};

// Verifies size, signature, algorithm, exp and nbf (each with `leeway_s` seconds of tolerance) at
// `now_s`. "exp" is required (kMissingExpiry without it); "nbf" is optional.
JwtVerdict jwt_verify_hs256(std::string_view token, std::string_view secret, int64_t now_s,
                            int64_t leeway_s = 30);

// Decodes the payload without verifying anything (for display); nullopt when malformed.
std::optional<std::string> jwt_decode_claims_unverified(std::string_view token);

}  // namespace wsload::shared
