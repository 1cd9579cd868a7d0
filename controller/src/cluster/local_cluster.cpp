#include "cluster/local_cluster.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <fstream>
#include <iomanip>
#include <sstream>

namespace wsload::controller {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(15);
constexpr std::string_view kListening = "listening on ";

}  // namespace

std::string random_secret() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char bytes[32] = {};
  urandom.read(reinterpret_cast<char*>(bytes), sizeof(bytes));
  std::ostringstream hex;
  for (unsigned char b : bytes)
    hex << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(b);
  return hex.str();
}

namespace {

// Connections one local agent can hold: it raises its soft limit to the hard one and keeps a
// reserve for itself.
uint64_t per_agent_budget() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_max > 1024 ? static_cast<uint64_t>(limit.rlim_max) - 1024 : 1;
}

// MemAvailable from /proc/meminfo in bytes; 0 when unknown.
uint64_t memory_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

// Measured per idle loopback connection (README, Troubleshooting: memory): the client socket in
// the kernel plus the agent ~8 KiB; the server's socket and wsload-target ~12 KiB more.
constexpr uint64_t kClientBytesPerConnection = uint64_t{8} * 1024;
constexpr uint64_t kTargetBytesPerConnection = uint64_t{12} * 1024;

}  // namespace

unsigned default_local_agents(uint64_t connections) {
  const uint64_t per_agent = per_agent_budget();
  return static_cast<unsigned>(std::min<uint64_t>(
      std::max<uint64_t>(1, (connections + per_agent - 1) / per_agent), kMaxLocalAgents + 1));
}

LocalPlan plan_local_agents(uint64_t connections, unsigned requested, bool target_here) {
  const uint64_t per_agent = per_agent_budget();
  const uint64_t needed = std::max<uint64_t>(1, (connections + per_agent - 1) / per_agent);
  LocalPlan plan;
  if (requested > 0 && requested < needed) {
    plan.refusal = fmt::format(
        "{} local agent(s) cannot hold {} connections: each has a file-descriptor budget of {}"
        " (use --local-agents {} or more, or --agents)",
        requested, connections, per_agent, needed);
    return plan;
  }
  if (requested == 0 && needed > kMaxLocalAgents) {
    plan.refusal = fmt::format(
        "{} connections need {} local agents of {} connections each, more than the {} this "
        "machine may spawn; run agents on other machines (--agents)",
        connections, needed, per_agent, kMaxLocalAgents);
    return plan;
  }
  const uint64_t per_connection =
      kClientBytesPerConnection + (target_here ? kTargetBytesPerConnection : 0);
  const uint64_t available = memory_available();
  if (available > 0 && connections > available / per_connection) {
    plan.refusal = fmt::format(
        "{} connections need about {} MiB here ({} KiB each{}), but only {} MiB are available; "
        "run agents on other machines (--agents)",
        connections, connections / 1024 * per_connection / 1024, per_connection / 1024,
        target_here ? ", the target's side included" : "", available >> 20);
    return plan;
  }
  plan.agents = requested > 0 ? requested : static_cast<unsigned>(needed);
  return plan;
}

LocalAgents::LocalAgents(unsigned count, unsigned threads_each, const std::string& token) {
  const auto binary = sibling_binary("wsload-agent");
  for (unsigned i = 0; i < count; ++i) {
    auto process = std::make_unique<ChildProcess>(
        binary,
        // The agents log at the controller's level, to its stderr (--log-level debug shows why
        // connections failed).
        std::vector<std::string>{
            "--listen", "127.0.0.1:0", "--threads", std::to_string(threads_each), "--log-level",
            std::string(spdlog::level::to_string_view(spdlog::get_level()).data(),
                        spdlog::level::to_string_view(spdlog::get_level()).size())},
        std::vector<std::pair<std::string, std::string>>{{"WSLOAD_AGENT_TOKEN", token}},
        fmt::format("[agent {}] ", i + 1));
    auto line = process->wait_for_line(std::string(kListening), kStartTimeout);
    if (!line) {
      throw RunFailure(fmt::format("local agent {} ({}) did not start within {} s", i + 1, binary,
                                   kStartTimeout.count()));
    }
    endpoints_.push_back({line->substr(kListening.size()), 1.0});
    processes_.push_back(std::move(process));
  }
}

SpawnedTarget::SpawnedTarget() : secret_(random_secret()) {
  const auto binary = sibling_binary("wsload-target");
  process_ = std::make_unique<ChildProcess>(
      binary,
      std::vector<std::string>{"--listen", "127.0.0.1:0", "--path", "/ws", "--log-level", "warn",
                               "--broadcast-interval", "1s"},
      std::vector<std::pair<std::string, std::string>>{{"JWT_SECRET", secret_}});
  auto line = process_->wait_for_line(std::string(kListening), kStartTimeout);
  if (!line) {
    throw RunFailure(fmt::format("the reference target ({}) did not start within {} s", binary,
                                 kStartTimeout.count()));
  }
  host_port_ = line->substr(kListening.size());
  url_ = "ws://" + host_port_ + "/ws";
}

std::string SpawnedTarget::stats_url() const { return "http://" + host_port_ + "/stats"; }

}  // namespace wsload::controller
