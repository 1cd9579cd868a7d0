#include "wsload/shared/metrics.hpp"

#include <gtest/gtest.h>

namespace wsload::shared {
namespace {

Counters sample(uint64_t base) {
  Counters c;
  uint64_t v = base;
  for (uint64_t* field : {&c.connections_attempted,
                          &c.connections_established,
                          &c.connections_failed,
                          &c.connections_closed,
                          &c.disconnects_unexpected,
                          &c.reconnects,
                          &c.messages_sent,
                          &c.messages_received,
                          &c.replies,
                          &c.timeouts,
                          &c.late_replies,
                          &c.unmatched,
                          &c.protocol_errors,
                          &c.bytes_sent,
                          &c.bytes_received,
                          &c.bytes_sent_wire,
                          &c.bytes_received_wire,
                          &c.push_received,
                          &c.push_gaps,
                          &c.push_duplicates,
                          &c.push_reordered,
                          &c.sends_behind_schedule}) {
    *field = ++v;
  }
  c.max_schedule_lag_us = base * 1000;
  return c;
}

TEST(Counters, MergeSumsFieldsAndTakesMaxLag) {
  Counters a = sample(0);
  a.failures = {{"refused", 2}, {"http_401", 1}};
  a.disconnects = {{"eof", 4}};
  Counters b = sample(100);
  b.failures = {{"refused", 3}, {"dns", 5}};
  b.disconnects = {{"close_1006", 1}};
  b.max_schedule_lag_us = 7;
  a.max_schedule_lag_us = 9;

  Counters merged = a;
  merged.merge(b);
  // Every additive field is the sum; checked field by field through the same enumeration order.
  const Counters sa = sample(0), sb = sample(100);
  EXPECT_EQ(merged.connections_attempted, sa.connections_attempted + sb.connections_attempted);
  EXPECT_EQ(merged.connections_established,
            sa.connections_established + sb.connections_established);
  EXPECT_EQ(merged.connections_failed, sa.connections_failed + sb.connections_failed);
  EXPECT_EQ(merged.connections_closed, sa.connections_closed + sb.connections_closed);
  EXPECT_EQ(merged.disconnects_unexpected, sa.disconnects_unexpected + sb.disconnects_unexpected);
  EXPECT_EQ(merged.reconnects, sa.reconnects + sb.reconnects);
  EXPECT_EQ(merged.messages_sent, sa.messages_sent + sb.messages_sent);
  EXPECT_EQ(merged.messages_received, sa.messages_received + sb.messages_received);
  EXPECT_EQ(merged.replies, sa.replies + sb.replies);
  EXPECT_EQ(merged.timeouts, sa.timeouts + sb.timeouts);
  EXPECT_EQ(merged.late_replies, sa.late_replies + sb.late_replies);
  EXPECT_EQ(merged.unmatched, sa.unmatched + sb.unmatched);
  EXPECT_EQ(merged.protocol_errors, sa.protocol_errors + sb.protocol_errors);
  EXPECT_EQ(merged.bytes_sent, sa.bytes_sent + sb.bytes_sent);
  EXPECT_EQ(merged.bytes_received, sa.bytes_received + sb.bytes_received);
  EXPECT_EQ(merged.bytes_sent_wire, sa.bytes_sent_wire + sb.bytes_sent_wire);
  EXPECT_EQ(merged.bytes_received_wire, sa.bytes_received_wire + sb.bytes_received_wire);
  EXPECT_EQ(merged.push_received, sa.push_received + sb.push_received);
  EXPECT_EQ(merged.push_gaps, sa.push_gaps + sb.push_gaps);
  EXPECT_EQ(merged.push_duplicates, sa.push_duplicates + sb.push_duplicates);
  EXPECT_EQ(merged.push_reordered, sa.push_reordered + sb.push_reordered);
  EXPECT_EQ(merged.sends_behind_schedule, sa.sends_behind_schedule + sb.sends_behind_schedule);
  EXPECT_EQ(merged.max_schedule_lag_us, 9u);
  EXPECT_EQ(merged.failures,
            (std::map<std::string, uint64_t>{{"refused", 5}, {"http_401", 1}, {"dns", 5}}));
  EXPECT_EQ(merged.disconnects, (std::map<std::string, uint64_t>{{"eof", 4}, {"close_1006", 1}}));

  // Merge is commutative and the empty value is its identity.
  Counters other_way = b;
  other_way.merge(a);
  EXPECT_EQ(other_way, merged);
  Counters with_empty = merged;
  with_empty.merge(Counters{});
  EXPECT_EQ(with_empty, merged);
}

TEST(MetricsDelta, MergeCombinesCountersAndEveryHistogram) {
  MetricsDelta a, b, all;
  for (int64_t v = 1; v <= 100; ++v) {
    MetricsDelta& d = v % 2 == 0 ? a : b;
    d.latency.record(v * 10);
    d.latency_service.record(v * 9);
    d.connect_time.record(v * 1000);
    d.push_latency.record(v * 3);
    d.reconnect_time.record(v * 20'000);
    all.latency.record(v * 10);
    all.latency_service.record(v * 9);
    all.connect_time.record(v * 1000);
    all.push_latency.record(v * 3);
    all.reconnect_time.record(v * 20'000);
  }
  a.counters.messages_sent = 50;
  b.counters.messages_sent = 50;
  a.counters.max_schedule_lag_us = 3;
  b.counters.max_schedule_lag_us = 8;
  all.counters.messages_sent = 100;
  all.counters.max_schedule_lag_us = 8;

  MetricsDelta merged = a;
  merged.merge(b);
  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.latency.count(), 100u);
  EXPECT_EQ(merged.connect_time.value_at_percentile(100), 100'000);
  EXPECT_EQ(merged.reconnect_time.count(), 100u);
  EXPECT_NE(a, all);
}

}  // namespace
}  // namespace wsload::shared
