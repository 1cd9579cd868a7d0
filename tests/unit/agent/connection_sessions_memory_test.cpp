// WsConnection running format-v2 sessions in memory (harness: memory_connection.hpp): on_open
// steps before the streams, captured values in later templates, several streams with their own
// timeouts, a failed step closing the session, on_close steps before a planned close.
#include "memory_connection.hpp"

namespace wsload::agent {
namespace {

shared::MessagesSpec stream(std::string name, std::chrono::nanoseconds interval,
                            std::string payload, std::chrono::nanoseconds timeout) {
  shared::MessagesSpec m;
  m.name = std::move(name);
  m.interval = interval;
  m.kind = shared::MessageKind::kJson;
  m.payload_template = std::move(payload);
  m.match = shared::Match::by_field("id");
  m.timeout = timeout;
  return m;
}

shared::StepSpec send_step(std::string name, std::string payload) {
  shared::StepSpec step;
  step.name = std::move(name);
  step.send = shared::SendSpec{shared::MessageKind::kJson, std::move(payload), 0};
  return step;
}

// listeners: subscribe (expect by id, capture sub), then streams ping (every 100 ms, timeout
// 200 ms) and chat (every 1 s, timeout 1 s, sends {{var.sub}}); on_close unsubscribe.
class MemorySession : public MemoryConnection {
 protected:
  static constexpr auto kStepTimeout = 500ms;

  void shape(Assignment& a) override {
    shared::GroupSpec g;
    g.name = "listeners";
    g.target = a.scenario.target;
    shared::StepSpec subscribe = send_step("subscribe", R"({"type":"subscribe","id":{{seq}}})");
    subscribe.expect = shared::ExpectSpec{shared::Match::by_field("id"), {}, kStepTimeout};
    subscribe.capture = {{"sub", "subscription"}};
    g.on_open = {subscribe};
    g.streams = {stream("ping", 100ms, R"({"type":"ping","id":{{seq}}})", 200ms),
                 stream("chat", 1s, R"({"type":"chat","id":{{seq}},"to":"{{var.sub}}"})", 1s)};
    g.on_close = {send_step("unsubscribe", R"({"type":"unsubscribe","id":{{seq}}})")};
    a.scenario.groups = {g};
  }

  const shared::Counters& group() const { return ctx_->delta.parts.groups.at(0); }
  const shared::StreamFigures& stream_figures(size_t i) const {
    return ctx_->delta.parts.streams.at(i);
  }
  const shared::StepFigures& step(size_t i) const { return ctx_->delta.parts.steps.at(i); }
  std::vector<std::string> payloads() {
    std::vector<std::string> out;
    for (const auto& f : client_frames()) out.push_back(f.payload);
    return out;
  }
};

TEST_F(MemorySession, StepsRunBeforeTheStreamsAndTheirCaptureReachesLaterTemplates) {
  establish();
  EXPECT_EQ(payloads(), std::vector<std::string>{R"({"type":"subscribe","id":1})"});
  advance(300ms);  // the streams wait for the step
  EXPECT_TRUE(client_frames().empty());
  server_frame(ws::Opcode::kText, R"({"type":"data","seq":1})");  // not the step's: a push
  EXPECT_EQ(group().push_received, 1u);
  server_frame(ws::Opcode::kText, R"({"type":"subscribed","id":1,"subscription":"s7"})");
  EXPECT_EQ(step(0).ok, 1u);
  EXPECT_EQ(step(0).latency.max(), 300'000);
  EXPECT_EQ(payloads(), (std::vector<std::string>{R"({"type":"ping","id":2})",
                                                  R"({"type":"chat","id":3,"to":"s7"})"}));
  EXPECT_EQ(group().messages_sent, 2u);  // stream requests only; the step's frame is not one
  EXPECT_EQ(stream_figures(0).sent, 1u);
  EXPECT_EQ(stream_figures(1).sent, 1u);
  EXPECT_EQ(group().sessions_failed, 0u);
}

TEST_F(MemorySession, EachStreamTimesOutOnItsOwnTimeout) {
  establish();
  client_frames();
  server_frame(ws::Opcode::kText, R"({"id":1,"subscription":"s1"})");
  client_frames();  // ping 2, chat 3 at t
  advance(100ms);   // ping 4
  server_frame(ws::Opcode::kText, R"({"id":4})");
  advance(100ms);  // t + 200 ms: ping 2 times out; ping 5 leaves
  EXPECT_EQ(stream_figures(0).timeouts, 1u);
  EXPECT_EQ(stream_figures(0).replies, 1u);
  EXPECT_EQ(stream_figures(1).timeouts, 0u);  // chat 3 has 1 s
  server_frame(ws::Opcode::kText, R"({"id":3})");
  EXPECT_EQ(stream_figures(1).replies, 1u);
  EXPECT_EQ(stream_figures(1).latency.max(), 200'000);
  EXPECT_EQ(group().timeouts, 1u);
  EXPECT_EQ(group().replies, 2u);
}

TEST_F(MemorySession, AStepTimeoutClosesWith1000AndTheStreamsNeverStart) {
  establish();
  client_frames();
  advance(kStepTimeout - 1ms);
  EXPECT_EQ(step(0).failed, 0u);
  advance(1ms);
  EXPECT_EQ(step(0).failed, 1u);
  EXPECT_EQ(step(0).failures.at("timeout"), 1u);
  EXPECT_EQ(group().sessions_failed, 1u);
  const auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);  // the close frame, no request
  EXPECT_EQ(frames[0].op, ws::Opcode::kClose);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xe8", 2));  // 1000
  server_close(1000);
  server_->close();
  advance(0ms);
  EXPECT_EQ(group().messages_sent, 0u);
  EXPECT_EQ(group().disconnects_unexpected, 0u);  // we closed it
  EXPECT_TRUE(done_);
}

TEST_F(MemorySession, AMissingCaptureFailsTheStep) {
  establish();
  client_frames();
  server_frame(ws::Opcode::kText, R"({"type":"subscribed","id":1})");
  EXPECT_EQ(step(0).failures.at("capture_missing"), 1u);
  EXPECT_EQ(group().sessions_failed, 1u);
  EXPECT_EQ(client_frames().at(0).op, ws::Opcode::kClose);
  server_close(1000);
  server_->close();
  advance(0ms);
  EXPECT_TRUE(done_);
}

TEST_F(MemorySession, APlannedCloseSendsTheOnCloseStepsFirst) {
  establish();
  client_frames();
  server_frame(ws::Opcode::kText, R"({"id":1,"subscription":"s1"})");
  client_frames();
  server_frame(ws::Opcode::kText, R"({"id":2})");
  server_frame(ws::Opcode::kText, R"({"id":3})");
  conn_->finish();
  poll();
  const auto frames = client_frames();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload, R"({"type":"unsubscribe","id":4})");
  EXPECT_EQ(frames[1].op, ws::Opcode::kClose);
  server_frame(ws::Opcode::kText, R"({"type":"unsubscribed","id":4})");
  EXPECT_EQ(group().unmatched, 0u);  // the unsubscribe's acknowledgement is the step's
  EXPECT_EQ(step(1).ok, 1u);
  server_close(1000);
  server_->close();
  advance(0ms);
  EXPECT_EQ(group().disconnects_unexpected, 0u);
  EXPECT_TRUE(done_);
}

}  // namespace
}  // namespace wsload::agent
