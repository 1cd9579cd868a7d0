// WsConnection's v1 logic in memory (harness: memory_connection.hpp).
#include "memory_connection.hpp"

namespace wsload::agent {
namespace {

TEST_F(MemoryConnection, UpgradeEstablishesAndSendsTheFirstRequestAtOnce) {
  establish(101, 5ms);
  EXPECT_EQ(counters().connections_attempted, 1u);
  EXPECT_EQ(counters().connections_established, 1u);
  EXPECT_EQ(ctx_->open, 1u);
  EXPECT_EQ(ctx_->delta.connect_time.count(), 1u);
  EXPECT_EQ(ctx_->delta.connect_time.max(), 5'000);
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].op, ws::Opcode::kText);
  EXPECT_EQ(frames[0].payload, R"({"type":"ping","id":1})");
  EXPECT_EQ(ctx_->in_flight, 1u);
}

TEST_F(MemoryConnection, RequestLeavesAtItsInstantAndLatencyCountsFromIt) {
  establish();
  advance(50ms);  // the server's delay
  server_frame(ws::Opcode::kText, R"({"id":1})");
  client_frames();
  EXPECT_EQ(counters().replies, 1u);
  EXPECT_EQ(ctx_->delta.latency.max(), 50'000);
  EXPECT_EQ(ctx_->delta.latency_service.max(), 50'000);
  EXPECT_EQ(counters().sends_behind_schedule, 0u);

  advance(kInterval - 50ms - 1ms);  // not yet due
  EXPECT_TRUE(client_frames().empty());
  // The worker wakes 3 ms late: the request leaves then, its latency counts from its slot.
  advance(4ms);
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload, R"({"type":"ping","id":2})");
  EXPECT_EQ(counters().sends_behind_schedule, 1u);
  EXPECT_EQ(counters().max_schedule_lag_us, 3'000u);
  advance(7ms);
  server_frame(ws::Opcode::kText, R"({"id":2})");
  EXPECT_EQ(counters().replies, 2u);
  EXPECT_EQ(ctx_->delta.latency.min(), 10'000);  // 3 ms late + 7 ms of service
  EXPECT_EQ(ctx_->delta.latency_service.min(), 7'000);
  EXPECT_EQ(ctx_->in_flight, 0u);
}

TEST_F(MemoryConnection, UnansweredRequestTimesOutAfterTimeoutAndItsReplyIsLate) {
  establish();
  advance(kTimeout - 1ms);  // the sends of the next slots go out, nothing expires
  EXPECT_EQ(counters().timeouts, 0u);
  advance(1ms);
  EXPECT_EQ(counters().timeouts, 1u);  // request 1, sent at 0
  server_frame(ws::Opcode::kText, R"({"id":1})");
  EXPECT_EQ(counters().late_replies, 1u);
  EXPECT_EQ(counters().replies, 0u);
  server_frame(ws::Opcode::kText, R"({"id":99})");
  EXPECT_EQ(counters().unmatched, 1u);
}

// The worker wakes for every armed deadline: a timeout deadline left armed with nothing in flight
// would cost a wake-up right behind the connection's next send (issue 16).
TEST_F(MemoryConnection, TimeoutDeadlineIsDisarmedWhenTheLastReplyArrives) {
  establish();
  ASSERT_EQ(client_frames().size(), 1u);
  EXPECT_TRUE(ctx_->deadlines.armed(0, DeadlineKind::kTimeout));
  advance(1ms);
  server_frame(ws::Opcode::kText, R"({"id":1})");
  EXPECT_EQ(counters().replies, 1u);
  EXPECT_FALSE(ctx_->deadlines.armed(0, DeadlineKind::kTimeout));
  EXPECT_TRUE(ctx_->deadlines.armed(0, DeadlineKind::kSend));
  advance(kInterval - 1ms);  // request 2 leaves and arms it again, for its own instant
  ASSERT_EQ(client_frames().size(), 1u);
  EXPECT_TRUE(ctx_->deadlines.armed(0, DeadlineKind::kTimeout));
  // Unanswered, request 2 still times out at its sent instant + kTimeout.
  advance(kTimeout - 1ms);
  EXPECT_EQ(counters().timeouts, 0u);
  advance(1ms);
  EXPECT_EQ(counters().timeouts, 1u);
}

TEST_F(MemoryConnection, PlannedCloseSendsCloseFrameAndCountsThePeersCode) {
  establish();
  server_frame(ws::Opcode::kText, R"({"id":1})");
  client_frames();
  conn_->finish();
  poll();
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].op, ws::Opcode::kClose);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xe8", 2));
  server_close(1000);
  server_->close();
  poll();
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().connections_closed, 1u);
  EXPECT_EQ(counters().disconnects.at("close_1000"), 1u);
  EXPECT_EQ(counters().disconnects_unexpected, 0u);
  EXPECT_EQ(ctx_->open, 0u);
}

TEST_F(MemoryConnection, ServerCloseIsEchoedAndCountedUnexpected) {
  establish();
  client_frames();
  server_close(1001);
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].op, ws::Opcode::kClose);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xe9", 2));
  server_->close();
  poll();
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().disconnects.at("close_1001"), 1u);
  EXPECT_EQ(counters().disconnects_unexpected, 1u);
  EXPECT_EQ(counters().timeouts, 1u);  // request 1 was abandoned with the session
}

TEST_F(MemoryConnection, CloseTimeoutWhenThePeerNeverAnswers) {
  establish();
  server_frame(ws::Opcode::kText, R"({"id":1})");
  conn_->finish();
  poll();
  advance(kCloseWait - 1ms);
  EXPECT_FALSE(done_);
  advance(1ms);
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().disconnects.at("close_timeout"), 1u);
}

class MemoryReconnect : public MemoryConnection {
 protected:
  MemoryReconnect() {
    reconnect_.enabled = true;
    reconnect_.backoff = 500ms;
  }
};

// The new attempt starts from a fresh Attempt value: nothing of the ended session (its close
// frames, its pong, its end) carries over; the sequence and the counters do.
TEST_F(MemoryReconnect, UnexpectedEndReconnectsAfterTheBackoffWithAFreshSession) {
  establish();
  client_frames();
  server_close(1001);
  server_->close();
  poll();
  EXPECT_FALSE(done_);
  EXPECT_EQ(counters().disconnects.at("close_1001"), 1u);
  advance(500ms - 1ms);
  EXPECT_EQ(counters().connections_attempted, 1u);
  advance(1ms);
  EXPECT_EQ(counters().reconnects, 1u);
  EXPECT_EQ(counters().connections_attempted, 2u);
  answer_upgrade();
  EXPECT_EQ(counters().connections_established, 2u);
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload, R"({"type":"ping","id":2})");
  server_frame(ws::Opcode::kText, R"({"id":2})");
  conn_->finish();
  poll();
  frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);  // our close frame again: the first session's is forgotten
  EXPECT_EQ(frames[0].op, ws::Opcode::kClose);
  server_close(1000);
  server_->close();
  poll();
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().disconnects.at("close_1000"), 1u);
  EXPECT_EQ(counters().disconnects_unexpected, 1u);
}

TEST_F(MemoryConnection, StatusOtherThan101FailsAsHttpStatus) {
  establish(401);
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().connections_failed, 1u);
  EXPECT_EQ(counters().failures.at("http_401"), 1u);
}

TEST_F(MemoryConnection, UnansweredUpgradeFailsAtTheConnectTimeout) {
  conn_->start();
  poll();
  advance(cfg_->scenario().target.connect_timeout - 1ms);
  EXPECT_FALSE(done_);
  advance(1ms);
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().failures.at("handshake_timeout"), 1u);
}

TEST_F(MemoryConnection, ReasonNamesAreTheReportNames) {
  EXPECT_EQ(to_string(Failure{FailureReason::kHttpStatus, 503}), "http_503");
  EXPECT_EQ(to_string(Failure{FailureReason::kStoppedBeforeEstablished}),
            "stopped_before_established");
  EXPECT_EQ(to_string(DisconnectReason::kPeerClose, 4000), "close_4000");
  EXPECT_EQ(to_string(DisconnectReason::kWriteStall, 0), "write_stall");
  EXPECT_STREQ(to_string(UnsentReason::kPeerNotReading), "peer_not_reading");
  conn_->abort(0ms);  // never started
  EXPECT_TRUE(done_);
}

}  // namespace
}  // namespace wsload::agent

namespace wsload::agent {
namespace {

// A planned close (stages, arrivals) ends the session's schedule at its planned instant: a slot due
// exactly then was never scheduled; one due before it and not sent is unsent.
TEST_F(MemoryConnection, APlannedCloseEndsTheScheduleAtItsInstant) {
  establish();
  server_frame(ws::Opcode::kText, R"({"id":1})");
  now_ += kInterval;  // slot 1 is due, but the worker handles the close first
  ctx_->planned_close = now_;
  conn_->finish();
  ctx_->planned_close = TimePoint::max();
  EXPECT_TRUE(counters().unsent.empty());
  EXPECT_EQ(counters().messages_sent, 1u);
  server_close(1000);
  server_->close();
  advance(0ms);
}

TEST_F(MemoryConnection, ASlotDueBeforeThePlannedCloseAndNotSentIsUnsent) {
  establish();
  server_frame(ws::Opcode::kText, R"({"id":1})");
  now_ += kInterval;
  ctx_->planned_close = now_ + 1ms;
  conn_->finish();
  ctx_->planned_close = TimePoint::max();
  EXPECT_EQ(counters().unsent.at("stopped"), 1u);
  server_close(1000);
  server_->close();
  advance(0ms);
}

// The hold's end reached late (a busy worker): a slot due before it goes out then, late, with its
// lag counted like any late send, instead of being dropped as unsent; none at or after it is sent.
TEST_F(MemoryConnection, AtTheHoldEndASlotDueBeforeItGoesOutLateNotUnsent) {
  establish();
  server_frame(ws::Opcode::kText, R"({"id":1})");
  client_frames();
  ctx_->hold_end = now_ + kInterval + 1ms;  // slot 1 (at kInterval) is before it
  now_ += kInterval + 5ms;                  // reached 5 ms after slot 1, 4 ms after the end
  conn_->stop_sending();
  auto frames = client_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload, R"({"type":"ping","id":2})");
  EXPECT_TRUE(counters().unsent.empty());
  EXPECT_EQ(counters().messages_sent, 2u);
  EXPECT_EQ(counters().sends_behind_schedule, 1u);
  EXPECT_EQ(counters().max_schedule_lag_us, 5'000u);
  advance(1ms);
  server_frame(ws::Opcode::kText, R"({"id":2})");
  EXPECT_EQ(counters().replies, 2u);
  EXPECT_EQ(ctx_->delta.latency.max(), 6'000);  // from its slot: 5 ms late + 1 ms of service
  advance(kInterval);                           // slot 2 is after the end: never scheduled
  EXPECT_TRUE(client_frames().empty());
  EXPECT_TRUE(counters().unsent.empty());
  EXPECT_EQ(counters().messages_sent, 2u);
}

// A server that queues more than one wake-up's bounded reads (16 x 64 KiB) at once: the rest is
// picked up by the next pending read (Asio tries it at once; no new readiness would come for bytes
// already queued), none is lost.
TEST_F(MemoryConnection, MoreThanOneWakeUpsReadsIsReadOnInLaterRounds) {
  establish();
  const uint64_t before = counters().messages_received;
  std::string burst;
  const std::string payload(32 * 1024, 'x');
  for (int i = 0; i < 40; ++i) {  // 1.28 MiB
    std::string frame;
    frame += static_cast<char>(0x81);
    frame += static_cast<char>(126);
    frame += static_cast<char>(payload.size() >> 8);
    frame += static_cast<char>(payload.size() & 0xff);
    burst += frame + payload;
  }
  server_write(burst);
  EXPECT_EQ(counters().messages_received - before, 40u);
}

}  // namespace
}  // namespace wsload::agent
