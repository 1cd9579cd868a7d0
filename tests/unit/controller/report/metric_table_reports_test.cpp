// The reports read the metric table: the JSON report places each metric once with the table's
// value, the Prometheus exposition announces each family once with the table's help text, and a
// stage's figures are what the table's values are computed from.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "report/interval_views.hpp"
#include "report/json_report_fields.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"

namespace wsload::controller {
namespace {

StageResult populated_stage() {
  StageResult r;
  r.scenario.name = "t";
  r.scenario.load.ramp_up = std::chrono::seconds(2);
  r.duration_s = 10;
  r.peak_open = 7;
  AgentResult a;
  a.open_connections = 5;
  auto& c = a.totals.counters;
  c.connections_attempted = 9;
  c.connections_established = 7;
  c.connections_failed = 2;
  c.messages_sent = 30;
  c.replies = 28;
  c.timeouts = 2;
  c.messages_received = 31;
  c.push_received = 3;
  c.push_resets = 1;
  c.unsent["closed"] = 4;
  c.failures["refused"] = 2;
  c.sends_behind_schedule = 1;
  c.max_schedule_lag_us = 1500;
  c.reconnects = 2;
  for (auto* h : {&a.totals.latency, &a.totals.latency_service, &a.totals.connect_time,
                  &a.totals.push_latency, &a.totals.reconnect_time}) {
    for (int v : {90, 900, 9000}) h->record(v);
  }
  r.totals = a.totals;
  r.agents = {a, a};
  r.totals.merge(a.totals);
  return r;
}

TEST(RunFigures, StageAndAgentViews) {
  const auto r = populated_stage();
  const auto f = run_figures(r);
  EXPECT_EQ(&f.delta, &r.totals);
  EXPECT_EQ(f.open, 10u);  // summed over the agents
  EXPECT_EQ(f.peak_open, 7u);
  EXPECT_DOUBLE_EQ(f.duration_s, 10);
  EXPECT_DOUBLE_EQ(f.ramp_up_s, 2);
  const auto af = agent_figures(r.agents[0]);
  EXPECT_EQ(&af.delta, &r.agents[0].totals);
  EXPECT_EQ(af.open, 5u);
  EXPECT_FALSE(
      shared::metric_value(shared::metric("messages.rate"), af));  // no duration for one agent
  for (const auto& m : shared::metric_catalog()) EXPECT_TRUE(shared::metric_value(m, f)) << m.name;
}

TEST(ReportJsonFields, EachMetricIsPlacedOnceWithTheTableValue) {
  const auto r = populated_stage();
  const auto f = run_figures(r);
  RunReport report;
  report.stages.push_back(r);
  const auto j = report_to_json(report);
  std::set<std::string> places;
  std::set<const shared::MetricInfo*> metrics;
  for (const auto& field : kJsonFields) {
    const std::string section(field.section), key(field.key);
    EXPECT_TRUE(places.insert(section + "." + key).second) << section << "." << key;
    EXPECT_TRUE(metrics.insert(field.metric).second) << field.metric->name;
    const auto& v = j.at(section).at(key);
    if (field.metric->unit == shared::MetricUnit::kCount) {
      EXPECT_EQ(v.get<uint64_t>(), shared::metric_count(*field.metric, f)) << field.metric->name;
    } else {
      EXPECT_DOUBLE_EQ(v.get<double>(), *shared::metric_value(*field.metric, f))
          << field.metric->name;
    }
    if (field.scope == JsonScope::kStageAndAgents) {
      EXPECT_EQ(j["agents"][0].at(section).at(key).get<uint64_t>(),
                shared::metric_count(*field.metric, agent_figures(r.agents[0])));
    }
  }
  // Every distribution row is in its family's object as "<stat>_ms".
  for (const auto& m : shared::metric_catalog()) {
    if (m.histogram == nullptr) continue;
    const auto& d =
        m.histogram == &shared::MetricsDelta::connect_time     ? j["connections"]["connect_time"]
        : m.histogram == &shared::MetricsDelta::reconnect_time ? j["connections"]["reconnect_time"]
        : m.histogram == &shared::MetricsDelta::push_latency   ? j["push"]["latency"]
        : m.histogram == &shared::MetricsDelta::latency        ? j["latency"]
                                                               : j["latency_service"];
    EXPECT_DOUBLE_EQ(d.at(std::string(shared::metric_leaf(m)) + "_ms").get<double>(),
                     *shared::metric_value(m, f))
        << m.name;
  }
}

TEST(LiveExposition, EachFamilyOnceWithTheTableHelp) {
  const auto r = populated_stage();
  const auto text = live_exposition(r.totals, "t", 3, 10, 7, 2, 2, {});
  std::set<std::string> families;
  std::istringstream in(text);
  std::string line;
  size_t with_table_help = 0;
  while (std::getline(in, line)) {
    if (!line.starts_with("# HELP ")) continue;
    const auto name_end = line.find(' ', 7);
    EXPECT_TRUE(families.insert(line.substr(7, name_end - 7)).second) << line;
    const auto help = std::string_view(line).substr(name_end + 1);
    for (const auto& m : shared::metric_catalog()) with_table_help += m.help == help ? 1 : 0;
  }
  // The exported rows but connections.failed, connections.closed and messages.unsent (whose help
  // points at their reasons); the rest are histograms, reasons, elapsed and agents.
  EXPECT_EQ(with_table_help, 20u);
  EXPECT_NE(text.find("wsload_replies_total{stage=\"t\"} 56\n"), std::string::npos) << text;
  EXPECT_NE(text.find("wsload_messages_unsent_total{stage=\"t\",reason=\"closed\"} 8\n"),
            std::string::npos);
  EXPECT_NE(text.find("wsload_connections_open{stage=\"t\"} 10\n"), std::string::npos);
}

}  // namespace
}  // namespace wsload::controller
