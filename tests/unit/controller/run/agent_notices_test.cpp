#include "run/agent_notices.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "run/live_view.hpp"

namespace wsload::controller {
namespace {

TEST(AgentList, ShowsTheFirstFewAndCountsTheRest) {
  EXPECT_EQ(agent_list({}), "");
  EXPECT_EQ(agent_list({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(agent_list({"a", "b", "c", "d", "e"}), "a, b, c, +2 more");
  EXPECT_EQ(agent_list({"a", "b"}, 1), "a, +1 more");
}

TEST(ClockWarning, OneLineHoweverManyAgents) {
  EXPECT_EQ(clock_warning({}, 0), "");
  EXPECT_EQ(clock_warning({"127.0.0.1:1"}, -250'000),
            "warning: agent 127.0.0.1:1 clock differs from this host's by -250.0 ms; the start is "
            "corrected, but timestamps in its logs will be off (run NTP)");
  std::vector<std::string> agents;
  for (int i = 1; i <= 60; ++i) agents.push_back("127.0.0.1:" + std::to_string(i));
  EXPECT_EQ(clock_warning(agents, 300'000),
            "warning: 60 agents' clocks differ from this host's by up to 300.0 ms (127.0.0.1:1, "
            "127.0.0.1:2, 127.0.0.1:3, +57 more); the start is corrected, but timestamps in their "
            "logs will be off (run NTP)");
}

// Sixty agents lost for one reason (it names each agent, as describe_status does): one line at
// once, one line for the other 59 at the flush.
TEST(AgentLossNotices, SameReasonIsFoldedUntilTheFlush) {
  AgentLossNotices notices;
  auto reason = [](const std::string& a) { return "agent " + a + " closed the session"; };
  const auto first = notices.lost("127.0.0.1:1", reason("127.0.0.1:1"), 3);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first,
            "agent 127.0.0.1:1 lost: agent 127.0.0.1:1 closed the session (its 3 connections' "
            "metrics up to now are kept)");
  for (int i = 2; i <= 60; ++i) {
    const auto agent = "127.0.0.1:" + std::to_string(i);
    EXPECT_FALSE(notices.lost(agent, reason(agent), 2)) << agent;
  }
  EXPECT_EQ(notices.flush(),
            std::vector<std::string>{"59 more agents lost: agent <agent> closed the session "
                                     "(127.0.0.1:2, 127.0.0.1:3, 127.0.0.1:4, +56 more; their 118 "
                                     "connections' metrics up to now are kept)"});
  EXPECT_TRUE(notices.flush().empty());
  // After a flush the next loss is told in full again.
  EXPECT_TRUE(notices.lost("127.0.0.1:61", reason("127.0.0.1:61"), 2));
}

TEST(AgentLossNotices, DifferentReasonsAreToldApart) {
  AgentLossNotices notices;
  EXPECT_TRUE(notices.lost("a:1", "silent for 3 report intervals", 1));
  EXPECT_TRUE(notices.lost("a:2", "sent a report that does not decode", 1));
  EXPECT_FALSE(notices.lost("a:3", "silent for 3 report intervals", 1));
  EXPECT_EQ(notices.flush(),
            std::vector<std::string>{"1 more agent lost: silent for 3 report intervals (a:3; its 1 "
                                     "connections' metrics up to now are kept)"});
}

TEST(LiveView, HeldLossesAreToldBeforeTheNextLineAndNotWhenQuiet) {
  std::ostringstream out;
  LiveView view(out, false, false);
  view.agent_lost("a:1", "silent for 3 report intervals", 1);
  view.agent_lost("a:2", "silent for 3 report intervals", 1);
  EXPECT_EQ(out.str(),
            "agent a:1 lost: silent for 3 report intervals (its 1 connections' metrics up to now "
            "are kept)\n");
  view.message("stopping");
  EXPECT_EQ(out.str(),
            "agent a:1 lost: silent for 3 report intervals (its 1 connections' metrics up to now "
            "are kept)\n1 more agent lost: silent for 3 report intervals (a:2; its 1 connections' "
            "metrics up to now are kept)\nstopping\n");
  std::ostringstream quiet_out;
  LiveView quiet(quiet_out, true, false);
  quiet.agent_lost("a:1", "x", 1);
  quiet.agent_lost("a:2", "x", 1);
  quiet.flush_notices();
  EXPECT_EQ(quiet_out.str(), "");
}

}  // namespace
}  // namespace wsload::controller
