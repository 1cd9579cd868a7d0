// The running part of a stage: synchronized start, deltas, heartbeats, loss detection and stop.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "report/interval_views.hpp"
#include "run/agent_notices.hpp"
#include "run/coordinator.hpp"
#include "run/live_frame.hpp"
#include "run/monitor_poller.hpp"
#include "run/stage_clock.hpp"
#include "run/timeline_aligner.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/proto/convert.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::controller {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartLead = std::chrono::milliseconds(1000);  // time agents get to arm timers
constexpr auto kStopGrace = std::chrono::seconds(5);          // final reports after a stop
constexpr auto kOverrun = std::chrono::seconds(15);           // past the plan before we stop
constexpr auto kPublishStep = std::chrono::seconds(1);        // --metrics-listen, --web refresh
constexpr int kDrainLimit = 4096;  // queued events taken per loop round besides the first

using shared::unix_us_now;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

// Everything execute() keeps between events and ticks.
struct Coordinator::Loop {
  const shared::Scenario& scenario;
  StageResult& result;
  Clock::time_point t_start;
  TimelineAligner aligner;
  shared::LoadPlan plan;  // the stage's load shape: the target level at any instant
  std::unique_ptr<MonitorPoller> monitor{};
  std::string monitor_note{};                      // last note printed about dropped monitor fields
  std::map<std::string, double> monitor_fields{};  // the monitor's latest, for the publishers
  shared::MetricsDelta running{};                  // everything so far, for the publishers
  shared::MetricsDelta scratch{};  // each report is decoded here, reusing its storage
  shared::MetricsDelta live{};     // aligned intervals since the last live update
  uint64_t live_intervals = 0;
  std::optional<Clock::time_point> stop_deadline{};
  bool hurried = false;  // a second interrupt: stop waiting for final reports
  Clock::time_point next_heartbeat{}, next_publish{}, next_live{}, planned_end{}, last_final{};
  std::vector<std::string> newly_late{};  // agents with a first late report since the live update
  shared::PartIndex parts{};  // the stage's streams, steps and groups (format v2; empty for v1)
};

void Coordinator::stop_all(v1::Stop::Reason reason) {
  v1::ControllerMessage stop;
  stop.set_command_id(next_command_id());
  stop.mutable_stop()->set_reason(reason);
  stop.mutable_stop()->set_grace_ms(2000);
  send_all(stop);
}

AgentPhase Coordinator::apply(size_t index, AgentInput input) {
  auto& agent = *agents_[index];
  agent.phase = next_phase(agent.phase, input);
  agent.result.finished = agent.phase == AgentPhase::kFinished || agent.phase == AgentPhase::kEnded;
  agent.result.lost = agent.phase == AgentPhase::kLost;
  // Neither a finished nor a lost agent holds timeline points back.
  if (loop_ && !agent.active()) loop_->aligner.retire(index);
  return agent.phase;
}

void Coordinator::mark_lost(size_t index, const std::string& reason, StageResult& result) {
  auto& agent = *agents_[index];
  if (!agent.active()) return;  // finished agents' figures are complete; lost ones already counted
  apply(index, AgentInput::kLost);
  agent.result.loss_reason = reason;
  agent.result.open_connections = 0;
  agent.result.in_flight = 0;
  agent.link->cancel();
  result.partial = true;
  live_.agent_lost(agent.link->endpoint(), reason, agent.result.share);
  if (options_.on_agent_loss == AgentLossPolicy::kAbort && !result.aborted) {
    result.aborted = true;
    result.abort_reason = fmt::format("agent {} lost: {}", agent.link->endpoint(), reason);
    live_.message("stopping the run (--on-agent-loss abort)");
    stop_all(v1::Stop::REASON_ABORTED);
  }
}

Clock::time_point Coordinator::start_agents(StageResult& result) {
  int64_t max_rtt = 0;
  for (const auto& a : agents_) max_rtt = std::max(max_rtt, a->result.clock_rtt_us);
  const auto lead = kStartLead + std::chrono::microseconds(2 * max_rtt);
  const int64_t start_us =
      unix_us_now() + std::chrono::duration_cast<std::chrono::microseconds>(lead).count();
  const auto t_start = Clock::now() + lead;
  result.start_unix_ms = start_us / 1000;
  for (auto& a : agents_) {
    v1::ControllerMessage start;
    start.set_command_id(next_command_id());
    start.mutable_start_at()->set_start_unix_us(start_us + a->result.clock_offset_us);
    a->link->send(start);
    a->last_heard = t_start;  // agents report only once started
    spdlog::debug("agent {}: starts at unix {} us on its clock (offset {} us, rtt {} us)",
                  a->link->endpoint(), start_us + a->result.clock_offset_us,
                  a->result.clock_offset_us, a->result.clock_rtt_us);
  }
  return t_start;
}

void Coordinator::on_report(size_t index, const v1::AgentMessage& m, Clock::time_point queued_at,
                            Loop& loop) {
  auto& agent = *agents_[index];
  const v1::IntervalReport& report = m.has_interval() ? m.interval() : m.final().last();
  if (!proto::from_wire(report.delta(), &loop.scratch)) {
    mark_lost(index, "sent a report that does not decode", loop.result);
    return;
  }
  if (report.sequence() != agent.last_sequence + 1) {
    spdlog::warn("agent {}: report {} after {}", agent.link->endpoint(), report.sequence(),
                 agent.last_sequence);
  }
  agent.last_sequence = report.sequence();
  spdlog::trace(
      "agent {}: {} {} for interval {}: +{} established, +{} failed, +{} sent, +{} received, {} "
      "open",
      agent.link->endpoint(), m.has_final() ? "final report" : "report", report.sequence(),
      report.interval_index(), loop.scratch.counters.connections_established,
      loop.scratch.counters.connections_failed, loop.scratch.counters.messages_sent,
      loop.scratch.counters.messages_received, report.open_connections());
  for (const auto& [reason, n] : loop.scratch.counters.failures) {
    spdlog::debug("agent {}: {} connection(s) failed: {}", agent.link->endpoint(), n, reason);
  }
  agent.last_heard = std::max(agent.last_heard, queued_at);
  if (report.late_threads() > 0 && agent.result.late_reports++ == 0)
    loop.newly_late.push_back(agent.link->endpoint());
  agent.result.totals.merge(loop.scratch);
  loop.aligner.add(index, report.interval_index(), loop.scratch, report.open_connections());
  if (!publishers_.empty()) loop.running.merge(loop.scratch);
  agent.result.open_connections = report.open_connections();
  agent.result.in_flight = report.in_flight();
  if (m.has_final()) {
    apply(index, AgentInput::kFinalReport);
    loop.last_final = Clock::now();
  }
}

void Coordinator::on_event(const AgentEvent& event, Loop& loop) {
  auto& agent = *agents_[event.agent];
  if (!event.message) {
    if (agent.active())
      mark_lost(event.agent, describe_status(agent.link->endpoint(), event.status), loop.result);
    apply(event.agent, AgentInput::kStreamEnded);
  } else if (agent.active() && (event.message->has_interval() || event.message->has_final())) {
    on_report(event.agent, *event.message, event.queued_at, loop);
  }
  loop.result.peak_open = std::max(loop.result.peak_open, open_connections());
}

// Heartbeats, silent agents, interrupts, the planned end and the stop deadline.
void Coordinator::supervise(Loop& loop, Clock::time_point now) {
  auto& result = loop.result;
  if (now >= loop.next_heartbeat) {
    send_heartbeat();
    loop.next_heartbeat = now + kHeartbeatInterval;
  }
  for (size_t i = 0; i < agents_.size(); ++i) {
    if (agents_[i]->active() && now - agents_[i]->last_heard > 3 * options_.report_interval) {
      mark_lost(i, "silent for 3 report intervals", result);
    }
  }
  auto request_stop = [&](v1::Stop::Reason reason) {
    if (loop.stop_deadline) return;
    stop_all(reason);
    loop.stop_deadline = now + kStopGrace;
  };
  if (result.aborted) request_stop(v1::Stop::REASON_ABORTED);
  if (interrupts_.load() >= 1 && !result.interrupted) {
    result.interrupted = true;
    live_.message(
        "interrupted: stopping the agents and writing the report "
        "(interrupt again to stop waiting for their final reports)");
    request_stop(v1::Stop::REASON_INTERRUPTED);
  }
  if (interrupts_.load() >= 2 && !loop.hurried) {
    loop.hurried = true;
    live_.message(
        "second interrupt: not waiting for final reports; writing the report with what arrived");
    loop.stop_deadline = now;
  }
  if (now > loop.planned_end && !loop.stop_deadline) {
    live_.message("the run is past its planned end; stopping the agents");
    request_stop(v1::Stop::REASON_COMPLETED);
  }
  if (loop.stop_deadline && now >= *loop.stop_deadline) {
    const auto why = loop.hurried ? std::string("no final report before the second interrupt")
                                  : "no final report within 5 s of the stop";
    for (size_t i = 0; i < agents_.size(); ++i) {
      if (agents_[i]->active()) mark_lost(i, why, result);
    }
  }
}

void Coordinator::add_points(Loop& loop, const std::vector<AlignedInterval>& points, bool at_end) {
  const double step_s = std::chrono::duration<double>(options_.report_interval).count();
  const double end_s = seconds_between(loop.t_start, loop.last_final);
  for (const auto& point : points) {
    double t_s = static_cast<double>(point.index) * step_s;
    // The last interval of a run is cut short by the final reports.
    if (at_end && end_s > t_s - step_s && end_s < t_s) t_s = end_s;
    const auto at =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(t_s));
    // The target is what the plan has open at the point's end (exact, as the agents run it).
    loop.result.timeline.push_back(timeline_point(point.delta, t_s,
                                                  phase_at(at, loop.scenario.load), point.open,
                                                  loop.plan.level(at), healthy_agents()));
    if (loop.monitor) loop.result.timeline.back().monitor = loop.monitor->latest();
    loop.result.peak_open = std::max(loop.result.peak_open, point.open);
    loop.live.merge(point.delta);
    ++loop.live_intervals;
  }
}

// One live line for the agents whose first late report came since the last one.
void Coordinator::tell_late_agents(Loop& loop) {
  if (loop.newly_late.empty()) return;
  live_.message(fmt::format(
      "{} agent(s) behind ({}): a report went before one of their load threads answered; its "
      "figures follow in a later timeline point (is the machine saturated?)",
      loop.newly_late.size(), agent_list(loop.newly_late)));
  loop.newly_late.clear();
}

void Coordinator::update_live(Loop& loop, Clock::time_point now) {
  uint64_t errors = 0;
  for (const auto& a : agents_) errors += error_count(a->result.totals.counters);
  const auto& load = loop.scenario.load;
  const double planned_s = std::chrono::duration<double>(loop.plan.end()).count();
  const double window_s = static_cast<double>(loop.live_intervals) *
                          std::chrono::duration<double>(options_.report_interval).count();
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - loop.t_start);
  auto snapshot =
      live_snapshot(loop.live, window_s, seconds_between(loop.t_start, now), planned_s,
                    phase_at(elapsed, load), open_connections(), loop.plan.level(elapsed), errors,
                    healthy_agents(), static_cast<unsigned>(agents_.size()), loop.parts);
  snapshot.arrival_rate = loop.plan.arrival_rate();
  if (loop.monitor) {
    snapshot.server = loop.monitor->latest();
    snapshot.server_error = loop.monitor->last_error();
    if (auto note = loop.monitor->last_note(); !note.empty() && note != loop.monitor_note) {
      live_.message("monitor: " + note);
      loop.monitor_note = std::move(note);
    }
  }
  tell_late_agents(loop);
  live_.update(snapshot);
  loop.live = {};
  loop.live_intervals = 0;
}

void Coordinator::publish_metrics(Loop& loop, Clock::time_point now) {
  if (publishers_.empty()) return;
  std::vector<AgentExposition> agents;
  agents.reserve(agents_.size());
  for (const auto& a : agents_) {
    agents.push_back({a->link->endpoint(), &a->result.totals, a->result.open_connections,
                      a->phase != AgentPhase::kLost, agent_phase_name(a->phase),
                      a->result.late_reports});
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - loop.t_start);
  if (loop.monitor) loop.monitor_fields = loop.monitor->latest();
  const LiveFrame frame{
      .scenario = loop.scenario,
      .parts = loop.parts,
      .figures = {.delta = loop.running,
                  .open = open_connections(),
                  .peak_open = loop.result.peak_open,
                  .duration_s = seconds_between(loop.t_start, now),
                  // connections.rate so far: over the opening time that has passed
                  .ramp_up_s =
                      std::min(opening_s(loop.scenario.load), seconds_between(loop.t_start, now)),
                  .arrivals = loop.scenario.load.arrival.has_value()},
      .agents = agents,
      .timeline = loop.result.timeline,
      .phase = phase_at(elapsed, loop.scenario.load),
      .target = loop.plan.level(elapsed),
      .planned_s = std::chrono::duration<double>(loop.plan.end()).count(),
      .agents_healthy = healthy_agents(),
      .agents_total = static_cast<unsigned>(agents_.size()),
      .server = loop.monitor ? &loop.monitor_fields : nullptr,
      .server_error = loop.monitor ? loop.monitor->last_error() : std::string()};
  for (auto* p : publishers_) p->publish(frame);
}

void Coordinator::execute(const shared::Scenario& scenario, StageResult& result) {
  const auto t_start = start_agents(result);
  Loop loop{.scenario = scenario,
            .result = result,
            .t_start = t_start,
            .aligner = TimelineAligner(agents_.size()),
            .plan = shared::LoadPlan(scenario.load)};
  loop_ = &loop;
  loop.parts = stage_parts(scenario);
  if (scenario.monitor) {
    std::string error;
    if (auto url = parse_http_url(scenario.monitor->url, &error)) {
      loop.monitor = std::make_unique<MonitorPoller>(*url, scenario.monitor->interval);
    } else {
      live_.message("monitor disabled: " + error);
    }
  }
  loop.planned_end = t_start + planned_length(scenario) + kOverrun;
  loop.next_heartbeat = Clock::now();
  loop.next_publish = t_start + kPublishStep;
  loop.next_live = t_start + options_.live_interval;
  loop.last_final = t_start;

  while (any_active()) {
    const auto wake = std::min({loop.next_heartbeat, loop.next_publish, loop.next_live,
                                Clock::now() + std::chrono::milliseconds(100)});
    if (auto event = events_.pop(wake)) on_event(*event, loop);
    // Everything already queued is taken before silence is judged: on a saturated machine the
    // reports of many agents can be waiting here, and they are not silence.
    for (int more = 0; more < kDrainLimit; ++more) {
      auto event = events_.pop(Clock::time_point::min());
      if (!event) break;
      on_event(*event, loop);
    }
    const auto now = Clock::now();
    supervise(loop, now);
    add_points(loop, loop.aligner.take_complete(), false);
    if (now >= loop.next_publish) {
      publish_metrics(loop, now);
      loop.next_publish += kPublishStep;
    }
    if (now >= loop.next_live) {
      update_live(loop, now);
      loop.next_live += options_.live_interval;
    }
  }
  add_points(loop, loop.aligner.take_all(), true);
  tell_late_agents(loop);  // those since the last live update
  // The final figures, at the report's duration, for a scrape after the run.
  publish_metrics(loop, loop.last_final);
  result.duration_s = std::max(0.0, seconds_between(t_start, loop.last_final));
  loop_ = nullptr;
  drain_sessions();
}

// Closes our side and waits until every agent has ended its session, so that the next stage (or
// another controller) finds them idle.
void Coordinator::drain_sessions() {
  for (auto& a : agents_) a->link->close_writes();
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  auto open = [](const auto& a) {
    return a->phase != AgentPhase::kEnded && a->phase != AgentPhase::kLost;
  };
  while (std::any_of(agents_.begin(), agents_.end(), open)) {
    auto event = events_.pop(deadline);
    if (!event) break;
    if (!event->message) apply(event->agent, AgentInput::kStreamEnded);
  }
}

uint64_t Coordinator::open_connections() const {
  uint64_t open = 0;
  for (const auto& a : agents_) open += a->result.open_connections;
  return open;
}

unsigned Coordinator::healthy_agents() const {
  return static_cast<unsigned>(std::count_if(
      agents_.begin(), agents_.end(), [](const auto& a) { return a->phase != AgentPhase::kLost; }));
}

bool Coordinator::any_active() const {
  return std::any_of(agents_.begin(), agents_.end(), [](const auto& a) { return a->active(); });
}

}  // namespace wsload::controller
