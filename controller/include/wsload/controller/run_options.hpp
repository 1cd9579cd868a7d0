#pragma once
// The `wsload run` options that are not part of the scenario (SPEC §2).
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace wsload::controller {

using namespace std::chrono_literals;

enum class AgentLossPolicy { kAbort, kContinue };

struct AgentEndpoint {
  std::string address;  // host:port, as dialled
  double weight = 1.0;  // share weight (host:port@W)
};

inline constexpr std::chrono::nanoseconds kMaxMetricsLinger = 1h;
inline constexpr std::chrono::nanoseconds kLocalAgentConnectWait = 10s;

struct RunOptions {
  std::string agents_spec;     // --agents as given; empty = spawn local agents
  unsigned local_agents = 0;   // 0 = enough for the fd budget, at least 1
  unsigned expect_agents = 0;  // 0 = as many as --agents lists/resolves
  std::chrono::nanoseconds agent_wait = 30s;
  // How long each agent's channel may take to connect, with gRPC's own retries, before its session
  // opens; 0 = an agent that refuses the first attempt fails the run at once. --expect-agents uses
  // agent_wait instead; local agents, which are known to listen, get kLocalAgentConnectWait.
  std::chrono::nanoseconds agent_connect_wait = 0s;
  std::string agent_token;
  std::string agent_ca_pem;  // --agent-ca contents: TLS to the agents when set
  bool spawn_target = false;
  std::string json_path;
  std::string junit_path;
  std::string html_path;
  std::chrono::nanoseconds live_interval = 5s;
  std::string metrics_listen;  // host:port for the Prometheus endpoint; empty = off
  // --metrics-linger: how long the endpoint keeps serving the final figures after the run (an
  // interrupt ends it early); at most kMaxMetricsLinger
  std::chrono::nanoseconds metrics_linger = 0s;
  std::string web_listen;  // --web: host:port of the live dashboard; empty = off
  // --web-linger: how long the dashboard keeps serving the final report after the run (an
  // interrupt ends it early); at most kMaxMetricsLinger
  std::chrono::nanoseconds web_linger = 0s;
  std::chrono::milliseconds report_interval = 1000ms;  // agent -> controller deltas
  AgentLossPolicy on_agent_loss = AgentLossPolicy::kAbort;
  bool allow_partial = false;  // a run that lost an agent (PARTIAL) exits 0 instead of 1
  std::optional<std::chrono::nanoseconds> cooldown;  // --cooldown: between a sequence's stages
  bool quiet = false;
};

// A run that could not complete (exit code 3): no agent reachable, an agent refused, lost under
// abort, or a controller error. The message names the agent and the numbers.
class RunFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace wsload::controller

namespace wsload::controller {

// Exit codes of `wsload` (SPEC §2).
inline constexpr int kExitPassed = 0;
inline constexpr int kExitThresholdFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitIncomplete = 3;
inline constexpr int kExitInterrupted = 130;

}  // namespace wsload::controller
