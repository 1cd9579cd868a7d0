// The --metrics-listen exposition by the book: base units, duration histograms with cumulative
// `le` buckets read exactly from the merged histograms, reasons as labels, per-agent series with
// bounded cardinality.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "report/interval_views.hpp"

namespace wsload::controller {
namespace {

// name{labels} -> value of every sample, and family -> type.
struct Parsed {
  std::map<std::string, std::string> types;
  std::map<std::string, double> samples;
};

Parsed parse(const std::string& text) {
  Parsed p;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# TYPE ")) {
      const auto space = line.find(' ', 7);
      p.types[line.substr(7, space - 7)] = line.substr(space + 1);
    } else if (!line.empty() && line[0] != '#') {
      const auto space = line.rfind(' ');
      p.samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
  }
  return p;
}

TEST(LiveExposition, DurationsAreHistogramsInSecondsWithCumulativeBuckets) {
  shared::MetricsDelta d;
  for (int64_t us : {80, 100, 101, 700, 3000, 3001, 2'000'000}) d.latency.record(us);
  d.connect_time.record(1500);
  const auto p = parse(live_exposition(d, "s", 1, 0, 0, 1, 1, {}));
  for (const char* family :
       {"wsload_latency_seconds", "wsload_service_latency_seconds", "wsload_connect_time_seconds",
        "wsload_push_latency_seconds", "wsload_reconnect_time_seconds"}) {
    EXPECT_EQ(p.types.at(family), "histogram") << family;
  }
  const auto bucket = [&](const char* le) {
    return p.samples.at(std::string("wsload_latency_seconds_bucket{stage=\"s\",le=\"") + le +
                        "\"}");
  };
  EXPECT_EQ(bucket("0.0001"), 2);  // 80 and 100 us: exact below 2048 us
  EXPECT_EQ(bucket("0.00025"), 3);
  EXPECT_EQ(bucket("0.001"), 4);
  EXPECT_EQ(bucket("0.0025"), 4);
  EXPECT_EQ(bucket("0.005"), 6);
  EXPECT_EQ(bucket("1"), 6);
  EXPECT_EQ(bucket("2.5"), 7);
  EXPECT_EQ(bucket("60"), 7);
  EXPECT_EQ(bucket("+Inf"), 7);
  EXPECT_DOUBLE_EQ(p.samples.at("wsload_latency_seconds_sum{stage=\"s\"}"), 2.006982);
  EXPECT_EQ(p.samples.at("wsload_latency_seconds_count{stage=\"s\"}"), 7);
  EXPECT_EQ(p.samples.at("wsload_connect_time_seconds_bucket{stage=\"s\",le=\"0.001\"}"), 0);
  EXPECT_EQ(p.samples.at("wsload_connect_time_seconds_bucket{stage=\"s\",le=\"0.0025\"}"), 1);
  // An empty histogram is exported too (zeros), so rate() has a series from the start.
  EXPECT_EQ(p.samples.at("wsload_push_latency_seconds_count{stage=\"s\"}"), 0);
  EXPECT_EQ(p.samples.at("wsload_push_latency_seconds_bucket{stage=\"s\",le=\"+Inf\"}"), 0);
}

TEST(LiveExposition, BaseUnitsAndTypesByTheBook) {
  shared::MetricsDelta d;
  d.latency.record(1234);
  const auto text = live_exposition(d, "s", 1, 0, 0, 1, 1, {});
  EXPECT_EQ(text.find("quantile"), std::string::npos);
  EXPECT_EQ(text.find("milliseconds"), std::string::npos);
  for (const auto& [family, type] : parse(text).types) {
    EXPECT_EQ(family.ends_with("_total"), type == "counter") << family << " " << type;
  }
}

TEST(LiveExposition, FailuresDisconnectsAndUnsentHaveAReasonLabel) {
  shared::MetricsDelta d;
  d.counters.connections_failed = 3;
  d.counters.failures = {{"http_401", 2}, {"refused", 1}};
  d.counters.connections_closed = 4;
  d.counters.disconnects = {{"close_1000", 1}, {"close_1011", 2}, {"reset", 1}};
  d.counters.unsent = {{"peer_not_reading", 5}};
  const auto text = live_exposition(d, "s", 1, 0, 0, 1, 1, {});
  const auto p = parse(text);
  EXPECT_EQ(p.samples.at("wsload_connection_failures_total{stage=\"s\",reason=\"http_401\"}"), 2);
  EXPECT_EQ(p.samples.at("wsload_connection_failures_total{stage=\"s\",reason=\"refused\"}"), 1);
  EXPECT_EQ(p.samples.at("wsload_connections_failed_total{stage=\"s\"}"), 3);
  EXPECT_EQ(p.samples.at("wsload_disconnects_total{stage=\"s\",reason=\"close_1011\"}"), 2);
  EXPECT_EQ(p.samples.at("wsload_disconnects_total{stage=\"s\",reason=\"reset\"}"), 1);
  EXPECT_EQ(p.samples.at("wsload_connections_closed_total{stage=\"s\"}"), 4);
  EXPECT_EQ(p.samples.at("wsload_messages_unsent_total{stage=\"s\",reason=\"peer_not_reading\"}"),
            5);
  // The unlabelled totals do not claim a reason label they lack.
  EXPECT_NE(text.find("# HELP wsload_connections_failed_total Failed connection attempts (by "
                      "reason in *_connection_failures_total)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# HELP wsload_disconnects_total Established connections that ended, by "
                      "reason: close_<code>"),
            std::string::npos);
}

TEST(LiveExposition, PerAgentSeriesWithUpAndAnOtherFoldBeyondTheBound) {
  std::vector<shared::MetricsDelta> totals(kMaxAgentSeries + 2);
  std::vector<AgentExposition> agents;
  for (size_t i = 0; i < totals.size(); ++i) {
    totals[i].counters.connections_established = 10 + i;
    totals[i].counters.messages_sent = 100;
    totals[i].counters.timeouts = i == 1 ? 3 : 0;
    agents.push_back({"10.0.0." + std::to_string(i) + ":7000", &totals[i], 2, i != 1, "running",
                      i == 1 || i >= kMaxAgentSeries ? 4u : 0u});
  }
  const auto text = live_exposition({}, "s", 1, 0, 0, 65, 66, {}, agents);
  const auto p = parse(text);
  EXPECT_EQ(p.samples.at("wsload_agent_up{stage=\"s\",agent=\"10.0.0.0:7000\"}"), 1);
  EXPECT_EQ(p.samples.at("wsload_agent_up{stage=\"s\",agent=\"10.0.0.1:7000\"}"), 0);
  EXPECT_EQ(p.samples.at(
                "wsload_agent_connections_established_total{stage=\"s\",agent=\"10.0.0.1:7000\"}"),
            11);
  EXPECT_EQ(p.samples.at("wsload_agent_timeouts_total{stage=\"s\",agent=\"10.0.0.1:7000\"}"), 3);
  EXPECT_EQ(p.samples.at("wsload_agent_late_reports_total{stage=\"s\",agent=\"10.0.0.1:7000\"}"),
            4);
  EXPECT_EQ(p.samples.at("wsload_agent_late_reports_total{stage=\"s\",agent=\"10.0.0.0:7000\"}"),
            0);
  EXPECT_EQ(p.types.at("wsload_agent_late_reports_total"), "counter");
  EXPECT_EQ(p.samples.at("wsload_agent_connections_open{stage=\"s\",agent=\"10.0.0.63:7000\"}"), 2);
  // Agents 64 and 65 are summed under "other"; they have no series of their own and no up gauge.
  EXPECT_EQ(p.samples.at("wsload_agent_connections_established_total{stage=\"s\",agent=\"other\"}"),
            74 + 75);
  EXPECT_EQ(p.samples.at("wsload_agent_messages_sent_total{stage=\"s\",agent=\"other\"}"), 200);
  EXPECT_EQ(p.samples.at("wsload_agent_connections_open{stage=\"s\",agent=\"other\"}"), 4);
  EXPECT_EQ(p.samples.at("wsload_agent_late_reports_total{stage=\"s\",agent=\"other\"}"), 8);
  EXPECT_EQ(text.find("10.0.0.64:7000"), std::string::npos);
  EXPECT_EQ(p.samples.count("wsload_agent_up{stage=\"s\",agent=\"other\"}"), 0u);
  size_t up_series = 0;
  for (const auto& [series, value] : p.samples) up_series += series.starts_with("wsload_agent_up{");
  EXPECT_EQ(up_series, kMaxAgentSeries);
  // Without agents (unit callers, a v1 golden) there are no per-agent families.
  EXPECT_EQ(live_exposition({}, "s", 1, 0, 0, 1, 1, {}).find("wsload_agent_"), std::string::npos);
}

TEST(LiveExposition, AgentsDialledAtOneAddressStillGetASeriesEach) {
  shared::MetricsDelta a, b;
  a.counters.messages_sent = 1;
  b.counters.messages_sent = 2;
  const AgentExposition agents[] = {{"127.0.0.1:7000", &a, 0, true},
                                    {"127.0.0.1:7000", &b, 0, true}};
  const auto p = parse(live_exposition({}, "s", 1, 0, 0, 2, 2, {}, agents));
  EXPECT_EQ(p.samples.at("wsload_agent_messages_sent_total{stage=\"s\",agent=\"127.0.0.1:7000\"}"),
            1);
  EXPECT_EQ(
      p.samples.at("wsload_agent_messages_sent_total{stage=\"s\",agent=\"127.0.0.1:7000#1\"}"), 2);
}

}  // namespace
}  // namespace wsload::controller
