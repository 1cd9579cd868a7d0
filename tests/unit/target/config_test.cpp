#include "wsload/target/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace wsload::target {
namespace {

TargetConfig valid() {
  TargetConfig c;
  c.jwt_secret = "secret";
  return c;
}

bool mentions(const std::vector<std::string>& errors, std::string_view needle) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

TEST(ParseHostPort, AcceptsHostsAndPorts) {
  auto a = parse_host_port("127.0.0.1:3001");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 3001);
  auto b = parse_host_port("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
  EXPECT_TRUE(parse_host_port("localhost:65535"));
}

TEST(ParseHostPort, RejectsMalformed) {
  for (const char* s :
       {"127.0.0.1", ":3001", "host:", "host:65536", "host:-1", "host:12x", "::1:80", "[::1]80"})
    EXPECT_FALSE(parse_host_port(s)) << s;
}

TEST(Validate, DefaultsWithSecretAreValid) { EXPECT_TRUE(validate(valid()).empty()); }

TEST(Validate, NoAuthWithoutSecretIsValid) {
  TargetConfig c;
  c.no_auth = true;
  EXPECT_TRUE(validate(c).empty());
}

TEST(Validate, MissingSecretIsExplained) {
  TargetConfig c;
  auto errors = validate(c);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(mentions(errors, "JWT_SECRET"));
  EXPECT_TRUE(mentions(errors, "--no-auth"));
}

TEST(Validate, ReportsEveryProblemAtOnce) {
  TargetConfig c = valid();
  c.path = "ws";
  c.threads = 0;
  c.nats_url = "nats://127.0.0.1:4222";
  c.tls_key = "key.pem";
  c.max_message_size = 1;
  c.log_level = "loud";
  c.accept_rate = -1;
  auto errors = validate(c);
  EXPECT_EQ(errors.size(), 7u);
  EXPECT_TRUE(mentions(errors, "--path"));
  EXPECT_TRUE(mentions(errors, "--threads"));
  EXPECT_TRUE(mentions(errors, "--subject"));
  EXPECT_TRUE(mentions(errors, "--tls-cert"));
  EXPECT_TRUE(mentions(errors, "--max-message-size"));
  EXPECT_TRUE(mentions(errors, "--log-level"));
  EXPECT_TRUE(mentions(errors, "--accept-rate"));
}

TEST(Validate, MessageSizeIsBoundedAndFitsTheQueue) {
  TargetConfig c = valid();
  c.max_message_size = kMaxMessageSizeLimit + 1;
  c.max_queue_bytes = 2 * kMaxMessageSizeLimit;
  EXPECT_TRUE(mentions(validate(c), "at most 64 MiB"));
  c.max_message_size = 2 * 1024 * 1024;
  c.max_queue_bytes = 1024 * 1024;
  EXPECT_TRUE(mentions(validate(c), "must not exceed --max-queue-bytes"));
  c.max_queue_bytes = 2 * 1024 * 1024;
  EXPECT_TRUE(validate(c).empty());
}

TEST(Validate, PathMustNotShadowEndpoints) {
  TargetConfig c = valid();
  c.path = "/health";
  EXPECT_TRUE(mentions(validate(c), "/health"));
}

TEST(Validate, NoAuthAndSecretConflict) {
  TargetConfig c = valid();
  c.no_auth = true;
  EXPECT_TRUE(mentions(validate(c), "mutually exclusive"));
}

}  // namespace
}  // namespace wsload::target
