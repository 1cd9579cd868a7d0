#include "wsload/shared/threshold.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace wsload::shared {
namespace {

struct GoodCase {
  const char* text;
  const char* metric;
  CompareOp op;
  double value;
};

TEST(ParseThreshold, AcceptsAndNormalises) {
  const GoodCase cases[] = {
      {"latency.avg < 10ms", "latency.avg", CompareOp::kLess, 10},
      {"connections.success_rate >= 99%", "connections.success_rate", CompareOp::kGreaterEqual, 99},
      {"errors.rate<1%", "errors.rate", CompareOp::kLess, 1},
      {"messages.timeouts == 0", "messages.timeouts", CompareOp::kEqual, 0},
      {"latency.p99 <= 0.5s", "latency.p99", CompareOp::kLessEqual, 500},
      {"latency.p50 < 800us", "latency.p50", CompareOp::kLess, 0.8},
      {"latency.max > 2", "latency.max", CompareOp::kGreater, 2},
      {"  push.gaps != 3  ", "push.gaps", CompareOp::kNotEqual, 3},
      {"errors.rate <= 0.5", "errors.rate", CompareOp::kLessEqual, 0.5},
      {"messages.rate >= 1500.5", "messages.rate", CompareOp::kGreaterEqual, 1500.5},
      {"connect_time.p999 < 1.5 s", "connect_time.p999", CompareOp::kLess, 1500},
      {"schedule.max_lag<=-1ms", "schedule.max_lag", CompareOp::kLessEqual, -1},
  };
  for (const auto& c : cases) {
    std::string error;
    const auto t = parse_threshold(c.text, &error);
    ASSERT_TRUE(t.has_value()) << c.text << ": " << error;
    EXPECT_EQ(t->metric, c.metric);
    EXPECT_EQ(t->op, c.op) << c.text;
    EXPECT_DOUBLE_EQ(t->value, c.value) << c.text;
    EXPECT_EQ(t->expression,
              std::string_view(c.text).substr(std::string_view(c.text).find_first_not_of(' '),
                                              std::string_view(c.text).find_last_not_of(' ') + 1 -
                                                  std::string_view(c.text).find_first_not_of(' ')));
  }
}

struct BadCase {
  const char* text;
  const char* error;  // the whole one-line reason
};

TEST(ParseThreshold, RejectsWithSpecificReasons) {
  const BadCase cases[] = {
      {"latency.avgg < 10ms", "unknown metric 'latency.avgg' (did you mean latency.avg?)"},
      {"bandwidth < 10", "unknown metric 'bandwidth'"},
      {"latency.avg 10ms",
       "missing operator in 'latency.avg 10ms': expected one of < <= > >= == !="},
      {"latency.avg", "missing operator in 'latency.avg': expected one of < <= > >= == !="},
      {"latency.avg = 10ms",
       "bad operator '=' in 'latency.avg = 10ms': expected one of < <= > >= == !="},
      {"latency.avg =< 10ms",
       "bad operator '=<' in 'latency.avg =< 10ms': expected one of < <= > >= == !="},
      {"latency.avg <", "missing value after '<' in 'latency.avg <'"},
      {"latency.avg < fast", "bad number 'fast' in 'latency.avg < fast'"},
      {"latency.avg < inf", "bad number 'inf' in 'latency.avg < inf'"},
      {"latency.avg < nan", "bad number 'nan' in 'latency.avg < nan'"},
      {"latency.avg < 10%", "'%' does not fit latency.avg, a time in ms/us/s"},
      {"errors.rate < 10ms", "'ms' does not fit errors.rate, a percentage (% or no unit)"},
      {"messages.timeouts == 0s", "'s' does not fit messages.timeouts, a count (no unit)"},
      {"messages.rate > 5%", "'%' does not fit messages.rate, a rate per second (no unit)"},
      {"latency.avg < 10min", "unknown unit 'min' in 'latency.avg < 10min': use us, ms, s or %"},
      {"latency.avg < 10ms extra",
       "unknown unit 'ms extra' in 'latency.avg < 10ms extra': use us, ms, s or %"},
      {"< 10ms", "missing metric name in '< 10ms'"},
      {"", "missing metric name in ''"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_threshold(c.text, &error).has_value()) << c.text;
    EXPECT_EQ(error, c.error) << c.text;
  }
  EXPECT_FALSE(parse_threshold("nope", nullptr).has_value());  // a null error sink is allowed
}

Threshold make(CompareOp op, double value) {
  Threshold t;
  t.metric = "latency.avg";
  t.op = op;
  t.value = value;
  return t;
}

TEST(ThresholdPasses, ComparesInCanonicalUnits) {
  struct Case {
    CompareOp op;
    double value, actual;
    bool pass;
  };
  const Case cases[] = {
      {CompareOp::kLess, 10, 9.999, true},
      {CompareOp::kLess, 10, 10, false},
      {CompareOp::kLessEqual, 10, 10, true},
      {CompareOp::kLessEqual, 10, 10.001, false},
      {CompareOp::kGreater, 99, 99.5, true},
      {CompareOp::kGreater, 99, 99, false},
      {CompareOp::kGreaterEqual, 99, 99, true},
      {CompareOp::kGreaterEqual, 99, 98.99, false},
      {CompareOp::kEqual, 100, 100, true},
      {CompareOp::kEqual, 100, 100 * (1 + 1e-12), true},
      {CompareOp::kEqual, 100, 100.001, false},
      {CompareOp::kEqual, 0, 0, true},
      {CompareOp::kEqual, 0, 1e-300, false},
      {CompareOp::kNotEqual, 0, 1, true},
      {CompareOp::kNotEqual, 100, 100 * (1 + 1e-12), false},
      {CompareOp::kLess, 10, std::nan(""), false},
      {CompareOp::kNotEqual, 10, std::nan(""), false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(threshold_passes(make(c.op, c.value), c.actual), c.pass)
        << to_string(c.op) << " " << c.value << " vs " << c.actual;
  }
  // success_rate == 100% with a rate computed as a ratio of counts.
  std::string error;
  const auto t = parse_threshold("connections.success_rate == 100%", &error);
  ASSERT_TRUE(t.has_value()) << error;
  EXPECT_TRUE(threshold_passes(*t, 100.0 * 3.0 / 3.0));
  EXPECT_FALSE(threshold_passes(*t, 100.0 * 999.0 / 1000.0));
}

TEST(CompareOp, ToStringRoundTripsThroughParse) {
  for (CompareOp op : {CompareOp::kLess, CompareOp::kLessEqual, CompareOp::kGreater,
                       CompareOp::kGreaterEqual, CompareOp::kEqual, CompareOp::kNotEqual}) {
    const std::string text = "latency.avg " + std::string(to_string(op)) + " 5ms";
    const auto t = parse_threshold(text, nullptr);
    ASSERT_TRUE(t.has_value()) << text;
    EXPECT_EQ(t->op, op);
  }
}

}  // namespace
}  // namespace wsload::shared

namespace wsload::shared {
namespace {

struct PartCase {
  const char* text;
  PartKind part;
  const char* part_name;
  const char* leaf;
  double value;
};

TEST(ParseThreshold, PartMetricsOfFormatV2) {
  const PartCase cases[] = {
      {"streams.ping.latency.p99 < 5ms", PartKind::kStream, "ping", "latency.p99", 5},
      {"streams.ping.latency.avg <= 800us", PartKind::kStream, "ping", "latency.avg", 0.8},
      {"streams.chat-2.timeouts == 0", PartKind::kStream, "chat-2", "timeouts", 0},
      {"streams.Pub_1.sent >= 10", PartKind::kStream, "Pub_1", "sent", 10},
      {"streams.ping.unsent == 0", PartKind::kStream, "ping", "unsent", 0},
      {"streams.ping.replies > 1", PartKind::kStream, "ping", "replies", 1},
      {"steps.subscribe.failed == 0", PartKind::kStep, "subscribe", "failed", 0},
      {"steps.subscribe.ok > 3", PartKind::kStep, "subscribe", "ok", 3},
      {"steps.subscribe.latency.max < 1s", PartKind::kStep, "subscribe", "latency.max", 1000},
      {"groups.listeners.connections.success_rate >= 99%", PartKind::kGroup, "listeners",
       "connections.success_rate", 99},
      {"groups.listeners.connections.open == 900", PartKind::kGroup, "listeners",
       "connections.open", 900},
      {"groups.pub.errors.rate < 1", PartKind::kGroup, "pub", "errors.rate", 1},
      {"groups.pub.messages.sent > 0", PartKind::kGroup, "pub", "messages.sent", 0},
      {"groups.pub.sessions.failed == 0", PartKind::kGroup, "pub", "sessions.failed", 0},
      {"groups.pub.schedule.max_lag < 2ms", PartKind::kGroup, "pub", "schedule.max_lag", 2},
      {"sessions.failed == 0", PartKind::kTotal, "", "sessions.failed", 0},
  };
  for (const auto& c : cases) {
    std::string error;
    const auto t = parse_threshold(c.text, &error);
    ASSERT_TRUE(t.has_value()) << c.text << ": " << error;
    const std::string_view text(c.text);
    EXPECT_EQ(t->metric, text.substr(0, text.find(' '))) << c.text;
    EXPECT_EQ(t->part, c.part) << c.text;
    EXPECT_EQ(t->part_name, c.part_name) << c.text;
    EXPECT_EQ(t->leaf, c.leaf) << c.text;
    EXPECT_DOUBLE_EQ(t->value, c.value) << c.text;
  }
  // Totals keep their own name as the leaf.
  const auto total = parse_threshold("latency.p99 < 5ms", nullptr);
  ASSERT_TRUE(total);
  EXPECT_EQ(total->part, PartKind::kTotal);
  EXPECT_EQ(total->leaf, "latency.p99");
  EXPECT_TRUE(total->part_name.empty());
}

TEST(ParseThreshold, RejectsBadPartMetrics) {
  const BadCase cases[] = {
      {"streams.ping.latncy.p99 < 5ms",
       "unknown metric 'streams.ping.latncy.p99' (did you mean streams.ping.latency.p99?)"},
      {"streams.ping.sentt > 1",
       "unknown metric 'streams.ping.sentt' (did you mean "
       "streams.ping.sent?)"},
      {"steps.subscribe.okk > 1",
       "unknown metric 'steps.subscribe.okk' (did you mean steps.subscribe.ok?)"},
      {"steps.subscribe.sent > 1",
       "unknown metric 'steps.subscribe.sent' (did you mean streams.subscribe.sent?)"},
      {"stream.ping.sent > 1",
       "unknown metric 'stream.ping.sent' (did you mean streams.ping.sent?)"},
      {"groups.listeners.connections.establshed > 1",
       "unknown metric 'groups.listeners.connections.establshed' (did you mean "
       "groups.listeners.connections.established?)"},
      {"groups.listeners.bandwidth > 1", "unknown metric 'groups.listeners.bandwidth'"},
      {"groups.listeners.latency.p99 < 5ms",
       "'latency.p99' is not kept per group in 'groups.listeners.latency.p99': groups have the "
       "counts and rates of the totals; latency is per stream and step (streams.<name>.latency.*)"},
      {"groups.listeners.connections.peak_open < 5",
       "'connections.peak_open' is not kept per group in 'groups.listeners.connections.peak_open': "
       "groups have the counts and rates of the totals; latency is per stream and step "
       "(streams.<name>.latency.*)"},
      {"streams.ping < 5", "incomplete metric 'streams.ping': expected streams.ping.<metric>"},
      {"streams.ping. < 5", "incomplete metric 'streams.ping.': expected streams.ping.<metric>"},
      {"streams..sent < 5",
       "bad name '' in 'streams..sent': streams.<name>.* names are letters, digits, _ and -"},
      {"steps.sub/scribe.ok < 5",
       "bad name 'sub/scribe' in 'steps.sub/scribe.ok': steps.<name>.* names are letters, "
       "digits, _ and -"},
      {"groups.a b.messages.sent < 5",
       "bad name 'a b' in 'groups.a b.messages.sent': groups.<name>.* names are letters, digits, "
       "_ and -"},
      {"streams.ping.sent < 5ms", "'ms' does not fit streams.ping.sent, a count (no unit)"},
      {"streams.ping.latency.p99 < 5%",
       "'%' does not fit streams.ping.latency.p99, a time in ms/us/s"},
      {"steps.subscribe.failed > 1%", "'%' does not fit steps.subscribe.failed, a count (no unit)"},
      {"groups.x.connections.success_rate > 5ms",
       "'ms' does not fit groups.x.connections.success_rate, a percentage (% or no unit)"},
      {"sessions.failed > 1s", "'s' does not fit sessions.failed, a count (no unit)"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(parse_threshold(c.text, &error).has_value()) << c.text;
    EXPECT_EQ(error, c.error) << c.text;
  }
}

}  // namespace
}  // namespace wsload::shared
