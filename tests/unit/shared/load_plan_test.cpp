// LoadPlan against an oracle: every id's sessions listed, the level at any instant counted from
// them, and the shapes' rules checked one by one.
#include "wsload/shared/load_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "wsload/shared/planner.hpp"

namespace wsload::shared {
namespace {

using namespace std::chrono_literals;
using Session = LoadPlan::Session;
using Duration = LoadPlan::Duration;

std::vector<std::vector<Session>> all_sessions(const LoadPlan& plan) {
  std::vector<std::vector<Session>> out(plan.ids());
  for (uint64_t id = 0; id < plan.ids(); ++id) plan.sessions(id, out[id]);
  return out;
}

uint64_t oracle_level(const std::vector<std::vector<Session>>& sessions, Duration t) {
  uint64_t n = 0;
  for (const auto& list : sessions) {
    for (const Session& s : list) n += s.open <= t && t < s.close ? 1 : 0;
  }
  return n;
}

// level(t) equals the oracle at every open and close instant, one tick either side, and a grid.
void expect_levels_match(const LoadPlan& plan) {
  const auto sessions = all_sessions(plan);
  std::set<Duration> instants;
  for (const auto& list : sessions) {
    for (const Session& s : list) {
      for (Duration t : {s.open, s.close}) {
        instants.insert(t);
        instants.insert(t - 1ns);
        instants.insert(t + 1ns);
      }
    }
  }
  for (Duration t{0}; t <= plan.end() + 1s; t += 37ms) instants.insert(t);
  uint64_t highest = 0;
  for (Duration t : instants) {
    const uint64_t expected = oracle_level(sessions, t);
    highest = std::max(highest, expected);
    ASSERT_EQ(plan.level(t), expected) << "at " << t.count() << " ns";
  }
  EXPECT_GE(plan.peak(), highest);
  EXPECT_LE(plan.peak(), highest + 1);
}

LoadSpec stages(std::vector<LoadStage> list) {
  LoadSpec load;
  load.stages = std::move(list);
  load.connections = planned_ids(load);
  return load;
}

TEST(LoadPlan, RampIsTheSingleMachineScheduleOfFormatV1) {
  LoadSpec load{.connections = 10, .ramp_up = 1s, .hold = 2s, .ramp_down = 500ms};
  const LoadPlan plan(load);
  EXPECT_EQ(plan.ids(), 10u);
  EXPECT_EQ(plan.requests_end(), 3s);
  std::vector<Session> s;
  plan.sessions(3, s);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].open, scheduled_open(3, 10, 1s));
  EXPECT_EQ(s[0].close, 3s + scheduled_open(3, 10, 500ms));  // lowest ids close first
  expect_levels_match(plan);
  expect_levels_match(LoadPlan(LoadSpec{.connections = 7, .ramp_up = 0s, .hold = 1s}));
  expect_levels_match(LoadPlan(LoadSpec{.connections = 13, .ramp_up = 333ms, .hold = 0s}));
}

TEST(LoadPlan, StagesOpenEvenlyAndCloseTheHighestIdsFirst) {
  const LoadPlan plan(stages({{60, 600ms}, {60, 1s}, {120, 300ms}, {0, 1200ms}}));
  EXPECT_EQ(plan.ids(), 120u);
  EXPECT_EQ(plan.end(), 3100ms);
  EXPECT_EQ(plan.requests_end(), 3100ms);
  const auto sessions = all_sessions(plan);
  for (uint64_t id = 0; id < 120; ++id) ASSERT_EQ(sessions[id].size(), 1u) << id;
  EXPECT_EQ(sessions[0][0].open, 0ms);
  EXPECT_EQ(sessions[59][0].open, 590ms);     // 59 * 600ms / 60
  EXPECT_EQ(sessions[60][0].open, 1600ms);    // the third stage starts at 1.6 s
  EXPECT_EQ(sessions[119][0].close, 1900ms);  // the fall starts with the highest id
  EXPECT_EQ(sessions[0][0].close, 1900ms + 119 * 1200ms / 120);
  for (uint64_t id = 1; id < 120; ++id) {
    EXPECT_GE(sessions[id - 1][0].close, sessions[id][0].close);  // higher ids close earlier
  }
  EXPECT_EQ(plan.level(1s), 60u);
  EXPECT_EQ(plan.level(1900ms - 1ns), 120u);
  expect_levels_match(plan);
}

TEST(LoadPlan, AnIdOpenedAgainAfterAFallIsANewSession) {
  const LoadPlan plan(stages({{10, 100ms}, {4, 60ms}, {10, 60ms}}));
  std::vector<Session> s;
  plan.sessions(7, s);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_LT(s[0].close, s[1].open);
  EXPECT_EQ(s[1].close, plan.end());  // open at the end of the last stage: closed then
  plan.sessions(2, s = {});
  EXPECT_EQ(s.size(), 1u);
  expect_levels_match(plan);
  expect_levels_match(LoadPlan(stages({{5, 0s}, {5, 50ms}, {0, 0s}, {3, 30ms}})));
}

TEST(LoadPlan, ArrivalsOpenAtTheirRateAndLiveTheirLifetime) {
  LoadSpec load;
  load.arrival = ArrivalSpec{.count = 200, .per = 1s, .lifetime = 300ms, .duration = 2s};
  load.connections = planned_ids(load);
  const LoadPlan plan(load);
  EXPECT_EQ(plan.ids(), 400u);  // exactly rate * duration sessions
  std::vector<Session> s;
  plan.sessions(201, s);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].open, 1005ms);
  EXPECT_EQ(s[0].close, 1305ms);
  EXPECT_EQ(plan.level(1s), 60u);  // 200/s for 300 ms
  EXPECT_DOUBLE_EQ(plan.arrival_rate(), 200.0);
  expect_levels_match(plan);
  load.arrival = ArrivalSpec{.count = 7, .per = 3s, .lifetime = 1s, .duration = 10s};
  load.connections = planned_ids(load);
  EXPECT_EQ(planned_ids(load), 23u);  // floor(10 * 7 / 3)
  expect_levels_match(LoadPlan(load));
}

// Each agent runs the sessions of its own ids: together they are the single-machine schedule.
TEST(LoadPlan, AgentsTogetherRunTheSingleMachineSchedule) {
  const LoadPlan plan(stages({{37, 370ms}, {11, 130ms}, {50, 90ms}, {0, 500ms}}));
  const auto single = all_sessions(plan);
  for (const size_t agents : {size_t{1}, size_t{3}, size_t{7}}) {
    const std::vector<double> weights(agents, 1.0);
    const auto shares = apportion(plan.ids(), weights);
    std::vector<std::vector<Session>> merged(plan.ids());
    for (size_t k = 0; k < agents; ++k) {
      for (uint32_t id : agent_connection_ids(shares, k)) {
        ASSERT_TRUE(merged[id].empty()) << "id " << id << " in two agents";
        plan.sessions(id, merged[id]);
      }
    }
    EXPECT_EQ(merged, single) << agents << " agents";
  }
}

}  // namespace
}  // namespace wsload::shared
