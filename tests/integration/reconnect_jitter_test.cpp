// A target restart under jittered reconnect (issue 14): wsload-target is SIGKILLed under 40 idle
// connections and a new process takes its port 300 ms later. With exponential backoff and full
// jitter the connections come back spread over the backoff window; with the fixed backoff of a
// format v1 file they come back together. The agent runs at trace level, so that every backoff it
// waited is in its log: each equals shared::reconnect_delay, and a second run with the same seed
// waits the same delays.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <regex>
#include <thread>

#include "target_process.hpp"
#include "wsload/shared/histogram.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload/shared/reconnect_backoff.hpp"
#include "wsload_cluster.hpp"

namespace wsload::test {
namespace {

using namespace std::chrono_literals;

constexpr int kConnections = 40;
constexpr const char* kAgentToken = "reconnect-agent-token";
constexpr auto kRestartAfter = 300ms;

// Exponential backoff 200 ms doubling to 1.6 s, full jitter, seed 7 (what the scenario says).
shared::ReconnectSpec jittered_spec(uint64_t seed) {
  shared::ReconnectSpec rc;
  rc.enabled = true;
  rc.max_attempts = 5;
  rc.backoff = 200ms;
  rc.max_backoff = 1600ms;
  rc.jitter = true;
  rc.seed = seed;
  return rc;
}

// (connection id, attempt) -> the backoff the agent waited before it, in us (its trace log).
using Delays = std::map<std::pair<uint64_t, uint32_t>, int64_t>;

struct RestartRun {
  nlohmann::json report;
  std::string output;  // wsload run's
  Delays delays;
  shared::Histogram reconnect_time;  // us
};

Delays delays_in(const std::vector<std::string>& agent_lines) {
  static const std::regex kLine(R"(connection (\d+) reconnect attempt (\d+) in (\d+) us)");
  Delays out;
  for (const auto& line : agent_lines) {
    std::smatch m;
    if (!std::regex_search(line, m, kLine)) continue;
    out[{std::stoull(m[1]), static_cast<uint32_t>(std::stoul(m[2]))}] = std::stoll(m[3]);
  }
  return out;
}

// One run of 40 connections with `reconnect_yaml`: the target dies once all are open and a new one
// listens on its port kRestartAfter later. Every process is a ChildProcess of the test.
RestartRun run_with_restart(const std::string& reconnect_yaml) {
  RestartRun result;
  auto target = std::make_unique<ChildProcess>(
      std::vector<std::string>{bin("wsload-target"), "--listen", "127.0.0.1:0", "--path", "/ws",
                               "--no-auth", "--log-level", "warn"});
  const std::string target_address = listening_address(*target);
  const auto port =
      static_cast<uint16_t>(std::stoi(target_address.substr(target_address.rfind(':') + 1)));
  ChildProcess agent({bin("wsload-agent"), "--listen", "127.0.0.1:0", "--threads", "1", "--token",
                      kAgentToken, "--log-level", "trace"});
  const std::string agent_address = listening_address(agent);

  TempDir dir;
  write_text(dir.file("scenario.yaml"),
             "name: reconnect-jitter\n"
             "target:\n  url: ws://" +
                 target_address +
                 "/ws\n"
                 "load:\n  connections: " +
                 std::to_string(kConnections) + "\n  ramp_up: 200ms\n  hold: 6s\n" +
                 reconnect_yaml);
  ProcessOptions options;
  options.capture_stderr = true;
  options.unset_env = {"WS_URL",        "AUTH_TOKEN",        "MAX_CONNECTIONS",
                       "TEST_DURATION", "MESSAGE_FREQUENCY", "WSLOAD_AGENT_TOKEN",
                       "JWT_SECRET"};
  ChildProcess run({bin("wsload"), "run", dir.file("scenario.yaml"), "--agents", agent_address,
                    "--agent-token", kAgentToken, "--json", dir.file("report.json")},
                   options);
  EXPECT_EQ(wait_for_stat(port, "connections_open", kConnections), kConnections) << run.output();

  // The old process dies with its sockets; a new one binds the same port kRestartAfter later.
  EXPECT_TRUE(target->send_signal(SIGKILL));
  EXPECT_TRUE(target->wait_exit(5s).has_value());
  std::this_thread::sleep_for(kRestartAfter);
  target = std::make_unique<ChildProcess>(
      std::vector<std::string>{bin("wsload-target"), "--listen", target_address, "--path", "/ws",
                               "--no-auth", "--log-level", "warn"});
  EXPECT_TRUE(target->wait_for_line("listening on ", 10s)) << target->output();
  EXPECT_EQ(wait_for_stat(port, "connections_open", kConnections), kConnections)
      << "every connection came back to the new process";

  const auto exit_code = run.wait_exit(60s);
  if (!exit_code) run.terminate();
  result.output = run.output();
  EXPECT_EQ(exit_code.value_or(-1), 0) << result.output;
  std::ifstream in(dir.file("report.json"));
  if (in) result.report = nlohmann::json::parse(in, nullptr, false);
  result.delays = delays_in(agent.lines());
  if (result.report.is_object() && result.report["connections"].contains("reconnect_time")) {
    const auto& encoded =
        result.report["connections"]["reconnect_time"]["histogram"]["encoded"].get<std::string>();
    if (auto bytes = shared::base64url_decode(encoded)) {
      if (auto h = shared::Histogram::deserialize(*bytes)) result.reconnect_time = *h;
    }
  }
  return result;
}

double ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

// p90 - p10 of the time to reconnect, in us.
int64_t spread_us(const shared::Histogram& h) {
  return h.value_at_percentile(90) - h.value_at_percentile(10);
}

// Every connection disconnected once and came back once; what the report says about it.
void expect_every_connection_reconnected(const RestartRun& r) {
  ASSERT_TRUE(r.report.is_object()) << r.output;
  const auto& c = r.report["connections"];
  EXPECT_EQ(c["unexpected_disconnects"], kConnections) << c.dump();
  EXPECT_EQ(c["established"], 2 * kConnections);
  EXPECT_EQ(c["attempted"].get<int>(), 2 * kConnections + c["failed"].get<int>());
  EXPECT_GE(c["reconnects"].get<int>(), kConnections);  // one per attempt, failed ones included
  EXPECT_EQ(r.reconnect_time.count(), static_cast<uint64_t>(kConnections));
  EXPECT_EQ(c["reconnect_time"]["count"], kConnections);
  EXPECT_NE(r.output.find("Reconnects: "), std::string::npos) << r.output;
  // Nobody is back before the new process listened.
  EXPECT_GE(r.reconnect_time.min(), std::chrono::microseconds(kRestartAfter).count());
}

TEST(ReconnectJitter, ARestartSpreadsTheReconnectsOverTheBackoffWindowReproducibly) {
  const std::string yaml =
      "reconnect: { enabled: true, max_attempts: 5, backoff: 200ms, max_backoff: 1600ms, "
      "jitter: true, seed: 7 }\n";
  const RestartRun first = run_with_restart(yaml);
  expect_every_connection_reconnected(first);

  // The target is back after ~300 ms, when the first attempts (at most 200 ms) are over: the
  // connections come back during their 2nd (up to 400 ms) and 3rd (up to 800 ms) waits. The
  // window those allow is the 3rd attempt's cap; the middle 80% of the reconnects must cover at
  // least 30% of it (a thundering herd covers ~0%).
  const auto spec = jittered_spec(7);
  const int64_t window_us =
      std::chrono::duration_cast<std::chrono::microseconds>(shared::reconnect_backoff_cap(spec, 3))
          .count();
  const int64_t spread = spread_us(first.reconnect_time);
  std::printf(
      "[ reconnect ] jittered: time to reconnect min %.1f ms, p10 %.1f ms, p50 %.1f ms, p90 %.1f "
      "ms, max %.1f ms; p90 - p10 = %.1f ms = %.0f%% of the %.0f ms window\n",
      ms(first.reconnect_time.min()), ms(first.reconnect_time.value_at_percentile(10)),
      ms(first.reconnect_time.value_at_percentile(50)),
      ms(first.reconnect_time.value_at_percentile(90)), ms(first.reconnect_time.max()), ms(spread),
      100.0 * static_cast<double>(spread) / static_cast<double>(window_us), ms(window_us));
  EXPECT_GE(spread * 10, window_us * 3) << "p90 - p10 = " << ms(spread) << " ms";

  // Every backoff the agent waited is the pure function of (seed, connection id, attempt).
  ASSERT_GE(first.delays.size(), static_cast<size_t>(kConnections));
  for (const auto& [key, us] : first.delays) {
    const auto want = std::chrono::duration_cast<std::chrono::microseconds>(
        shared::reconnect_delay(spec, key.first, key.second));
    EXPECT_EQ(us, want.count()) << "connection " << key.first << " attempt " << key.second;
  }

  // The same scenario again: the same delays wherever both runs made the same attempt (at least
  // the first attempt of every connection; later ones depend on when the target came back).
  const RestartRun second = run_with_restart(yaml);
  expect_every_connection_reconnected(second);
  size_t compared = 0;
  for (const auto& [key, us] : second.delays) {
    auto it = first.delays.find(key);
    if (it == first.delays.end()) continue;
    EXPECT_EQ(us, it->second) << "connection " << key.first << " attempt " << key.second;
    ++compared;
  }
  for (uint64_t id = 0; id < kConnections; ++id) {
    EXPECT_TRUE(first.delays.contains({id, 1}) && second.delays.contains({id, 1})) << id;
  }
  EXPECT_GE(compared, static_cast<size_t>(kConnections));
  std::printf("[ reconnect ] second run: %zu backoffs compared, all equal; p90 - p10 = %.1f ms\n",
              compared, ms(spread_us(second.reconnect_time)));
}

// Format v1: a fixed backoff brings every connection back in the same instant.
TEST(ReconnectJitter, AFixedBackoffBringsEveryConnectionBackTogether) {
  const RestartRun fixed =
      run_with_restart("reconnect: { enabled: true, max_attempts: 5, backoff: 200ms }\n");
  expect_every_connection_reconnected(fixed);
  const int64_t spread = spread_us(fixed.reconnect_time);
  std::printf("[ reconnect ] fixed 200 ms backoff: p10 %.1f ms, p90 %.1f ms, p90 - p10 = %.1f ms\n",
              ms(fixed.reconnect_time.value_at_percentile(10)),
              ms(fixed.reconnect_time.value_at_percentile(90)), ms(spread));
  // Attempts every 200 ms from the disconnect: all at 400 ms or all at 600 ms (a target that
  // started listening in the middle of the 40 connects could split them by one backoff at most).
  EXPECT_LT(spread, std::chrono::microseconds(240ms).count());
  for (const auto& [key, us] : fixed.delays) EXPECT_EQ(us, 200'000) << key.first;
}

}  // namespace
}  // namespace wsload::test
