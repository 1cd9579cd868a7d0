// Connection attempts against hostile servers: each handshake failure has its own reason, each
// stalled stage its own timeout, and attempts still pending when the run stops are failures
// (attempted == established + failed in every report).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "connection.hpp"
#include "engine_run.hpp"
#include "hostile_server.hpp"
#include "test_server.hpp"

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;
using testing::Hostile;
using testing::HostileOptions;
using testing::HostileServer;
using testing::make_assignment;
using testing::run_engine;
using testing::RunResult;
using Reasons = std::map<std::string, uint64_t>;

void expect_balanced(const shared::Counters& c) {
  EXPECT_EQ(c.connections_attempted, c.connections_established + c.connections_failed);
}

HostileOptions raw(std::function<std::string(const std::string&)> respond, bool close = false) {
  HostileOptions o;
  o.mode = Hostile::kRaw;
  o.respond = std::move(respond);
  o.close_after_respond = close;
  return o;
}

std::string with_accept(const std::string& key, const std::string& status_and_headers) {
  return status_and_headers + "Sec-WebSocket-Accept: " + ws::accept_for(key) + "\r\n\r\n";
}

constexpr const char* k101 = "HTTP/1.1 101 Switching Protocols\r\n";
constexpr const char* kUpgradeHeaders = "Upgrade: websocket\r\nConnection: Upgrade\r\n";

struct UpgradeCase {
  const char* name;
  std::function<std::string(const std::string&)> respond;
  bool close_after = false;
  const char* reason;
};

// Every way an upgrade response can be wrong is counted under its own reason.
TEST(ConnectionHandshake, EachUpgradeFailureHasItsOwnReason) {
  const std::string base = std::string(k101) + kUpgradeHeaders;
  const std::vector<UpgradeCase> cases = {
      {"wrong accept",
       [&](const std::string&) {
         return base + "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n";
       },
       false, "bad_accept"},
      {"no Upgrade header",
       [](const std::string& k) {
         return with_accept(k, std::string(k101) + "Connection: Upgrade\r\n");
       },
       false, "bad_upgrade"},
      {"Connection: keep-alive",
       [](const std::string& k) {
         return with_accept(k,
                            std::string(k101) + "Upgrade: websocket\r\nConnection: keep-alive\r\n");
       },
       false, "bad_upgrade"},
      {"unoffered subprotocol",
       [&](const std::string& k) {
         return with_accept(k, base + "Sec-WebSocket-Protocol: surprise\r\n");
       },
       false, "bad_upgrade"},
      {"unoffered extension",
       [&](const std::string& k) {
         return with_accept(k, base + "Sec-WebSocket-Extensions: permessage-deflate\r\n");
       },
       false, "bad_upgrade"},
      {"not HTTP", [](const std::string&) { return std::string("HELLO THERE\r\n\r\n"); }, false,
       "bad_upgrade"},
      {"status 503",
       [](const std::string&) {
         return std::string("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
       },
       false, "http_503"},
      {"EOF inside the response",
       [](const std::string&) { return std::string("HTTP/1.1 101 Switching Protocols\r\nUpgr"); },
       true, "closed_during_upgrade"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    HostileServer server(raw(tc.respond, tc.close_after));
    Engine engine(1);
    RunResult r = run_engine(engine, make_assignment(server.url(), 2, 0ms, 100ms), 5000ms);
    ASSERT_TRUE(r.finished);
    const auto& c = r.total.counters;
    EXPECT_EQ(c.connections_attempted, 2u);
    EXPECT_EQ(c.connections_established, 0u);
    EXPECT_EQ(c.failures, (Reasons{{tc.reason, 2}}));
  }
}

// A server that closes the connection once it has read the request, before any response byte.
TEST(ConnectionHandshake, CloseBeforeTheResponseIsClosedDuringUpgrade) {
  HostileServer server(HostileOptions{Hostile::kCloseOnRequest});
  Engine engine(1);
  RunResult r = run_engine(engine, make_assignment(server.url(), 3, 0ms, 100ms), 5000ms);
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(r.total.counters.failures, (Reasons{{"closed_during_upgrade", 3}}));
  expect_balanced(r.total.counters);
}

struct StallCase {
  const char* name;
  Hostile mode;
  const char* scheme;
  const char* timeout_reason;
};

const std::vector<StallCase> kStalls = {
    {"TCP connect", Hostile::kFullBacklog, "ws", "connect_timeout"},
    {"TLS handshake", Hostile::kSilent, "wss", "tls_timeout"},
    {"upgrade", Hostile::kSilent, "ws", "handshake_timeout"},
};

// The connect deadline is named after the stage it stopped: TCP, TLS or the HTTP upgrade.
TEST(ConnectionHandshake, ConnectDeadlineIsNamedByStage) {
  for (const auto& tc : kStalls) {
    SCOPED_TRACE(tc.name);
    HostileServer server(HostileOptions{tc.mode});
    Engine engine(1);
    auto a = make_assignment(server.url(tc.scheme), 2, 0ms, 1500ms, 300ms);
    RunResult r = run_engine(engine, std::move(a), 5000ms);
    ASSERT_TRUE(r.finished);
    EXPECT_EQ(r.total.counters.failures, (Reasons{{tc.timeout_reason, 2}}));
    expect_balanced(r.total.counters);
  }
}

// Issue 11 item 3: connect_timeout 30 s, the run's planned end comes first. Every pending attempt
// is a failure at once (the run does not wait for the deadline), whatever stage it stalled in.
TEST(ConnectionHandshake, AttemptsPendingAtThePlannedEndAreFailures) {
  for (const auto& tc : kStalls) {
    SCOPED_TRACE(tc.name);
    HostileServer server(HostileOptions{tc.mode});
    Engine engine(2);
    auto a = make_assignment(server.url(tc.scheme), 10, 0ms, 500ms, 30s);
    // Not finished by then: stop() as the controller would, and still count every attempt.
    RunResult r = run_engine(engine, std::move(a), 3000ms, 3000ms);
    ASSERT_TRUE(r.finished);
    const auto& c = r.total.counters;
    EXPECT_EQ(c.connections_attempted, 10u);
    EXPECT_EQ(c.failures, (Reasons{{"stopped_before_established", 10}}));
    expect_balanced(c);
  }
}

// stop() (an early end or the controller's abort) in the middle of the hold: same accounting.
TEST(ConnectionHandshake, AttemptsPendingAtStopAreFailures) {
  for (const auto& tc : kStalls) {
    SCOPED_TRACE(tc.name);
    HostileServer server(HostileOptions{tc.mode});
    Engine engine(2);
    auto a = make_assignment(server.url(tc.scheme), 6, 0ms, 60s, 30s);
    RunResult r = run_engine(engine, std::move(a), 3000ms, 300ms);
    ASSERT_TRUE(r.finished);
    const auto& c = r.total.counters;
    EXPECT_EQ(c.connections_attempted, 6u);
    EXPECT_EQ(c.failures, (Reasons{{"stopped_before_established", 6}}));
    expect_balanced(c);
  }
}

// A reconnect waiting in its backoff has not been attempted yet: a stop then ends it without
// counting anything, and the equation still holds.
TEST(ConnectionHandshake, ReconnectInBackoffIsNotAnAttempt) {
  testing::TestServer server(testing::ServerOptions{testing::ServerMode::kCloses});
  Engine engine(1);
  auto a = make_assignment(server.url(), 3, 0ms, 60s);
  a.scenario.reconnect.enabled = true;
  a.scenario.reconnect.backoff = 30s;
  RunResult r = run_engine(engine, std::move(a), 3000ms, 500ms);
  ASSERT_TRUE(r.finished);
  const auto& c = r.total.counters;
  EXPECT_EQ(c.connections_attempted, 3u);
  EXPECT_EQ(c.connections_established, 3u);
  EXPECT_EQ(c.reconnects, 0u);
  EXPECT_EQ(c.disconnects, (Reasons{{"close_4001", 3}}));
  expect_balanced(c);
}

TEST(FailureLogBudget, AllowsAFewPerSecondAndCountsTheRest) {
  FailureLogBudget budget;
  TimePoint t0{std::chrono::seconds(100)};
  uint64_t suppressed = 0;
  for (uint32_t i = 0; i < FailureLogBudget::kPerSecond; ++i) {
    EXPECT_TRUE(budget.take(t0 + std::chrono::milliseconds(i), &suppressed));
    EXPECT_EQ(suppressed, 0u);
  }
  EXPECT_FALSE(budget.take(t0 + 500ms, &suppressed));
  EXPECT_FALSE(budget.take(t0 + 999ms, &suppressed));
  // A new second: allowed again, and told how many were left out of the last one.
  EXPECT_TRUE(budget.take(t0 + 1000ms, &suppressed));
  EXPECT_EQ(suppressed, 2u);
  EXPECT_TRUE(budget.take(t0 + 1001ms, &suppressed));
  EXPECT_EQ(suppressed, 0u);
}

}  // namespace
}  // namespace wsload::agent
