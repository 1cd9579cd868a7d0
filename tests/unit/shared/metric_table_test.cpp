// The metric table's own contract: one way to read each row, complete distribution families,
// every name usable in a threshold and every row valued on populated figures.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "wsload/shared/metric_catalog.hpp"
#include "wsload/shared/threshold.hpp"

namespace wsload::shared {
namespace {

static_assert(metric("push.latency.p999").histogram == &MetricsDelta::push_latency);
static_assert(metric("messages.replies").counter == &Counters::replies);

MetricsDelta populated() {
  MetricsDelta d;
  d.counters.connections_attempted = 10;
  d.counters.connections_established = 8;
  d.counters.messages_sent = 40;
  d.counters.messages_received = 50;
  d.counters.unsent["closed"] = 2;
  d.counters.max_schedule_lag_us = 2500;
  for (auto* h :
       {&d.latency, &d.latency_service, &d.connect_time, &d.push_latency, &d.reconnect_time}) {
    for (int v : {100, 2000, 30000}) h->record(v);
  }
  return d;
}

TEST(MetricTable, EveryRowIsReadExactlyOneWay) {
  for (const auto& m : metric_catalog()) {
    const int ways = (m.counter != nullptr) + (m.count != nullptr) + (m.histogram != nullptr) +
                     (m.measure != nullptr);
    EXPECT_EQ(ways, 1) << m.name;
    EXPECT_EQ(m.unit == MetricUnit::kCount, m.counter != nullptr || m.count != nullptr) << m.name;
    if (m.histogram != nullptr) EXPECT_EQ(m.unit, MetricUnit::kMillis) << m.name;
    EXPECT_FALSE(m.help.empty()) << m.name;
    EXPECT_EQ(m.help.find('\n'), std::string_view::npos) << m.name;
  }
}

TEST(MetricTable, DistributionFamiliesHaveEveryStatOnce) {
  const char* const kLeaves[] = {"min", "avg", "p50", "p90", "p95", "p99", "p999", "max"};
  const std::pair<const char*, Histogram MetricsDelta::*> families[] = {
      {"latency", &MetricsDelta::latency},
      {"latency_service", &MetricsDelta::latency_service},
      {"connect_time", &MetricsDelta::connect_time},
      {"push.latency", &MetricsDelta::push_latency},
      {"reconnect_time", &MetricsDelta::reconnect_time}};
  for (const auto& [prefix, member] : families) {
    std::set<HistogramStat> stats;
    for (const auto& m : metric_catalog()) {
      if (m.histogram != member) continue;
      EXPECT_TRUE(stats.insert(m.stat).second) << m.name;
      EXPECT_EQ(m.name, std::string(prefix) + "." + std::string(metric_leaf(m)));
      EXPECT_EQ(metric_leaf(m), kLeaves[static_cast<int>(m.stat)]) << m.name;
    }
    EXPECT_EQ(stats.size(), 8u) << prefix;
  }
}

TEST(MetricTable, EveryNameIsAcceptedByThresholdParsing) {
  for (const auto& m : metric_catalog()) {
    std::string error;
    const auto t = parse_threshold(std::string(m.name) + " <= 1", &error);
    ASSERT_TRUE(t) << m.name << ": " << error;
    EXPECT_EQ(t->metric, m.name);
  }
}

TEST(MetricTable, EveryRowHasAValueOnPopulatedFigures) {
  const auto d = populated();
  const RunFigures f{.delta = d, .open = 3, .peak_open = 8, .duration_s = 10, .ramp_up_s = 2};
  for (const auto& m : metric_catalog()) {
    const auto v = metric_value(m, f);
    ASSERT_TRUE(v) << m.name;
    if (m.unit == MetricUnit::kCount)
      EXPECT_EQ(*v, static_cast<double>(metric_count(m, f))) << m.name;
  }
  EXPECT_EQ(metric_count(metric("connections.open"), f), 3u);
  EXPECT_EQ(metric_count(metric("connections.peak_open"), f), 8u);
  EXPECT_EQ(metric_count(metric("messages.unsent"), f), 2u);
  EXPECT_EQ(metric_count(metric("errors.count"), f), d.counters.error_count());
  EXPECT_DOUBLE_EQ(*metric_value(metric("connections.rate"), f), 4);  // 8 over the 2 s ramp-up
  EXPECT_DOUBLE_EQ(*metric_value(metric("messages.rate"), f), 5);
  EXPECT_DOUBLE_EQ(*metric_value(metric("schedule.max_lag"), f), 2.5);
  EXPECT_DOUBLE_EQ(*metric_value(metric("errors.rate"), f), 100.0 * 2 / (10 + 42));
}

TEST(MetricTable, PlannedClosesAreTheClosesThatWereNotUnexpected) {
  MetricsDelta d;
  d.counters.connections_closed = 120;
  d.counters.disconnects_unexpected = 3;
  EXPECT_EQ(metric_count(metric("connections.closed_planned"), RunFigures{.delta = d}), 117u);
}

TEST(MetricTable, AnArrivalModelsConnectionRateCountsItsArrivals) {
  MetricsDelta d;
  d.counters.connections_attempted = 80;
  d.counters.connections_established = 78;
  // 80 arrivals over their 2 s duration, whatever became of them.
  const RunFigures arrivals{.delta = d, .duration_s = 3, .ramp_up_s = 2, .arrivals = true};
  EXPECT_DOUBLE_EQ(*metric_value(metric("connections.rate"), arrivals), 40);
  const RunFigures ramp{.delta = d, .duration_s = 3, .ramp_up_s = 2};
  EXPECT_DOUBLE_EQ(*metric_value(metric("connections.rate"), ramp), 39);
}

TEST(MetricTable, EmptyFiguresHaveNoDistributionsRatesOrShares) {
  const MetricsDelta d;
  const RunFigures f{.delta = d};
  EXPECT_FALSE(metric_value(metric("latency.p50"), f));
  EXPECT_FALSE(metric_value(metric("connections.rate"), f));
  EXPECT_FALSE(metric_value(metric("connections.success_rate"), f));
  EXPECT_DOUBLE_EQ(*metric_value(metric("errors.rate"), f), 0);  // nothing attempted: no errors
}

}  // namespace
}  // namespace wsload::shared
