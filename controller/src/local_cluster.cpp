#include "local_cluster.hpp"

#include <sys/resource.h>

#include <fstream>
#include <iomanip>
#include <sstream>

#include <fmt/format.h>

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
  for (unsigned char b : bytes) hex << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(b);
  return hex.str();
}

unsigned default_local_agents(uint64_t connections) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  // An agent raises its soft limit to the hard one and keeps a reserve for itself.
  const uint64_t per_agent = limit.rlim_max > 1024 ? static_cast<uint64_t>(limit.rlim_max) - 1024 : 1;
  return static_cast<unsigned>(std::max<uint64_t>(1, (connections + per_agent - 1) / per_agent));
}

LocalAgents::LocalAgents(unsigned count, unsigned threads_each, const std::string& token) {
  const auto binary = sibling_binary("wsload-agent");
  for (unsigned i = 0; i < count; ++i) {
    auto process = std::make_unique<ChildProcess>(
        binary,
        std::vector<std::string>{"--listen", "127.0.0.1:0", "--threads", std::to_string(threads_each),
                                 "--log-level", "warn"},
        std::vector<std::pair<std::string, std::string>>{{"WSLOAD_AGENT_TOKEN", token}});
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
      binary, std::vector<std::string>{"--listen", "127.0.0.1:0", "--path", "/ws", "--log-level", "warn",
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
