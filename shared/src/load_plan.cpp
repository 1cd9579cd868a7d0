#include "wsload/shared/load_plan.hpp"

#include <algorithm>
#include <limits>

#include "wsload/shared/planner.hpp"

namespace wsload::shared {
namespace {

__extension__ typedef unsigned __int128 u128;
using Duration = LoadPlan::Duration;

// floor(k * span / n) without overflow; 0 when n == 0.
Duration spread(uint64_t k, Duration span, uint64_t n) {
  if (n == 0 || span.count() <= 0) return Duration{0};
  return Duration{
      static_cast<int64_t>(static_cast<u128>(k) * static_cast<uint64_t>(span.count()) / n)};
}

// How many arrivals have opened at or before t (arrival i at floor(i * per / count)):
// i * per < (t + 1) * count, capped at `cap`.
uint64_t arrivals_by(Duration t, const ArrivalSpec& a, uint64_t cap) {
  if (t.count() < 0 || a.per.count() <= 0) return 0;
  const auto per = static_cast<uint64_t>(a.per.count());
  const u128 n = (static_cast<u128>(t.count() + 1) * a.count + per - 1) / per;
  return static_cast<uint64_t>(std::min<u128>(n, cap));
}

}  // namespace

uint64_t planned_ids(const LoadSpec& load) {
  if (load.arrival) {
    const ArrivalSpec& a = *load.arrival;
    if (a.per.count() <= 0 || a.duration.count() <= 0) return 0;
    return static_cast<uint64_t>(static_cast<u128>(a.duration.count()) * a.count /
                                 static_cast<uint64_t>(a.per.count()));
  }
  if (!load.stages.empty()) {
    uint64_t peak = 0;
    for (const LoadStage& s : load.stages) peak = std::max(peak, s.to);
    return peak;
  }
  return load.connections;
}

LoadPlan::LoadPlan(const LoadSpec& load) : load_(load), ids_(planned_ids(load)) {
  if (load.arrival) {
    const Duration last_open =
        ids_ == 0 ? Duration{0} : spread(ids_ - 1, load.arrival->per, load.arrival->count);
    end_ = ids_ == 0 ? Duration{0} : last_open + load.arrival->lifetime;
    requests_end_ = end_;
    // Sessions are all as long: at most ceil(lifetime * rate) + 1 opens fit in one lifetime.
    const u128 in_lifetime =
        (static_cast<u128>(load.arrival->lifetime.count()) * load.arrival->count +
         static_cast<uint64_t>(load.arrival->per.count()) - 1) /
            static_cast<uint64_t>(load.arrival->per.count()) +
        1;
    peak_ = static_cast<uint64_t>(std::min<u128>(ids_, in_lifetime));
    return;
  }
  if (!load.stages.empty()) {
    Duration at{0};
    uint64_t level = 0;
    for (const LoadStage& s : load.stages) {
      spans_.push_back({at, s.over, level, s.to});
      at += s.over;
      level = s.to;
    }
    end_ = requests_end_ = at;
    peak_ = ids_;
    return;
  }
  requests_end_ = load.ramp_up + load.hold;
  end_ = requests_end_ + (ids_ == 0 ? Duration{0} : spread(ids_ - 1, load.ramp_down, ids_));
  peak_ = ids_;
}

void LoadPlan::sessions(uint64_t id, std::vector<Session>& out) const {
  if (id >= ids_) return;
  if (load_.arrival) {
    const Duration open = spread(id, load_.arrival->per, load_.arrival->count);
    out.push_back({open, open + load_.arrival->lifetime});
    return;
  }
  if (spans_.empty()) {
    out.push_back({scheduled_open(id, ids_, load_.ramp_up),
                   requests_end_ + scheduled_open(id, ids_, load_.ramp_down)});
    return;
  }
  bool open = false;
  for (const StageSpan& s : spans_) {
    if (s.to > s.from && id >= s.from && id < s.to) {  // a rise opens it
      out.push_back({s.start + spread(id - s.from, s.over, s.to - s.from), end_});
      open = true;
    } else if (s.to < s.from && id >= s.to && id < s.from && open) {  // a fall closes it
      out.back().close = s.start + spread(s.from - 1 - id, s.over, s.from - s.to);
      open = false;
    }
  }
}

// How many of n evenly spread events (event j at floor(j * over / n)) happened by `into`:
// floor(j * over / n) <= into  <=>  j * over < (into + 1) * n.
static uint64_t happened(Duration into, Duration over, uint64_t n) {
  if (over.count() <= 0) return n;
  const u128 count =
      (static_cast<u128>(into.count() + 1) * n + static_cast<uint64_t>(over.count()) - 1) /
      static_cast<uint64_t>(over.count());
  return static_cast<uint64_t>(std::min<u128>(count, n));
}

uint64_t LoadPlan::stage_level(Duration t) const {
  if (t >= end_) return 0;
  uint64_t level = 0;
  for (const StageSpan& s : spans_) {
    if (t < s.start) break;
    if (t >= s.start + s.over) {
      level = s.to;
      continue;
    }
    const Duration into = t - s.start;
    level = s.to >= s.from ? s.from + happened(into, s.over, s.to - s.from)
                           : s.from - happened(into, s.over, s.from - s.to);
    break;
  }
  return level;
}

uint64_t LoadPlan::level(Duration t) const {
  if (t.count() < 0) return 0;
  if (load_.arrival) {
    const uint64_t opened = arrivals_by(t, *load_.arrival, ids_);
    const uint64_t closed = arrivals_by(t - load_.arrival->lifetime, *load_.arrival, ids_);
    return opened - closed;
  }
  if (!spans_.empty()) return stage_level(t);
  if (t >= end_ && t >= requests_end_) return 0;
  const uint64_t opened = t >= load_.ramp_up ? ids_ : happened(t, load_.ramp_up, ids_);
  const uint64_t closed =
      t < requests_end_ ? 0 : happened(t - requests_end_, load_.ramp_down, ids_);
  return opened - closed;
}

double LoadPlan::arrival_rate() const {
  if (!load_.arrival || load_.arrival->per.count() <= 0) return 0;
  return static_cast<double>(load_.arrival->count) /
         std::chrono::duration<double>(load_.arrival->per).count();
}

}  // namespace wsload::shared
