#include "live_view.hpp"

#include <ostream>

#include <fmt/format.h>

namespace wsload::controller {

void LiveView::update(const LiveSnapshot& s) {
  if (quiet_) return;
  std::string latency = s.has_latency
                            ? fmt::format("p50 {:.2f}ms p99 {:.2f}ms max {:.2f}ms", s.p50_ms, s.p99_ms, s.max_ms)
                            : std::string("latency -");
  out_ << fmt::format("[{:7.1f}s] {:<9} open {}/{}  conn/s {:.1f}  msg/s out {:.1f} in {:.1f}  {}  errors {}  agents {}/{}",
                      s.elapsed_s, s.phase, s.open, s.target, s.connections_per_s, s.sent_per_s,
                      s.received_per_s, latency, s.errors, s.agents_healthy, s.agents_total);
  if (s.behind_schedule > 0) {
    out_ << fmt::format("  WARNING agent behind schedule: {} sends late, max {:.1f}ms", s.behind_schedule,
                        s.max_lag_ms);
  }
  out_ << std::endl;
}

void LiveView::message(const std::string& line) {
  if (!quiet_) out_ << line << std::endl;
}

}  // namespace wsload::controller
