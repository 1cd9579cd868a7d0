#include "report/text_agents.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace wsload::controller {
namespace {

// Agent i of `count`: share 2, both established, latency samples of (i % 7 + 1) ms.
StageResult stage_of(size_t count) {
  StageResult r;
  for (size_t i = 0; i < count; ++i) {
    AgentResult a;
    a.endpoint = "127.0.0.1:" + std::to_string(7000 + i);
    a.hostname = "vm";
    a.share = 2;
    a.totals.counters.connections_attempted = 2;
    a.totals.counters.connections_established = 2;
    a.totals.latency.record(static_cast<int64_t>((i % 7 + 1) * 1000));
    r.agents.push_back(std::move(a));
  }
  return r;
}

size_t lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(TextAgents, WorstAreLostThenErrorsThenHighestP99) {
  auto r = stage_of(10);
  r.agents[3].lost = true;
  r.agents[8].totals.counters.timeouts = 4;
  r.agents[2].totals.counters.connections_failed = 1;
  // p99 by index: 1..7 ms, then 1..3 ms; index 6 has the highest (7 ms), index 5 the next.
  EXPECT_EQ(worst_agents(r.agents, 5), (std::vector<size_t>{3, 8, 2, 6, 5}));
  EXPECT_EQ(worst_agents(r.agents, 50).size(), 10u);
  EXPECT_TRUE(worst_agents({}, 5).empty());
}

TEST(TextAgents, SixteenAgentsGetALineEach) {
  std::ostringstream out;
  write_agent_lines(out, stage_of(kAgentLinesInFull));
  EXPECT_EQ(lines(out.str()), 2 + kAgentLinesInFull) << out.str();  // blank line and "Agents:"
  EXPECT_NE(out.str().find("127.0.0.1:7015 (vm): share 2, established 2"), std::string::npos);
}

TEST(TextAgents, SixtyAgentsFoldIntoASummaryAndTheWorst) {
  auto r = stage_of(60);
  r.agents[42].lost = true;
  r.agents[42].loss_reason = "silent for 3 report intervals";
  r.agents[42].share = 3;
  std::ostringstream out;
  write_agent_lines(out, r);
  const auto text = out.str();
  EXPECT_EQ(lines(text), 2 + 1 + 1 + kWorstAgentsShown + 1) << text;
  EXPECT_NE(text.find("   60 agents: shares 2 to 3 (121 in all), established 120, failed 0, "
                      "errors 0, lost 1, p99 1.000ms to 7.000ms\n"),
            std::string::npos)
      << text;
  // The lost agent comes first among the worst.
  EXPECT_NE(text.find("then highest p99):\n   127.0.0.1:7042 (vm): share 3"), std::string::npos)
      << text;
  EXPECT_NE(text.find("LOST: silent for 3 report intervals"), std::string::npos);
  EXPECT_NE(text.find("(55 more agents; the JSON report (--json) has every agent)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace wsload::controller

namespace wsload::controller {
namespace {

// Reports cut before a late load thread answered are told on the agent's line and in the summary
// (only when there were some: a run without them reads as before).
TEST(TextAgents, LateReportsAreToldWhereThereWereSome) {
  auto few = stage_of(2);
  few.agents[1].late_reports = 4;
  std::ostringstream out;
  write_agent_lines(out, few);
  EXPECT_NE(out.str().find("127.0.0.1:7001 (vm): share 2, established 2"), std::string::npos);
  EXPECT_NE(out.str().find(", late reports 4\n"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("late reports"), out.str().rfind("late reports")) << out.str();
  auto many = stage_of(60);
  many.agents[3].late_reports = 2;
  many.agents[9].late_reports = 5;
  std::ostringstream folded;
  write_agent_lines(folded, many);
  EXPECT_NE(folded.str().find("errors 0, lost 0, late reports 7, p99"), std::string::npos)
      << folded.str();
}

}  // namespace
}  // namespace wsload::controller
