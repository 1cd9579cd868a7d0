// The `load` section's shapes (scenario_load.cpp): stages and arrivals, their rules at their
// positions, and inline scenarios in a sequence.
#include <gtest/gtest.h>

#include "v2_test_support.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::scenario {
namespace {

using namespace std::chrono_literals;
using testing::dump;
using testing::env_of;
using testing::expect_problem;
using testing::load_v2;

TEST(LoadShape, StagesAreReadInOrderAndConnectionsIsTheirPeak) {
  const shared::Scenario s = load_v2(R"(load:
  stages:
    - { to: 60, over: 1s }
    - { to: 60, over: 1s }
    - { to: 120, over: 500ms }
    - { to: 0, over: 1s }
)");
  EXPECT_EQ(s.load.stages,
            (std::vector<shared::LoadStage>{{60, 1s}, {60, 1s}, {120, 500ms}, {0, 1s}}));
  EXPECT_EQ(s.load.connections, 120u);
  EXPECT_FALSE(s.load.arrival.has_value());
  // The ramp's figures are unused with stages, and zero so that nothing reads them by mistake.
  EXPECT_EQ(s.load.ramp_up, 0s);
  EXPECT_EQ(s.load.hold, 0s);
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
}

TEST(LoadShape, ArrivalKeepsTheRateExactAndPlansRateTimesDuration) {
  const shared::Scenario s =
      load_v2("load: { arrival: { rate: 0.5/s, lifetime: 30s, duration: 5m } }\n");
  ASSERT_TRUE(s.load.arrival.has_value());
  EXPECT_EQ(s.load.arrival->count, 1u);
  EXPECT_EQ(s.load.arrival->per, 2s);
  EXPECT_EQ(s.load.arrival->lifetime, 30s);
  EXPECT_EQ(s.load.arrival->duration, 5min);
  EXPECT_EQ(s.load.connections, 150u);  // one every 2 s for 300 s
  EXPECT_TRUE(s.load.stages.empty());
  const shared::Scenario fast =
      load_v2("load: { arrival: { rate: 40/s, lifetime: 300ms, duration: 2s } }\n");
  EXPECT_EQ(fast.load.connections, 80u);
  EXPECT_EQ(load_v2("load: { arrival: { rate: 1/100ms, lifetime: 1s, duration: 1m } }\n")
                .load.connections,
            600u);
}

TEST(LoadShape, ARampScenarioIsUnchanged) {
  const shared::Scenario s = load_v2("load: { connections: 7, ramp_up: 1s, hold: 2s }\n");
  EXPECT_EQ(s.load.connections, 7u);
  EXPECT_EQ(s.load.ramp_up, 1s);
  EXPECT_EQ(s.load.hold, 2s);
  EXPECT_TRUE(s.load.stages.empty());
  EXPECT_FALSE(s.load.arrival.has_value());
}

struct ShapeBad {
  std::string yaml;
  int line;
  int column;
  std::string fragment;
};

void PrintTo(const ShapeBad& bad, std::ostream* os) { *os << "'" << bad.yaml << "'"; }

class LoadShapeBad : public ::testing::TestWithParam<ShapeBad> {};

TEST_P(LoadShapeBad, IsRejectedAtThePlace) {
  const ShapeBad& bad = GetParam();
  expect_problem(bad.yaml, bad.line, bad.column, bad.fragment);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, LoadShapeBad,
    ::testing::Values(
        ShapeBad{"load: { stages: [] }\n", 1, 17, "load.stages: must list at least one stage"},
        ShapeBad{"load: { stages: { to: 5 } }\n", 1, 17, "expected a list of { to: N"},
        ShapeBad{"load:\n  stages:\n    - { to: 5 }\n", 3, 7,
                 "load.stages[0].over: is required in every stage"},
        ShapeBad{"load:\n  stages:\n    - { over: 1s }\n    - { to: 3, over: 1s }\n", 3, 7,
                 "load.stages[0].to: is required"},
        ShapeBad{"load:\n  stages:\n    - { to: -1, over: 1s }\n", 3, 13,
                 "load.stages[0].to: expected a non-negative integer, got '-1'"},
        ShapeBad{"load:\n  stages:\n    - { to: 5, over: -1s }\n", 3, 22,
                 "load.stages[0].over: must not be negative"},
        ShapeBad{"load:\n  stages:\n    - { to: 5, ovr: 1s }\n", 3, 16,
                 "unknown key 'ovr'; did you mean 'over'?"},
        ShapeBad{"load:\n  stages:\n    - { to: 4294967297, over: 1s }\n", 3, 13,
                 "at most 4294967296 open connections"},
        ShapeBad{"load:\n  stages:\n    - { to: 0, over: 1s }\n    - { to: 0, over: 2s }\n", 3, 5,
                 "no stage opens a connection"},
        ShapeBad{"load:\n  stages: [{ to: 5, over: 1s }]\n  hold: 10s\n", 3, 9,
                 "load.hold: cannot be combined with load.stages"},
        ShapeBad{"load:\n  connections: 5\n  stages: [{ to: 5, over: 1s }]\n", 2, 16,
                 "load.connections: cannot be combined with load.stages"},
        ShapeBad{"load:\n  ramp_up: 1s\n  arrival: { rate: 1/s, lifetime: 1s, duration: 1s }\n", 2,
                 12, "load.ramp_up: cannot be combined with load.arrival"},
        ShapeBad{"load:\n  arrival: { rate: 1/s, lifetime: 1s, duration: 1s }\n"
                 "  stages: [{ to: 5, over: 1s }]\n",
                 2, 12, "load.arrival: cannot be combined with load.stages"},
        ShapeBad{"load: { arrival: { rate: 200, lifetime: 1s, duration: 1s } }\n", 1, 26,
                 "load.arrival.rate: expected a rate such as 200/s, 30/m, 0.5/s or 1/100ms, got "
                 "'200'"},
        ShapeBad{"load: { arrival: { rate: 0.0001/s, lifetime: 1s, duration: 1s } }\n", 1, 26,
                 "at most 3 decimals"},
        ShapeBad{"load: { arrival: { rate: 0/s, lifetime: 1s, duration: 1s } }\n", 1, 26,
                 "greater than 0"},
        ShapeBad{"load: { arrival: { rate: 5/weeks, lifetime: 1s, duration: 1s } }\n", 1, 26,
                 "expected a unit (s, m, h, ms)"},
        ShapeBad{"load: { arrival: { rate: 5/s, lifetime: 0s, duration: 1s } }\n", 1, 41,
                 "load.arrival.lifetime: must be greater than 0"},
        ShapeBad{"load: { arrival: { rate: 5/s, lifetime: 1s } }\n", 1, 18,
                 "load.arrival.duration: is required"},
        ShapeBad{"load: { arrival: { lifetime: 1s, duration: 1s } }\n", 1, 18,
                 "load.arrival.rate: is required"},
        ShapeBad{"load: { arrival: { rate: 1/m, lifetime: 1s, duration: 30s } }\n", 1, 18,
                 "no arrival within the duration"},
        ShapeBad{"load: { arrival: { rate: 1000000/ms, lifetime: 1s, duration: 1h } }\n", 1, 18,
                 "more than 4294967296 arrivals"},
        ShapeBad{"load: { arrival: { rate: 1/s, lifetme: 1s, duration: 1s } }\n", 1, 31,
                 "did you mean 'lifetime'?"}));

TEST(LoadShape, EveryProblemOfTheSectionIsReported) {
  const LoadResult r = parse_scenario_text(R"(load:
  hold: 1s
  stages:
    - { to: x, over: 1s }
    - { to: 5 }
)",
                                           testing::kInline, env_of());
  ASSERT_EQ(r.diagnostics.size(), 3u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].line, 2);
  EXPECT_EQ(r.diagnostics[1].line, 4);
  EXPECT_EQ(r.diagnostics[2].line, 5);
}

// ---- sequences of inline scenarios ----

TEST(SequenceInline, MappingsAreScenariosBesideNamesAndFiles) {
  const LoadResult r = parse_scenario_text(R"(name: shapes
sequence:
  - quick
  - name: spike
    target: { url: "ws://127.0.0.1:1/ws" }
    load:
      stages: [{ to: 50, over: 1s }, { to: 0, over: 1s }]
  - load: { arrival: { rate: 10/s, lifetime: 1s, duration: 3s } }
cooldown: 1s
)",
                                           testing::kInline, env_of());
  ASSERT_TRUE(r.plan.has_value()) << dump(r.diagnostics);
  ASSERT_EQ(r.plan->stages.size(), 3u);
  EXPECT_EQ(r.plan->stages[0].name, "quick");
  EXPECT_EQ(r.plan->stages[1].name, "spike");
  EXPECT_EQ(r.plan->stages[1].load.connections, 50u);
  EXPECT_EQ(r.plan->stages[2].name, "sequence[2]");  // unnamed: its place in the sequence
  EXPECT_EQ(r.plan->stages[2].load.connections, 30u);
  EXPECT_EQ(r.plan->cooldown, 1s);
}

TEST(SequenceInline, ProblemsInsideAnInlineScenarioCarryTheFilesPositions) {
  expect_problem("sequence:\n  - quick\n  - { load: { stages: [] } }\n", 3, 23,
                 "load.stages: must list at least one stage");
  expect_problem("sequence:\n  - { sequence: [quick] }\n", 2, 5,
                 "sequence[0]: is itself a sequence");
  expect_problem("sequence:\n  - { lod: { connections: 1 } }\n", 2, 7,
                 "sequence[0]: unknown key 'lod'; did you mean 'load'?");
  expect_problem("sequence:\n  - [quick]\n", 2, 5,
                 "sequence[0]: expected a preset name, a file or a scenario mapping, got a list");
}

}  // namespace
}  // namespace wsload::scenario
