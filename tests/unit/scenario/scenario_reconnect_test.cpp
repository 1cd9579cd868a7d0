// The `reconnect` section (SPEC §3b): exponential backoff keys, their defaults for format v1 files
// and their errors at the value's line and column.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario {
namespace {

using namespace std::chrono_literals;

std::string dump(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.to_string() + "\n";
  return out;
}

LoadResult parse(const std::string& yaml) {
  return parse_scenario_text(yaml, "inline.yaml",
                             [](std::string_view) -> std::optional<std::string> { return {}; });
}

shared::ReconnectSpec load_ok(const std::string& yaml) {
  const LoadResult r = parse(yaml);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  if (!r.plan) return {};
  EXPECT_TRUE(validate_scenario(r.plan->stages[0]).empty())
      << dump(validate_scenario(r.plan->stages[0]));
  return r.plan->stages[0].reconnect;
}

TEST(ScenarioReconnect, ReadsTheExponentialBackoffKeys) {
  const auto rc = load_ok(
      "reconnect: { enabled: true, max_attempts: 5, backoff: 500ms, max_backoff: 10s, "
      "jitter: true, seed: 18446744073709551615 }\n");
  EXPECT_TRUE(rc.enabled);
  EXPECT_EQ(rc.max_attempts, 5u);
  EXPECT_EQ(rc.backoff, 500ms);
  EXPECT_EQ(rc.max_backoff, 10s);
  EXPECT_TRUE(rc.jitter);
  EXPECT_EQ(rc.seed, UINT64_MAX);
}

TEST(ScenarioReconnect, AFormatV1SectionKeepsAFixedBackoffWithoutJitter) {
  const auto rc = load_ok("reconnect:\n  enabled: true\n  max_attempts: 3\n  backoff: 1s\n");
  EXPECT_EQ(rc.backoff, 1s);
  EXPECT_EQ(rc.max_backoff, 0s);
  EXPECT_FALSE(rc.jitter);
  EXPECT_EQ(rc.seed, 0u);
}

TEST(ScenarioReconnect, MaxBackoffMayEqualTheBackoffAndComeBeforeIt) {
  const auto rc = load_ok("reconnect: { max_backoff: 2s, backoff: 2s, jitter: false, seed: 0 }\n");
  EXPECT_EQ(rc.max_backoff, 2s);
  EXPECT_EQ(rc.backoff, 2s);
}

struct Bad {
  std::string yaml;
  int line;
  int column;
  std::string fragment;
};

void PrintTo(const Bad& bad, std::ostream* os) { *os << bad.yaml; }

class ScenarioReconnectBad : public ::testing::TestWithParam<Bad> {};

TEST_P(ScenarioReconnectBad, ReportsOneProblemAtTheValue) {
  const Bad& bad = GetParam();
  const LoadResult r = parse(bad.yaml);
  EXPECT_FALSE(r.plan.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.file, "inline.yaml");
  EXPECT_EQ(d.line, bad.line) << d.to_string();
  EXPECT_EQ(d.column, bad.column) << d.to_string();
  EXPECT_NE(d.message.find(bad.fragment), std::string::npos) << d.to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ScenarioReconnectBad,
    ::testing::Values(Bad{"reconnect: { backoff: 2s, max_backoff: 1s }\n", 1, 40,
                          "reconnect.max_backoff: 1s is less than reconnect.backoff (2s)"},
                      Bad{"reconnect:\n  max_backoff: 500ms\n  backoff: 1s\n", 2, 16,
                          "must be at least the backoff"},
                      Bad{"reconnect: { max_backoff: 0s }\n", 1, 27, "must be greater than 0"},
                      Bad{"reconnect: { max_backoff: soon }\n", 1, 27, "expected a duration"},
                      Bad{"reconnect: { jitter: sometimes }\n", 1, 22, "expected true or false"},
                      Bad{"reconnect: { seed: -1 }\n", 1, 20, "non-negative integer"},
                      Bad{"reconnect: { seed: 1.5 }\n", 1, 20, "non-negative integer"},
                      Bad{"reconnect: { seed: 18446744073709551616 }\n", 1, 20,
                          "non-negative integer"},
                      Bad{"reconnect: { jiter: true }\n", 1, 14, "did you mean 'jitter'"}));

TEST(ScenarioReconnect, EveryProblemOfTheSectionIsReportedAtOnce) {
  const LoadResult r =
      parse("reconnect:\n  jitter: maybe\n  seed: x\n  backoff: 3s\n  max_backoff: 1s\n");
  ASSERT_EQ(r.diagnostics.size(), 3u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].line, 2);
  EXPECT_EQ(r.diagnostics[1].line, 3);
  EXPECT_EQ(r.diagnostics[2].line, 5);
}

TEST(ScenarioReconnect, ValidationRefusesAMaxBackoffBelowTheBackoff) {
  shared::Scenario s;
  s.target.url = "ws://127.0.0.1:1/ws";
  s.reconnect.backoff = 2s;
  s.reconnect.max_backoff = 1s;
  const auto problems = validate_scenario(s);
  ASSERT_EQ(problems.size(), 1u) << dump(problems);
  EXPECT_NE(problems[0].message.find("reconnect.max_backoff: must be at least reconnect.backoff"),
            std::string::npos);
  s.reconnect.max_backoff = 0s;  // a fixed backoff
  EXPECT_TRUE(validate_scenario(s).empty()) << dump(validate_scenario(s));
}

}  // namespace
}  // namespace wsload::scenario
