// --metrics-listen: the merged live metrics scraped over HTTP during a run and checked by a strict
// Prometheus text-format (0.0.4) parser.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "target_process.hpp"
#include "target_test_client.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter|gauge
  std::map<std::string, double> samples;     // "name{labels}" -> value
  std::string error;                         // first violation, empty when valid
};

// Strict: every sample's family has HELP and TYPE before it, families are contiguous, names and
// labels match the grammar, values parse, counters end in _total, no duplicate series.
Exposition parse_exposition(const std::string& text) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex type(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf))");
  Exposition e;
  std::set<std::string> helped, finished;
  std::string current;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    auto fail = [&](const std::string& why) {
      if (e.error.empty()) e.error = "line " + std::to_string(n) + ": " + why + ": " + line;
    };
    if (line.empty()) continue;
    if (std::regex_match(line, m, help)) {
      if (current != m[1] && !current.empty()) finished.insert(current);
      if (finished.count(m[1])) fail("family announced twice");
      helped.insert(m[1]);
      current = m[1];
    } else if (std::regex_match(line, m, type)) {
      if (m[1] != current) fail("TYPE without HELP");
      e.types[m[1]] = m[2];
      if (m[2] == "counter" && !std::string(m[1]).ends_with("_total"))
        fail("counter without _total");
    } else if (std::regex_match(line, m, sample)) {
      if (m[1] != current || !e.types.count(m[1])) fail("sample outside its family");
      const auto key = std::string(m[1]) + std::string(m[2]);
      if (e.samples.count(key)) fail("duplicate series");
      e.samples[key] = std::stod(m[7]);
    } else {
      fail("not a valid exposition line");
    }
  }
  return e;
}

TEST(ExpositionParser, RejectsMalformedText) {
  EXPECT_FALSE(parse_exposition("x_total 1\n").error.empty());  // no HELP/TYPE
  EXPECT_FALSE(parse_exposition("# HELP a a\n# TYPE a counter\na 1\n").error.empty());  // no _total
  EXPECT_FALSE(
      parse_exposition("# HELP a a\n# TYPE a gauge\na{x=1} 1\n").error.empty());  // unquoted label
  EXPECT_TRUE(parse_exposition("# HELP a a\n# TYPE a gauge\na{x=\"1\"} 2.5\n").error.empty());
}

TEST(ControllerMetrics, LiveMetricsAreServedInPrometheusFormat) {
  Cluster cluster(2);
  TempDir dir;
  write_text(
      dir.file("s.yaml"),
      "name: scrape\ntarget:\n  url: ${WS_URL}\n  auth:\n    token: ${AUTH_TOKEN}\n"
      "load:\n  connections: 20\n  ramp_up: 500ms\n  hold: 4s\nmessages:\n  interval: 200ms\n");
  ProcessOptions options;
  options.env = {{"WS_URL", cluster.url()}, {"AUTH_TOKEN", cluster.token()}};
  options.capture_stderr = true;
  ChildProcess run(
      {bin("wsload"), "run", dir.file("s.yaml"), "--agents", cluster.agents_spec, "--agent-token",
       Cluster::kAgentToken, "--metrics-listen", "127.0.0.1:0", "--live-interval", "500ms"},
      options);
  auto line = run.wait_for_text("live metrics at http://", std::chrono::seconds(20));
  ASSERT_TRUE(line) << run.output();
  const auto address = line->substr(line->find("http://") + 7);
  const auto port = static_cast<uint16_t>(std::stoi(address.substr(address.find(':') + 1)));
  ASSERT_TRUE(run.wait_for_text("open 20/20", std::chrono::seconds(20))) << run.output();
  std::this_thread::sleep_for(
      std::chrono::milliseconds(1500));  // at least one publish after all opened

  const auto response = http_get(port, "/metrics");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto e = parse_exposition(response.body);
  EXPECT_TRUE(e.error.empty()) << e.error << "\n" << response.body;
  EXPECT_EQ(e.types.at("wsload_connections_established_total"), "counter");
  EXPECT_DOUBLE_EQ(e.samples.at("wsload_connections_established_total{stage=\"scrape\"}"), 20);
  EXPECT_DOUBLE_EQ(e.samples.at("wsload_connections_open{stage=\"scrape\"}"), 20);
  EXPECT_DOUBLE_EQ(e.samples.at("wsload_agents_healthy{stage=\"scrape\"}"), 2);
  EXPECT_GT(e.samples.at("wsload_messages_sent_total{stage=\"scrape\"}"), 0);
  EXPECT_GT(e.samples.at("wsload_latency_milliseconds{stage=\"scrape\",quantile=\"0.99\"}"), 0);
  EXPECT_EQ(http_get(port, "/other").status, 404);

  const auto code = run.wait_exit(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << run.output();
}

}  // namespace
}  // namespace wsload::test
