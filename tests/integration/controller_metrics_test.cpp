// --metrics-listen: the merged live metrics scraped over HTTP during a run and checked by a strict
// Prometheus text-format (0.0.4) parser and by promtool; --metrics-linger keeps the final figures
// up, and a real Prometheus on loopback scrapes them and answers histogram_quantile.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
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
      std::string family = m[1];
      for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
        const auto base = family.substr(0, family.size() - std::min(family.size(), suffix.size()));
        if (family.ends_with(suffix) && e.types.count(base) && e.types[base] == "histogram")
          family = base;
      }
      if (family != current || !e.types.count(family)) fail("sample outside its family");
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

// `promtool check metrics` over `text`: its output (empty when clean) and exit code.
std::pair<std::string, int> promtool_check(const std::string& promtool, const std::string& text) {
  TempDir dir;
  const std::string file = dir.file("scrape.prom");
  std::ofstream(file) << text;
  ProcessOptions options;
  options.capture_stderr = true;
  ChildProcess check({"/bin/sh", "-c", "'" + promtool + "' check metrics < '" + file + "'"},
                     options);
  const int code = check.wait_exit(std::chrono::seconds(30)).value_or(-1);
  return {check.output(), code};
}

std::string scrape_scenario(const std::string& name) {
  return "name: " + name +
         "\ntarget:\n  url: ${WS_URL}\n  auth:\n    token: ${AUTH_TOKEN}\n"
         "load:\n  connections: 20\n  ramp_up: 500ms\n  hold: 4s\nmessages:\n  interval: 200ms\n";
}

TEST(ControllerMetrics, LiveMetricsAreServedInPrometheusFormat) {
  const std::string promtool = executable_on_path("promtool");
  if (promtool.empty()) GTEST_SKIP() << "promtool is not installed (Debian package 'prometheus')";
  Cluster cluster(2);
  TempDir dir;
  write_text(dir.file("s.yaml"), scrape_scenario("scrape"));
  ProcessOptions options;
  options.env = {{"WS_URL", cluster.url()}, {"AUTH_TOKEN", cluster.token()}};
  options.capture_stderr = true;
  ChildProcess run({bin("wsload"), "run", dir.file("s.yaml"), "--agents", cluster.agents_spec,
                    "--agent-token", Cluster::kAgentToken, "--metrics-listen", "127.0.0.1:0",
                    "--live-interval", "500ms", "--metrics-linger", "30s"},
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
  EXPECT_EQ(e.types.at("wsload_latency_seconds"), "histogram");
  EXPECT_GT(e.samples.at("wsload_latency_seconds_count{stage=\"scrape\"}"), 0);
  EXPECT_GT(e.samples.at("wsload_latency_seconds_sum{stage=\"scrape\"}"), 0);
  // Every agent has its own series, named by its address.
  std::istringstream agents(cluster.agents_spec);
  for (std::string agent; std::getline(agents, agent, ',');) {
    const auto labels = "{stage=\"scrape\",agent=\"" + agent + "\"}";
    EXPECT_DOUBLE_EQ(e.samples.at("wsload_agent_up" + labels), 1) << agent;
    EXPECT_DOUBLE_EQ(e.samples.at("wsload_agent_connections_established_total" + labels), 10);
  }
  const auto [problems, code] = promtool_check(promtool, response.body);
  EXPECT_EQ(code, 0) << problems;
  EXPECT_EQ(problems, "") << response.body;
  EXPECT_EQ(http_get(port, "/other").status, 404);

  // After the run the final figures stay up for the linger; an interrupt ends it.
  ASSERT_TRUE(run.wait_for_text(
      "metrics stay at http://127.0.0.1:" + std::to_string(port) + "/metrics for 30s",
      std::chrono::seconds(30)))
      << run.output();
  const auto last = http_get(port, "/metrics");
  ASSERT_EQ(last.status, 200);
  const auto final_figures = parse_exposition(last.body);
  EXPECT_TRUE(final_figures.error.empty()) << final_figures.error;
  // Every request was answered by the end: the final figures, not a scrape from the hold.
  EXPECT_DOUBLE_EQ(final_figures.samples.at("wsload_messages_sent_total{stage=\"scrape\"}"),
                   final_figures.samples.at("wsload_latency_seconds_count{stage=\"scrape\"}"));
  EXPECT_GE(final_figures.samples.at("wsload_elapsed_seconds{stage=\"scrape\"}"), 4.5);
  EXPECT_EQ(promtool_check(promtool, last.body).first, "");
  run.send_signal(SIGINT);
  const auto exit = run.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(exit.has_value()) << "the linger did not end on SIGINT";
  EXPECT_EQ(*exit, 0) << run.output();
}

// "%XX" for every byte but the unreserved ones (RFC 3986).
std::string url_encode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The value of an instant query's first result, nullopt while there is none (or it is NaN).
std::optional<double> query_prometheus(uint16_t port, const std::string& promql) {
  const auto r = http_get(port, "/api/v1/query?query=" + url_encode(promql));
  if (r.status != 200) return std::nullopt;
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || j["data"]["result"].empty()) return std::nullopt;
  const double v = std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
  return std::isnan(v) ? std::nullopt : std::optional(v);
}

// A Prometheus of the machine's (Debian package 'prometheus') on loopback, scraping the controller
// every second: histogram_quantile over the exported buckets lands in the bucket of the run's p99.
TEST(ControllerMetrics, PrometheusScrapesTheRunAndAnswersHistogramQuantile) {
  const std::string prometheus = executable_on_path("prometheus");
  if (prometheus.empty())
    GTEST_SKIP() << "prometheus is not installed (Debian package 'prometheus')";
  Cluster cluster(2);
  TempDir dir;
  const uint16_t metrics_port = free_loopback_port(), prometheus_port = free_loopback_port();
  write_text(dir.file("prometheus.yml"),
             "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
             "  - job_name: wsload\n    static_configs:\n      - targets: ['127.0.0.1:" +
                 std::to_string(metrics_port) + "']\n");
  ProcessOptions quiet;
  quiet.capture_stderr = true;
  // Stopped by its PID (SIGTERM, then SIGKILL) when the test ends, however it ends; the TempDir
  // holding its storage is removed after it (declared before).
  ChildProcess server(
      {prometheus, "--config.file=" + dir.file("prometheus.yml"),
       "--storage.tsdb.path=" + dir.file("data"),
       "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port), "--log.level=warn"},
      quiet);
  const auto ready_by = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (http_get(prometheus_port, "/-/ready").status != 200) {
    ASSERT_LT(std::chrono::steady_clock::now(), ready_by) << server.output();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  write_text(dir.file("s.yaml"), scrape_scenario("prom"));
  ProcessOptions options;
  options.env = {{"WS_URL", cluster.url()}, {"AUTH_TOKEN", cluster.token()}};
  options.capture_stderr = true;
  ChildProcess run(
      {bin("wsload"), "run", dir.file("s.yaml"), "--agents", cluster.agents_spec, "--agent-token",
       Cluster::kAgentToken, "--metrics-listen", "127.0.0.1:" + std::to_string(metrics_port),
       "--metrics-linger", "5s", "--json", dir.file("report.json")},
      options);
  ASSERT_TRUE(run.wait_for_text("metrics stay at http://", std::chrono::seconds(60)))
      << run.output();
  const auto report = nlohmann::json::parse(std::ifstream(dir.file("report.json")), nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.output();
  const double count = report["latency"]["count"],
               p99_s = report["latency"]["p99_ms"].get<double>() / 1e3;
  ASSERT_GT(count, 0);

  // Until Prometheus has scraped the final figures (all the run's samples), at most 20 s.
  std::optional<double> p99;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto scraped = query_prometheus(prometheus_port, "sum(wsload_latency_seconds_count)");
    if (scraped == count) {
      p99 = query_prometheus(
          prometheus_port, "histogram_quantile(0.99, sum by (le) (wsload_latency_seconds_bucket))");
      if (p99) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(p99) << "Prometheus never had the final figures:\n"
                   << server.output() << run.output();
  EXPECT_GT(*p99, 0);
  // histogram_quantile interpolates inside the bucket that holds the 99th percentile: the ladder's
  // bounds around the report's p99 (widened by the histogram's 1/1024 resolution at a bound).
  double lower = 0, upper = std::numeric_limits<double>::infinity();
  for (const double b : {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                         0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0}) {
    if (b < p99_s * (1 - 1.0 / 1024)) lower = b;
    if (b >= p99_s * (1 + 1.0 / 1024) && b < upper) upper = b;
  }
  EXPECT_GE(*p99, lower) << "report p99 " << p99_s << " s";
  EXPECT_LE(*p99, upper) << "report p99 " << p99_s << " s";
  EXPECT_EQ(run.wait_exit(std::chrono::seconds(20)), 0) << run.output();
}

}  // namespace
}  // namespace wsload::test
