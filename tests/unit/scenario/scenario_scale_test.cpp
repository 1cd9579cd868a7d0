// --connections, --ramp-up, --duration and --message-interval on plans of several figures
// (scenario_scale.cpp through apply_overrides): the largest figure of a kind becomes the value,
// the others keep their proportion to it; a flag that does not apply to a shape is refused.
#include <gtest/gtest.h>

#include "v2_test_support.hpp"
#include "wsload/scenario/scenario_loader.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::scenario {
namespace {

using namespace std::chrono_literals;
using shared::LoadStage;
using shared::ScenarioPlan;
using testing::dump;
using testing::env_of;

const std::string kStages = R"(target: { url: "ws://127.0.0.1:1/ws" }
load:
  stages:
    - { to: 60, over: 1s }
    - { to: 60, over: 1s }
    - { to: 120, over: 500ms }
    - { to: 0, over: 1s }
)";

const std::string kArrival = R"(target: { url: "ws://127.0.0.1:1/ws" }
load: { arrival: { rate: 40/s, lifetime: 300ms, duration: 2s } }
)";

ScenarioPlan plan_of(const std::string& yaml) {
  LoadResult r = parse_scenario_text(yaml, testing::kInline, env_of());
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  return r.plan.value_or(ScenarioPlan{});
}

std::vector<LoadStage> stages_after(const std::string& yaml, const Overrides& o) {
  ScenarioPlan plan = plan_of(yaml);
  const OverrideOutcome outcome = apply_overrides(plan, o);
  EXPECT_TRUE(outcome.refusals.empty()) << dump(outcome.refusals);
  EXPECT_EQ(plan.stages.at(0).load.connections, shared::planned_ids(plan.stages.at(0).load));
  return plan.stages.at(0).load.stages;
}

TEST(ScaleOverrides, ConnectionsScaleEveryStageSoThatThePeakIsTheValue) {
  Overrides o;
  o.connections = 12;
  EXPECT_EQ(stages_after(kStages, o),
            (std::vector<LoadStage>{{6, 1s}, {6, 1s}, {12, 500ms}, {0, 1s}}));
  o.connections = 1000;
  EXPECT_EQ(stages_after(kStages, o),
            (std::vector<LoadStage>{{500, 1s}, {500, 1s}, {1000, 500ms}, {0, 1s}}));
  // A stage that opens something keeps at least one connection; 0 stays 0.
  o.connections = 10;
  EXPECT_EQ(stages_after("load: { stages: [{ to: 1, over: 1s }, { to: 1000, over: 1s }, "
                         "{ to: 0, over: 1s }] }\n",
                         o),
            (std::vector<LoadStage>{{1, 1s}, {10, 1s}, {0, 1s}}));
}

TEST(ScaleOverrides, RampUpScalesTheRisesAndDurationTheHolds) {
  Overrides o;
  o.ramp_up = 2s;
  EXPECT_EQ(stages_after(kStages, o),
            (std::vector<LoadStage>{{60, 2s}, {60, 1s}, {120, 1s}, {0, 1s}}));
  o = {};
  o.hold = 3s;
  EXPECT_EQ(stages_after(kStages, o),
            (std::vector<LoadStage>{{60, 1s}, {60, 3s}, {120, 500ms}, {0, 1s}}));
  // Rounded to the millisecond: 500ms * 1s / 3s.
  o = {};
  o.ramp_up = 1s;
  EXPECT_EQ(stages_after("load: { stages: [{ to: 5, over: 3s }, { to: 9, over: 500ms }] }\n", o),
            (std::vector<LoadStage>{{5, 1s}, {9, 167ms}}));
}

TEST(ScaleOverrides, FlagsThatDoNotApplyToTheShapeAreRefusedAndChangeNothing) {
  Overrides o;
  o.connections = 10;
  o.ramp_up = 1s;
  o.url = "ws://elsewhere:2/ws";
  ScenarioPlan plan = plan_of(kArrival);
  const ScenarioPlan before = plan;
  OverrideOutcome outcome = apply_overrides(plan, o);
  ASSERT_EQ(outcome.refusals.size(), 2u) << dump(outcome.refusals);
  EXPECT_EQ(outcome.refusals[0].to_string(),
            "--connections (or MAX_CONNECTIONS): does not apply to load.arrival: its rate and "
            "duration give the sessions; edit load.arrival.rate");
  EXPECT_EQ(outcome.refusals[1].to_string(),
            "--ramp-up: does not apply to load.arrival: arrivals have no ramp-up; edit "
            "load.arrival");
  EXPECT_EQ(plan.stages.at(0).load.arrival, before.stages.at(0).load.arrival);
  EXPECT_EQ(plan.stages.at(0).load.connections, 80u);
  EXPECT_EQ(plan.stages.at(0).target.url, "ws://127.0.0.1:1/ws");

  o = {};
  o.hold = 5s;
  plan = plan_of("load: { stages: [{ to: 5, over: 1s }, { to: 0, over: 1s }] }\n");
  outcome = apply_overrides(plan, o);
  ASSERT_EQ(outcome.refusals.size(), 1u);
  EXPECT_EQ(outcome.refusals[0].file, "--duration (or TEST_DURATION)");
  EXPECT_NE(outcome.refusals[0].message.find("have no hold"), std::string::npos);
}

TEST(ScaleOverrides, DurationIsTheArrivalsDuration) {
  Overrides o;
  o.hold = 5s;
  ScenarioPlan plan = plan_of(kArrival);
  const OverrideOutcome outcome = apply_overrides(plan, o);
  EXPECT_TRUE(outcome.refusals.empty());
  EXPECT_TRUE(outcome.notes.empty());  // one figure: simply set
  EXPECT_EQ(plan.stages.at(0).load.arrival->duration, 5s);
  EXPECT_EQ(plan.stages.at(0).load.connections, 200u);  // 40/s for 5 s
}

TEST(ScaleOverrides, ASequenceScalesAcrossItsScenariosAndNamesTheOneThatRefuses) {
  const std::string sequence = R"(sequence:
  - { name: ramp, load: { connections: 100, ramp_up: 10s, hold: 20s } }
  - name: spike
    load: { stages: [{ to: 400, over: 5s }, { to: 400, over: 40s }, { to: 0, over: 1s }] }
)";
  ScenarioPlan plan = plan_of(sequence);
  Overrides o;
  o.connections = 200;
  o.hold = 4s;
  const OverrideOutcome outcome = apply_overrides(plan, o);
  EXPECT_TRUE(outcome.refusals.empty()) << dump(outcome.refusals);
  ASSERT_EQ(outcome.notes.size(), 2u);
  EXPECT_EQ(outcome.notes[0],
            "--connections 200: the largest figure of its kind (400) becomes 200; every other one "
            "is scaled by the same factor (200/400)");
  EXPECT_EQ(plan.stages[0].load.connections, 50u);
  EXPECT_EQ(plan.stages[0].load.hold, 2s);
  EXPECT_EQ(plan.stages[0].load.ramp_up, 10s);
  EXPECT_EQ(plan.stages[1].load.stages, (std::vector<LoadStage>{{200, 5s}, {200, 4s}, {0, 1s}}));
  EXPECT_EQ(plan.stages[1].load.connections, 200u);

  plan = plan_of(sequence +
                 "  - { name: churn, load: { arrival: { rate: 1/s, lifetime: 1s, "
                 "duration: 5s } } }\n");
  o = {};
  o.connections = 10;
  const OverrideOutcome refused = apply_overrides(plan, o);
  ASSERT_EQ(refused.refusals.size(), 1u);
  EXPECT_NE(refused.refusals[0].message.find("scenario 'churn': does not apply to load.arrival"),
            std::string::npos)
      << refused.refusals[0].message;
  EXPECT_EQ(plan.stages[0].load.connections, 100u);  // nothing changed
}

TEST(ScaleOverrides, OneFigureIsSimplySetAndZeroFiguresAllBecomeTheValue) {
  ScenarioPlan plan = plan_of("load: { connections: 5, hold: 0s }\n");
  Overrides o;
  o.connections = 9;
  o.hold = 7s;
  const OverrideOutcome outcome = apply_overrides(plan, o);
  EXPECT_TRUE(outcome.notes.empty());
  EXPECT_EQ(plan.stages[0].load.connections, 9u);
  EXPECT_EQ(plan.stages[0].load.hold, 7s);
}

}  // namespace
}  // namespace wsload::scenario
