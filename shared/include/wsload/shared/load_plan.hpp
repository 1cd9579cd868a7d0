#pragma once
// Pure timing of a run's load shape (SPEC §3, §3b): when each global connection id opens and
// closes, relative to the synchronized start. No clocks, no I/O. Every agent computes the sessions
// of its own ids with it, so the union over agents is the single-machine schedule.
// - Ramp (ramp_up, hold, ramp_down): id opens at floor(id * ramp_up / N); all requests stop at
//   ramp_up + hold; ids close from there in id order spread over ramp_down (together with 0).
// - Stages: the planned level goes linearly from the previous stage's `to` to this one's over
//   `over`. A rise from a to b opens ids a..b-1 evenly (id k at floor((k - a) * over / (b - a))
//   into the stage); a fall from b to a closes ids b-1 down to a, highest first, evenly. An id
//   opened again after a fall starts a new session. Whatever is open after the last stage closes at
//   its end.
// - Arrivals: arrival i opens at floor(i * per / count) and closes `lifetime` later.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wsload/shared/scenario.hpp"

namespace wsload::shared {

class LoadPlan {
 public:
  using Duration = std::chrono::nanoseconds;

  // One session of a connection id: open at `open`, close (planned) at `close`, both from the
  // start.
  struct Session {
    Duration open{0};
    Duration close{0};
    bool operator==(const Session&) const = default;
  };

  explicit LoadPlan(const LoadSpec& load);

  // Global connection ids: 0 .. ids()-1 (the ramp's count, the stages' peak, the arrivals).
  uint64_t ids() const { return ids_; }
  // Appends the sessions of `id` to `out`, in time order (one for a ramp or arrival; stages may
  // open an id several times).
  void sessions(uint64_t id, std::vector<Session>& out) const;
  // No request starts at or after this instant: the ramp's end of hold, the end of the last stage,
  // the end of the last arrival's lifetime.
  Duration requests_end() const { return requests_end_; }
  // The last planned close.
  Duration end() const { return end_; }
  // Connections the plan has open at `t` (exact: sessions with open <= t < close).
  uint64_t level(Duration t) const;
  // The most connections the plan has open at once (arrivals: an upper bound, at most one above).
  uint64_t peak() const { return peak_; }
  // Arrivals per second (arrival model), else 0.
  double arrival_rate() const;
  // The most sessions of `ids` (increasing) open at once: an exact sweep over their sessions, a
  // close at the same instant as an open going first (as the agent's RunSchedule counts). For
  // arrivals it streams over the ids; otherwise it holds two instants per session.
  uint64_t peak_of(const std::vector<uint32_t>& ids) const;

 private:
  struct StageSpan {
    Duration start{0};
    Duration over{0};
    uint64_t from = 0;
    uint64_t to = 0;
  };
  uint64_t stage_level(Duration t) const;

  LoadSpec load_;
  uint64_t ids_ = 0;
  Duration requests_end_{0};
  Duration end_{0};
  uint64_t peak_ = 0;
  std::vector<StageSpan> spans_;  // stages, with their start instants
};

// The ids a load spec plans: the ramp's `connections`, the stages' highest `to`, or the arrivals
// that fit in `duration` (floor(duration * count / per)). The loader stores it in connections.
uint64_t planned_ids(const LoadSpec& load);

// An arrival rate as written in a scenario: "<number>/<unit or duration>" with a number > 0 of at
// most 3 decimals and a unit (s, m, h, ms, us) or a duration ("1/100ms", "30/2m"). Kept exact as
// count per `per`: a decimal scales `per` ("0.5/s" is 1 per 2s, "2.5/s" is 5 per 2s). nullopt,
// with the reason in *why, for anything else.
struct ArrivalRate {
  uint64_t count = 0;
  std::chrono::nanoseconds per{0};
};
std::optional<ArrivalRate> parse_arrival_rate(std::string_view text, std::string* why);
// "200/s", "30/m", "1/2s", "5/100ms": parse_arrival_rate reads it back exactly.
std::string format_arrival_rate(const ArrivalSpec& arrival);

}  // namespace wsload::shared
