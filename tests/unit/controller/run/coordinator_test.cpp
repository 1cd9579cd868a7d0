// The controller's stage loop against fake agents: no gRPC, no sockets. Each fake answers the
// controller's commands on the event queue as a real agent would, and then plays a script of
// interval reports, a loss, or silence.
#include "run/coordinator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "run/live_frame.hpp"
#include "wsload/proto/convert.hpp"
#include "wsload/shared/planner.hpp"

namespace wsload::controller {
namespace {

struct Script {
  std::vector<uint64_t>
      indices;  // interval reports sent at the start, each with 1 connection established
  enum class End { kFinal, kStreamEnds, kSilent } end = End::kFinal;
  // 0: every report at once when started; else one report per tick, from the fake's own thread
  // (as a real agent's reporter sends them while the coordinator may be busy).
  std::chrono::milliseconds tick{0};
  std::vector<uint32_t> late_threads{};  // per report, in order (missing: 0)
};

class FakeAgent final : public AgentChannel {
 public:
  // `sent` records what the controller sent this agent; it outlives the fake (owned by the test).
  FakeAgent(size_t index, std::string endpoint, EventQueue& events, Script script,
            std::vector<v1::ControllerMessage>& sent)
      : sent(sent),
        index_(index),
        endpoint_(std::move(endpoint)),
        events_(events),
        script_(std::move(script)) {}

  bool send(const v1::ControllerMessage& m) override {
    sent.push_back(m);
    v1::AgentMessage reply;
    reply.set_command_id(m.command_id());
    if (m.has_hello()) {
      reply.mutable_hello()->set_protocol_version(proto::kProtocolVersion);
      reply.mutable_hello()->set_fd_budget(1'000'000);
    } else if (m.has_clock_probe()) {
      reply.mutable_clock()->set_controller_send_unix_us(m.clock_probe().controller_send_unix_us());
      reply.mutable_clock()->set_agent_receive_unix_us(m.clock_probe().controller_send_unix_us());
      reply.mutable_clock()->set_agent_send_unix_us(m.clock_probe().controller_send_unix_us());
    } else if (m.has_assignment()) {
      reply.mutable_ready()->set_connections(m.assignment().shares(m.assignment().agent_index()));
    } else if (m.has_start_at()) {
      if (script_.tick.count() == 0) {
        play();
      } else {
        player_ = std::thread([this] { play(); });
      }
      return true;
    } else {
      return true;  // heartbeats, stops: a finished fake has nothing more to say
    }
    push(std::move(reply));
    return true;
  }
  ~FakeAgent() override {
    if (player_.joinable()) player_.join();
  }
  void close_writes() override {
    if (player_.joinable()) player_.join();
    end_stream();
  }
  void cancel() override { end_stream(); }
  const std::string& endpoint() const override { return endpoint_; }

  std::vector<v1::ControllerMessage>& sent;

 private:
  void play() {
    uint64_t sequence = 0;
    for (size_t i = 0; i < script_.indices.size(); ++i) {
      v1::AgentMessage m;
      const bool last = i + 1 == script_.indices.size() && script_.end == Script::End::kFinal;
      auto* report = last ? m.mutable_final()->mutable_last() : m.mutable_interval();
      report->set_sequence(++sequence);
      report->set_interval_index(script_.indices[i]);
      report->set_open_connections(i + 1);
      if (i < script_.late_threads.size()) report->set_late_threads(script_.late_threads[i]);
      shared::MetricsDelta delta;
      delta.counters.connections_attempted = delta.counters.connections_established = 1;
      proto::to_wire(delta, report->mutable_delta());
      if (script_.tick.count() > 0) std::this_thread::sleep_for(script_.tick);
      push(std::move(m));
    }
    if (script_.end == Script::End::kStreamEnds) end_stream();
  }
  void push(v1::AgentMessage m) {
    events_.push(AgentEvent{index_, std::move(m), grpc::Status::OK, 0});
  }
  void end_stream() {
    if (ended_.exchange(true)) return;
    events_.push(
        AgentEvent{index_, std::nullopt, grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone"), 0});
  }

  size_t index_;
  std::string endpoint_;
  EventQueue& events_;
  Script script_;
  std::atomic<bool> ended_{false};
  std::thread player_;
};

struct Harness {
  explicit Harness(std::vector<Script> scripts, AgentLossPolicy policy = AgentLossPolicy::kContinue,
                   bool quiet = true)
      : live(out, quiet) {
    options.report_interval = std::chrono::milliseconds(50);
    options.live_interval = std::chrono::seconds(60);
    options.on_agent_loss = policy;
    for (size_t i = 0; i < scripts.size(); ++i)
      endpoints.push_back({"fake-" + std::to_string(i), 1.0});
    scenario.name = "fake";
    scenario.load = {static_cast<uint64_t>(scripts.size()) * 10, std::chrono::seconds(0),
                     std::chrono::seconds(0)};
    sent.resize(scripts.size());
    factory = [this, scripts](size_t index, const std::string& endpoint, EventQueue& events) {
      return std::make_unique<FakeAgent>(index, endpoint, events, scripts[index], sent[index]);
    };
  }
  StageResult run(LivePublisher* publisher = nullptr) {
    Coordinator coordinator(options, endpoints, live, interrupts, factory);
    if (publisher) coordinator.add_publisher(publisher);
    return coordinator.run(scenario);
  }

  RunOptions options;
  std::vector<AgentEndpoint> endpoints;
  shared::Scenario scenario;
  std::ostringstream out;
  LiveView live;
  std::atomic<int> interrupts{0};
  ChannelFactory factory;
  std::vector<std::vector<v1::ControllerMessage>> sent;  // per agent
};

TEST(AgentPhase, OneTransitionFunction) {
  using P = AgentPhase;
  using I = AgentInput;
  EXPECT_EQ(next_phase(P::kRunning, I::kFinalReport), P::kFinished);
  EXPECT_EQ(next_phase(P::kRunning, I::kStreamEnded), P::kLost);
  EXPECT_EQ(next_phase(P::kRunning, I::kLost), P::kLost);
  EXPECT_EQ(next_phase(P::kFinished, I::kStreamEnded), P::kEnded);
  EXPECT_EQ(next_phase(P::kFinished, I::kLost), P::kFinished);  // its figures are complete
  EXPECT_EQ(next_phase(P::kLost, I::kFinalReport), P::kLost);
  EXPECT_EQ(next_phase(P::kEnded, I::kLost), P::kEnded);
}

TEST(CoordinatorLoop, ReportsOutOfOrderMakeAnExactTimeline) {
  Harness h({{{1, 2, 3}}, {{1, 2, 3}}});
  const auto r = h.run();
  EXPECT_FALSE(r.partial);
  EXPECT_FALSE(r.aborted);
  EXPECT_EQ(r.totals.counters.connections_established, 6u);
  ASSERT_EQ(r.timeline.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(r.timeline[k].established, 2u);
    EXPECT_EQ(r.timeline[k].open_connections, 2 * (k + 1));
  }
  for (const auto& a : r.agents) EXPECT_TRUE(a.finished && !a.lost);
}

TEST(CoordinatorLoop, AStreamThatEndsBeforeItsFinalReportIsALossWithItsFiguresKept) {
  Harness h({{{1, 2, 3}}, {{1}, Script::End::kStreamEnds}});
  const auto r = h.run();
  EXPECT_TRUE(r.partial);
  EXPECT_FALSE(r.aborted);
  ASSERT_EQ(r.agents.size(), 2u);
  EXPECT_TRUE(r.agents[1].lost);
  EXPECT_FALSE(r.agents[1].finished);
  EXPECT_EQ(r.agents[1].totals.counters.connections_established, 1u);
  EXPECT_EQ(r.totals.counters.connections_established, 4u);
  EXPECT_TRUE(r.agents[0].finished);
}

TEST(CoordinatorLoop, ALossUnderAbortStopsTheOthers) {
  Harness h({{{1}, Script::End::kSilent}, {{1}, Script::End::kStreamEnds}},
            AgentLossPolicy::kAbort);
  const auto r = h.run();
  EXPECT_TRUE(r.aborted);
  EXPECT_NE(r.abort_reason.find("fake-1 lost"), std::string::npos) << r.abort_reason;
  bool stopped = false;
  for (const auto& m : h.sent[0])
    stopped = stopped || (m.has_stop() && m.stop().reason() == v1::Stop::REASON_ABORTED);
  EXPECT_TRUE(stopped);
  // The silent agent never sends its final report: it is given up after the stop's grace.
  EXPECT_TRUE(r.agents[0].lost);
}

// Reports that went without a late load thread's figures are counted per agent and told once.
TEST(CoordinatorLoop, LateReportsAreCountedPerAgentAndToldOnce) {
  Script late{{1, 2, 3}};
  late.late_threads = {0, 1, 2};
  Harness h({late, {{1, 2, 3}}}, AgentLossPolicy::kContinue, /*quiet=*/false);
  const auto r = h.run();
  ASSERT_EQ(r.agents.size(), 2u);
  EXPECT_EQ(r.agents[0].late_reports, 2u);
  EXPECT_EQ(r.agents[1].late_reports, 0u);
  EXPECT_FALSE(r.partial);
  const auto text = h.out.str();
  EXPECT_NE(text.find("1 agent(s) behind (fake-0)"), std::string::npos) << text;
  EXPECT_EQ(text.find("agent(s) behind"), text.rfind("agent(s) behind")) << text;
}

TEST(CoordinatorLoop, ASilentAgentIsLostAfterThreeReportIntervals) {
  Harness h({{{1, 2}}, {{1}, Script::End::kSilent}});
  const auto started = std::chrono::steady_clock::now();
  const auto r = h.run();
  EXPECT_TRUE(r.partial);
  EXPECT_TRUE(r.agents[1].lost);
  EXPECT_NE(r.agents[1].loss_reason.find("silent for 3 report intervals"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

// A coordinator held up (here by a publisher that takes 8 report intervals once; on a saturated
// machine by the scheduler) finds the agents' reports waiting in its queue: they were heard when
// they arrived, so nobody is given up for silence.
TEST(CoordinatorLoop, ReportsQueuedWhileTheCoordinatorWasBusyAreNotSilence) {
  struct SlowPublisher final : LivePublisher {
    void publish(const LiveFrame&) override {
      if (calls++ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(400));
    }
    int calls = 0;
  } slow;
  // One report each 50 ms (the interval) for 3 s: the fakes start when told, 1 s before t_start.
  std::vector<uint64_t> indices(60);
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = i + 1;
  const Script ticking{indices, Script::End::kFinal, std::chrono::milliseconds(50)};
  Harness h({ticking, ticking, ticking});
  const auto r = h.run(&slow);  // the first publish comes 1 s after the start
  EXPECT_GE(slow.calls, 2);
  EXPECT_FALSE(r.partial);
  for (const auto& agent : r.agents) {
    EXPECT_FALSE(agent.lost) << agent.loss_reason;
    EXPECT_EQ(agent.totals.counters.connections_established, indices.size());
  }
}

// Each agent receives only the data rows its own connections use (row = global id % row count).
TEST(CoordinatorAssign, EachAgentGetsOnlyTheDataRowsOfItsConnections) {
  for (const uint64_t rows : {uint64_t{7}, uint64_t{100}}) {
    Harness h({{{1}}, {{1}}, {{1}}});
    h.scenario.load.connections = 30;
    shared::DataFeeder users{"users", "users.csv", {"name"}, rows, {}};
    for (uint64_t r = 0; r < rows; ++r) users.rows.push_back({r, {"user-" + std::to_string(r)}});
    h.scenario.data = {users};
    h.run();
    const std::vector<uint64_t> shares = {10, 10, 10};
    for (size_t k = 0; k < 3; ++k) {
      const v1::ControllerMessage* assignment = nullptr;
      for (const auto& m : h.sent[k]) {
        if (m.has_assignment()) assignment = &m;
      }
      ASSERT_NE(assignment, nullptr);
      const auto& data = assignment->assignment().scenario().data();
      ASSERT_EQ(data.size(), 1);
      EXPECT_EQ(data[0].row_count(), rows);
      std::vector<uint64_t> expected;
      for (uint32_t id : shared::agent_connection_ids(shares, k)) expected.push_back(id % rows);
      std::sort(expected.begin(), expected.end());
      expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
      std::vector<uint64_t> got;
      for (const auto& row : data[0].rows()) {
        got.push_back(row.index());
        EXPECT_EQ(row.values(0), "user-" + std::to_string(row.index()));
      }
      EXPECT_EQ(got, expected) << "agent " << k << ", " << rows << " rows";
      if (rows == 100) {
        EXPECT_EQ(got.size(), 10u);  // its 10 connections' rows, no more
      }
    }
  }
}

}  // namespace
}  // namespace wsload::controller
