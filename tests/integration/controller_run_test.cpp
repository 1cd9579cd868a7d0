// The controller end to end: wsload-target, wsload-agents and wsload as real processes on loopback,
// talking real gRPC and real WebSocket; assertions read the JSON report.
#include <gtest/gtest.h>

#include <numeric>
#include <regex>
#include <sstream>

#include "wsload/shared/histogram.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

constexpr const char* kScenario = R"(name: integration
target:
  url: ${WS_URL}
  auth:
    token: ${AUTH_TOKEN}
load:
  connections: 300
  ramp_up: 2s
  hold: 3s
messages:
  interval: 500ms
  kind: json
  template: '{"type":"ping","id":{{seq}}}'
  match: id
  timeout: 5s
thresholds:
  - connections.success_rate == 100%
  - messages.timeouts == 0
)";

ProcessOptions with_target(const Cluster& cluster, const std::string& token) {
  ProcessOptions options;
  options.env = {{"WS_URL", cluster.url()}, {"AUTH_TOKEN", token}};
  return options;
}

// Runs kScenario through the CLI with WS_URL/AUTH_TOKEN pointing at the cluster's target.
CliResult run_scenario(const Cluster& cluster, const TempDir& dir, const std::string& token,
                       std::vector<std::string> extra = {}) {
  write_text(dir.file("scenario.yaml"), kScenario);
  std::vector<std::string> argv{bin("wsload"),
                                "run",
                                dir.file("scenario.yaml"),
                                "--agents",
                                cluster.agents_spec,
                                "--agent-token",
                                Cluster::kAgentToken,
                                "--json",
                                dir.file("report.json"),
                                "--live-interval",
                                "1s"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto options = with_target(cluster, token);
  options.capture_stderr = true;
  ChildProcess wsload(argv, options);
  CliResult result;
  result.exit_code = wsload.wait_exit(std::chrono::seconds(90)).value_or(-1);
  if (result.exit_code == -1) wsload.terminate();
  result.output = wsload.output();
  std::ifstream in(dir.file("report.json"));
  if (in) result.report = nlohmann::json::parse(in, nullptr, false);
  return result;
}

TEST(ControllerRun, TwoAgentsSplitExactlyAndAnswerEveryRequest) {
  Cluster cluster(2);
  TempDir dir;
  auto r = run_scenario(cluster, dir, cluster.token());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["schema"], "wsload.report/v1");
  EXPECT_EQ(j["connections"]["attempted"], 300);
  EXPECT_EQ(j["connections"]["established"], 300);
  EXPECT_EQ(j["connections"]["failed"], 0);
  EXPECT_EQ(j["summary"]["successfulConnections"], 300);
  ASSERT_EQ(j["agents"].size(), 2u);
  EXPECT_EQ(j["agents"][0]["share"], 150);
  EXPECT_EQ(j["agents"][1]["share"], 150);
  EXPECT_EQ(j["agents"][0]["connections"]["established"], 150);
  EXPECT_EQ(j["agents"][1]["connections"]["established"], 150);

  const uint64_t sent = j["messages"]["sent"];
  // Every connection sends at least once per 500 ms over its hold of at least 3 s.
  EXPECT_GE(sent, 300u * 6);
  EXPECT_EQ(j["messages"]["replies"], sent);
  EXPECT_EQ(j["messages"]["timeouts"], 0);
  EXPECT_EQ(j["messages"]["in_flight"], 0);
  EXPECT_EQ(j["summary"]["totalMessagesSent"], sent);
  EXPECT_EQ(j["latency"]["count"], sent);

  const double min = j["latency"]["min_ms"], avg = j["latency"]["avg_ms"],
               p50 = j["latency"]["p50_ms"], p99 = j["latency"]["p99_ms"],
               max = j["latency"]["max_ms"];
  EXPECT_GT(min, 0.0);
  EXPECT_LE(min, avg);
  EXPECT_LE(avg, max);
  EXPECT_LE(min, p50);
  EXPECT_LE(p50, p99);
  EXPECT_LE(p99, max);
  EXPECT_EQ(j["summary"]["minLatency"], min);
  EXPECT_EQ(j["summary"]["maxLatency"], max);

  // Exact merge: the agents' own histograms, merged here, are the controller's histogram bit for
  // bit, so every percentile equals that of one histogram holding all samples.
  shared::Histogram merged;
  for (const auto& agent : j["agents"]) {
    auto bytes =
        shared::base64url_decode(agent["latency"]["histogram"]["encoded"].get<std::string>());
    ASSERT_TRUE(bytes);
    auto h = shared::Histogram::deserialize(*bytes);
    ASSERT_TRUE(h);
    merged.merge(*h);
  }
  auto total_bytes =
      shared::base64url_decode(j["latency"]["histogram"]["encoded"].get<std::string>());
  ASSERT_TRUE(total_bytes);
  auto total = shared::Histogram::deserialize(*total_bytes);
  ASSERT_TRUE(total);
  EXPECT_EQ(merged, *total);
  EXPECT_EQ(merged.count(), sent);
  EXPECT_DOUBLE_EQ(merged.value_at_percentile(99) / 1000.0, p99);

  ASSERT_EQ(j["thresholds"].size(), 2u);
  EXPECT_TRUE(j["thresholds"][0]["passed"]);
  EXPECT_TRUE(j["thresholds"][1]["passed"]);
  EXPECT_TRUE(j["passed"]);
  EXPECT_FALSE(j["partial"]);
  EXPECT_NE(r.output.find("Connection Metrics"), std::string::npos);
  EXPECT_NE(r.output.find("Latency Metrics"), std::string::npos);
}

TEST(ControllerRun, WrongTokenFailsEveryConnectionWithHttp401AndExitsOne) {
  Cluster cluster(2);
  TempDir dir;
  const auto bad = shared::jwt_make_token("not-the-secret", "tester", now_s(), 3600);
  auto r = run_scenario(cluster, dir, bad,
                        {"--connections", "40", "--ramp-up", "500ms", "--duration", "500ms"});
  ASSERT_EQ(r.exit_code, 1) << r.output;
  const auto& j = r.report;
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["connections"]["attempted"], 40);
  EXPECT_EQ(j["connections"]["established"], 0);
  EXPECT_EQ(j["connections"]["failed"], 40);
  EXPECT_EQ(j["connections"]["failures"]["http_401"], 40);
  EXPECT_EQ(j["messages"]["sent"], 0);
  EXPECT_FALSE(j["thresholds"][0]["passed"]);
  EXPECT_FALSE(j["passed"]);
}

TEST(ControllerRun, InvalidScenarioExitsTwoNamingTheLineAndRunsNothing) {
  TempDir dir;
  write_text(dir.file("bad.yaml"), "name: bad\nload:\n  connections: 10\n  hodl: 5s\n");
  auto r = run_wsload({"run", dir.file("bad.yaml"), "--agents", "127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.yaml:4:3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("hold"), std::string::npos) << r.output;  // the suggestion
}

TEST(ControllerRun, WrongAgentTokenIsRefusedWithExitThree) {
  Cluster cluster(1);
  TempDir dir;
  write_text(dir.file("scenario.yaml"), kScenario);
  ProcessOptions options = with_target(cluster, cluster.token());
  options.capture_stderr = true;
  ChildProcess wsload({bin("wsload"), "run", dir.file("scenario.yaml"), "--agents",
                       cluster.agents_spec, "--agent-token", "wrong"},
                      options);
  const auto code = wsload.wait_exit(std::chrono::seconds(30));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 3);
  EXPECT_NE(wsload.output().find("agent token"), std::string::npos) << wsload.output();
}

TEST(ControllerRun, UnreachableAgentExitsThree) {
  TempDir dir;
  const auto port = free_loopback_port();
  auto r = run_wsload({"run", "quick", "--url", "ws://127.0.0.1:1/ws", "--agents",
                       "127.0.0.1:" + std::to_string(port)},
                      "", std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("cannot reach agent"), std::string::npos) << r.output;
}

// An agent that refuses the first attempt (it is not listening yet) is retried within the wait,
// not given up: the path local agents take too, so that one refused first connection among sixty
// starting at once does not fail the run.
TEST(ControllerRun, AnAgentThatListensLateIsConnectedWithinTheWait) {
  TempDir dir;
  const auto address = "127.0.0.1:" + std::to_string(free_loopback_port());
  ProcessOptions options;
  options.capture_stderr = true;
  ChildProcess wsload({bin("wsload"),
                       "run",
                       "quick",
                       "--spawn-target",
                       "--connections",
                       "4",
                       "--ramp-up",
                       "1s",
                       "--duration",
                       "1s",
                       "--agents",
                       address,
                       "--expect-agents",
                       "1",
                       "--agent-wait",
                       "20s",
                       "--agent-token",
                       Cluster::kAgentToken,
                       "--json",
                       dir.file("report.json"),
                       "-q"},
                      options);
  // wsload is refused at least once before the agent listens.
  EXPECT_FALSE(wsload.wait_exit(std::chrono::milliseconds(1500)).has_value()) << wsload.output();
  ChildProcess agent({bin("wsload-agent"), "--listen", address, "--threads", "1", "--token",
                      Cluster::kAgentToken, "--log-level", "warn"});
  const auto code = wsload.wait_exit(std::chrono::seconds(60));
  if (!code) wsload.terminate();
  ASSERT_EQ(code.value_or(-1), 0) << wsload.output();
  std::ifstream in(dir.file("report.json"));
  const auto report = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(report.is_object()) << wsload.output();
  EXPECT_EQ(report["connections"]["established"], 4);
}

TEST(ControllerRun, SpawnTargetWithLocalAgentsRunsAndPasses) {
  TempDir dir;
  auto r = run_wsload({"run", "quick", "--spawn-target", "--connections", "20", "--ramp-up", "1s",
                       "--duration", "2s", "--message-interval", "500ms", "--local-agents", "2",
                       "--json", dir.file("report.json"), "-q"},
                      dir.file("report.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.report["connections"]["established"], 20);
  EXPECT_EQ(r.report["agents"].size(), 2u);
  EXPECT_EQ(r.report["messages"]["replies"], r.report["messages"]["sent"]);
  // The spawned target broadcasts every second: pushes are counted apart from replies.
  EXPECT_GT(r.report["push"]["received"].get<uint64_t>(), 0u);
  EXPECT_EQ(r.report["push"]["gaps"], 0);
  // The spawned target's /stats is polled as the monitor: its numbers are in the timeline.
  bool saw_server_connections = false;
  for (const auto& point : r.report["timeline"]) {
    if (point["monitor"].contains("connections_open") &&
        point["monitor"]["connections_open"] == 20) {
      saw_server_connections = true;
    }
  }
  EXPECT_TRUE(saw_server_connections) << r.report["timeline"].dump();
}

// Issue 11.5: a 10 connections/s ramp over two agents used to read 0, 10, 20, 0, 20 ... per second
// (reports bucketed by arrival). Each point now holds its own second on the synchronized clock.
TEST(ControllerRun, TimelinePointsHoldTheirOwnSecond) {
  Cluster cluster(2);
  TempDir dir;
  write_text(dir.file("ramp.yaml"),
             "name: ramp\ntarget:\n  url: ${WS_URL}\n  auth:\n    token: ${AUTH_TOKEN}\n"
             "load:\n  connections: 50\n  ramp_up: 5s\n  hold: 3s\n"
             "messages:\n  interval: 1s\n  timeout: 2s\n");
  auto options = with_target(cluster, cluster.token());
  options.capture_stderr = true;
  ChildProcess wsload(
      {bin("wsload"), "run", dir.file("ramp.yaml"), "--agents", cluster.agents_spec,
       "--agent-token", Cluster::kAgentToken, "--json", dir.file("report.json"), "-q"},
      options);
  ASSERT_EQ(wsload.wait_exit(std::chrono::seconds(60)).value_or(-1), 0) << wsload.output();
  std::ifstream in(dir.file("report.json"));
  const auto j = nlohmann::json::parse(in, nullptr, false);
  const auto& timeline = j["timeline"];
  ASSERT_GE(timeline.size(), 8u) << timeline.dump();
  uint64_t established = 0;
  for (size_t k = 0; k < timeline.size(); ++k) {
    const auto& p = timeline[k];
    SCOPED_TRACE(p.dump());
    established += p["established"].get<uint64_t>();
    if (k + 1 == timeline.size()) break;  // the last point ends with the final reports
    EXPECT_DOUBLE_EQ(p["t_s"].get<double>(), static_cast<double>(k + 1));
    if (k < 5) {
      // Connection i opens at i/10 s; one may be established just past its second's boundary.
      EXPECT_NEAR(p["established"].get<double>(), 10, 1);
      EXPECT_NEAR(p["open"].get<double>(), 10.0 * (k + 1), 1);
    } else if (k < 8) {
      // Hold: 50 open connections each send one request per second.
      EXPECT_EQ(p["established"], 0);
      EXPECT_NEAR(p["sent"].get<double>(), 50, 5);
    }
  }
  EXPECT_EQ(established, 50u);
}

TEST(ControllerRun, ProgressiveSequenceNestsOneReportPerStage) {
  Cluster cluster(2);
  TempDir dir;
  write_text(dir.file("one.yaml"),
             "name: one\ntarget:\n  url: ${WS_URL}\n  auth:\n    token: ${AUTH_TOKEN}\n"
             "load:\n  connections: 10\n  ramp_up: 200ms\n  hold: 1s\n"
             "messages:\n  interval: 200ms\nthresholds:\n  - messages.timeouts == 0\n");
  write_text(dir.file("two.yaml"),
             "name: two\ntarget:\n  url: ${WS_URL}\n  auth:\n    token: ${AUTH_TOKEN}\n"
             "load:\n  connections: 30\n  ramp_up: 200ms\n  hold: 1s\n"
             "messages:\n  interval: 200ms\nthresholds:\n  - latency.p99 < 1ms\n");
  write_text(dir.file("seq.yaml"), "name: both\nsequence: [one.yaml, two.yaml]\ncooldown: 500ms\n");
  auto options = with_target(cluster, cluster.token());
  options.capture_stderr = true;
  ChildProcess wsload({bin("wsload"), "run", dir.file("seq.yaml"), "--agents", cluster.agents_spec,
                       "--agent-token", Cluster::kAgentToken, "--json", dir.file("report.json"),
                       "--threshold", "connections.success_rate == 100%", "--cooldown", "300ms"},
                      options);
  const auto code = wsload.wait_exit(std::chrono::seconds(60));
  ASSERT_TRUE(code.has_value()) << wsload.output();
  std::ifstream in(dir.file("report.json"));
  const auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_TRUE(j.is_object()) << wsload.output();
  EXPECT_TRUE(j["sequence"]);
  // --cooldown overrides the file's 500ms; the sequence has the guide's summary over both stages.
  EXPECT_NE(wsload.output().find("cooldown 300ms before stage two"), std::string::npos)
      << wsload.output();
  EXPECT_EQ(j["summary"]["totalConnections"], 40);
  ASSERT_EQ(j["stages"].size(), 2u);
  EXPECT_EQ(j["stages"][0]["scenario"]["name"], "one");
  EXPECT_EQ(j["stages"][0]["connections"]["established"], 10);
  EXPECT_EQ(j["stages"][1]["scenario"]["name"], "two");
  EXPECT_EQ(j["stages"][1]["connections"]["established"], 30);
  // The --threshold flag is added to every stage, after the stage's own.
  EXPECT_EQ(j["stages"][0]["thresholds"].size(), 2u);
  EXPECT_EQ(j["stages"][1]["thresholds"][1]["expression"], "connections.success_rate == 100%");
  // The exit code is the verdict over all stages.
  const bool all_passed = j["passed"];
  EXPECT_EQ(*code, all_passed ? 0 : 1) << wsload.output();
}

TEST(AgentProcess, RefusesANonLoopbackAddressWithoutAToken) {
  ChildProcess agent({bin("wsload-agent"), "--listen", "0.0.0.0:0"},
                     ProcessOptions{{}, {"WSLOAD_AGENT_TOKEN"}, true});
  const auto code = agent.wait_exit(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(agent.output().find("without a token"), std::string::npos) << agent.output();
}

}  // namespace
}  // namespace wsload::test

namespace wsload::test {
namespace {

// Shares printed by `wsload validate`, which plans without connecting anywhere.
std::vector<uint64_t> planned_shares(const std::vector<std::string>& args) {
  auto r = run_wsload(args, "", std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<uint64_t> shares;
  std::istringstream lines(r.output);
  std::string line;
  static const std::regex share_line(R"(^  \S+: (\d+) connections(,.*)?$)");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, share_line)) shares.push_back(std::stoull(m[1]));
  }
  return shares;
}

TEST(ControllerValidate, SharesForThreeAndSevenAgentsSumExactly) {
  const auto three = planned_shares(
      {"validate", "quick", "--agents", "10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000"});
  EXPECT_EQ(three, (std::vector<uint64_t>{34, 33, 33}));
  const auto seven = planned_shares({"validate", "medium", "--local-agents", "7"});
  ASSERT_EQ(seven.size(), 7u);
  EXPECT_EQ(std::accumulate(seven.begin(), seven.end(), uint64_t{0}), 1000u);
  for (auto s : seven) EXPECT_TRUE(s == 142 || s == 143) << s;
  const auto weighted = planned_shares({"validate", "stress", "--agents", "a:1@1,b:1@2,c:1@2"});
  EXPECT_EQ(weighted, (std::vector<uint64_t>{1000, 2000, 2000}));
}

}  // namespace
}  // namespace wsload::test

namespace wsload::test {
namespace {

// Issue 11.6: `connections: 10000000` without --agents used to spawn over 60 agents (1 GB in 3 s),
// and validating 4,294,967,295 connections grew past 1 GB. A plan this machine cannot hold is
// refused before anything is spawned; planning needs no memory per connection.
TEST(ControllerLimits, PlansBeyondThisMachineAreRefusedBeforeAnythingStarts) {
  const auto started = std::chrono::steady_clock::now();
  auto r = run_wsload({"run", "quick", "--url", "ws://127.0.0.1:1/ws", "--connections", "10000000"},
                      "", std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("this machine cannot run the plan: 10000000 connections need"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("more than the 64 this machine may spawn"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("running quick"), std::string::npos) << r.output;  // nothing ran
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));

  r = run_wsload({"run", "quick", "--connections", "100000", "--local-agents", "2"}, "",
                 std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("2 local agent(s) cannot hold 100000 connections"), std::string::npos)
      << r.output;

  TempDir dir;
  write_text(dir.file("big.yaml"),
             "name: big\ntarget: {url: \"ws://10.0.0.1:1/ws\"}\n"
             "load: {connections: 4294967295, ramp_up: 10s, hold: 1s}\n");
  r = run_wsload({"validate", dir.file("big.yaml"), "--agents", "10.0.0.1:7000,10.0.0.2:7000@2"},
                 "", std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("10.0.0.2:7000: 2863311530 connections"), std::string::npos) << r.output;
  r = run_wsload({"validate", dir.file("big.yaml")}, "", std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("cannot run it with local agents"), std::string::npos) << r.output;
  write_text(dir.file("huge.yaml"),
             "name: huge\ntarget: {url: \"ws://10.0.0.1:1/ws\"}\n"
             "load: {connections: 4294967297, ramp_up: 10s, hold: 1s}\n");
  r = run_wsload({"validate", dir.file("huge.yaml"), "--agents", "10.0.0.1:7000"}, "",
                 std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("load.connections: at most 4294967296"), std::string::npos) << r.output;
}

// Issue 11.11: usage mistakes exit 2 with a short message naming the flag.
TEST(ControllerLimits, UsageMistakesExitTwoWithAShortMessage) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", "--agents", "127.0.0.1:1@0"}, "weight must be a positive number"},
      {{"run", "--metrics-listen", "garbage"}, "--metrics-listen: expected HOST:PORT"},
      {{"run", "--connections", "99999999999999999999"},
       "is not a whole number from 1 to 4294967296"},
      {{"run", "--connections", "0"}, "--connections: '0' is not a whole number"},
      {{"run", "--duration", std::string(5000, '9') + "x"}, "is not a duration"},
      {{"validate", "quick", "--agents", "nohostport"}, "--agents"},
  };
  for (const auto& [args, expected] : cases) {
    const auto r = run_wsload(args, "", std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 2) << args[1] << " " << args.back() << "\n" << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
    EXPECT_LT(r.output.size(), 400u) << r.output;  // no 309-digit numbers, no echo of a huge input
  }
}

}  // namespace
}  // namespace wsload::test
