#include "wsload/controller/run_metrics.hpp"

#include <gtest/gtest.h>

#include "wsload/shared/metric_catalog.hpp"

namespace wsload::controller {
namespace {

StageResult sample_result() {
  StageResult r;
  r.scenario.load.connections = 10;
  r.scenario.load.ramp_up = std::chrono::seconds(2);
  r.duration_s = 10;
  auto& c = r.totals.counters;
  c.connections_attempted = 10;
  c.connections_established = 8;
  c.connections_failed = 2;
  c.messages_sent = 90;
  c.replies = 85;
  c.timeouts = 5;
  c.messages_received = 100;
  c.protocol_errors = 1;
  c.disconnects_unexpected = 2;
  for (int v : {1000, 2000, 3000, 4000}) r.totals.latency.record(v);
  return r;
}

TEST(MetricValue, CountsRatesAndDistributions) {
  const auto r = sample_result();
  EXPECT_DOUBLE_EQ(*metric_value(r, "connections.attempted"), 10);
  EXPECT_DOUBLE_EQ(*metric_value(r, "connections.success_rate"), 80);
  EXPECT_DOUBLE_EQ(*metric_value(r, "connections.rate"), 4);  // 8 over a 2 s ramp-up
  EXPECT_DOUBLE_EQ(*metric_value(r, "messages.rate"), 10);    // 100 received over 10 s
  // (2 failed + 2 unexpected + 5 timeouts + 1 protocol error) / (10 attempts + 90 requests)
  EXPECT_DOUBLE_EQ(*metric_value(r, "errors.rate"), 10);
  EXPECT_DOUBLE_EQ(*metric_value(r, "errors.count"), 10);
  EXPECT_DOUBLE_EQ(*metric_value(r, "latency.avg"), 2.5);
  EXPECT_DOUBLE_EQ(*metric_value(r, "latency.min"), 1);
  EXPECT_DOUBLE_EQ(*metric_value(r, "latency.max"), 4);
  EXPECT_NEAR(*metric_value(r, "latency.p50"), 2, 0.002);
}

// Issue 11.4/11.9: unsent requests are errors over the requests *scheduled*; unmatched replies are
// a metric a threshold can use (they are not errors of the run).
TEST(MetricValue, UnsentAndUnmatchedAreCountedAndJudged) {
  auto r = sample_result();
  r.totals.counters.unsent["peer_not_reading"] = 8;
  r.totals.counters.unsent["closed"] = 2;
  r.totals.counters.unmatched = 3;
  EXPECT_DOUBLE_EQ(*metric_value(r, "messages.unsent"), 10);
  EXPECT_DOUBLE_EQ(*metric_value(r, "messages.unmatched"), 3);
  // (2 failed + 2 unexpected + 5 timeouts + 1 protocol error + 10 unsent) / (10 attempts + 100
  // scheduled)
  EXPECT_DOUBLE_EQ(*metric_value(r, "errors.count"), 20);
  EXPECT_NEAR(*metric_value(r, "errors.rate"), 100.0 * 20 / 110, 1e-9);
  std::string error;
  for (const char* text : {"messages.unmatched == 0", "messages.unsent < 1",
                           "messages.late_replies == 0", "messages.protocol_errors < 2"}) {
    auto t = shared::parse_threshold(text, &error);
    ASSERT_TRUE(t) << text << ": " << error;
    r.scenario.thresholds.push_back(*t);
  }
  evaluate_thresholds(r);
  ASSERT_EQ(r.thresholds.size(), 4u);
  EXPECT_FALSE(r.thresholds[0].passed);
  EXPECT_FALSE(r.thresholds[1].passed);
  EXPECT_TRUE(r.thresholds[2].passed);
  EXPECT_TRUE(r.thresholds[3].passed);
}

// Every name a threshold accepts has a value on a populated result.
TEST(MetricValue, EveryCatalogMetricHasAValue) {
  auto r = sample_result();
  r.totals.push_latency.record(10);
  r.totals.latency_service.record(10);
  r.totals.connect_time.record(10);
  r.totals.reconnect_time.record(10);
  for (const auto& info : shared::metric_catalog())
    EXPECT_TRUE(metric_value(r, info.name)) << info.name;
}

TEST(MetricValue, NoSamplesMeansNoValue) {
  StageResult r;
  EXPECT_FALSE(metric_value(r, "latency.avg"));
  EXPECT_FALSE(metric_value(r, "push.latency.p99"));
  EXPECT_FALSE(metric_value(r, "connections.success_rate"));
  EXPECT_FALSE(metric_value(r, "no.such.metric"));
}

TEST(EvaluateThresholds, PassFailAndMissingValues) {
  auto r = sample_result();
  std::string error;
  for (const char* text :
       {"connections.success_rate >= 80%", "latency.avg < 2ms", "push.latency.p99 < 5ms"}) {
    auto t = shared::parse_threshold(text, &error);
    ASSERT_TRUE(t) << text << ": " << error;
    r.scenario.thresholds.push_back(*t);
  }
  evaluate_thresholds(r);
  ASSERT_EQ(r.thresholds.size(), 3u);
  EXPECT_TRUE(r.thresholds[0].passed);
  EXPECT_FALSE(r.thresholds[1].passed);
  EXPECT_DOUBLE_EQ(r.thresholds[1].actual, 2.5);
  EXPECT_FALSE(r.thresholds[2].passed);  // no pushes: a threshold on them cannot pass
  EXPECT_FALSE(r.thresholds[2].available);
}

}  // namespace
}  // namespace wsload::controller
