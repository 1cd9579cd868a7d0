#include "cluster/agent_capacity.hpp"

#include <gtest/gtest.h>

namespace wsload::controller {
namespace {

// One rule for `run` and `doctor` (doctor used to skip the ephemeral-port rule and approve what
// run refused).
TEST(ShareRefusal, FdBudgetAndEphemeralPortsTimesSourceAddresses) {
  v1::HelloReply hello;
  hello.set_fd_budget(50'000);
  hello.set_ephemeral_ports(28'232);
  EXPECT_FALSE(share_refusal(hello, 28'232));
  const auto ports = share_refusal(hello, 28'233);
  ASSERT_TRUE(ports);
  EXPECT_NE(ports->find("28232 ephemeral ports over 1 source address"), std::string::npos)
      << *ports;
  hello.set_source_ips(2);
  EXPECT_FALSE(share_refusal(hello, 50'000));
  const auto fds = share_refusal(hello, 50'001);
  ASSERT_TRUE(fds);
  EXPECT_NE(fds->find("file-descriptor budget is 50000"), std::string::npos) << *fds;
  hello.set_ephemeral_ports(0);  // unknown range: only the fd budget applies
  EXPECT_FALSE(share_refusal(hello, 50'000));
}

}  // namespace
}  // namespace wsload::controller
