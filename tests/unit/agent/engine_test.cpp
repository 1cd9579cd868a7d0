// Engine against TestServer on 127.0.0.1: real sockets, every run bounded in time.
#include "wsload/agent/engine.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <thread>

#include "connection.hpp"
#include "test_server.hpp"

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;
using testing::ServerMode;
using testing::ServerOptions;
using testing::TestServer;

Assignment make_assignment(const std::string& url, uint32_t n, std::chrono::nanoseconds ramp_up,
                           std::chrono::nanoseconds hold) {
  Assignment a;
  a.scenario.target.url = url;
  a.scenario.target.connect_timeout = 3s;
  a.scenario.load.connections = n;
  a.scenario.load.ramp_up = ramp_up;
  a.scenario.load.hold = hold;
  a.scenario.load.ramp_down = 0s;
  a.total_connections = n;
  for (uint32_t id = 0; id < n; ++id) a.connection_ids.push_back(id);
  return a;
}

shared::MessagesSpec json_messages(std::chrono::nanoseconds interval,
                                   std::chrono::nanoseconds timeout) {
  shared::MessagesSpec m;
  m.interval = interval;
  m.kind = shared::MessageKind::kJson;
  m.payload_template = R"({"type":"ping","id":{{seq}}})";
  m.match = shared::Match::by_field("id");
  m.timeout = timeout;
  return m;
}

struct RunResult {
  shared::MetricsDelta total;
  EngineSnapshot last;
  bool finished = false;
};

// Starts the engine now and collects deltas until it reports finished, at most `limit`.
RunResult run(Engine& engine, Assignment assignment, std::chrono::seconds limit = 15s,
              unsigned* prepared_ok = nullptr) {
  RunResult r;
  auto error = engine.prepare(std::move(assignment));
  EXPECT_FALSE(error) << *error;
  if (error) return r;
  if (prepared_ok) ++*prepared_ok;
  engine.start(std::chrono::steady_clock::now());
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    r.last = engine.take_delta();
    r.total.merge(r.last.delta);
    if (r.last.finished) {
      r.finished = true;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  return r;
}

TEST(Engine, FiftyConnectionsOpenLoopEcho) {
  TestServer server({});
  Engine engine(2);
  auto a = make_assignment(server.url(), 50, 200ms, 1s);
  a.scenario.messages = json_messages(100ms, 2s);
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.connections_attempted, 50u);
  EXPECT_EQ(c.connections_established, 50u);
  EXPECT_EQ(c.connections_failed, 0u);
  EXPECT_EQ(c.connections_closed, 50u);
  EXPECT_EQ(c.disconnects_unexpected, 0u);
  EXPECT_EQ(c.disconnects, (std::map<std::string, uint64_t>{{"close_1000", 50}}));
  // Each connection is open for 1.0-1.2 s of the schedule: about 10-12 requests each.
  EXPECT_GE(c.messages_sent, 50u * 9);
  EXPECT_LE(c.messages_sent, 50u * 13);
  EXPECT_EQ(c.messages_sent, c.replies);
  EXPECT_EQ(c.timeouts, 0u);
  EXPECT_EQ(c.unmatched, 0u);
  EXPECT_EQ(c.messages_received, c.replies);
  EXPECT_EQ(c.bytes_sent, c.bytes_received);
  EXPECT_EQ(r.total.latency.count(), c.replies);
  EXPECT_EQ(r.total.latency_service.count(), c.replies);
  EXPECT_GT(r.total.latency.min(), 0);
  EXPECT_EQ(r.total.connect_time.count(), 50u);
  EXPECT_EQ(r.last.open_connections, 0u);
  EXPECT_EQ(r.last.in_flight, 0u);
  EXPECT_TRUE(engine.finished());
}

// Every connection opens at t0 (no ramp) and nothing takes a delta meanwhile: nothing wakes the
// worker while Asio's resolver thread resolves the target, and that thread does not wake it
// either; the worker looks for the resolve's completion by itself (every 1 ms meanwhile).
TEST(Engine, ConnectionsOpeningAtOnceAreNotLeftWaitingForTheirResolve) {
  TestServer server({});
  Engine engine(1);
  ASSERT_FALSE(engine.prepare(make_assignment(server.url(), 20, 0ms, 2s)));
  engine.start(std::chrono::steady_clock::now());
  std::this_thread::sleep_for(300ms);
  RunResult r;
  r.last = engine.take_delta();
  r.total.merge(r.last.delta);
  EXPECT_EQ(r.total.counters.connections_established, 20u);
  engine.stop(200ms);
  for (int i = 0; i < 250 && !r.finished; ++i) {  // at most 5 s
    std::this_thread::sleep_for(20ms);
    r.last = engine.take_delta();
    r.total.merge(r.last.delta);
    r.finished = r.last.finished;
  }
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.total.counters.connections_established, 20u);
  EXPECT_EQ(r.total.counters.connections_failed, 0u);
}

TEST(Engine, LatencyIncludesServerDelay) {
  TestServer server(ServerOptions{ServerMode::kEcho, 50ms});
  Engine engine(1);
  auto a = make_assignment(server.url(), 5, 50ms, 1s);
  a.scenario.messages = json_messages(100ms, 2s);
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.total.counters.messages_sent, r.total.counters.replies);
  ASSERT_GT(r.total.latency.count(), 20u);
  // Real time only bounds it from below (the server's delay); the exact latency arithmetic is
  // checked on a manual clock (connection_memory_test.cpp).
  EXPECT_GE(r.total.latency.min(), 50'000);
  EXPECT_GE(r.total.latency_service.min(), 50'000);
}

TEST(Engine, Http401CountsAsFailureByStatus) {
  TestServer server(ServerOptions{ServerMode::kReject401});
  Engine engine(2);
  RunResult r = run(engine, make_assignment(server.url(), 10, 100ms, 200ms));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.connections_attempted, 10u);
  EXPECT_EQ(c.connections_failed, 10u);
  EXPECT_EQ(c.connections_established, 0u);
  ASSERT_EQ(c.failures.count("http_401"), 1u);
  EXPECT_EQ(c.failures.at("http_401"), 10u);
}

TEST(Engine, ClosedPortCountsRefused) {
  uint16_t port = testing::closed_port();
  Engine engine(2);
  RunResult r = run(
      engine, make_assignment("ws://127.0.0.1:" + std::to_string(port) + "/ws", 10, 100ms, 200ms));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.connections_failed, 10u);
  ASSERT_EQ(c.failures.count("refused"), 1u);
  EXPECT_EQ(c.failures.at("refused"), 10u);
}

TEST(Engine, SilentServerTimesOutEveryRequest) {
  TestServer server(ServerOptions{ServerMode::kSilent});
  Engine engine(1);
  auto a = make_assignment(server.url(), 5, 50ms, 600ms);
  a.scenario.messages = json_messages(100ms, 200ms);
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_GE(c.messages_sent, 5u * 5);
  EXPECT_EQ(c.timeouts, c.messages_sent);
  EXPECT_EQ(c.replies, 0u);
  EXPECT_EQ(r.last.in_flight, 0u);
  EXPECT_EQ(c.connections_closed, 5u);
  EXPECT_EQ(c.disconnects_unexpected, 0u);
  EXPECT_EQ(server.data_frames(), c.messages_sent);
}

// A server that never answers our close frame: after the close bound the socket is dropped and the
// disconnect is counted as close_timeout (not as an unexpected disconnect, not as a vague error).
TEST(Engine, UnansweredCloseCountsCloseTimeout) {
  TestServer server(ServerOptions{ServerMode::kMute});
  Engine engine(1);
  RunResult r = run(engine, make_assignment(server.url(), 3, 50ms, 200ms));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.connections_established, 3u);
  EXPECT_EQ(c.connections_closed, 3u);
  EXPECT_EQ(c.disconnects_unexpected, 0u);
  ASSERT_EQ(c.disconnects.count("close_timeout"), 1u);
  EXPECT_EQ(c.disconnects.at("close_timeout"), 3u);
  EXPECT_EQ(c.disconnects.size(), 1u);
}

// Server pings are answered with pongs, and replies split in three frames (the first possibly
// empty) with a ping between requests are matched whole.
TEST(Engine, FragmentedRepliesAndServerPings) {
  TestServer server(ServerOptions{ServerMode::kFragmented});
  Engine engine(1);
  auto a = make_assignment(server.url(), 4, 20ms, 400ms);
  a.scenario.messages = json_messages(40ms, 2s);
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_GE(c.messages_sent, 4u * 8);
  EXPECT_EQ(c.replies, c.messages_sent);
  EXPECT_EQ(c.messages_received, c.replies);  // a fragmented message counts once
  EXPECT_EQ(c.bytes_received, c.bytes_sent);
  EXPECT_EQ(c.unmatched, 0u);
  EXPECT_EQ(c.protocol_errors, 0u);
  EXPECT_EQ(server.pongs(), server.data_frames());  // one ping per echoed request
  EXPECT_EQ(c.disconnects, (std::map<std::string, uint64_t>{{"close_1000", 4}}));
}

// A message above the agent's limit (1 MiB) is a protocol error: close 1009, counted, and the
// connection is not kept.
TEST(Engine, OversizeMessageIsAProtocolError) {
  ServerOptions options{ServerMode::kOversize};
  options.oversize_bytes = kReadMessageMax + 1;
  TestServer server(options);
  Engine engine(1);
  RunResult r = run(engine, make_assignment(server.url(), 3, 30ms, 2s));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.connections_established, 3u);
  EXPECT_EQ(c.protocol_errors, 3u);
  EXPECT_EQ(c.messages_received, 0u);
  EXPECT_EQ(c.disconnects_unexpected, 3u);
  EXPECT_EQ(c.disconnects, (std::map<std::string, uint64_t>{{"protocol_error", 3}}));
  EXPECT_EQ(server.closes_received(), 3u);
  EXPECT_EQ(server.last_close_code(), 1009);
}

TEST(Engine, OversizeLimitIsInclusive) {
  ServerOptions options{ServerMode::kOversize};
  options.oversize_bytes = kReadMessageMax;
  TestServer server(options);
  Engine engine(1);
  RunResult r = run(engine, make_assignment(server.url(), 2, 30ms, 300ms));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.protocol_errors, 0u);
  EXPECT_EQ(c.push_received, 2u);
  EXPECT_EQ(c.bytes_received, 2 * kReadMessageMax);
  EXPECT_EQ(c.disconnects, (std::map<std::string, uint64_t>{{"close_1000", 2}}));
}

TEST(Engine, MaskedServerFrameIsAProtocolError) {
  TestServer server(ServerOptions{ServerMode::kMasked});
  Engine engine(1);
  RunResult r = run(engine, make_assignment(server.url(), 2, 30ms, 2s));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.protocol_errors, 2u);
  EXPECT_EQ(c.messages_received, 0u);
  EXPECT_EQ(c.disconnects, (std::map<std::string, uint64_t>{{"protocol_error", 2}}));
  EXPECT_EQ(server.closes_received(), 2u);
  EXPECT_EQ(server.last_close_code(), 1002);
}

// The server closes first: the agent answers the close frame and counts the disconnect by the
// server's code, as unexpected.
TEST(Engine, ServerCloseIsAnsweredAndCountedByCode) {
  TestServer server(ServerOptions{ServerMode::kCloses});
  Engine engine(1);
  RunResult r = run(engine, make_assignment(server.url(), 3, 30ms, 2s));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.connections_established, 3u);
  EXPECT_EQ(c.connections_closed, 3u);
  EXPECT_EQ(c.disconnects_unexpected, 3u);
  EXPECT_EQ(c.disconnects, (std::map<std::string, uint64_t>{{"close_4001", 3}}));
  EXPECT_EQ(c.protocol_errors, 0u);
}

TEST(Engine, PushSequencesGapsDuplicatesReordered) {
  // Per connection: 3 arrives late (reordered), 3 again (duplicate), 6 late (reordered),
  // 5, 8 and 9 never arrive (three gaps).
  TestServer server(ServerOptions{ServerMode::kPushes, 0ms, {1, 2, 4, 3, 3, 7, 6, 10}});
  Engine engine(2);
  auto a = make_assignment(server.url(), 3, 30ms, 500ms);
  a.scenario.push.sequence_field = "seq";
  a.scenario.push.timestamp_field = "ts";
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.push_received, 24u);
  EXPECT_EQ(c.messages_received, 24u);
  EXPECT_EQ(c.push_gaps, 9u);
  EXPECT_EQ(c.push_duplicates, 3u);
  EXPECT_EQ(c.push_reordered, 6u);
  EXPECT_EQ(r.total.push_latency.count(), 24u);
}

TEST(Engine, ClosedLoopSendsOnEachReply) {
  TestServer server({});
  Engine engine(1);
  auto a = make_assignment(server.url(), 2, 0ms, 300ms);
  a.scenario.messages = json_messages(0ms, 1s);
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_GT(c.messages_sent, 2u * 20);  // far more than an open loop would send
  EXPECT_EQ(c.messages_sent, c.replies);
  EXPECT_EQ(c.timeouts, 0u);
}

TEST(Engine, PingFramesAreAnsweredByPongs) {
  TestServer server({});
  Engine engine(1);
  auto a = make_assignment(server.url(), 3, 30ms, 400ms);
  auto m = json_messages(50ms, 1s);
  m.kind = shared::MessageKind::kPing;
  a.scenario.messages = m;
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_GE(c.messages_sent, 3u * 6);
  EXPECT_EQ(c.replies, c.messages_sent);
  EXPECT_EQ(server.data_frames(), 0u);
}

TEST(Engine, MatchNextAndBinaryPayload) {
  TestServer server({});
  Engine engine(1);
  auto a = make_assignment(server.url(), 2, 0ms, 300ms);
  auto m = json_messages(50ms, 1s);
  m.kind = shared::MessageKind::kBinary;
  m.size = 300;
  m.match = shared::Match::next();
  a.scenario.messages = m;
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_GT(c.messages_sent, 0u);
  EXPECT_EQ(c.replies, c.messages_sent);
  EXPECT_EQ(c.bytes_sent, c.messages_sent * 300);
}

TEST(Engine, BearerTokenInHeaderOrQuery) {
  {
    TestServer server({});
    Engine engine(1);
    auto a = make_assignment(server.url(), 1, 0ms, 50ms);
    a.scenario.target.auth.token = "abc.def";
    RunResult r = run(engine, std::move(a));
    ASSERT_TRUE(r.finished);
    EXPECT_EQ(r.total.counters.connections_established, 1u);
    EXPECT_EQ(server.last_authorization(), "Bearer abc.def");
  }
  {
    TestServer server({});
    Engine engine(1);
    auto a = make_assignment(server.url("/ws?x=1"), 1, 0ms, 50ms);
    a.scenario.target.auth.token = "a b";
    a.scenario.target.auth.in = shared::TokenPlacement::kQuery;
    RunResult r = run(engine, std::move(a));
    ASSERT_TRUE(r.finished);
    EXPECT_EQ(server.last_target(), "/ws?x=1&token=a%20b");
    EXPECT_EQ(server.last_authorization(), "");
  }
}

// Frames the server sends in the same write as its 101 are not lost.
TEST(Engine, FrameInTheSameWriteAsThe101IsReceived) {
  TestServer server(ServerOptions{ServerMode::kEarlyPush});
  Engine engine(1);
  auto a = make_assignment(server.url(), 3, 30ms, 200ms);
  a.scenario.push.sequence_field = "seq";
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.connections_established, 3u);
  EXPECT_EQ(c.push_received, 3u);
  EXPECT_EQ(c.push_gaps, 0u);
  EXPECT_EQ(c.protocol_errors, 0u);
  EXPECT_EQ(c.disconnects, (std::map<std::string, uint64_t>{{"close_1000", 3}}));
  EXPECT_EQ(c.disconnects_unexpected, 0u);
  EXPECT_EQ(server.closes_received(), 3u);
}

// A 101 that does not prove the server read our key (`bad_accept`), or picks a subprotocol we did
// not offer (`bad_upgrade`), is not a WebSocket session (RFC 6455 §4.1): the attempt fails.
TEST(Engine, InvalidUpgradeResponsesFailTheAttempt) {
  for (auto [mode, reason] : {std::pair{ServerMode::kBadAccept, "bad_accept"},
                              std::pair{ServerMode::kUnofferedProtocol, "bad_upgrade"}}) {
    TestServer server(ServerOptions{mode});
    Engine engine(1);
    auto a = make_assignment(server.url(), 2, 0ms, 100ms);
    RunResult r = run(engine, std::move(a));
    ASSERT_TRUE(r.finished);
    const auto& c = r.total.counters;
    EXPECT_EQ(c.connections_attempted, 2u);
    EXPECT_EQ(c.connections_established, 0u);
    EXPECT_EQ(c.connections_failed, 2u);
    EXPECT_EQ(c.failures, (std::map<std::string, uint64_t>{{reason, 2}}));
  }
}

// A scenario header replaces wsload's own header of that name instead of being sent twice.
TEST(Engine, ScenarioHeadersReplaceBuiltInOnes) {
  TestServer server({});
  Engine engine(1);
  auto a = make_assignment(server.url(), 1, 0ms, 100ms);
  a.scenario.target.headers = {{"Host", "api.example.test"},
                               {"Authorization", "Basic Zm9vOmJhcg=="}};
  a.scenario.target.auth.token = "ignored-because-the-header-is-given";
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.total.counters.connections_established, 1u);
  EXPECT_EQ(server.last_hosts(), "api.example.test");
  EXPECT_EQ(server.last_authorization(), "Basic Zm9vOmJhcg==");
}

TEST(Engine, JwtPerConnection) {
  TestServer server({});
  Engine engine(1);
  auto a = make_assignment(server.url(), 1, 0ms, 50ms);
  a.scenario.target.auth.jwt = shared::JwtAuthSpec{"secret", "user-{{conn}}", 1h};
  RunResult r = run(engine, std::move(a));
  ASSERT_TRUE(r.finished);
  std::string auth = server.last_authorization();
  ASSERT_EQ(auth.rfind("Bearer ey", 0), 0u) << auth;
  EXPECT_EQ(std::count(auth.begin(), auth.end(), '.'), 2);
}

TEST(Engine, StopClosesOpenConnectionsEarly) {
  TestServer server({});
  Engine engine(2);
  auto a = make_assignment(server.url(), 8, 0ms, 60s);
  a.scenario.messages = json_messages(100ms, 2s);
  ASSERT_FALSE(engine.prepare(std::move(a)));
  engine.start(std::chrono::steady_clock::now());
  shared::MetricsDelta total;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (total.counters.connections_established < 8 &&
         std::chrono::steady_clock::now() < deadline) {
    total.merge(engine.take_delta().delta);
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(total.counters.connections_established, 8u);
  engine.stop(500ms);
  EngineSnapshot last;
  while (!last.finished && std::chrono::steady_clock::now() < deadline) {
    last = engine.take_delta();
    total.merge(last.delta);
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(last.finished);
  EXPECT_EQ(total.counters.connections_closed, 8u);
  EXPECT_EQ(total.counters.disconnects_unexpected, 0u);
  EXPECT_EQ(total.counters.messages_sent, total.counters.replies + total.counters.timeouts);
  EXPECT_EQ(last.open_connections, 0u);
}

TEST(Engine, StopBeforeStartIsFinished) {
  Engine engine(1);
  EXPECT_FALSE(engine.finished());
  engine.stop();
  engine.stop();
  EXPECT_TRUE(engine.finished());  // nothing was ever opened
  EXPECT_TRUE(engine.take_delta().finished);
}

TEST(Engine, PrepareRejectsBadInput) {
  {
    Engine engine(1);
    auto error = engine.prepare(make_assignment("http://127.0.0.1:1/ws", 1, 0ms, 0ms));
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("ws://"), std::string::npos) << *error;
  }
  {
    Engine engine(1);
    uint64_t budget = fd_budget();
    ASSERT_GT(budget, 0u);
    auto a = make_assignment("ws://127.0.0.1:1/ws", static_cast<uint32_t>(budget + 1), 0ms, 0ms);
    auto error = engine.prepare(std::move(a));
    ASSERT_TRUE(error);
    EXPECT_NE(error->find(std::to_string(budget + 1)), std::string::npos) << *error;
    EXPECT_NE(error->find(std::to_string(budget)), std::string::npos) << *error;
  }
  {
    Engine engine(1);
    auto a = make_assignment("ws://127.0.0.1:1/ws", 1, 0ms, 0ms);
    a.scenario.messages = json_messages(1s, 1s);
    a.scenario.messages->payload_template = "{{nope}}";
    EXPECT_TRUE(engine.prepare(std::move(a)));
  }
}

TEST(FdBudget, IsTheSoftLimitMinusOpenFilesAndReserve) {
  Engine engine(1);  // raises the soft limit to the hard limit
  uint64_t before = fd_budget();
  int fd = ::dup(0);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(fd_budget(), before - 1);
  ::close(fd);
}

}  // namespace
}  // namespace wsload::agent
