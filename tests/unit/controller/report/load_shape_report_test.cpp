// Stages and arrivals in the reports (issue 14): the shape in words (load_shape.cpp) in the text
// header, the JSON scenario section read back exactly, the timeline's target, the HTML header and
// connections.rate of an arrival model; closed_planned in the text's Connection Metrics.
#include <gtest/gtest.h>

#include <sstream>

#include "report/load_shape.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::controller {
namespace {

using namespace std::chrono_literals;

shared::LoadSpec stages_load() {
  shared::LoadSpec load;
  load.ramp_up = load.hold = 0s;
  load.stages = {{60, 1s}, {60, 1s}, {120, 500ms}, {0, 1s}};
  load.connections = shared::planned_ids(load);
  return load;
}

shared::LoadSpec arrival_load() {
  shared::LoadSpec load;
  load.ramp_up = load.hold = 0s;
  load.arrival = shared::ArrivalSpec{.count = 1, .per = 25ms, .lifetime = 300ms, .duration = 2s};
  load.connections = shared::planned_ids(load);
  return load;
}

StageResult stage_with(const shared::LoadSpec& load, uint64_t attempted) {
  StageResult r;
  r.scenario.name = "shape";
  r.scenario.target.url = "ws://127.0.0.1:1/ws";
  r.scenario.load = load;
  r.duration_s = 3.5;
  r.peak_open = 120;
  AgentResult a;
  a.endpoint = "127.0.0.1:7000";
  a.hostname = "h";
  a.share = load.connections;
  a.finished = true;
  auto& c = a.totals.counters;
  c.connections_attempted = c.connections_established = attempted;
  c.connections_closed = attempted;
  a.totals.connect_time.record(800);
  r.agents.push_back(a);
  r.totals = a.totals;
  // The timeline's target is the plan's level at each point's end.
  const shared::LoadPlan plan(load);
  for (int s = 1; s <= 4; ++s) {
    TimelinePoint p;
    p.t_s = s;
    p.target_connections = plan.level(std::chrono::seconds(s));
    p.open_connections = p.target_connections;
    r.timeline.push_back(p);
  }
  return r;
}

TEST(LoadShapeText, DescribesEachShape) {
  EXPECT_EQ(describe_load(stages_load()),
            "stages 60 over 1s, 60 over 1s, 120 over 500ms, 0 over 1s (peak 120)");
  EXPECT_EQ(describe_load(arrival_load()),
            "arrivals 1/25ms, lifetime 300ms, duration 2s (80 sessions)");
  shared::LoadSpec ramp;
  ramp.connections = 100;
  EXPECT_EQ(describe_load(ramp), "100 connections, ramp-up 10s, hold 30s");
}

TEST(LoadShapeReports, JsonCarriesTheShapeAndReadsItBackExactly) {
  for (const auto& load : {stages_load(), arrival_load()}) {
    RunReport report;
    report.name = "shape";
    report.stages.push_back(stage_with(load, load.connections));
    const auto j = report_to_json(report);
    const RunReport back = report_from_json(j);
    EXPECT_EQ(back.stages[0].scenario.load.stages, load.stages);
    EXPECT_EQ(back.stages[0].scenario.load.arrival, load.arrival);
    EXPECT_EQ(report_to_json(back), j) << j["scenario"].dump(2);
  }
  RunReport report;
  report.stages.push_back(stage_with(stages_load(), 120));
  const auto j = report_to_json(report);
  EXPECT_EQ(j["scenario"]["stages"][2], (nlohmann::json{{"to", 120}, {"over", "500ms"}}));
  EXPECT_FALSE(j["scenario"].contains("arrival"));
  // target at each second: 60 after the first rise; 61 as the second rise opens its first id at
  // 2 s; 59 halfway down the fall from 120 (2.5 s to 3.5 s, the id opening at that instant
  // included); 0 after it.
  std::vector<uint64_t> targets;
  for (const auto& p : j["timeline"]) targets.push_back(p["target"].get<uint64_t>());
  EXPECT_EQ(targets, (std::vector<uint64_t>{60, 61, 59, 0}));
  report.stages[0] = stage_with(arrival_load(), 80);
  EXPECT_EQ(report_to_json(report)["scenario"]["arrival"],
            (nlohmann::json{{"rate", "1/25ms"}, {"lifetime", "300ms"}, {"duration", "2s"}}));
}

TEST(LoadShapeReports, TextNamesTheShapeAndThePlannedCloses) {
  RunReport report;
  report.stages.push_back(stage_with(stages_load(), 120));
  std::ostringstream out;
  write_text_summary(out, report);
  EXPECT_NE(out.str().find("=== shape — stages 60 over 1s, 60 over 1s, 120 over 500ms, 0 over 1s "
                           "(peak 120), 1 agent(s), 3.5s ==="),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("   Closed as Planned: 120\n   Unexpected Disconnects: 0"),
            std::string::npos)
      << out.str();
  // 120 established over the 1.5 s of rising stages.
  EXPECT_NE(out.str().find("Peak Open: 120   Rate: 80.0/s\n"), std::string::npos) << out.str();
}

TEST(LoadShapeReports, AnArrivalModelsRateIsItsArrivalsPerSecond) {
  RunReport report;
  report.stages.push_back(stage_with(arrival_load(), 80));
  report.stages[0].totals.counters.connections_established = 78;  // two failed
  EXPECT_DOUBLE_EQ(*metric_value(report.stages[0], "connections.rate"), 40.0);
  std::ostringstream out;
  write_text_summary(out, report);
  EXPECT_NE(out.str().find("=== shape — arrivals 1/25ms, lifetime 300ms, duration 2s (80 "
                           "sessions), 1 agent(s), 3.5s ==="),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("Rate: 40.0/s (arrivals, sustained over the run)"), std::string::npos)
      << out.str();
  EXPECT_EQ(report_to_json(report)["summary"]["connectionsPerSecond"], 40.0);
  const std::string html = report_to_html(report);
  EXPECT_NE(html.find("<p>arrivals 1/25ms, lifetime 300ms, duration 2s (80 sessions) to "),
            std::string::npos);
}

}  // namespace
}  // namespace wsload::controller
