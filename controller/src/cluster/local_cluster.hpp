#pragma once
// Processes the controller starts itself: local agents (no --agents given) and the reference target
// (--spawn-target). Both are stopped when these objects are destroyed, and die with the controller.
#include <memory>
#include <string>
#include <vector>

#include "cluster/child_process.hpp"
#include "wsload/controller/run_options.hpp"

namespace wsload::controller {

class LocalAgents {
 public:
  // Starts `count` wsload-agent processes on 127.0.0.1 with free ports; throws RunFailure.
  LocalAgents(unsigned count, unsigned threads_each, const std::string& token);
  const std::vector<AgentEndpoint>& endpoints() const { return endpoints_; }

 private:
  std::vector<std::unique_ptr<ChildProcess>> processes_;
  std::vector<AgentEndpoint> endpoints_;
};

class SpawnedTarget {
 public:
  // Starts wsload-target on 127.0.0.1 with a free port and a fresh random JWT secret.
  SpawnedTarget();
  const std::string& url() const { return url_; }
  const std::string& secret() const { return secret_; }
  std::string stats_url() const;

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string url_;
  std::string secret_;
  std::string host_port_;
};

// At most this many local agents (--local-agents accepts 1..kMaxLocalAgents).
inline constexpr unsigned kMaxLocalAgents = 64;

// How many local agents a scenario of `connections` needs so that none exceeds its budget.
unsigned default_local_agents(uint64_t connections);

struct LocalPlan {
  unsigned agents = 0;  // processes to spawn; 0 when `refusal` is set
  std::string refusal;  // why this machine cannot hold the plan, with the numbers
};
// Checks, before anything is spawned, that `connections` fit on this machine: the number of local
// agents (requested, or enough for the file-descriptor budget) is within kMaxLocalAgents, each
// share fits its budget, and the estimated memory (kernel socket + agent per connection, plus the
// target's side when it runs here too) is below MemAvailable.
LocalPlan plan_local_agents(uint64_t connections, unsigned requested, bool target_here);

// 32 random bytes as hex, from the OS.
std::string random_secret();

}  // namespace wsload::controller
