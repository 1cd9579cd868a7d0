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

int64_t ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

std::string log_level_name() {
  const auto name = spdlog::level::to_string_view(spdlog::get_level());
  return std::string(name.data(), name.size());
}

}  // namespace

MachineFacts this_machine() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  return {.fd_hard_limit = static_cast<uint64_t>(limit.rlim_max),
          .memory_available = memory_available()};
}

LocalPlan plan_local_agents(uint64_t connections, unsigned requested, bool target_here,
                            bool target_spawned) {
  const auto machine = this_machine();
  if (target_spawned) {
    if (auto why = spawned_target_refusal(connections, machine.fd_hard_limit); !why.empty())
      return {.agents = 0, .refusal = std::move(why)};
  }
  return plan_local(connections, requested, target_here, machine);
}

LocalAgents::LocalAgents(unsigned count, unsigned threads_each, const std::string& token) {
  const auto started = std::chrono::steady_clock::now();
  const auto binary = sibling_binary("wsload-agent");
  // Every agent starts before the first is waited for: their start-ups (exec, gRPC server) run
  // side by side instead of one after another.
  for (unsigned i = 0; i < count; ++i) {
    processes_.push_back(std::make_unique<ChildProcess>(
        binary,
        // The agents log at the controller's level, to its stderr (--log-level debug shows why
        // connections failed).
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--threads",
                                 std::to_string(threads_each), "--log-level", log_level_name()},
        std::vector<std::pair<std::string, std::string>>{{"WSLOAD_AGENT_TOKEN", token}},
        fmt::format("[agent {}] ", i + 1)));
  }
  const auto deadline = started + kStartTimeout;
  for (unsigned i = 0; i < count; ++i) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto line = processes_[i]->wait_for_line(std::string(kListening),
                                             std::max(left, std::chrono::milliseconds(0)));
    if (!line) {
      for (auto& p : processes_) p->request_stop();  // the destructors then wait side by side
      throw RunFailure(fmt::format("local agent {} ({}) did not start within {} s", i + 1, binary,
                                   kStartTimeout.count()));
    }
    endpoints_.push_back({line->substr(kListening.size()), 1.0});
  }
  spdlog::debug("{} local agent(s) started and listening in {} ms", count, ms_since(started));
}

LocalAgents::~LocalAgents() {
  const auto started = std::chrono::steady_clock::now();
  for (auto& p : processes_) p->request_stop();
  for (auto& p : processes_) p->stop();
  spdlog::debug("{} local agent(s) stopped in {} ms", processes_.size(), ms_since(started));
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
