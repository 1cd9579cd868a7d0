#include "wsload/shared/part_metrics.hpp"

#include <gtest/gtest.h>

#include <set>

namespace wsload::shared {
namespace {

StepSpec step(std::string name) {
  StepSpec s;
  s.name = std::move(name);
  return s;
}

MessagesSpec stream(std::string name) {
  MessagesSpec m;
  m.name = std::move(name);
  return m;
}

// Two groups: listeners (on_open subscribe, settle; streams ping, chat; on_close unsubscribe) and
// publishers (stream publish).
std::vector<GroupSpec> two_groups() {
  GroupSpec listeners;
  listeners.name = "listeners";
  listeners.on_open.push_back(step("subscribe"));
  listeners.on_open.push_back(step("settle"));
  listeners.streams.push_back(stream("ping"));
  listeners.streams.push_back(stream("chat"));
  listeners.on_close.push_back(step("unsubscribe"));
  GroupSpec publishers;
  publishers.name = "publishers";
  publishers.streams.push_back(stream("publish"));
  return {listeners, publishers};
}

PartsDelta sample_parts() {
  PartsDelta p;
  p.groups.resize(2);
  p.groups[0].connections_attempted = 10;
  p.groups[0].connections_established = 8;
  p.groups[0].connections_failed = 2;
  p.groups[0].connections_closed = 3;
  p.groups[0].sessions_failed = 1;
  p.groups[0].messages_sent = 40;
  p.groups[0].timeouts = 2;
  p.groups[0].messages_received = 60;
  p.groups[1].connections_attempted = 2;
  p.groups[1].connections_established = 2;
  p.streams.resize(2);  // publish recorded nothing yet
  p.streams[0].sent = 30;
  p.streams[0].replies = 28;
  p.streams[0].timeouts = 2;
  for (int v : {1000, 2000, 3000, 4000}) p.streams[0].latency.record(v);
  p.streams[1].sent = 10;
  p.streams[1].unsent = 4;
  p.steps.resize(3);
  p.steps[0].ok = 7;
  p.steps[0].failed = 1;
  p.steps[0].failures["timeout"] = 1;
  p.steps[0].latency.record(1500);
  p.steps[1].ok = 7;
  p.steps[2].ok = 2;
  p.steps[2].failed = 5;  // on_close: not a failed session
  return p;
}

TEST(PartLeaves, StreamsAndStepsHaveTheirCountsAndEveryLatencyStat) {
  std::set<std::string> stream, step;
  for (const auto& l : part_leaves(PartKind::kStream)) stream.insert(l.name);
  for (const auto& l : part_leaves(PartKind::kStep)) step.insert(l.name);
  const std::set<std::string> latency = {"latency.min",  "latency.avg", "latency.p50",
                                         "latency.p90",  "latency.p95", "latency.p99",
                                         "latency.p999", "latency.max"};
  std::set<std::string> expected_stream = {"sent", "replies", "timeouts", "unsent"};
  expected_stream.insert(latency.begin(), latency.end());
  std::set<std::string> expected_step = {"ok", "failed"};
  expected_step.insert(latency.begin(), latency.end());
  EXPECT_EQ(stream, expected_stream);
  EXPECT_EQ(step, expected_step);
  EXPECT_TRUE(part_leaves(PartKind::kGroup).empty());
  EXPECT_EQ(part_leaf_unit(PartKind::kStream, "latency.p99"), MetricUnit::kMillis);
  EXPECT_EQ(part_leaf_unit(PartKind::kStep, "ok"), MetricUnit::kCount);
  EXPECT_EQ(part_leaf_unit(PartKind::kGroup, "connections.success_rate"), MetricUnit::kPercent);
  EXPECT_FALSE(part_leaf_unit(PartKind::kGroup, "latency.p99"));
  EXPECT_FALSE(part_leaf_unit(PartKind::kGroup, "connections.peak_open"));
  EXPECT_FALSE(part_leaf_unit(PartKind::kStep, "sent"));
}

TEST(PartLeaves, GroupsHaveEveryCounterBasedRowOfTheTable) {
  size_t kept = 0;
  for (const auto& m : metric_catalog()) {
    const bool expected = m.histogram == nullptr && m.name != "connections.peak_open";
    EXPECT_EQ(group_metric(m.name) != nullptr, expected) << m.name;
    kept += expected ? 1 : 0;
  }
  EXPECT_GT(kept, 25u);
  EXPECT_NE(group_metric("sessions.failed"), nullptr);
}

TEST(SplitPartMetric, KindPartAndLeaf) {
  auto n = split_part_metric("streams.ping.latency.p99");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, PartKind::kStream);
  EXPECT_EQ(n->part, "ping");
  EXPECT_EQ(n->leaf, "latency.p99");
  n = split_part_metric("groups.g.connections.open");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->kind, PartKind::kGroup);
  EXPECT_EQ(n->leaf, "connections.open");
  n = split_part_metric("steps.s");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->part, "s");
  EXPECT_TRUE(n->leaf.empty());
  EXPECT_FALSE(split_part_metric("latency.p99"));
  EXPECT_FALSE(split_part_metric("sessions.failed"));
  EXPECT_FALSE(split_part_metric("streams"));
  EXPECT_TRUE(valid_part_name("a-B_9"));
  EXPECT_FALSE(valid_part_name(""));
  EXPECT_FALSE(valid_part_name("a.b"));
  EXPECT_FALSE(valid_part_name("a\"b"));
}

TEST(PartMetricValue, ReadsEachPartByNameThroughTheIndex) {
  const auto groups = two_groups();
  const auto index = part_index(groups);
  const auto parts = sample_parts();
  auto value = [&](PartKind kind, std::string_view name, std::string_view leaf) {
    return part_metric_value(kind, name, leaf, parts, index, 10, 2);
  };
  EXPECT_EQ(value(PartKind::kStream, "ping", "sent"), 30);
  EXPECT_EQ(value(PartKind::kStream, "ping", "replies"), 28);
  EXPECT_EQ(value(PartKind::kStream, "ping", "timeouts"), 2);
  EXPECT_EQ(value(PartKind::kStream, "chat", "unsent"), 4);
  EXPECT_DOUBLE_EQ(*value(PartKind::kStream, "ping", "latency.avg"), 2.5);
  EXPECT_DOUBLE_EQ(*value(PartKind::kStream, "ping", "latency.max"), 4);
  EXPECT_FALSE(value(PartKind::kStream, "chat", "latency.p99"));  // no samples
  // publish is in the index but the delta has no figures for it: it recorded nothing.
  EXPECT_EQ(value(PartKind::kStream, "publish", "sent"), 0);
  EXPECT_FALSE(value(PartKind::kStream, "publish", "latency.p99"));
  EXPECT_EQ(value(PartKind::kStep, "subscribe", "ok"), 7);
  EXPECT_EQ(value(PartKind::kStep, "subscribe", "failed"), 1);
  EXPECT_DOUBLE_EQ(*value(PartKind::kStep, "subscribe", "latency.p50"), 1.5);
  EXPECT_EQ(value(PartKind::kStep, "unsubscribe", "failed"), 5);
  // Groups through the table's readers over the group's counters.
  EXPECT_EQ(value(PartKind::kGroup, "listeners", "connections.attempted"), 10);
  EXPECT_EQ(value(PartKind::kGroup, "listeners", "connections.open"), 5);  // 8 - 3
  EXPECT_DOUBLE_EQ(*value(PartKind::kGroup, "listeners", "connections.success_rate"), 80);
  EXPECT_DOUBLE_EQ(*value(PartKind::kGroup, "listeners", "connections.rate"), 4);  // 8 / 2 s
  EXPECT_DOUBLE_EQ(*value(PartKind::kGroup, "listeners", "messages.rate"), 6);     // 60 / 10 s
  EXPECT_EQ(value(PartKind::kGroup, "listeners", "sessions.failed"), 1);
  // 2 failed + 2 timeouts + 1 failed session over 10 attempts + 40 requests
  EXPECT_EQ(value(PartKind::kGroup, "listeners", "errors.count"), 5);
  EXPECT_DOUBLE_EQ(*value(PartKind::kGroup, "listeners", "errors.rate"), 10);
  EXPECT_DOUBLE_EQ(*value(PartKind::kGroup, "publishers", "connections.success_rate"), 100);
  // Unknown parts and leaves have no value.
  EXPECT_FALSE(value(PartKind::kStream, "nope", "sent"));
  EXPECT_FALSE(value(PartKind::kStream, "subscribe", "sent"));  // a step, not a stream
  EXPECT_FALSE(value(PartKind::kGroup, "listeners", "latency.p99"));
  EXPECT_FALSE(value(PartKind::kStep, "subscribe", "sent"));
}

TEST(PartMetricValue, AnEmptyDeltaReadsLikeEmptyTotals) {
  const auto groups = two_groups();
  const auto index = part_index(groups);
  const PartsDelta nothing;
  auto value = [&](PartKind kind, std::string_view name, std::string_view leaf) {
    return part_metric_value(kind, name, leaf, nothing, index, 0, 0);
  };
  EXPECT_EQ(value(PartKind::kStream, "ping", "sent"), 0);
  EXPECT_FALSE(value(PartKind::kStream, "ping", "latency.p99"));
  EXPECT_EQ(value(PartKind::kStep, "subscribe", "failed"), 0);
  EXPECT_FALSE(value(PartKind::kGroup, "listeners", "connections.success_rate"));
  EXPECT_EQ(value(PartKind::kGroup, "listeners", "errors.rate"), 0);  // like the totals' 0 %
  EXPECT_FALSE(value(PartKind::kGroup, "listeners", "messages.rate"));
}

TEST(SessionsFailedByStep, OnlyOnOpenStepsThatFailed) {
  const auto groups = two_groups();
  const auto by_step = sessions_failed_by_step(sample_parts(), part_index(groups));
  EXPECT_EQ(by_step, (std::map<std::string, uint64_t>{{"subscribe", 1}}));
}

TEST(ClosestPartMetric, FixesKindOrLeafKeepingThePartName) {
  EXPECT_EQ(closest_part_metric("streams.x.timeout"), "streams.x.timeouts");
  EXPECT_EQ(closest_part_metric("stream.x.sent"), "streams.x.sent");
  EXPECT_EQ(closest_part_metric("group.x.messages.sent"), "groups.x.messages.sent");
  EXPECT_EQ(closest_part_metric("steps.x.faild"), "steps.x.failed");
  EXPECT_EQ(closest_part_metric("streams.x"), "");
  EXPECT_EQ(closest_part_metric("streams.x.zzzzzzzzzz"), "");
}

}  // namespace
}  // namespace wsload::shared
