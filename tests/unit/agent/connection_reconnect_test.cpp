// Reconnects of WsConnection in memory (harness: memory_connection.hpp): the backoff of each
// attempt is shared::reconnect_delay of the connection's id, and the time to reconnect runs from
// the unexpected end of the session to the 101 of the next one, across failed attempts.
#include "memory_connection.hpp"
#include "wsload/shared/reconnect_backoff.hpp"

namespace wsload::agent {
namespace {

// Exponential backoff with full jitter: 200 ms doubling to 1.6 s, seed 7.
class JitteredReconnect : public MemoryConnection {
 protected:
  JitteredReconnect() {
    reconnect_.enabled = true;
    reconnect_.max_attempts = 4;
    reconnect_.backoff = 200ms;
    reconnect_.max_backoff = 1600ms;
    reconnect_.jitter = true;
    reconnect_.seed = 7;
  }

  std::chrono::nanoseconds delay(uint32_t attempt) const {
    return shared::reconnect_delay(reconnect_, 0, attempt);  // the harness's connection is id 0
  }

  // The server ends the session (close 1001, then the TCP connection).
  void server_goes_away() {
    client_frames();
    server_close(1001);
    server_->close();
    poll();
  }

  // Moves the clock to one tick before `d` from now, checks no attempt started, then to `d`.
  void wait_backoff(std::chrono::nanoseconds d, uint64_t attempted_before) {
    ASSERT_GT(d, 1ns);
    advance(d - 1ns);
    EXPECT_EQ(counters().connections_attempted, attempted_before);
    advance(1ns);
    EXPECT_EQ(counters().connections_attempted, attempted_before + 1);
  }
};

TEST_F(JitteredReconnect, WaitsTheJitteredDelayOfEachAttemptAndTimesTheWholeReconnect) {
  // The delays are those of the pure function, each within its attempt's cap.
  ASSERT_NE(delay(1), delay(2));
  for (uint32_t k = 1; k <= 3; ++k)
    EXPECT_LE(delay(k), shared::reconnect_backoff_cap(reconnect_, k));
  establish();
  server_goes_away();
  EXPECT_FALSE(done_);
  EXPECT_EQ(ctx_->delta.reconnect_time.count(), 0u);

  wait_backoff(delay(1), 1);  // attempt 1 ...
  advance(3ms);
  answer_upgrade(503);  // ... refused by a server that is not back yet
  EXPECT_EQ(counters().failures.at("http_503"), 1u);
  EXPECT_FALSE(done_);
  wait_backoff(delay(2), 2);  // attempt 2, 2 * cap of attempt 1 at most
  advance(5ms);
  answer_upgrade();
  EXPECT_EQ(counters().connections_established, 2u);
  EXPECT_EQ(counters().reconnects, 2u);

  // From the end of the first session to the 101 of the second, failed attempt included.
  ASSERT_EQ(ctx_->delta.reconnect_time.count(), 1u);
  const auto want =
      std::chrono::duration_cast<std::chrono::microseconds>(delay(1) + 3ms + delay(2) + 5ms);
  EXPECT_EQ(ctx_->delta.reconnect_time.min(), want.count());
  EXPECT_TRUE(ctx_->reconnect_since.empty());

  // A second disconnect starts over at attempt 1 (the same delay: same id, same attempt).
  server_goes_away();
  wait_backoff(delay(1), 3);
  answer_upgrade();
  ASSERT_EQ(ctx_->delta.reconnect_time.count(), 2u);
  EXPECT_EQ(ctx_->delta.reconnect_time.max(), want.count());
  EXPECT_EQ(ctx_->delta.reconnect_time.min(),
            std::chrono::duration_cast<std::chrono::microseconds>(delay(1)).count());
}

TEST_F(JitteredReconnect, AReconnectThatNeverSucceedsRecordsNoTimeAndLeavesNothingBehind) {
  establish();
  server_goes_away();
  for (uint32_t k = 1; k <= reconnect_.max_attempts; ++k) {
    wait_backoff(delay(k), k);
    answer_upgrade(503);
  }
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().reconnects, 4u);
  EXPECT_EQ(counters().connections_failed, 4u);
  EXPECT_EQ(ctx_->delta.reconnect_time.count(), 0u);
  EXPECT_TRUE(ctx_->reconnect_since.empty());
}

TEST_F(JitteredReconnect, TheRunEndingDuringTheBackoffForgetsTheDisconnect) {
  establish();
  server_goes_away();
  EXPECT_EQ(ctx_->reconnect_since.size(), 1u);
  conn_->finish();
  EXPECT_TRUE(done_);
  EXPECT_TRUE(ctx_->reconnect_since.empty());
  EXPECT_EQ(ctx_->delta.reconnect_time.count(), 0u);
}

// Format v1 files: no max_backoff, no jitter: every attempt waits `backoff`.
class FixedReconnect : public MemoryConnection {
 protected:
  FixedReconnect() {
    reconnect_.enabled = true;
    reconnect_.max_attempts = 3;
    reconnect_.backoff = 500ms;
  }
};

TEST_F(FixedReconnect, EveryAttemptWaitsTheSameBackoff) {
  establish();
  client_frames();
  server_close(1001);
  server_->close();
  poll();
  for (uint64_t k = 1; k <= 2; ++k) {
    advance(500ms - 1ns);
    EXPECT_EQ(counters().connections_attempted, k);
    advance(1ns);
    EXPECT_EQ(counters().connections_attempted, k + 1);
    if (k == 1) answer_upgrade(503);
  }
  answer_upgrade();
  ASSERT_EQ(ctx_->delta.reconnect_time.count(), 1u);
  EXPECT_EQ(ctx_->delta.reconnect_time.min(), 1'000'000);  // two backoffs of 500 ms, in us
}

}  // namespace
}  // namespace wsload::agent
