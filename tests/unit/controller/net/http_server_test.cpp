#include "net/http_server.hpp"

#include <gtest/gtest.h>

#include "net/http_client.hpp"

namespace wsload::controller {
namespace {

TEST(QueryValue, FindsParametersByName) {
  EXPECT_EQ(query_value("since=3", "since"), "3");
  EXPECT_EQ(query_value("a=1&since=42&b=2", "since"), "42");
  EXPECT_EQ(query_value("flag&x=1", "flag"), "");
  EXPECT_EQ(query_value("sincere=1", "since"), std::nullopt);
  EXPECT_EQ(query_value("", "since"), std::nullopt);
}

TEST(HttpServer, HandsTheHandlerPathAndQueryAndSendsItsAnswer) {
  HttpServer::Request seen;
  HttpServer server("127.0.0.1:0", "--test", [&seen](const HttpServer::Request& r) {
    seen = r;
    return HttpServer::Response{200, "application/json", "{\"ok\":true}"};
  });
  const auto port = server.address().substr(server.address().find(':') + 1);
  const auto r =
      http_request(HttpUrl{"127.0.0.1", port, "/api/live?since=5"}, "", std::chrono::seconds(2));
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "{\"ok\":true}");
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/api/live");
  EXPECT_EQ(seen.query, "since=5");
}

TEST(HttpServer, RefusesAnAddressItCannotUseWithTheFlagsName) {
  try {
    HttpServer server("10.255.255.1:0", "--web",
                      [](const HttpServer::Request&) { return HttpServer::Response{}; });
    FAIL() << "listening on an address this host does not have";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--web: cannot listen on 10.255.255.1:0"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace wsload::controller
