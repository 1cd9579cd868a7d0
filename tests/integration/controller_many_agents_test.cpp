// Issue 16: the controller drives 60 local agents with tiny shares against a spawned target: the
// exact split is in the report, every connection is established, the run ends with exit 0 in
// bounded time, and no agent or target process is left behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "wsload/shared/planner.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

constexpr int kAgents = 60;
constexpr auto kWallLimit = std::chrono::seconds(60);

// The command name and parent of process `pid` from /proc/PID/stat; nullopt when it is gone.
std::optional<std::pair<std::string, pid_t>> comm_and_parent(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return std::nullopt;
  const auto open = stat.find('('), close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  char state = 0;
  pid_t parent = 0;
  rest >> state >> parent;
  return std::pair{stat.substr(open + 1, close - open - 1), parent};
}

// The wsload-agent and wsload-target processes whose parent is `parent`.
std::set<pid_t> spawned_by(pid_t parent) {
  std::set<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const pid_t pid = std::stoi(name);
    const auto info = comm_and_parent(pid);
    if (info && info->second == parent &&
        (info->first == "wsload-agent" || info->first == "wsload-target")) {
      found.insert(pid);
    }
  }
  return found;
}

struct ManyAgentsRun {
  int exit_code = -1;
  std::string output;
  nlohmann::json report;
  std::set<pid_t> children;  // every agent and target process wsload started, seen while it ran
  double wall_s = 0;
};

ManyAgentsRun run_many_agents(uint64_t connections, const TempDir& dir) {
  write_text(dir.file("tiny.yaml"),
             "name: tiny\ntarget:\n  url: ws://127.0.0.1:1/ws\nload:\n  connections: " +
                 std::to_string(connections) +
                 "\n  ramp_up: 1s\n  hold: 2s\nmessages:\n  interval: 1s\n  timeout: 5s\n"
                 "thresholds:\n  - connections.success_rate == 100%\n");
  ProcessOptions options;
  options.capture_stderr = true;
  options.unset_env = {"WS_URL",        "AUTH_TOKEN",        "MAX_CONNECTIONS",
                       "TEST_DURATION", "MESSAGE_FREQUENCY", "WSLOAD_AGENT_TOKEN",
                       "JWT_SECRET"};
  const auto started = std::chrono::steady_clock::now();
  ChildProcess wsload(
      {bin("wsload"), "run", dir.file("tiny.yaml"), "--spawn-target", "--local-agents",
       std::to_string(kAgents), "--live-interval", "1s", "--json", dir.file("report.json")},
      options);
  ManyAgentsRun run;
  // Watch its children while it runs (bounded by the wall limit).
  std::optional<int> code;
  while (!code && std::chrono::steady_clock::now() - started < kWallLimit) {
    const auto seen = spawned_by(wsload.pid());
    run.children.insert(seen.begin(), seen.end());
    code = wsload.wait_exit(std::chrono::milliseconds(100));
  }
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!code) wsload.terminate();
  run.exit_code = code.value_or(-1);
  run.output = wsload.output();
  std::ifstream in(dir.file("report.json"));
  if (in) run.report = nlohmann::json::parse(in, nullptr, false);
  return run;
}

// Asserts that none of `pids` is still a wsload process; stops (by PID) any that is.
void expect_all_gone(const std::set<pid_t>& pids) {
  for (pid_t pid : pids) {
    const auto info = comm_and_parent(pid);
    const bool alive = info && (info->first == "wsload-agent" || info->first == "wsload-target");
    EXPECT_FALSE(alive) << "process " << pid << " (" << info->first << ") outlived wsload";
    if (alive) ::kill(pid, SIGKILL);
  }
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

void expect_clean_run(const ManyAgentsRun& run, uint64_t connections) {
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_LT(run.wall_s, std::chrono::duration<double>(kWallLimit).count());
  // Sixty agents and the target, all seen, all gone.
  EXPECT_EQ(run.children.size(), static_cast<size_t>(kAgents) + 1);
  expect_all_gone(run.children);
  // One report; the text folds the 60 agent lines.
  EXPECT_EQ(count_of(run.output, "\n=== tiny"), 1u) << run.output;
  EXPECT_EQ(count_of(run.output, "Result: PASSED"), 1u) << run.output;
  EXPECT_NE(run.output.find("   60 agents: "), std::string::npos) << run.output;
  EXPECT_EQ(count_of(run.output, "): share "), 5u) << run.output;  // the five worst agents
  const auto& j = run.report;
  ASSERT_TRUE(j.is_object()) << run.output;
  EXPECT_EQ(j["connections"]["attempted"], connections);
  EXPECT_EQ(j["connections"]["established"], connections);
  EXPECT_EQ(j["connections"]["failed"], 0);
  EXPECT_EQ(j["messages"]["replies"], j["messages"]["sent"]);
  ASSERT_EQ(j["agents"].size(), static_cast<size_t>(kAgents));
}

// The planner's split of `connections` over 60 equal agents, in agent order (the oracle).
std::vector<uint64_t> planned_shares(uint64_t connections) {
  const std::vector<double> weights(kAgents, 1.0);
  return shared::apportion(connections, weights);
}

TEST(ControllerManyAgents, SixtyAgentsTwoConnectionsEach) {
  TempDir dir;
  const auto run = run_many_agents(120, dir);
  ASSERT_NO_FATAL_FAILURE(expect_clean_run(run, 120));
  for (const auto& agent : run.report["agents"]) {
    EXPECT_EQ(agent["share"], 2) << agent.dump();
    EXPECT_EQ(agent["connections"]["established"], 2) << agent.dump();
  }
}

// 130 over 60: the ten extra connections go to the first ten agents (equal remainders, ties to
// the lower index), in the report's agent order.
TEST(ControllerManyAgents, ExtraConnectionsGoToTheFirstAgents) {
  TempDir dir;
  const auto run = run_many_agents(130, dir);
  ASSERT_NO_FATAL_FAILURE(expect_clean_run(run, 130));
  const auto shares = planned_shares(130);
  ASSERT_EQ(run.report["agents"].size(), shares.size());
  for (size_t i = 0; i < shares.size(); ++i) {
    const auto& agent = run.report["agents"][i];
    EXPECT_EQ(shares[i], i < 10 ? 3u : 2u) << i;
    EXPECT_EQ(agent["share"], shares[i]) << i;
    EXPECT_EQ(agent["connections"]["established"], shares[i]) << i;
  }
}

}  // namespace
}  // namespace wsload::test
