#include "run/live_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>

namespace wsload::controller {
namespace {

std::string latency_text(const LiveSnapshot& s) {
  return s.has_latency
             ? fmt::format("p50 {:.2f}ms p99 {:.2f}ms max {:.2f}ms", s.p50_ms, s.p99_ms, s.max_ms)
             : std::string("latency -");
}

std::string lag_warning(const LiveSnapshot& s) {
  if (s.behind_schedule == 0) return {};
  return fmt::format("WARNING agent behind schedule: {} sends late, max {:.1f}ms",
                     s.behind_schedule, s.max_lag_ms);
}

// "server: connections_open=100 messages_in=5000 ..." (at most 6 fields), or the poll error.
std::string server_text(const LiveSnapshot& s) {
  if (!s.server_error.empty()) return "server: monitor failed (" + s.server_error + ")";
  if (s.server.empty()) return {};
  std::string out = "server:";
  int shown = 0;
  for (const auto& [name, value] : s.server) {
    if (shown++ == 6) break;
    out += fmt::format(" {}={:g}", name, value);
  }
  return out;
}

// "ping 120.0/s p99 1.20ms | chat 0.5/s p99 - timeouts 2 | +3 more": the first kShownStreams
// streams; "" for a v1 scenario.
std::string streams_text(const LiveSnapshot& s) {
  constexpr size_t kShownStreams = 4;
  std::string out;
  for (size_t i = 0; i < s.streams.size() && i < kShownStreams; ++i) {
    const auto& st = s.streams[i];
    out += fmt::format("{}{} {:.1f}/s p99 {}", i == 0 ? "" : " | ", st.name, st.sent_per_s,
                       st.has_latency ? fmt::format("{:.2f}ms", st.p99_ms) : std::string("-"));
    if (st.timeouts > 0) out += fmt::format(" timeouts {}", st.timeouts);
  }
  if (s.streams.size() > kShownStreams)
    out += fmt::format(" | +{} more", s.streams.size() - kShownStreams);
  return out;
}

// "subscribe 3, auth 1"; "" when no step failed.
std::string steps_failed_text(const LiveSnapshot& s) {
  std::string out;
  for (const auto& [name, n] : s.steps_failed)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name, n);
  return out;
}

// The per-part line under the totals (format v2): "streams: ...  steps failed: ...".
std::string parts_text(const LiveSnapshot& s) {
  std::string out;
  if (const auto streams = streams_text(s); !streams.empty()) out += "streams: " + streams;
  if (const auto steps = steps_failed_text(s); !steps.empty())
    out += (out.empty() ? "" : "  ") + std::string("steps failed: ") + steps;
  return out;
}

// "  arrivals 40.0/s" for an arrival model, else "".
std::string arrivals_text(const LiveSnapshot& s) {
  return s.arrival_rate > 0 ? fmt::format("  arrivals {:.1f}/s", s.arrival_rate) : std::string();
}

}  // namespace

std::string LiveView::plain_line(const LiveSnapshot& s) {
  auto line = fmt::format(
      "[{:7.1f}s] {:<9} open {}/{}{}  conn/s {:.1f}  msg/s out {:.1f} in {:.1f}  {}  errors {}  "
      "agents {}/{}",
      s.elapsed_s, s.phase, s.open, s.target, arrivals_text(s), s.connections_per_s, s.sent_per_s,
      s.received_per_s, latency_text(s), s.errors, s.agents_healthy, s.agents_total);
  if (const auto warning = lag_warning(s); !warning.empty()) line += "  " + warning;
  if (const auto server = server_text(s); !server.empty()) line += "  " + server;
  // Under the time column: "[   20.0s] " is 11 characters.
  if (const auto parts = parts_text(s); !parts.empty()) line += "\n" + std::string(11, ' ') + parts;
  return line;
}

std::string LiveView::panel(const LiveSnapshot& s) {
  constexpr int kBarWidth = 40;
  const double fraction = s.planned_s > 0 ? std::clamp(s.elapsed_s / s.planned_s, 0.0, 1.0) : 0.0;
  const int filled = static_cast<int>(std::lround(fraction * kBarWidth));
  std::string bar = std::string(static_cast<size_t>(filled), '#') +
                    std::string(static_cast<size_t>(kBarWidth - filled), '-');
  std::string out;
  out += fmt::format("wsload  [{}] {:3.0f}%  {:.1f}s / {:.1f}s  {}\n", bar, fraction * 100,
                     s.elapsed_s, s.planned_s, s.phase);
  out += fmt::format("  connections  {}/{} open   {:.1f}/s{}\n", s.open, s.target,
                     s.connections_per_s, arrivals_text(s));
  out += fmt::format("  messages/s   out {:.1f}   in {:.1f}\n", s.sent_per_s, s.received_per_s);
  out += fmt::format("  latency      {}\n", latency_text(s));
  out += fmt::format("  errors {}   agents healthy {}/{}\n", s.errors, s.agents_healthy,
                     s.agents_total);
  if (const auto streams = streams_text(s); !streams.empty())
    out += fmt::format("  streams      {}\n", streams);
  if (const auto steps = steps_failed_text(s); !steps.empty())
    out += fmt::format("  steps failed {}\n", steps);
  if (const auto warning = lag_warning(s); !warning.empty()) out += "  " + warning + "\n";
  if (const auto server = server_text(s); !server.empty()) out += "  " + server + "\n";
  return out;
}

void LiveView::erase_panel() {
  if (panel_lines_ > 0) out_ << fmt::format("\033[{}A\033[J", panel_lines_);
  panel_lines_ = 0;
}

void LiveView::update(const LiveSnapshot& s) {
  if (quiet_) return;
  flush_notices();
  if (!terminal_) {
    out_ << plain_line(s) << std::endl;
    return;
  }
  erase_panel();
  const auto text = panel(s);
  panel_lines_ = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  out_ << text << std::flush;
}

void LiveView::print_notice(const std::string& line) {
  // Notices go above the panel; the panel is drawn again at the next update.
  erase_panel();
  out_ << line << std::endl;
}

void LiveView::message(const std::string& line) {
  if (quiet_) return;
  flush_notices();
  print_notice(line);
}

void LiveView::agent_lost(const std::string& agent, const std::string& reason, uint64_t share) {
  if (quiet_) return;
  if (auto line = losses_.lost(agent, reason, share)) print_notice(*line);
}

void LiveView::flush_notices() {
  for (const auto& line : losses_.flush()) print_notice(line);
}

}  // namespace wsload::controller
