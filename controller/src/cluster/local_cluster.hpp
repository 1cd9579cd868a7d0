#pragma once
// Processes the controller starts itself: local agents (no --agents given) and the reference target
// (--spawn-target). Both are stopped when these objects are destroyed, and die with the controller.
#include <memory>
#include <string>
#include <vector>

#include "cluster/child_process.hpp"
#include "cluster/local_plan.hpp"
#include "wsload/controller/run_options.hpp"

namespace wsload::controller {

class LocalAgents {
 public:
  // Starts `count` wsload-agent processes on 127.0.0.1 with free ports, all at once, and waits
  // for every one to listen; throws RunFailure (the started ones are stopped).
  LocalAgents(unsigned count, unsigned threads_each, const std::string& token);
  // Stops them all at once: SIGTERM to every agent, then one shared grace period.
  ~LocalAgents();
  LocalAgents(const LocalAgents&) = delete;
  LocalAgents& operator=(const LocalAgents&) = delete;
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

// This process's descriptor hard limit (what spawned children inherit) and MemAvailable.
MachineFacts this_machine();

// plan_local (local_plan.hpp) with this machine's facts; with `target_spawned` (--spawn-target)
// also refused when the spawned target cannot hold the connections (spawned_target_refusal).
LocalPlan plan_local_agents(uint64_t connections, unsigned requested, bool target_here,
                            bool target_spawned = false);

// 32 random bytes as hex, from the OS.
std::string random_secret();

}  // namespace wsload::controller
