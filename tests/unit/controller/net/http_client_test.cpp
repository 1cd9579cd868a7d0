#include "net/http_client.hpp"

#include <gtest/gtest.h>

namespace wsload::controller {
namespace {

TEST(ParseHttpUrl, HostPortAndTarget) {
  std::string error;
  auto u = parse_http_url("http://127.0.0.1:3001/stats?x=1", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "3001");
  EXPECT_EQ(u->target, "/stats?x=1");
  u = parse_http_url("ws://example.test/ws", &error);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->target, "/ws");
  u = parse_http_url("http://[::1]:8080", &error);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/");
}

TEST(ParseHttpUrl, RejectsOtherSchemes) {
  std::string error;
  EXPECT_FALSE(parse_http_url("https://x/stats", &error));
  EXPECT_NE(error.find("only http://"), std::string::npos);
  EXPECT_FALSE(parse_http_url("http://:80/", &error));
}

TEST(HttpRequest, RefusedPortIsAnErrorNotAStatus) {
  HttpUrl url{"127.0.0.1", "1", "/"};
  const auto r = http_request(url, "", std::chrono::milliseconds(500));
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("cannot connect"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace wsload::controller
