#include "hub.hpp"

#include <gtest/gtest.h>

namespace wsload::target {
namespace {

// No thread runs the shards here, so every accepted broadcast stays in the backlog until poll().
TEST(Hub, BroadcastBacklogIsBoundedAndFreedByDelivery) {
  TargetConfig config;
  config.no_auth = true;
  config.threads = 2;
  Hub hub(config);
  const auto big = std::make_shared<const std::string>(1024 * 1024, 'x');
  const uint64_t cost = (big->size() + kBroadcastOverheadBytes) * 2;  // one post per shard
  uint64_t accepted = 0;
  while (accepted < 1000 && hub.publish(big)) ++accepted;
  EXPECT_EQ(accepted, kBroadcastBacklogBytes / cost);
  EXPECT_FALSE(hub.publish(big));
  auto stats = hub.snapshot();
  EXPECT_EQ(stats.broadcasts, accepted);
  EXPECT_EQ(stats.broadcasts_dropped, 2u);

  for (int i = 0; i < hub.shard_count(); ++i) hub.shard(i).ioc().poll();
  EXPECT_TRUE(hub.publish(big)) << "delivered broadcasts leave the backlog";
  EXPECT_EQ(hub.snapshot().broadcasts, accepted + 1);
}

}  // namespace
}  // namespace wsload::target
