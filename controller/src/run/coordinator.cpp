#include "run/coordinator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <limits>

#include "cluster/agent_capacity.hpp"
#include "run/agent_notices.hpp"
#include "run/stage_clock.hpp"
#include "wsload/proto/convert.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/shared/load_plan.hpp"
#include "wsload/shared/planner.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::controller {

namespace {

using shared::unix_us_now;

int64_t milliseconds(std::chrono::steady_clock::time_point from,
                     std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

std::string read_ca(const shared::Scenario& scenario) {
  const auto& path = scenario.target.tls.ca_file;
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RunFailure("cannot read target.tls.ca_file '" + path + "'");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

Coordinator::Coordinator(const RunOptions& options, std::vector<AgentEndpoint> agents,
                         LiveView& live, const std::atomic<int>& interrupts)
    : Coordinator(options, std::move(agents), live, interrupts, nullptr) {}

Coordinator::Coordinator(const RunOptions& options, std::vector<AgentEndpoint> agents,
                         LiveView& live, const std::atomic<int>& interrupts,
                         ChannelFactory channels)
    : options_(options),
      channels_(std::move(channels)),
      endpoints_(std::move(agents)),
      live_(live),
      interrupts_(interrupts) {
  if (!channels_) {
    channels_ = [this](size_t index, const std::string& endpoint, EventQueue& events) {
      const auto connect_wait =
          options_.expect_agents > 0 ? options_.agent_wait : options_.agent_connect_wait;
      return std::make_unique<AgentLink>(index, endpoint, options_.agent_token, events,
                                         connect_wait, options_.agent_ca_pem);
    };
  }
}

Coordinator::~Coordinator() = default;

void Coordinator::send_all(const v1::ControllerMessage& message) {
  for (auto& a : agents_) {
    if (a->phase != AgentPhase::kLost) a->link->send(message);
  }
}

std::vector<v1::AgentMessage> Coordinator::await_all(uint64_t command_id,
                                                     std::chrono::milliseconds timeout,
                                                     const char* what) {
  std::vector<std::optional<v1::AgentMessage>> answers(agents_.size());
  size_t pending = agents_.size();
  const auto deadline = Clock::now() + timeout;
  auto next_heartbeat = Clock::now() + kHeartbeatInterval;
  while (pending > 0) {
    if (Clock::now() >= next_heartbeat) {
      // Agents that already answered must not take the wait for a lost controller.
      send_heartbeat();
      next_heartbeat = Clock::now() + kHeartbeatInterval;
    }
    auto event = events_.pop(std::min(deadline, next_heartbeat));
    if (!event && Clock::now() < deadline) continue;
    if (!event) {
      for (size_t i = 0; i < answers.size(); ++i) {
        if (!answers[i]) {
          throw RunFailure(fmt::format("agent {} did not answer {} within {} s",
                                       agents_[i]->link->endpoint(), what, timeout.count() / 1000));
        }
      }
    }
    auto& agent = *agents_[event->agent];
    if (!event->message) {
      throw RunFailure(describe_status(agent.link->endpoint(), event->status));
    }
    if (event->message->command_id() != command_id) continue;  // stale or unsolicited
    if (event->message->has_refused()) {
      throw RunFailure(fmt::format("agent {} refused {}: {}", agent.link->endpoint(), what,
                                   event->message->refused().reason()));
    }
    if (event->message->has_clock()) {
      // Keep the receive instant for the offset computation.
      last_clock_receive_.resize(agents_.size());
      last_clock_receive_[event->agent] = event->received_unix_us;
    }
    if (!answers[event->agent]) --pending;
    answers[event->agent] = std::move(*event->message);
  }
  std::vector<v1::AgentMessage> out;
  out.reserve(answers.size());
  for (auto& a : answers) out.push_back(std::move(*a));
  return out;
}

void Coordinator::send_heartbeat() {
  v1::ControllerMessage beat;
  beat.mutable_heartbeat()->set_sent_unix_us(unix_us_now());
  send_all(beat);
}

void Coordinator::connect_all() {
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    auto state = std::make_unique<AgentState>();
    state->link = channels_(i, endpoints_[i].address, events_);
    state->result.endpoint = endpoints_[i].address;
    agents_.push_back(std::move(state));
  }
  v1::ControllerMessage hello;
  hello.set_command_id(next_command_id());
  hello.mutable_hello()->set_controller_version(WSLOAD_VERSION);
  hello.mutable_hello()->set_protocol_version(proto::kProtocolVersion);
  send_all(hello);
  auto replies = await_all(hello.command_id(), std::chrono::seconds(10), "the hello");
  for (size_t i = 0; i < replies.size(); ++i) {
    auto& agent = *agents_[i];
    agent.hello = replies[i].hello();
    agent.result.hostname = agent.hello.hostname();
    spdlog::debug(
        "agent {}: host {}, version {}, protocol {}, {} threads, fd budget {}, {} ephemeral ports, "
        "{} source IPs",
        agent.link->endpoint(), agent.hello.hostname(), agent.hello.agent_version(),
        agent.hello.protocol_version(), agent.hello.threads(), agent.hello.fd_budget(),
        agent.hello.ephemeral_ports(), agent.hello.source_ips());
    if (agent.hello.protocol_version() != proto::kProtocolVersion) {
      throw RunFailure(
          fmt::format("agent {} speaks protocol {} (version {}), this controller speaks protocol "
                      "{} (version {}); "
                      "run the same wsload version on both",
                      agent.link->endpoint(), agent.hello.protocol_version(),
                      agent.hello.agent_version(), proto::kProtocolVersion, WSLOAD_VERSION));
    }
  }
}

// An agent holds at most its share of connections at once; an arrival model's agent holds only
// the most of its sessions that overlap (shared::LoadPlan::peak_of), however many arrive. Shares
// beyond what an agent accepts at all (2^24 arrivals) are left to its own refusal.
void Coordinator::check_capacity(const shared::Scenario& scenario,
                                 const shared::AgentSplit& split) const {
  constexpr uint64_t kMaxArrivalShare = uint64_t{1} << 24;
  const shared::LoadPlan plan(scenario.load);
  for (size_t i = 0; i < agents_.size(); ++i) {
    const uint64_t share = split.shares[i];
    const bool arrivals = scenario.load.arrival && share <= kMaxArrivalShare;
    const uint64_t at_once = arrivals ? plan.peak_of(shared::agent_ids(split, i)) : share;
    if (auto why = share_refusal(agents_[i]->hello, at_once)) {
      throw RunFailure(
          arrivals ? fmt::format("agent {} cannot hold the {} sessions of its {} arrivals that are "
                                 "open at once: {}",
                                 agents_[i]->link->endpoint(), at_once, share, *why)
                   : fmt::format("agent {} cannot hold its share of {} connections: {}",
                                 agents_[i]->link->endpoint(), share, *why));
    }
  }
}

void Coordinator::measure_clocks() {
  constexpr int kRounds = 5;
  for (auto& a : agents_) a->result.clock_rtt_us = std::numeric_limits<int64_t>::max();
  for (int round = 0; round < kRounds; ++round) {
    v1::ControllerMessage probe;
    probe.set_command_id(next_command_id());
    probe.mutable_clock_probe()->set_controller_send_unix_us(unix_us_now());
    send_all(probe);
    auto replies = await_all(probe.command_id(), std::chrono::seconds(10), "the clock probe");
    for (size_t i = 0; i < replies.size(); ++i) {
      const auto& c = replies[i].clock();
      const auto sample = clock_sample(c.controller_send_unix_us(), c.agent_receive_unix_us(),
                                       c.agent_send_unix_us(), last_clock_receive_[i]);
      auto& r = agents_[i]->result;
      if (sample.rtt_us < r.clock_rtt_us) {
        r.clock_rtt_us = sample.rtt_us;
        r.clock_offset_us = sample.offset_us;
      }
    }
  }
  std::vector<std::string> skewed;
  int64_t worst_us = 0;
  for (const auto& a : agents_) {
    if (std::abs(a->result.clock_offset_us) > 100'000) {
      skewed.push_back(a->link->endpoint());
      if (std::abs(a->result.clock_offset_us) > std::abs(worst_us))
        worst_us = a->result.clock_offset_us;
    }
  }
  if (auto warning = clock_warning(skewed, worst_us); !warning.empty()) live_.message(warning);
}

namespace {

// Agent `k`'s feeders: only the rows its own connections use (row = global id % row count).
void add_agent_data(const shared::Scenario& scenario, const shared::AgentSplit& split, size_t k,
                    v1::ScenarioSpec* spec) {
  if (scenario.data.empty()) return;
  const std::vector<uint32_t> ids = shared::agent_ids(split, k);
  shared::Scenario rows_only;
  for (const shared::DataFeeder& feeder : scenario.data) {
    rows_only.data.push_back(
        shared::data_subset(feeder, shared::data_rows_for(ids, feeder.row_count)));
  }
  spec->clear_data();
  spec->mutable_data()->MergeFrom(proto::to_wire(rows_only, "").data());
}

}  // namespace

void Coordinator::assign(const shared::Scenario& scenario, const shared::AgentSplit& split) {
  const std::vector<uint64_t>& shares = split.shares;
  const std::string ca_pem = read_ca(scenario);
  shared::Scenario without_data = scenario;
  without_data.data.clear();
  const auto spec = proto::to_wire(without_data, ca_pem, [](const std::string& path) {
    shared::Scenario with_ca;
    with_ca.target.tls.ca_file = path;
    return read_ca(with_ca);
  });
  const uint64_t id = next_command_id();
  for (size_t i = 0; i < agents_.size(); ++i) {
    v1::ControllerMessage message;
    message.set_command_id(id);
    auto* a = message.mutable_assignment();
    a->set_agent_index(static_cast<uint32_t>(i));
    a->set_agent_count(static_cast<uint32_t>(agents_.size()));
    a->set_total_connections(scenario.load.connections);
    a->mutable_shares()->Add(shares.begin(), shares.end());
    for (const auto& row : split.group_shares)
      a->mutable_group_shares()->Add(row.begin(), row.end());
    *a->mutable_scenario() = spec;
    add_agent_data(scenario, split, i, a->mutable_scenario());
    a->set_report_interval_ms(static_cast<uint64_t>(options_.report_interval.count()));
    agents_[i]->result.share = shares[i];
    spdlog::debug("agent {}: assigned {} of {} connections", agents_[i]->link->endpoint(),
                  shares[i], scenario.load.connections);
    agents_[i]->link->send(message);
  }
  await_all(id, std::chrono::seconds(30), "the assignment");
}

StageResult Coordinator::run(const shared::Scenario& scenario) {
  StageResult result;
  result.scenario = scenario;
  const auto t_connect = Clock::now();
  connect_all();
  std::vector<double> weights;
  for (const auto& e : endpoints_) weights.push_back(e.weight);
  shared::AgentSplit split;
  const auto groups = shared::effective_groups(scenario);
  if (auto problem = shared::split_agents(scenario.load.connections, groups, weights, &split);
      !problem.empty()) {
    throw RunFailure(problem);
  }
  check_capacity(scenario, split);
  const auto t_hello = Clock::now();
  measure_clocks();
  const auto t_clocks = Clock::now();
  assign(scenario, split);
  spdlog::debug("{} agent(s): hello {} ms, clocks {} ms, assignment {} ms", agents_.size(),
                milliseconds(t_connect, t_hello), milliseconds(t_hello, t_clocks),
                milliseconds(t_clocks, Clock::now()));
  execute(scenario, result);
  live_.flush_notices();  // agents lost since the last live update
  for (const auto& a : agents_) {
    result.agents.push_back(a->result);
    result.totals.merge(a->result.totals);
  }
  return result;
}

}  // namespace wsload::controller
