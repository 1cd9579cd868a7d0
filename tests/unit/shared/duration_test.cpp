#include "wsload/shared/duration.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace wsload::shared {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

struct ParseCase {
  const char* text;
  Nanos want;
};

TEST(ParseDuration, AcceptsUnitsFractionsAndCompounds) {
  const ParseCase cases[] = {
      {"250ms", milliseconds(250)},
      {"10s", seconds(10)},
      {"2m", minutes(2)},
      {"1h", hours(1)},
      {"500us", microseconds(500)},
      {"1.5s", milliseconds(1500)},
      {"0.25ms", microseconds(250)},
      {"1m30s", seconds(90)},
      {"1h2m3s4ms", hours(1) + minutes(2) + seconds(3) + milliseconds(4)},
      {"0", Nanos(0)},
      {"0s", Nanos(0)},
      {"0ms", Nanos(0)},
      {" 5s ", seconds(5)},
      {"7ns", Nanos(7)},
      {"1.0000000009s", Nanos(1'000'000'000)},  // digits below 1 ns are truncated
      {"2562047h", hours(2562047)},
  };
  for (const auto& c : cases) {
    const auto got = parse_duration(c.text);
    ASSERT_TRUE(got.has_value()) << c.text;
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(ParseDuration, RejectsBadInput) {
  for (const char* bad : {"",
                          " ",
                          "-1s",
                          "+1s",
                          "10",
                          "1.5",
                          "s",
                          "ms",
                          "abc",
                          "10sec",
                          "1.s",
                          ".5s",
                          "1..5s",
                          "10 s",
                          "1e3ms",
                          "5d",
                          "1s-",
                          "1m30",
                          "2562048h",
                          "99999999999999999999s",
                          "9223372036854775808ns",
                          "1h9223372036854775807ns"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(ParseMillis, PlainNonNegativeIntegers) {
  EXPECT_EQ(parse_millis("0"), Nanos(0));
  EXPECT_EQ(parse_millis("5000"), milliseconds(5000));
  EXPECT_EQ(parse_millis(" 30000 "), milliseconds(30000));
  for (const char* bad :
       {"", "-5", "5s", "1.5", "abc", "9223372036854775807", "99999999999999999999"}) {
    EXPECT_FALSE(parse_millis(bad).has_value()) << bad;
  }
}

TEST(FormatDuration, ShortestExactForms) {
  EXPECT_EQ(format_duration(Nanos(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(seconds(10)), "10s");
  EXPECT_EQ(format_duration(minutes(2)), "2m");
  EXPECT_EQ(format_duration(seconds(90)), "1m30s");
  EXPECT_EQ(format_duration(hours(1)), "1h");
  EXPECT_EQ(format_duration(microseconds(1500)), "1500us");
  EXPECT_EQ(format_duration(hours(1) + seconds(5)), "1h5s");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(format_duration(Nanos(1)), "1ns");
  EXPECT_EQ(format_duration(-seconds(35)), "-35s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int64_t> any(0, std::numeric_limits<int64_t>::max());
  for (int i = 0; i < 10000; ++i) {
    int64_t ns = any(rng);
    // Exercise round values too, not only nanosecond-precise ones.
    static constexpr int64_t kUnits[] = {1, 1'000, 1'000'000, 1'000'000'000, 60'000'000'000};
    ns -= ns % kUnits[i % 5];
    const Nanos d(ns);
    const auto back = parse_duration(format_duration(d));
    ASSERT_TRUE(back.has_value()) << format_duration(d);
    EXPECT_EQ(*back, d);
  }
  EXPECT_EQ(parse_duration(format_duration(Nanos::max())), Nanos::max());
}

}  // namespace
}  // namespace wsload::shared
