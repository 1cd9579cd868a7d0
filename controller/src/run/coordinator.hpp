#pragma once
// Runs one scenario stage across a set of agents: hello and version check, the exact split, budget
// checks, clock offsets, assignment, synchronized start, merging of interval deltas, heartbeats,
// loss detection and stop. Everything happens on the calling thread; AgentLink readers only queue
// events.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "cluster/agent_link.hpp"
#include "run/agent_phase.hpp"
#include "run/live_view.hpp"
#include "run/timeline_aligner.hpp"
#include "wsload/controller/run_options.hpp"
#include "wsload/controller/stage_result.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::controller {

class LivePublisher;

// The controller heartbeats every agent this often for the whole session (also while it waits for
// answers); agents stop their load after 2 s without hearing from it.
inline constexpr std::chrono::milliseconds kHeartbeatInterval{500};

// Opens the session with agent `index` at `endpoint`; its messages arrive on `events`.
using ChannelFactory = std::function<std::unique_ptr<AgentChannel>(
    size_t index, const std::string& endpoint, EventQueue& events)>;

class Coordinator {
 public:
  // `interrupts` counts SIGINT/SIGTERM: the first stops the run gracefully, the second stops
  // waiting for the agents' final reports (the report is written with what arrived).
  Coordinator(const RunOptions& options, std::vector<AgentEndpoint> agents, LiveView& live,
              const std::atomic<int>& interrupts);
  // With `channels`, sessions are opened by it instead of over gRPC (unit tests with fake agents).
  Coordinator(const RunOptions& options, std::vector<AgentEndpoint> agents, LiveView& live,
              const std::atomic<int>& interrupts, ChannelFactory channels);
  ~Coordinator();

  // Throws RunFailure when the stage cannot start (agent unreachable, refused, incompatible) or,
  // under --on-agent-loss abort, never; an aborted stage returns with result.aborted set.
  StageResult run(const shared::Scenario& scenario);

  // Also hands the running stage to `publisher` every second and once at its end (--metrics-listen,
  // --web); it must outlive run().
  void add_publisher(LivePublisher* publisher) { publishers_.push_back(publisher); }

 private:
  using Clock = std::chrono::steady_clock;
  struct AgentState {
    std::unique_ptr<AgentChannel> link;
    v1::HelloReply hello;
    AgentResult result;  // its finished/lost flags follow `phase` (see apply)
    AgentPhase phase = AgentPhase::kRunning;
    Clock::time_point last_heard;
    uint64_t last_sequence = 0;
    bool active() const { return phase == AgentPhase::kRunning; }
  };

  void connect_all();
  void check_capacity(const shared::Scenario& scenario, const shared::AgentSplit& split) const;
  void measure_clocks();
  void assign(const shared::Scenario& scenario, const shared::AgentSplit& split);
  void execute(const shared::Scenario& scenario, StageResult& result);

  // coordinator_execute.cpp: the running stage.
  struct Loop;
  Clock::time_point start_agents(StageResult& result);
  void on_event(const AgentEvent& event, Loop& loop);
  void on_report(size_t agent, const v1::AgentMessage& message, Clock::time_point queued_at,
                 Loop& loop);
  void supervise(Loop& loop, Clock::time_point now);
  void add_points(Loop& loop, const std::vector<AlignedInterval>& points, bool at_end);
  void update_live(Loop& loop, Clock::time_point now);
  void tell_late_agents(Loop& loop);
  // Hands the merged figures so far (and each agent's) to the publishers.
  void publish_metrics(Loop& loop, Clock::time_point now);
  void drain_sessions();
  uint64_t open_connections() const;
  unsigned healthy_agents() const;
  bool any_active() const;

  // Waits for one answer per agent to command `command_id`, handling nothing else but sending
  // heartbeats; throws RunFailure naming the agent on a refusal, an ended stream or a timeout.
  std::vector<v1::AgentMessage> await_all(uint64_t command_id, std::chrono::milliseconds timeout,
                                          const char* what);
  void send_all(const v1::ControllerMessage& message);
  void send_heartbeat();
  uint64_t next_command_id() { return ++command_id_; }
  // Moves agent `agent` on by next_phase(); returns its new phase.
  AgentPhase apply(size_t agent, AgentInput input);
  void mark_lost(size_t agent, const std::string& reason, StageResult& result);
  void stop_all(v1::Stop::Reason reason);

  const RunOptions& options_;
  ChannelFactory channels_;
  std::vector<AgentEndpoint> endpoints_;
  LiveView& live_;
  const std::atomic<int>& interrupts_;
  Loop* loop_ = nullptr;  // while execute() runs
  EventQueue events_;
  std::vector<std::unique_ptr<AgentState>> agents_;
  uint64_t command_id_ = 0;
  std::vector<int64_t> last_clock_receive_;  // per agent: when its last clock reply arrived (us)
  std::vector<LivePublisher*> publishers_;
};

}  // namespace wsload::controller
