#include "run/metrics_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "net/http_client.hpp"

namespace wsload::controller {
namespace {

int connect_idle(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(ListenAddress, ParsesAndRefusesWithTheReason) {
  std::string error;
  auto a = parse_listen_address("127.0.0.1:9464", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9464);
  a = parse_listen_address("localhost:0", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_FALSE(parse_listen_address("garbage", &error));
  EXPECT_NE(error.find("expected HOST:PORT"), std::string::npos);
  EXPECT_FALSE(parse_listen_address("127.0.0.1:99999", &error));
  EXPECT_NE(error.find("0 to 65535"), std::string::npos);
  EXPECT_FALSE(parse_listen_address("127.0.0.1:9x", &error));
  EXPECT_FALSE(parse_listen_address("not-an-ip:80", &error));
  EXPECT_NE(error.find("not an IPv4 address"), std::string::npos);
}

// Issue 11.8: one idle connection used to delay every scrape by 2 s, and 18 made the endpoint
// unreachable (one connection served at a time, backlog 16).
TEST(MetricsServer, IdleConnectionsDoNotBlockAScrape) {
  MetricsServer server("127.0.0.1:0");
  server.publish("# HELP x x\n# TYPE x gauge\nx 1\n");
  const auto port =
      static_cast<uint16_t>(std::stoi(server.address().substr(server.address().find(':') + 1)));
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) {
    const int fd = connect_idle(port);
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  const auto started = std::chrono::steady_clock::now();
  const auto r = http_request(HttpUrl{"127.0.0.1", std::to_string(port), "/metrics"}, "",
                              std::chrono::milliseconds(2000));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "# HELP x x\n# TYPE x gauge\nx 1\n");
  EXPECT_LT(took, std::chrono::milliseconds(1000));
  for (int fd : idle) close(fd);
}

TEST(MetricsServer, AnswersManyScrapersAndUnknownPaths) {
  MetricsServer server("127.0.0.1:0");
  const HttpUrl url{"127.0.0.1", server.address().substr(server.address().find(':') + 1),
                    "/metrics"};
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(http_request(url, "", std::chrono::milliseconds(2000)).status, 200);
  EXPECT_EQ(http_request(HttpUrl{url.host, url.port, "/other"}, "", std::chrono::milliseconds(2000))
                .status,
            404);
}

}  // namespace
}  // namespace wsload::controller
