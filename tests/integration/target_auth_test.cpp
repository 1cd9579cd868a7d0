// JWT matrix through real upgrades against the wsload-target binary.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "target_process.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

using nlohmann::json;

std::string hs512_token(const json& claims, const std::string& secret) {
  std::string head = shared::base64url_encode(R"({"alg":"HS512","typ":"JWT"})");
  std::string body = shared::base64url_encode(claims.dump());
  std::string input = head + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha512(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." +
         shared::base64url_encode(std::string_view(reinterpret_cast<char*>(mac), len));
}

std::string none_token(const json& claims) {
  return shared::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
         shared::base64url_encode(claims.dump()) + ".";
}

class TargetAuth : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(target_.ok()) << target_.error(); }

  int upgrade(const std::string& token, bool in_query = false) {
    WsClient client;
    WsOptions options;
    options.token = token;
    options.token_in_query = in_query;
    int status = client.connect(target_.port(), options);
    last_body_ = client.response_body();
    return status;
  }

  TargetProcess target_{{"--jwt-secret", kTargetSecret}};
  std::string last_body_;
};

TEST_F(TargetAuth, ValidTokenInHeaderUpgrades) {
  EXPECT_EQ(upgrade(shared::jwt_make_token(kTargetSecret, "user-1", now_s(), 3600)), 101);
}

TEST_F(TargetAuth, ValidTokenInQueryUpgrades) {
  EXPECT_EQ(upgrade(shared::jwt_make_token(kTargetSecret, "user-1", now_s(), 3600), true), 101);
}

TEST_F(TargetAuth, RejectedTokensGet401BeforeUpgrade) {
  const int64_t now = now_s();
  const json valid_claims = {{"sub", "u"}, {"iat", now}, {"exp", now + 3600}};
  struct Case {
    const char* name;
    std::string token;
  };
  const Case cases[] = {
      {"expired", shared::jwt_sign_hs256({{"sub", "u"}, {"iat", now - 7200}, {"exp", now - 3600}},
                                         kTargetSecret)},
      {"not yet valid",
       shared::jwt_sign_hs256({{"sub", "u"}, {"nbf", now + 3600}, {"exp", now + 7200}},
                              kTargetSecret)},
      {"wrong signature", shared::jwt_sign_hs256(valid_claims, "another-secret")},
      {"alg none", none_token(valid_claims)},
      {"HS512", hs512_token(valid_claims, kTargetSecret)},
      {"malformed", "not.a-jwt"},
      {"garbage", "abc"},
      {"no exp", shared::jwt_sign_hs256({{"sub", "u"}, {"iat", now}}, kTargetSecret)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(upgrade(c.token), 401) << c.name;
    EXPECT_FALSE(last_body_.empty()) << c.name << ": the 401 carries a short reason";
  }
  EXPECT_EQ(upgrade(shared::jwt_sign_hs256({{"sub", "u"}}, kTargetSecret)), 401);
  EXPECT_NE(last_body_.find("no exp claim"), std::string::npos) << last_body_;
  EXPECT_EQ(upgrade(""), 401) << "missing token";
  auto stats = http_get(target_.port(), "/stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats_field(stats.body, "rejected_401"), static_cast<long long>(std::size(cases)) + 2);
  EXPECT_EQ(stats_field(stats.body, "connections_total"), 0);
}

// `wsload token` always writes an exp (default ttl 24h), so its tokens pass the target's exp rule;
// a ttl that is not positive is a usage error and prints no token.
TEST_F(TargetAuth, WsloadTokenAlwaysExpiresAndIsAccepted) {
  ProcessOptions options{{}, {"JWT_SECRET"}, true};
  // Lines are waited for (not read after the exit): the output reader may lag behind the exit.
  ChildProcess made({bin("wsload"), "token", "--secret", kTargetSecret, "--subject", "t"}, options);
  const auto token = made.wait_for_line("eyJ", std::chrono::seconds(20));
  ASSERT_TRUE(token) << made.output();
  EXPECT_EQ(made.wait_exit(std::chrono::seconds(20)), 0);
  const auto claims = json::parse(shared::jwt_decode_claims_unverified(*token).value_or("null"));
  ASSERT_TRUE(claims.is_object()) << *token;
  EXPECT_EQ(claims.at("exp").get<int64_t>() - claims.at("iat").get<int64_t>(), 24 * 3600) << claims;
  EXPECT_EQ(upgrade(*token), 101) << last_body_;
  for (const char* ttl : {"0", "0s"}) {
    ChildProcess refused({bin("wsload"), "token", "--secret", kTargetSecret, "--ttl", ttl},
                         options);
    EXPECT_TRUE(refused.wait_for_text("is not a positive duration", std::chrono::seconds(20)))
        << refused.output();
    EXPECT_EQ(refused.wait_exit(std::chrono::seconds(20)), 2) << ttl;
    EXPECT_EQ(refused.output().find("eyJ"), std::string::npos)
        << "no token printed: " << refused.output();
  }
}

TEST(TargetAuthConfig, SecretFromEnvironment) {
  TargetProcess target({}, ProcessOptions{{{"JWT_SECRET", "env-secret"}}, {}, false});
  ASSERT_TRUE(target.ok()) << target.error();
  WsClient good;
  WsOptions options;
  options.token = shared::jwt_make_token("env-secret", "u", now_s(), 60);
  EXPECT_EQ(good.connect(target.port(), options), 101);
  WsClient bad;
  options.token = shared::jwt_make_token(kTargetSecret, "u", now_s(), 60);
  EXPECT_EQ(bad.connect(target.port(), options), 401);
}

TEST(TargetAuthConfig, NoSecretRefusesToStartWithExit2) {
  ChildProcess target({target_binary(), "--listen", "127.0.0.1:0"},
                      ProcessOptions{{}, {"JWT_SECRET"}, true});
  EXPECT_EQ(target.wait_exit(std::chrono::seconds(10)), 2);
  EXPECT_NE(target.output().find("JWT_SECRET"), std::string::npos) << target.output();
  EXPECT_EQ(target.output().find("listening on"), std::string::npos);
}

TEST(TargetAuthConfig, NoAuthAcceptsAnyone) {
  TargetProcess target({"--no-auth"}, ProcessOptions{{}, {"JWT_SECRET"}, false});
  ASSERT_TRUE(target.ok()) << target.error();
  WsClient client;
  EXPECT_EQ(client.connect(target.port()), 101);
}

}  // namespace
}  // namespace wsload::test
