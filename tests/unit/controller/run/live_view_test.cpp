#include "run/live_view.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace wsload::controller {
namespace {

LiveSnapshot snapshot() {
  LiveSnapshot s;
  s.elapsed_s = 20;
  s.planned_s = 40;
  s.phase = "hold";
  s.open = 100;
  s.target = 100;
  s.sent_per_s = 20;
  s.received_per_s = 40;
  s.has_latency = true;
  s.p50_ms = 0.25;
  s.p99_ms = 1.5;
  s.max_ms = 3;
  s.agents_healthy = 2;
  s.agents_total = 2;
  return s;
}

TEST(LiveView, PlainLineForLogs) {
  std::ostringstream out;
  LiveView view(out, false, false);
  view.update(snapshot());
  EXPECT_EQ(out.str(),
            "[   20.0s] hold      open 100/100  conn/s 0.0  msg/s out 20.0 in 40.0  p50 0.25ms p99 "
            "1.50ms max 3.00ms  "
            "errors 0  agents 2/2\n");
}

TEST(LiveView, TerminalPanelIsRedrawnInPlaceWithProgress) {
  std::ostringstream out;
  LiveView view(out, false, true);
  view.update(snapshot());
  const auto first = out.str();
  EXPECT_NE(first.find("50%"), std::string::npos) << first;
  EXPECT_NE(first.find("[" + std::string(20, '#') + std::string(20, '-') + "]"), std::string::npos)
      << first;
  view.update(snapshot());
  // The second draw first moves up over the 5 panel lines and clears them.
  EXPECT_EQ(out.str().substr(first.size(), 7), "\033[5A\033[J");
}

TEST(LiveView, ShapesShowTheirPhaseTargetAndArrivalRate) {
  auto s = snapshot();
  s.phase = "stage 3/4 → 120";
  s.open = 57;
  s.target = 60;
  EXPECT_EQ(LiveView::plain_line(s).rfind("[   20.0s] stage 3/4 → 120 open 57/60  conn/s", 0), 0u)
      << LiveView::plain_line(s);
  s.phase = "arrivals";
  s.open = 12;
  s.target = 12;
  s.arrival_rate = 40;
  EXPECT_NE(LiveView::plain_line(s).find("arrivals  open 12/12  arrivals 40.0/s  conn/s"),
            std::string::npos)
      << LiveView::plain_line(s);
  EXPECT_NE(LiveView::panel(s).find("  connections  12/12 open   0.0/s  arrivals 40.0/s\n"),
            std::string::npos)
      << LiveView::panel(s);
}

TEST(LiveView, LagWarningIsShown) {
  auto s = snapshot();
  s.behind_schedule = 7;
  s.max_lag_ms = 12.5;
  EXPECT_NE(LiveView::plain_line(s).find("WARNING agent behind schedule: 7 sends late, max 12.5ms"),
            std::string::npos);
  EXPECT_NE(LiveView::panel(s).find("WARNING"), std::string::npos);
}

TEST(LiveView, QuietPrintsNothing) {
  std::ostringstream out;
  LiveView view(out, true, true);
  view.update(snapshot());
  view.message("agent lost");
  EXPECT_TRUE(out.str().empty());
}

LiveSnapshot with_streams(int count) {
  auto s = snapshot();
  const char* names[] = {"ping", "chat", "publish", "presence", "typing", "acks"};
  for (int i = 0; i < count; ++i) {
    StreamRate rate;
    rate.name = names[i];
    rate.sent_per_s = 10.0 * (i + 1);
    rate.has_latency = i != 1;
    rate.p99_ms = 1.25 * (i + 1);
    rate.timeouts = i == 0 ? 3 : 0;
    s.streams.push_back(rate);
  }
  return s;
}

TEST(LiveView, StreamsLineUnderThePlainLine) {
  auto s = with_streams(2);
  s.steps_failed = {{"subscribe", 2}};
  EXPECT_EQ(LiveView::plain_line(s),
            "[   20.0s] hold      open 100/100  conn/s 0.0  msg/s out 20.0 in 40.0  p50 0.25ms p99 "
            "1.50ms max 3.00ms  errors 0  agents 2/2\n"
            "           streams: ping 10.0/s p99 1.25ms timeouts 3 | chat 20.0/s p99 -  steps "
            "failed: subscribe 2");
  auto only_steps = snapshot();
  only_steps.steps_failed = {{"auth", 1}};
  EXPECT_NE(LiveView::plain_line(only_steps).find("\n           steps failed: auth 1"),
            std::string::npos);
}

TEST(LiveView, StreamsBeyondFourAreFolded) {
  const auto line = LiveView::plain_line(with_streams(6));
  EXPECT_NE(line.find("| presence 40.0/s p99 5.00ms | +2 more"), std::string::npos) << line;
  EXPECT_EQ(line.find("typing"), std::string::npos) << line;
}

TEST(LiveView, PanelHasTheStreamsAndFailedSteps) {
  auto s = with_streams(1);
  s.steps_failed = {{"subscribe", 2}};
  const auto panel = LiveView::panel(s);
  EXPECT_NE(panel.find("  streams      ping 10.0/s p99 1.25ms timeouts 3\n"), std::string::npos)
      << panel;
  EXPECT_NE(panel.find("  steps failed subscribe 2\n"), std::string::npos) << panel;
  // The redraw moves up over all 7 lines.
  std::ostringstream out;
  LiveView view(out, false, true);
  view.update(s);
  const auto first = out.str().size();
  view.update(s);
  EXPECT_EQ(out.str().substr(first, 7), "\033[7A\033[J");
}

}  // namespace
}  // namespace wsload::controller
