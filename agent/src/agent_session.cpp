#include "agent_session.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "wsload/proto/convert.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/shared/planner.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::agent {
namespace {

using Clock = std::chrono::steady_clock;
// SPEC §6: when the controller disappears, the load stops and the connections are closed within
// 3 s. The controller heartbeats every 500 ms; 2 s of silence (checked every 100 ms) plus a
// 400 ms close bound keep a silent controller (a partition, not only a broken stream) inside it.
constexpr auto kControllerSilenceLimit = std::chrono::seconds(2);
constexpr auto kWatchdogTick = std::chrono::milliseconds(100);
constexpr auto kOrphanCloseGrace = std::chrono::milliseconds(400);

using shared::unix_us_now;

uint64_t ephemeral_port_count() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  uint64_t low = 0, high = 0;
  if (!(in >> low >> high) || high < low) return 0;
  return high - low + 1;
}

// Writes all of `data` to `fd`; 0 on success.
int write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return -1;
    done += static_cast<size_t>(n);
  }
  return 0;
}

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "unknown";
  return buffer;
}

}  // namespace

AgentSession::AgentSession(const AgentConfig& config, grpc::ServerContext* context, Stream* stream)
    : config_(config), context_(context), stream_(stream), last_heard_(Clock::now()) {}

AgentSession::~AgentSession() {
  {
    std::lock_guard lock(state_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (engine_) engine_->stop();
  if (reporter_.joinable()) reporter_.join();
  engine_.reset();  // closes every connection before the session is gone
  if (!ca_file_.empty()) std::remove(ca_file_.c_str());
}

void AgentSession::run() {
  reporter_ = std::thread([this] { report_loop(); });
  v1::ControllerMessage message;
  while (stream_->Read(&message)) {
    {
      std::lock_guard lock(state_mutex_);
      last_heard_ = Clock::now();
    }
    handle(message);
  }
  spdlog::info("controller stream closed; stopping the load");
}

void AgentSession::write(const v1::AgentMessage& message) {
  std::lock_guard lock(write_mutex_);
  if (!stream_->Write(message)) spdlog::debug("write to controller failed (stream closed)");
}

void AgentSession::refuse(uint64_t command_id, const std::string& reason) {
  spdlog::warn("refused: {}", reason);
  v1::AgentMessage reply;
  reply.set_command_id(command_id);
  reply.mutable_refused()->set_reason(reason);
  write(reply);
}

void AgentSession::handle(const v1::ControllerMessage& message) {
  const auto id = message.command_id();
  switch (message.body_case()) {
    case v1::ControllerMessage::kHello: {
      v1::AgentMessage reply;
      reply.set_command_id(id);
      auto* hello = reply.mutable_hello();
      hello->set_agent_version(WSLOAD_VERSION);
      hello->set_protocol_version(proto::kProtocolVersion);
      hello->set_hostname(host_name());
      hello->set_threads(config_.threads);
      hello->set_fd_budget(fd_budget());
      hello->set_ephemeral_ports(ephemeral_port_count());
      hello->set_source_ips(static_cast<uint32_t>(config_.source_ips.size()));
      write(reply);
      break;
    }
    case v1::ControllerMessage::kAssignment:
      on_assignment(id, message.assignment());
      break;
    case v1::ControllerMessage::kClockProbe: {
      const auto received = unix_us_now();
      v1::AgentMessage reply;
      reply.set_command_id(id);
      auto* clock = reply.mutable_clock();
      clock->set_controller_send_unix_us(message.clock_probe().controller_send_unix_us());
      clock->set_agent_receive_unix_us(received);
      clock->set_agent_send_unix_us(unix_us_now());
      write(reply);
      break;
    }
    case v1::ControllerMessage::kStartAt:
      on_start(id, message.start_at());
      break;
    case v1::ControllerMessage::kStop: {
      spdlog::info("stop requested by the controller (reason {})",
                   static_cast<int>(message.stop().reason()));
      const auto grace = std::chrono::milliseconds(
          message.stop().grace_ms() > 0 ? message.stop().grace_ms() : 2000);
      if (engine_) engine_->stop(grace);
      {
        std::lock_guard lock(state_mutex_);
        stopping_ = true;
      }
      wake_.notify_all();
      break;
    }
    case v1::ControllerMessage::kHeartbeat:
      break;  // last_heard_ is already refreshed
    case v1::ControllerMessage::BODY_NOT_SET:
      refuse(id, "empty command");
      break;
  }
}

// The shares must describe a whole plan with a place for this agent, and its own share must fit
// before its ids are computed (a hostile or mistaken share must not allocate gigabytes).
std::optional<std::string> AgentSession::check_shares(const v1::Assignment& wire,
                                                      const std::vector<uint64_t>& shares) {
  uint64_t sum = 0;
  for (uint64_t s : shares) sum += std::min<uint64_t>(s, wire.total_connections() + 1);
  if (shares.size() != wire.agent_count() || wire.agent_index() >= shares.size() ||
      sum != wire.total_connections()) {
    return fmt::format(
        "the assignment's shares ({} of them, summing to {}) do not split {} connections over {} "
        "agents",
        shares.size(), sum, wire.total_connections(), wire.agent_count());
  }
  if (wire.total_connections() > (uint64_t{1} << 32))
    return std::string("more than 2^32 connections in one run");
  // An arrival model opens its share over time: the engine checks the most open at once. Its ids
  // still take memory (4 bytes each), so even then the share is bounded.
  constexpr uint64_t kMaxArrivalShare = uint64_t{1} << 24;
  if (wire.scenario().has_arrival() && shares[wire.agent_index()] <= kMaxArrivalShare) {
    return std::nullopt;
  }
  if (shares[wire.agent_index()] > fd_budget()) {
    return fmt::format(
        "this agent cannot hold a share of {} connections: its file-descriptor budget is {}",
        shares[wire.agent_index()], fd_budget());
  }
  return std::nullopt;
}

// The split the controller made (shared::split_agents), rebuilt from the shares, the scenario's
// groups and, with several groups, the group shares, and checked.
std::optional<std::string> AgentSession::split_of(const v1::Assignment& wire,
                                                  const shared::Scenario& scenario,
                                                  const std::vector<uint64_t>& shares,
                                                  shared::AgentSplit* split) {
  const auto groups = shared::effective_groups(scenario);
  if (auto e = shared::group_counts(wire.total_connections(), groups, &split->group_counts);
      !e.empty()) {
    return e;
  }
  split->shares = shares;
  const auto& flat = wire.group_shares();
  if (groups.size() > 1 && static_cast<size_t>(flat.size()) == groups.size() * shares.size()) {
    for (size_t g = 0; g < groups.size(); ++g) {
      const auto* row = flat.data() + g * shares.size();
      split->group_shares.emplace_back(row, row + shares.size());
    }
  } else if (groups.size() > 1 || !flat.empty()) {
    return fmt::format("the assignment has {} group shares for {} groups and {} agents",
                       flat.size(), groups.size(), shares.size());
  }
  if (auto e = shared::check_split(*split); !e.empty()) return "the assignment's split: " + e;
  return std::nullopt;
}

void AgentSession::on_assignment(uint64_t command_id, const v1::Assignment& wire) {
  if (engine_) {
    refuse(command_id, "this session already has an assignment");
    return;
  }
  std::string ca_pem;
  Assignment assignment;
  assignment.scenario = proto::from_wire(wire.scenario(), &ca_pem);
  assignment.agent_index = wire.agent_index();
  assignment.total_connections = wire.total_connections();
  const std::vector<uint64_t> shares(wire.shares().begin(), wire.shares().end());
  if (auto error = check_shares(wire, shares)) {
    refuse(command_id, *error);
    return;
  }
  shared::AgentSplit split;
  if (auto error = split_of(wire, assignment.scenario, shares, &split)) {
    refuse(command_id, *error);
    return;
  }
  assignment.connection_ids = shared::agent_ids(split, wire.agent_index());
  assignment.source_ips = config_.source_ips;
  for (const auto& ip : wire.source_ips()) assignment.source_ips.push_back(ip);
  if (!ca_pem.empty()) {
    char path[] = "/tmp/wsload-agent-ca-XXXXXX";
    const int fd = mkstemp(path);
    if (fd < 0 || write_all(fd, ca_pem) != 0) {
      if (fd >= 0) close(fd);
      refuse(command_id, "cannot store the scenario's CA certificate in /tmp");
      return;
    }
    close(fd);
    ca_file_ = path;
    assignment.scenario.target.tls.ca_file = ca_file_;
  }
  const auto share = assignment.connection_ids.size();
  auto engine = std::make_unique<Engine>(config_.threads);
  if (auto error = engine->prepare(std::move(assignment))) {
    refuse(command_id, *error);
    return;
  }
  {
    // The reporter thread reads engine_ and report_interval_ under state_mutex_.
    std::lock_guard lock(state_mutex_);
    engine_ = std::move(engine);
    if (wire.report_interval_ms() > 0)
      report_interval_ = std::chrono::milliseconds(wire.report_interval_ms());
  }
  spdlog::info("assignment accepted: {} connections of {} (agent {} of {})", share,
               wire.total_connections(), wire.agent_index() + 1, wire.agent_count());
  v1::AgentMessage reply;
  reply.set_command_id(command_id);
  reply.mutable_ready()->set_connections(share);
  write(reply);
}

void AgentSession::on_start(uint64_t command_id, const v1::StartAt& start) {
  if (!engine_) {
    refuse(command_id, "start without an accepted assignment");
    return;
  }
  // The start instant is on this agent's clock; map it onto the steady clock once.
  const auto delay = std::chrono::microseconds(start.start_unix_us() - unix_us_now());
  const auto t0 = Clock::now() + delay;
  spdlog::info("starting in {} ms",
               std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  engine_->start(t0);
  {
    std::lock_guard lock(state_mutex_);
    started_ = true;
    t0_ = t0;
  }
  wake_.notify_all();
}

bool AgentSession::send_report(uint64_t sequence, uint64_t index, const ReportStep& step) {
  auto snapshot = engine_->take_delta(step.answer_by);
  if (snapshot.late_threads > 0) {
    // Once at warn (the machine is saturated or the share too large for the threads), then debug.
    spdlog::log(late_reports_++ == 0 ? spdlog::level::warn : spdlog::level::debug,
                "report {}: {} load thread(s) did not answer within half a report interval; their "
                "figures follow in a later report",
                sequence, snapshot.late_threads);
  }
  v1::AgentMessage message;
  v1::IntervalReport* report = nullptr;
  if (snapshot.finished) {
    auto* final_report = message.mutable_final();
    final_report->set_stopped_early(step.stopped_early);
    report = final_report->mutable_last();
  } else {
    report = message.mutable_interval();
  }
  report->set_sequence(sequence);
  report->set_interval_index(index);
  report->set_agent_unix_us(unix_us_now());
  report->set_open_connections(snapshot.open_connections);
  report->set_in_flight(snapshot.in_flight);
  report->set_late_threads(static_cast<uint32_t>(snapshot.late_threads));
  proto::to_wire(snapshot.delta, report->mutable_delta());
  write(message);
  return snapshot.finished;
}

// Interval reports are cut at t0 + k * interval (k = 1, 2, ...) on the synchronized clock, so the
// controller can put every agent's k-th delta into the same timeline point; the final report (or
// one forced by a stop) carries the index of the interval in progress.
AgentSession::ReportStep AgentSession::next_report_step(ReportSchedule& schedule) {
  std::unique_lock lock(state_mutex_);
  for (;;) {
    // Woken early by notify (start, stop, finish) or by the watchdog tick.
    wake_.wait_until(lock, std::min(schedule.next, Clock::now() + kWatchdogTick));
    if (Clock::now() - last_heard_ > kControllerSilenceLimit)
      return {ReportStep::kOrphaned, engine_.get()};
    if (!started_) {
      if (stopping_) return {ReportStep::kEndBeforeStart};
      continue;
    }
    if (schedule.next == Clock::time_point::max()) schedule.next = t0_ + report_interval_;
    const auto now = Clock::now();
    if (now < schedule.next && !stopping_ && !engine_->finished()) continue;
    const uint64_t elapsed = now > t0_ ? static_cast<uint64_t>((now - t0_) / report_interval_) : 0;
    // A report on a boundary closes the interval that ends there; an early one (stop, finish)
    // belongs to the interval in progress, which later reports may add to. Never decreasing.
    schedule.index = now >= schedule.next ? elapsed : std::max(schedule.index, elapsed + 1);
    while (schedule.next <= now) schedule.next += report_interval_;
    return {ReportStep::kReport, nullptr, stopping_, now + report_interval_ / 2};
  }
}

void AgentSession::report_loop() {
  ReportSchedule schedule;
  for (;;) {
    const auto step = next_report_step(schedule);  // takes state_mutex_ only while it decides
    switch (step.action) {
      case ReportStep::kOrphaned:
        spdlog::warn(
            "controller silent for more than {} s; stopping the load",
            std::chrono::duration_cast<std::chrono::seconds>(kControllerSilenceLimit).count());
        if (step.engine) step.engine->stop(kOrphanCloseGrace);
        context_->TryCancel();
        return;
      case ReportStep::kEndBeforeStart: {
        // Stopped before the start: a final report still tells the controller the session is over.
        v1::AgentMessage message;
        message.mutable_final()->set_stopped_early(true);
        write(message);
        return;
      }
      case ReportStep::kReport:
        if (send_report(++schedule.sequence, schedule.index, step)) return;
        break;
    }
  }
}

}  // namespace wsload::agent
