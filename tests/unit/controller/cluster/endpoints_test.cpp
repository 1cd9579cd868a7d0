#include "wsload/controller/endpoints.hpp"

#include <gtest/gtest.h>

namespace wsload::controller {
namespace {

TEST(ParseAgents, ListsWithWeightsAndDns) {
  std::string error;
  auto agents = parse_agents("10.0.0.1:7000, host-b:7001@2.5,dns:///agents.svc:7000", &error);
  ASSERT_TRUE(agents) << error;
  ASSERT_EQ(agents->size(), 3u);
  EXPECT_EQ((*agents)[0].address, "10.0.0.1:7000");
  EXPECT_DOUBLE_EQ((*agents)[0].weight, 1.0);
  EXPECT_EQ((*agents)[1].address, "host-b:7001");
  EXPECT_DOUBLE_EQ((*agents)[1].weight, 2.5);
  EXPECT_EQ((*agents)[2].address, "dns:///agents.svc:7000");
}

TEST(ParseAgents, RejectsWhatCannotBeDialled) {
  for (const char* bad : {"", "host", "host:", "host:0", "host:70000", "host:7000@0", "host:7000@x",
                          "dns:///name", ":7000"}) {
    std::string error;
    EXPECT_FALSE(parse_agents(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

// A numeric name resolves without /etc/hosts or DNS (fresh chroots and CI have neither for sure).
TEST(ResolveEndpoints, DnsNameBecomesOneAgentPerAddress) {
  auto resolved = resolve_endpoints({{"dns:///127.0.0.1:7000", 2.0}, {"10.1.1.1:9", 1.0}});
  ASSERT_EQ(resolved.size(), 2u);
  bool found_v4 = false;
  for (const auto& e : resolved) {
    if (e.address == "127.0.0.1:7000") {
      found_v4 = true;
      EXPECT_DOUBLE_EQ(e.weight, 2.0);
    }
  }
  EXPECT_TRUE(found_v4);
  EXPECT_EQ(resolved.back().address, "10.1.1.1:9");
}

TEST(ResolveEndpoints, UnresolvableNameYieldsNothing) {
  EXPECT_TRUE(resolve_endpoints({{"dns:///no-such-host.invalid:7000", 1.0}}).empty());
}

}  // namespace
}  // namespace wsload::controller
