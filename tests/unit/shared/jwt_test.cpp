#include "wsload/shared/jwt.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace wsload::shared {
namespace {

// RFC 7515 appendix A.1: the exact header and payload bytes (with CR LF and spaces) and the JWK
// key.
constexpr std::string_view kRfcHeader = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
constexpr std::string_view kRfcPayload =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
constexpr std::string_view kRfcHeaderB64 = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
constexpr std::string_view kRfcPayloadB64 =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
constexpr std::string_view kRfcKeyJwk =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr std::string_view kRfcSignature = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr int64_t kRfcExp = 1300819380;

std::string rfc_key() { return base64url_decode(kRfcKeyJwk).value(); }

std::string rfc_token() {
  return std::string(kRfcHeaderB64) + "." + std::string(kRfcPayloadB64) + "." +
         std::string(kRfcSignature);
}

// A token with an arbitrary header, signed correctly with `secret`.
std::string token_with_header(const std::string& header_json, const nlohmann::json& claims,
                              std::string_view secret) {
  const std::string input = base64url_encode(header_json) + "." + base64url_encode(claims.dump());
  return input + "." + hs256_signature(input, secret);
}

TEST(Base64Url, RfcVectorsAndRoundTrip) {
  EXPECT_EQ(base64url_encode(kRfcHeader), kRfcHeaderB64);
  EXPECT_EQ(base64url_encode(kRfcPayload), kRfcPayloadB64);
  EXPECT_EQ(base64url_decode(kRfcHeaderB64), std::string(kRfcHeader));
  EXPECT_EQ(rfc_key().size(), 64u);
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_EQ(base64url_decode("Zg=="), "f");  // padding is optional
  EXPECT_EQ(base64url_decode("Zm8="), "fo");
  std::mt19937 rng(9);
  for (int n = 0; n < 200; ++n) {
    std::string bytes(static_cast<size_t>(n), '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
  }
}

TEST(Base64Url, RejectsInvalidText) {
  for (const char* bad :
       {"Z", "Zg=", "Zm9v=", "Z===", "ab+/", "ab/c", "a b", "Zh", "Zm9=", "Zg==Zg", "%%%%"}) {
    EXPECT_FALSE(base64url_decode(bad).has_value()) << bad;
  }
}

TEST(Jwt, Rfc7515HmacSignature) {
  const std::string input = std::string(kRfcHeaderB64) + "." + std::string(kRfcPayloadB64);
  EXPECT_EQ(hs256_signature(input, rfc_key()), kRfcSignature);
  const auto verdict = jwt_verify_hs256(rfc_token(), rfc_key(), kRfcExp - 100);
  EXPECT_TRUE(verdict.ok()) << verdict.reason;
  EXPECT_EQ(verdict.claims_json, kRfcPayload);
}

TEST(Jwt, RfcTokenExpiryAndLeewayBoundaries) {
  const std::string token = rfc_token();
  const std::string key = rfc_key();
  EXPECT_TRUE(jwt_verify_hs256(token, key, kRfcExp - 1, 0).ok());
  EXPECT_EQ(jwt_verify_hs256(token, key, kRfcExp, 0).error, JwtError::kExpired);
  EXPECT_TRUE(jwt_verify_hs256(token, key, kRfcExp + 29, 30).ok());
  const auto expired = jwt_verify_hs256(token, key, kRfcExp + 30, 30);
  EXPECT_EQ(expired.error, JwtError::kExpired);
  EXPECT_EQ(expired.reason, "token expired 30s ago");
  EXPECT_EQ(expired.claims_json, kRfcPayload);  // still shown for `doctor`
  EXPECT_EQ(jwt_verify_hs256(token, key, kRfcExp + 35).reason, "token expired 35s ago");
  EXPECT_EQ(jwt_verify_hs256(token, key, kRfcExp + 90).reason, "token expired 1m30s ago");
}

TEST(Jwt, SignedTokensVerify) {
  const int64_t now = 1'700'000'000;
  const std::string token = jwt_make_token("s3cret", "user-7", now, 3600);
  const auto verdict = jwt_verify_hs256(token, "s3cret", now + 10);
  ASSERT_TRUE(verdict.ok()) << verdict.reason;
  const auto claims = nlohmann::json::parse(verdict.claims_json);
  EXPECT_EQ(claims["sub"], "user-7");
  EXPECT_EQ(claims["iat"], now);
  EXPECT_EQ(claims["exp"], now + 3600);
  EXPECT_EQ(jwt_decode_claims_unverified(token), verdict.claims_json);
  const auto header = nlohmann::json::parse(*base64url_decode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header, nlohmann::json({{"alg", "HS256"}, {"typ", "JWT"}}));
  EXPECT_THROW(jwt_sign_hs256(nlohmann::json::array({1, 2}), "k"), std::invalid_argument);
}

TEST(Jwt, VerificationMatrix) {
  const int64_t now = 1'700'000'000;
  const std::string secret = "secret";
  const nlohmann::json claims = {{"sub", "a"}, {"exp", now + 60}};
  const std::string good = jwt_sign_hs256(claims, secret);
  const std::string header_b64 = good.substr(0, good.find('.'));
  const std::string payload_b64 =
      good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
  const std::string sig_b64 = good.substr(good.rfind('.') + 1);
  const std::string not_json = base64url_encode("not json");
  const std::string array_json = base64url_encode("[1,2]");
  // {"exp":N,"a":[[[...1...]]]} nested one level past the limit.
  const std::string deep_b64 = base64url_encode("{\"exp\":" + std::to_string(now + 60) +
                                                ",\"a\":" + std::string(kJwtMaxJsonDepth, '[') +
                                                "1" + std::string(kJwtMaxJsonDepth, ']') + "}");

  struct Case {
    const char* name;
    std::string token;
    std::string secret;
    int64_t now;
    JwtError error;
    std::string reason;  // empty: not checked
  };
  const Case cases[] = {
      {"valid", good, secret, now, JwtError::kNone, ""},
      {"wrong secret", good, "other", now, JwtError::kBadSignature, "signature does not match"},
      {"tampered payload",
       header_b64 + "." + base64url_encode(R"({"sub":"b","exp":1})") + "." + sig_b64, secret, now,
       JwtError::kBadSignature, "signature does not match"},
      {"short signature", header_b64 + "." + payload_b64 + "." + sig_b64.substr(0, 20), secret, now,
       JwtError::kBadSignature, "signature does not match"},
      {"expired", jwt_sign_hs256({{"exp", now - 35}}, secret), secret, now + 30, JwtError::kExpired,
       "token expired 1m5s ago"},
      {"not yet valid", jwt_sign_hs256({{"nbf", now + 150}, {"exp", now + 600}}, secret), secret,
       now, JwtError::kNotYetValid, "token not valid for another 2m30s"},
      {"nbf within leeway", jwt_sign_hs256({{"nbf", now + 30}, {"exp", now + 600}}, secret), secret,
       now, JwtError::kNone, ""},
      {"nbf past leeway", jwt_sign_hs256({{"nbf", now + 31}, {"exp", now + 600}}, secret), secret,
       now, JwtError::kNotYetValid, "token not valid for another 31s"},
      {"no exp at all", jwt_sign_hs256({{"sub", "x"}}, secret), secret, now,
       JwtError::kMissingExpiry, "token has no exp claim (tokens must expire)"},
      {"exp null", jwt_sign_hs256({{"exp", nullptr}}, secret), secret, now, JwtError::kMalformed,
       ""},
      {"nbf only", jwt_sign_hs256({{"nbf", now - 10}}, secret), secret, now,
       JwtError::kMissingExpiry, ""},
      {"too long",
       jwt_sign_hs256({{"exp", now + 60}, {"pad", std::string(kJwtMaxTokenBytes, 'x')}}, secret),
       secret, now, JwtError::kMalformed, ""},
      {"payload nested too deep",
       header_b64 + "." + deep_b64 + "." + hs256_signature(header_b64 + "." + deep_b64, secret),
       secret, now, JwtError::kMalformed, ""},
      {"exp not a number", jwt_sign_hs256({{"exp", "soon"}}, secret), secret, now,
       JwtError::kMalformed, ""},
      {"alg none", token_with_header(R"({"alg":"none","typ":"JWT"})", claims, secret), secret, now,
       JwtError::kBadAlgorithm, "algorithm none is not accepted"},
      {"alg none unsigned", base64url_encode(R"({"alg":"none"})") + "." + payload_b64 + ".", secret,
       now, JwtError::kBadAlgorithm, "algorithm none is not accepted"},
      {"alg HS512", token_with_header(R"({"alg":"HS512"})", claims, secret), secret, now,
       JwtError::kBadAlgorithm, "algorithm HS512 is not accepted"},
      {"alg RS256", token_with_header(R"({"alg":"RS256"})", claims, secret), secret, now,
       JwtError::kBadAlgorithm, "algorithm RS256 is not accepted"},
      {"alg lower case", token_with_header(R"({"alg":"hs256"})", claims, secret), secret, now,
       JwtError::kBadAlgorithm, ""},
      {"alg missing", token_with_header(R"({"typ":"JWT"})", claims, secret), secret, now,
       JwtError::kBadAlgorithm, "token header has no alg"},
      {"one part", header_b64, secret, now, JwtError::kMalformed, ""},
      {"two parts", header_b64 + "." + payload_b64, secret, now, JwtError::kMalformed, ""},
      {"four parts", good + "." + sig_b64, secret, now, JwtError::kMalformed, ""},
      {"empty", "", secret, now, JwtError::kMalformed, ""},
      {"bad base64 header", "e$J." + payload_b64 + "." + sig_b64, secret, now, JwtError::kMalformed,
       ""},
      {"bad base64 signature", header_b64 + "." + payload_b64 + ".ab+c", secret, now,
       JwtError::kMalformed, ""},
      {"non-JSON header", not_json + "." + payload_b64 + "." + sig_b64, secret, now,
       JwtError::kMalformed, ""},
      {"non-JSON payload", header_b64 + "." + not_json + "." + sig_b64, secret, now,
       JwtError::kMalformed, ""},
      {"array payload",
       header_b64 + "." + array_json + "." + hs256_signature(header_b64 + "." + array_json, secret),
       secret, now, JwtError::kMalformed, ""},
  };
  for (const auto& c : cases) {
    const auto verdict = jwt_verify_hs256(c.token, c.secret, c.now);
    EXPECT_EQ(verdict.error, c.error) << c.name << ": " << verdict.reason;
    EXPECT_EQ(verdict.ok(), c.error == JwtError::kNone) << c.name;
    if (!c.reason.empty()) {
      EXPECT_EQ(verdict.reason, c.reason) << c.name;
    }
    if (c.error != JwtError::kNone) {
      EXPECT_FALSE(verdict.reason.empty()) << c.name;
    }
  }
}

TEST(Jwt, MadeTokensAlwaysExpire) {
  const int64_t now = 1'700'000'000;
  for (const int64_t ttl : {int64_t{0}, int64_t{-5}, int64_t{1}}) {
    const auto verdict = jwt_verify_hs256(jwt_make_token("k", "s", now, ttl), "k", now, 0);
    ASSERT_TRUE(verdict.ok()) << "ttl " << ttl << ": " << verdict.reason;
    EXPECT_EQ(nlohmann::json::parse(verdict.claims_json)["exp"], now + 1) << "ttl " << ttl;
  }
}

TEST(Jwt, NestingUpToTheLimitIsAccepted) {
  const int64_t now = 1'700'000'000;
  nlohmann::json nested = 1;
  for (int i = 1; i < kJwtMaxJsonDepth; ++i) nested = nlohmann::json::array({nested});
  // The object itself is one level: the claim inside adds kJwtMaxJsonDepth - 1 more.
  const auto token =
      jwt_sign_hs256({{"exp", now + 60}, {"a", nested}, {"s", "[[[[[[[[[[[[[[[[[[[["}}, "k");
  EXPECT_TRUE(jwt_verify_hs256(token, "k", now).ok());
}

TEST(Jwt, DecodeClaimsUnverified) {
  const std::string token = jwt_sign_hs256({{"sub", "z"}}, "k");
  EXPECT_EQ(jwt_decode_claims_unverified(token), R"({"sub":"z"})");
  EXPECT_FALSE(jwt_decode_claims_unverified("a.b").has_value());
  EXPECT_FALSE(jwt_decode_claims_unverified("a.!!.c").has_value());
}

}  // namespace
}  // namespace wsload::shared
