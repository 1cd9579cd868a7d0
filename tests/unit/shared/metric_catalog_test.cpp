#include "wsload/shared/metric_catalog.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace wsload::shared {
namespace {

TEST(MetricCatalog, HasTheSpecNamesWithTheirUnits) {
  const std::pair<const char*, MetricUnit> expected[] = {
      {"connections.attempted", MetricUnit::kCount},
      {"connections.established", MetricUnit::kCount},
      {"connections.failed", MetricUnit::kCount},
      {"connections.open", MetricUnit::kCount},
      {"connections.peak_open", MetricUnit::kCount},
      {"connections.closed", MetricUnit::kCount},
      {"disconnects.unexpected", MetricUnit::kCount},
      {"connections.closed_planned", MetricUnit::kCount},
      {"connections.reconnects", MetricUnit::kCount},
      {"messages.sent", MetricUnit::kCount},
      {"messages.received", MetricUnit::kCount},
      {"messages.replies", MetricUnit::kCount},
      {"messages.timeouts", MetricUnit::kCount},
      {"bytes.sent", MetricUnit::kCount},
      {"bytes.received", MetricUnit::kCount},
      {"bytes.sent_wire", MetricUnit::kCount},
      {"bytes.received_wire", MetricUnit::kCount},
      {"push.received", MetricUnit::kCount},
      {"push.gaps", MetricUnit::kCount},
      {"push.duplicates", MetricUnit::kCount},
      {"push.reordered", MetricUnit::kCount},
      {"errors.count", MetricUnit::kCount},
      {"schedule.behind", MetricUnit::kCount},
      {"messages.unmatched", MetricUnit::kCount},
      {"messages.unsent", MetricUnit::kCount},
      {"messages.late_replies", MetricUnit::kCount},
      {"messages.protocol_errors", MetricUnit::kCount},
      {"push.resets", MetricUnit::kCount},
      {"sessions.failed", MetricUnit::kCount},
      {"connections.success_rate", MetricUnit::kPercent},
      {"errors.rate", MetricUnit::kPercent},
      {"connections.rate", MetricUnit::kPerSecond},
      {"messages.rate", MetricUnit::kPerSecond},
      {"schedule.max_lag", MetricUnit::kMillis},
  };
  for (const auto& [name, unit] : expected) {
    const MetricInfo* info = find_metric(name);
    ASSERT_NE(info, nullptr) << name;
    EXPECT_EQ(info->name, name);
    EXPECT_EQ(info->unit, unit) << name;
  }
  for (const char* dist :
       {"latency", "latency_service", "connect_time", "push.latency", "reconnect_time"}) {
    for (const char* stat : {"min", "avg", "p50", "p90", "p95", "p99", "p999", "max"}) {
      const std::string name = std::string(dist) + "." + stat;
      const MetricInfo* info = find_metric(name);
      ASSERT_NE(info, nullptr) << name;
      EXPECT_EQ(info->unit, MetricUnit::kMillis) << name;
    }
  }
  EXPECT_EQ(metric_catalog().size(), std::size(expected) + 40);
  std::set<std::string_view> unique;
  for (const auto& info : metric_catalog())
    EXPECT_TRUE(unique.insert(info.name).second) << info.name;
}

TEST(MetricCatalog, UnknownNamesAreNotFound) {
  EXPECT_EQ(find_metric("latency"), nullptr);
  EXPECT_EQ(find_metric("latency.p98"), nullptr);
  EXPECT_EQ(find_metric(""), nullptr);
  EXPECT_EQ(find_metric("LATENCY.AVG"), nullptr);
}

TEST(EditDistance, Levenshtein) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(edit_distance("same", "same"), 0u);
  EXPECT_EQ(edit_distance("ab", "ba"), 2u);
}

TEST(ClosestMetric, SuggestsNearNamesOnly) {
  EXPECT_EQ(closest_metric("latency.avgg"), "latency.avg");
  EXPECT_EQ(closest_metric("latncy.p99"), "latency.p99");
  EXPECT_EQ(closest_metric("connection.success_rate"), "connections.success_rate");
  EXPECT_EQ(closest_metric("error.rate"), "errors.rate");
  EXPECT_EQ(closest_metric("push.latency.p9999"), "push.latency.p999");
  EXPECT_EQ(closest_metric("bandwidth"), "");
  EXPECT_EQ(closest_metric("x"), "");
  EXPECT_EQ(closest_metric(""), "");
}

}  // namespace
}  // namespace wsload::shared
