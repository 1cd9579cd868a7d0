// The running part of a stage: synchronized start, deltas, heartbeats, loss detection and stop.
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "coordinator.hpp"
#include "interval_views.hpp"
#include "metrics_server.hpp"
#include "monitor_poller.hpp"
#include "stage_clock.hpp"
#include "wsload/proto/convert.hpp"

namespace wsload::controller {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartLead = std::chrono::milliseconds(1000);  // time agents get to arm timers
constexpr auto kStopGrace = std::chrono::seconds(5);          // final reports after a stop
constexpr auto kOverrun = std::chrono::seconds(15);           // past the plan before we stop
constexpr auto kTimelineStep = std::chrono::seconds(1);

int64_t unix_us_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Interval accumulator for the timeline and the live view.
struct Window {
  shared::MetricsDelta delta;
  Clock::time_point since;
};

}  // namespace

void Coordinator::stop_all(v1::Stop::Reason reason) {
  v1::ControllerMessage stop;
  stop.set_command_id(next_command_id());
  stop.mutable_stop()->set_reason(reason);
  stop.mutable_stop()->set_grace_ms(2000);
  send_all(stop);
}

void Coordinator::mark_lost(size_t index, const std::string& reason, StageResult& result) {
  auto& agent = *agents_[index];
  if (agent.result.lost || agent.result.finished) return;
  agent.result.lost = true;
  agent.result.loss_reason = reason;
  agent.result.open_connections = 0;
  agent.result.in_flight = 0;
  agent.link->cancel();
  result.partial = true;
  live_.message(fmt::format("agent {} lost: {} (its {} connections' metrics up to now are kept)",
                            agent.link->endpoint(), reason, agent.result.share));
  if (options_.on_agent_loss == AgentLossPolicy::kAbort && !result.aborted) {
    result.aborted = true;
    result.abort_reason = fmt::format("agent {} lost: {}", agent.link->endpoint(), reason);
    live_.message("stopping the run (--on-agent-loss abort)");
    stop_all(v1::Stop::REASON_ABORTED);
  }
}

void Coordinator::execute(const shared::Scenario& scenario, StageResult& result) {
  int64_t max_rtt = 0;
  for (const auto& a : agents_) max_rtt = std::max(max_rtt, a->result.clock_rtt_us);
  const auto lead = kStartLead + std::chrono::microseconds(2 * max_rtt);
  const int64_t start_us = unix_us_now() + std::chrono::duration_cast<std::chrono::microseconds>(lead).count();
  const auto t_start = Clock::now() + lead;
  result.start_unix_ms = start_us / 1000;
  for (auto& a : agents_) {
    v1::ControllerMessage start;
    start.set_command_id(next_command_id());
    start.mutable_start_at()->set_start_unix_us(start_us + a->result.clock_offset_us);
    a->link->send(start);
    a->last_heard = t_start;  // agents report only once started
  }

  std::unique_ptr<MonitorPoller> monitor;
  if (scenario.monitor) {
    std::string error;
    if (auto url = parse_http_url(scenario.monitor->url, &error)) {
      monitor = std::make_unique<MonitorPoller>(*url, scenario.monitor->interval);
    } else {
      live_.message("monitor disabled: " + error);
    }
  }

  const auto silence_limit = 3 * options_.report_interval;
  const auto planned_end = t_start + planned_length(scenario) + kOverrun;
  std::optional<Clock::time_point> stop_deadline;
  auto next_heartbeat = Clock::now();
  Window timeline{{}, t_start}, live{{}, t_start};
  shared::MetricsDelta running;  // everything so far, for --metrics-listen
  shared::MetricsDelta scratch;  // each report is decoded here, reusing its storage
  auto next_timeline = t_start + kTimelineStep;
  auto next_live = t_start + options_.live_interval;
  Clock::time_point last_final = t_start;

  auto gauges = [&] {
    uint64_t open = 0;
    unsigned healthy = 0;
    for (const auto& a : agents_) {
      open += a->result.open_connections;
      if (!a->result.lost) ++healthy;
    }
    return std::pair{open, healthy};
  };
  auto any_active = [&] {
    return std::any_of(agents_.begin(), agents_.end(), [](const auto& a) { return a->active(); });
  };
  auto request_stop = [&](v1::Stop::Reason reason) {
    if (stop_deadline) return;
    stop_all(reason);
    stop_deadline = Clock::now() + kStopGrace;
  };

  while (any_active()) {
    const auto now0 = Clock::now();
    auto wake = std::min({next_heartbeat, next_timeline, next_live, now0 + std::chrono::milliseconds(100)});
    if (auto event = events_.pop(wake)) {
      auto& agent = *agents_[event->agent];
      if (!event->message) {
        agent.ended = true;
        if (agent.active()) mark_lost(event->agent, describe_status(agent.link->endpoint(), event->status), result);
      } else if (agent.active()) {
        const auto& m = *event->message;
        const v1::IntervalReport* report = m.has_interval() ? &m.interval()
                                           : m.has_final()  ? &m.final().last()
                                                            : nullptr;
        if (report) {
          if (!proto::from_wire(report->delta(), &scratch)) {
            mark_lost(event->agent, "sent a report that does not decode", result);
          } else {
            if (report->sequence() != agent.last_sequence + 1) {
              spdlog::warn("agent {}: report {} after {}", agent.link->endpoint(), report->sequence(),
                           agent.last_sequence);
            }
            agent.last_sequence = report->sequence();
            agent.last_heard = Clock::now();
            agent.result.totals.merge(scratch);
            timeline.delta.merge(scratch);
            live.delta.merge(scratch);
            if (metrics_server_) running.merge(scratch);
            agent.result.open_connections = report->open_connections();
            agent.result.in_flight = report->in_flight();
            if (m.has_final()) {
              agent.result.finished = true;
              last_final = Clock::now();
            }
          }
        } else if (m.has_heartbeat()) {
          agent.last_heard = Clock::now();
        }
      }
      result.peak_open = std::max(result.peak_open, gauges().first);
    }

    const auto now = Clock::now();
    if (now >= next_heartbeat) {
      send_heartbeat();
      next_heartbeat = now + kHeartbeatInterval;
    }
    for (size_t i = 0; i < agents_.size(); ++i) {
      if (agents_[i]->active() && now - agents_[i]->last_heard > silence_limit) {
        mark_lost(i, fmt::format("silent for {} report intervals", 3), result);
      }
    }
    if (result.aborted) request_stop(v1::Stop::REASON_ABORTED);
    if (interrupted_.load() && !result.interrupted) {
      result.interrupted = true;
      live_.message("interrupted: stopping the agents and writing the report");
      request_stop(v1::Stop::REASON_INTERRUPTED);
    }
    if (now > planned_end && !stop_deadline) {
      live_.message("the run is past its planned end; stopping the agents");
      request_stop(v1::Stop::REASON_COMPLETED);
    }
    if (stop_deadline && now > *stop_deadline) {
      for (size_t i = 0; i < agents_.size(); ++i) {
        if (agents_[i]->active()) mark_lost(i, "no final report within 5 s of the stop", result);
      }
    }
    const auto [open, healthy] = gauges();
    if (now >= next_timeline) {
      result.timeline.push_back(timeline_point(timeline.delta, seconds_between(t_start, now),
                                               std::string(phase_at(now - t_start, scenario.load)), open,
                                               scenario.load.connections, healthy));
      if (monitor) result.timeline.back().monitor = monitor->latest();
      if (metrics_server_) {
        metrics_server_->publish(live_exposition(running, scenario.name, seconds_between(t_start, now), open,
                                                 result.peak_open, healthy, static_cast<unsigned>(agents_.size())));
      }
      timeline = {{}, now};
      next_timeline += kTimelineStep;
    }
    if (now >= next_live) {
      uint64_t errors = 0;
      for (const auto& a : agents_) errors += error_count(a->result.totals.counters);
      const double planned_s =
          std::chrono::duration<double>(scenario.load.ramp_up + scenario.load.hold + scenario.load.ramp_down).count();
      auto snapshot = live_snapshot(live.delta, seconds_between(live.since, now), seconds_between(t_start, now), planned_s,
                                 std::string(phase_at(now - t_start, scenario.load)), open,
                                 scenario.load.connections, errors, healthy,
                                 static_cast<unsigned>(agents_.size()));
      if (monitor) {
        snapshot.server = monitor->latest();
        snapshot.server_error = monitor->last_error();
      }
      live_.update(snapshot);
      live = {{}, now};
      next_live += options_.live_interval;
    }
  }
  const auto [open, healthy] = gauges();
  const auto end = Clock::now();
  if (end - timeline.since >= std::chrono::milliseconds(100) || timeline.delta.counters.messages_received > 0) {
    result.timeline.push_back(timeline_point(timeline.delta, seconds_between(t_start, end),
                                             std::string(phase_at(end - t_start, scenario.load)), open,
                                             scenario.load.connections, healthy));
  }
  result.duration_s = std::max(0.0, seconds_between(t_start, last_final));

  // Close our side and wait until every agent has ended its session, so that the next stage (or
  // another controller) finds them idle.
  for (auto& a : agents_) a->link->close_writes();
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (std::any_of(agents_.begin(), agents_.end(), [](const auto& a) { return !a->ended && !a->result.lost; })) {
    auto event = events_.pop(deadline);
    if (!event) break;
    if (!event->message) agents_[event->agent]->ended = true;
  }
}

}  // namespace wsload::controller
