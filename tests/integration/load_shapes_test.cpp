// Load shapes end to end (issue 14): `wsload run --local-agents 2` against wsload-target with JWT
// auth, a scenario of stages (0 -> 60 -> 60 -> 120 -> 0) and an arrival model (40/s living 300 ms
// for 2 s). Counts are exact on both sides: the report's and the target's /stats (total, closes,
// peak); the timeline's target is the load plan's level at each point.
#include <gtest/gtest.h>

#include <cmath>

#include "target_process.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload/shared/load_plan.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kJwtSecret = "load-shapes-secret";

// A v2 scenario: every session subscribes first and unsubscribes in on_close, so the target's
// unsubscribes count the planned closes that ran their steps first.
constexpr const char* kStages = R"(name: stages
target: { url: "${WS_URL}", auth: { jwt: { secret: "${SHAPES_JWT_SECRET}", ttl: 1h } } }
load:
  stages:
    - { to: 60, over: 1s }
    - { to: 60, over: 1s }
    - { to: 120, over: 500ms }
    - { to: 0, over: 1s }
groups:
  - name: clients
    on_open:
      - name: subscribe
        send: { kind: json, template: '{"type":"subscribe","channel":"prices","id":{{seq}}}' }
        expect: { match: id, timeout: 2s }
    messages:
      - { name: ping, interval: 250ms, kind: json, template: '{"type":"ping","id":{{seq}}}', match: id, timeout: 2s }
    on_close:
      - { name: unsubscribe, send: { kind: json, template: '{"type":"unsubscribe","channel":"prices","id":{{seq}}}' } }
thresholds:
  - connections.closed_planned == 120
  - disconnects.unexpected == 0
  - sessions.failed == 0
)";

constexpr const char* kArrival = R"(name: churn
target: { url: "${WS_URL}", auth: { jwt: { secret: "${SHAPES_JWT_SECRET}", ttl: 1h } } }
load:
  arrival: { rate: 40/s, lifetime: 300ms, duration: 2s }
messages: { interval: 100ms, kind: json, template: '{"type":"ping","id":{{seq}}}', match: id, timeout: 2s }
thresholds:
  - connections.closed_planned == 80
  - disconnects.unexpected == 0
)";

class LoadShapes : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(target_.ok()) << target_.error(); }

  ProcessOptions env() const {
    ProcessOptions options;
    options.env = {{"WS_URL", "ws://127.0.0.1:" + std::to_string(target_.port()) + "/ws"},
                   {"SHAPES_JWT_SECRET", kJwtSecret}};
    return options;
  }

  CliResult run(const std::string& yaml, std::vector<std::string> extra = {}) {
    write_text(dir_.file("scenario.yaml"), yaml);
    std::vector<std::string> args{"run",    dir_.file("scenario.yaml"), "--local-agents",  "2",
                                  "--json", dir_.file("report.json"),   "--live-interval", "1s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_wsload(args, dir_.file("report.json"), std::chrono::seconds(60), env());
  }

  // The target's /stats once every session has ended.
  nlohmann::json final_stats() {
    EXPECT_TRUE(wait_for_stat_equal(target_.port(), "connections_open", 0));
    auto r = http_get(target_.port(), "/stats");
    EXPECT_EQ(r.status, 200) << r.error;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

  TargetProcess target_{{"--jwt-secret", kJwtSecret, "--path", "/ws"}};
  TempDir dir_;
};

uint64_t u64(const nlohmann::json& j) { return j.get<uint64_t>(); }

// Every timeline point's target is the plan's level at the point's end (as the controller computes
// the instant from t_s); the open gauge follows it within `slack` (intervals end on each agent's
// clock a little apart).
void expect_targets_follow_the_plan(const nlohmann::json& report, const shared::LoadSpec& load,
                                    uint64_t slack) {
  const shared::LoadPlan plan(load);
  ASSERT_FALSE(report["timeline"].empty());
  for (const auto& point : report["timeline"]) {
    const double t_s = point["t_s"];
    const auto at =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(t_s));
    EXPECT_EQ(u64(point["target"]), plan.level(at)) << "at " << t_s << " s";
    const auto open = static_cast<int64_t>(u64(point["open"]));
    EXPECT_LE(std::abs(open - static_cast<int64_t>(plan.level(at))), static_cast<int64_t>(slack))
        << "at " << t_s << " s: open " << open << ", planned " << plan.level(at);
  }
  EXPECT_EQ(u64(report["timeline"].back()["open"]), 0u);
}

TEST_F(LoadShapes, StagesOpenEveryIdOnceReachTheirPeakAndCloseAsPlanned) {
  const auto r = run(kStages);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["scenario"]["stages"].size(), 4u);
  EXPECT_EQ(j["connections"]["attempted"], 120);
  EXPECT_EQ(j["connections"]["established"], 120);
  EXPECT_EQ(j["connections"]["failed"], 0);
  EXPECT_EQ(j["connections"]["closed"], 120);  // all of them planned:
  EXPECT_EQ(j["connections"]["unexpected_disconnects"], 0);
  EXPECT_LE(u64(j["connections"]["peak_open"]), 120u);
  EXPECT_EQ(j["sessions"]["failed"], 0);
  EXPECT_EQ(j["messages"]["timeouts"], 0);
  EXPECT_EQ(j["agents"][0]["share"], 60);
  EXPECT_EQ(j["agents"][1]["share"], 60);
  // The live view named the stages as they ran.
  EXPECT_NE(r.output.find("stage 3/4 → 120"), std::string::npos) << r.output;

  // The server saw each of the 120 ids open once, 120 open at once at the peak, and every
  // planned close run its on_close unsubscribe first.
  const auto stats = final_stats();
  EXPECT_EQ(stats["connections_total"], 120);
  EXPECT_EQ(stats["connections_closed"], 120);
  EXPECT_EQ(stats["connections_peak"], 120);
  EXPECT_EQ(stats["subscribes"], 120);
  EXPECT_EQ(stats["unsubscribes"], 120);

  shared::LoadSpec load;
  load.stages = {{60, 1s}, {60, 1s}, {120, 500ms}, {0, 1s}};
  load.connections = 120;
  expect_targets_follow_the_plan(j, load, 24);
}

TEST_F(LoadShapes, ArrivalsRunEverySessionOnceAtTheirRate) {
  const auto r = run(kArrival);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["scenario"]["arrival"]["rate"], "40/s");
  EXPECT_EQ(j["connections"]["attempted"], 80);
  EXPECT_EQ(j["connections"]["established"], 80);
  EXPECT_EQ(j["connections"]["closed"], 80);
  EXPECT_EQ(j["connections"]["unexpected_disconnects"], 0);
  EXPECT_EQ(j["connections"]["connect_time"]["count"], 80);
  EXPECT_EQ(u64(j["agents"][0]["share"]) + u64(j["agents"][1]["share"]), 80u);
  // 40/s living 300 ms: 12 planned at once (13 as one closes and the next opens).
  const uint64_t most = 12 + 2;
  EXPECT_LE(u64(j["connections"]["peak_open"]), most);
  const double rate = j["connections"]["rate"];
  EXPECT_NEAR(rate, 40.0, 2.0);
  EXPECT_EQ(j["summary"]["connectionsPerSecond"], rate);
  EXPECT_NE(r.output.find("arrivals 40.0/s"), std::string::npos) << r.output;

  const auto stats = final_stats();
  EXPECT_EQ(stats["connections_total"], 80);
  EXPECT_EQ(stats["connections_closed"], 80);
  EXPECT_LE(u64(stats["connections_peak"]), most);
  EXPECT_GE(u64(stats["connections_peak"]), 10u);

  shared::LoadSpec load;
  load.arrival = shared::ArrivalSpec{.count = 40, .per = 1s, .lifetime = 300ms, .duration = 2s};
  load.connections = 80;
  expect_targets_follow_the_plan(j, load, 8);
}

// A flag that does not apply to the shape is refused before anything runs; a progressive run's
// figures are scaled, not flattened, and validate prints them.
TEST_F(LoadShapes, OverridesAreRefusedOrScaledNeverFlattened) {
  write_text(dir_.file("churn.yaml"), kArrival);
  auto r = run_wsload({"run", dir_.file("churn.yaml"), "--connections", "10"}, "", 30s, env());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--connections (or MAX_CONNECTIONS): does not apply to load.arrival"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(stats_field(http_get(target_.port(), "/stats").body, "connections_total"), 0);

  r = run_wsload({"validate", "progressive", "--connections", "100", "--duration", "5s"}, "", 30s,
                 env());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("stage quick: 2 connections to "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stage medium: 20 connections to "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stage stress: 100 connections to ws://127.0.0.1:"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("ramp-up 1m, hold 5s"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--connections 100: the largest figure of its kind (5000) becomes 100"),
            std::string::npos)
      << r.output;

  write_text(dir_.file("stages.yaml"), kStages);
  r = run_wsload(
      {"validate", dir_.file("stages.yaml"), "--connections", "12", "--local-agents", "2"}, "", 30s,
      env());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("stage stages: stages 6 over 1s, 6 over 1s, 12 over 500ms, 0 over 1s "
                          "(peak 12) in 1 groups"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace wsload::test
