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

// The most of `ids`' sessions open at once, counted from every open and close instant.
uint64_t oracle_peak(const LoadPlan& plan, const std::vector<uint32_t>& ids) {
  std::vector<Session> sessions;
  for (uint32_t id : ids) plan.sessions(id, sessions);
  uint64_t most = 0;
  for (const Session& at : sessions) {
    uint64_t n = 0;
    for (const Session& s : sessions) n += s.open <= at.open && at.open < s.close ? 1 : 0;
    most = std::max(most, n);
  }
  return most;
}

TEST(LoadPlan, PeakOfAnAgentsIdsIsTheMostOfThemOpenAtOnce) {
  LoadSpec arrival;
  arrival.arrival = ArrivalSpec{.count = 40, .per = 1s, .lifetime = 300ms, .duration = 2s};
  arrival.connections = planned_ids(arrival);
  LoadSpec odd;
  odd.arrival = ArrivalSpec{.count = 7, .per = 3s, .lifetime = 1300ms, .duration = 20s};
  odd.connections = planned_ids(odd);
  LoadSpec ramp;
  ramp.connections = 50;
  ramp.ramp_down = 1s;
  for (const LoadSpec& load :
       {arrival, odd, ramp, stages({{37, 370ms}, {11, 130ms}, {50, 90ms}, {0, 500ms}}),
        stages({{10, 100ms}, {4, 60ms}, {10, 60ms}})}) {
    const LoadPlan plan(load);
    for (const size_t agents : {size_t{1}, size_t{2}, size_t{5}}) {
      const auto shares = apportion(plan.ids(), std::vector<double>(agents, 1.0));
      uint64_t sum = 0;
      for (size_t k = 0; k < agents; ++k) {
        const auto ids = agent_connection_ids(shares, k);
        const uint64_t peak = plan.peak_of(ids);
        EXPECT_EQ(peak, oracle_peak(plan, ids)) << plan.ids() << " ids, agent " << k;
        sum += peak;
      }
      EXPECT_GE(sum, plan.peak() == 0 ? 0 : plan.peak() - 1);  // agents peak no later together
    }
  }
  // 40/s living 300 ms: 12 or 13 open at once, over one agent.
  const LoadPlan plan(arrival);
  const auto all = agent_connection_ids(apportion(plan.ids(), std::vector<double>{1.0}), 0);
  EXPECT_EQ(plan.peak_of(all), 12u);
  EXPECT_EQ(plan.peak_of({}), 0u);
}

struct RateCase {
  std::string text;
  uint64_t count;
  Duration per;
  std::string formatted;
};

TEST(ArrivalRate, ParsesExactlyAndFormatsBack) {
  const RateCase cases[] = {
      {"200/s", 200, 1s, "200/s"},
      {"30/m", 30, 1min, "30/m"},
      {"0.5/s", 1, 2s, "1/2s"},
      {"2.5/s", 5, 2s, "5/2s"},
      {"1/100ms", 1, 100ms, "1/100ms"},
      {"0.125/s", 1, 8s, "1/8s"},
      {"1.001/h", 1001, 1000h, "1001/1000h"},
      {"3/2m", 3, 2min, "3/2m"},
      {"10/ms", 10, 1ms, "10/ms"},
      {"7/1m30s", 7, 90s, "7/1m30s"},
  };
  for (const RateCase& c : cases) {
    std::string why;
    const auto rate = parse_arrival_rate(c.text, &why);
    ASSERT_TRUE(rate.has_value()) << c.text << ": " << why;
    EXPECT_EQ(rate->count, c.count) << c.text;
    EXPECT_EQ(rate->per, c.per) << c.text;
    ArrivalSpec spec{.count = rate->count, .per = rate->per};
    EXPECT_EQ(format_arrival_rate(spec), c.formatted) << c.text;
    const auto back = parse_arrival_rate(format_arrival_rate(spec), &why);
    ASSERT_TRUE(back.has_value()) << c.formatted << ": " << why;
    EXPECT_EQ(back->count, rate->count);
    EXPECT_EQ(back->per, rate->per);
  }
}

TEST(ArrivalRate, RefusesWhatIsNotAnExactPositiveRate) {
  const std::pair<std::string, std::string> bad[] = {
      {"200", "expected a rate such as 200/s"},
      {"0/s", "greater than 0"},
      {"0.0/s", "greater than 0"},
      {"0.0005/s", "at most 3 decimals"},
      {"-1/s", "expected a number of arrivals"},
      {"1./s", "expected a number of arrivals"},
      {"abc/s", "expected a number of arrivals"},
      {"5/fortnight", "expected a unit"},
      {"5/0s", "expected a unit"},
      {"5/", "expected a unit"},
      {"99999999999999999999/s", "too large"},
  };
  for (const auto& [text, fragment] : bad) {
    std::string why;
    EXPECT_FALSE(parse_arrival_rate(text, &why).has_value()) << text;
    EXPECT_NE(why.find(fragment), std::string::npos) << text << ": " << why;
  }
}

}  // namespace
}  // namespace wsload::shared
