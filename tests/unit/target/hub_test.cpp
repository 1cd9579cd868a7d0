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

// /stats connections_peak: the most session slots held at once, with or without a limit.
TEST(Hub, PeakIsTheMostSessionsHeldAtOnce) {
  for (const uint64_t limit : {uint64_t{0}, uint64_t{4}}) {
    TargetConfig config;
    config.no_auth = true;
    config.threads = 1;
    config.max_connections = limit;
    Hub hub(config);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(hub.try_reserve_session());
    hub.release_session();
    hub.release_session();
    EXPECT_TRUE(hub.try_reserve_session());
    EXPECT_EQ(hub.reserved_sessions(), 2u);
    EXPECT_EQ(hub.snapshot().connections_peak, 3u) << "limit " << limit;
    for (int i = 0; i < 3; ++i) hub.try_reserve_session();  // a limit of 4 refuses the last
    EXPECT_EQ(hub.snapshot().connections_peak, limit == 0 ? 5u : 4u);
  }
}

class CountingSession : public SessionHandle {
 public:
  void deliver(const SharedText&) override { ++delivered; }
  void go_away() override {}
  int delivered = 0;
};

TEST(Hub, RequireSubscribeDeliversBroadcastsToSubscribedSessionsOnly) {
  for (bool require : {false, true}) {
    TargetConfig config;
    config.no_auth = true;
    config.require_subscribe = require;
    Hub hub(config);
    CountingSession subscribed;
    CountingSession idle;
    CountingSession left;  // subscribed, then unsubscribed
    Shard& shard = hub.shard(0);
    for (auto* session : {&subscribed, &idle, &left}) shard.attach(session);
    shard.set_subscribed(&subscribed, true);
    shard.set_subscribed(&left, true);
    shard.set_subscribed(&left, false);
    ASSERT_TRUE(hub.publish(std::make_shared<const std::string>("x")));
    shard.ioc().poll();
    EXPECT_EQ(subscribed.delivered, 1);
    EXPECT_EQ(idle.delivered, require ? 0 : 1) << require;
    EXPECT_EQ(left.delivered, require ? 0 : 1) << require;

    shard.detach(&subscribed);  // a closed session leaves both sets
    ASSERT_TRUE(hub.publish(std::make_shared<const std::string>("y")));
    shard.ioc().restart();
    shard.ioc().poll();
    EXPECT_EQ(subscribed.delivered, 1);
    shard.detach(&idle);
    shard.detach(&left);
  }
}

}  // namespace
}  // namespace wsload::target
