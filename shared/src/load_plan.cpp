#include "wsload/shared/load_plan.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <numeric>

#include "wsload/shared/duration.hpp"
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

uint64_t LoadPlan::peak_of(const std::vector<uint32_t>& ids) const {
  int64_t open = 0;
  int64_t peak = 0;
  if (load_.arrival) {
    // Opens and closes both come in id order (every session is `lifetime` long).
    size_t closed = 0;
    const auto open_at = [&](uint32_t id) {
      return spread(id, load_.arrival->per, load_.arrival->count);
    };
    for (size_t i = 0; i < ids.size() && ids[i] < ids_; ++i) {
      const Duration at = open_at(ids[i]);
      while (closed < i && open_at(ids[closed]) + load_.arrival->lifetime <= at) {
        --open;
        ++closed;
      }
      peak = std::max(peak, ++open);
    }
    return static_cast<uint64_t>(peak);
  }
  std::vector<Duration> opens;
  std::vector<Duration> closes;
  std::vector<Session> list;
  for (uint32_t id : ids) {
    list.clear();
    sessions(id, list);
    for (const Session& s : list) {
      opens.push_back(s.open);
      closes.push_back(s.close);
    }
  }
  std::sort(opens.begin(), opens.end());
  std::sort(closes.begin(), closes.end());
  size_t k = 0;
  for (Duration at : opens) {
    while (k < closes.size() && closes[k] <= at) {
      --open;
      ++k;
    }
    peak = std::max(peak, ++open);
  }
  return static_cast<uint64_t>(peak);
}

namespace {

// The per-unit spellings of a rate's denominator ("200/s"); anything else is a duration.
constexpr std::pair<std::string_view, Duration> kRateUnits[] = {
    {"us", std::chrono::microseconds(1)},
    {"ms", std::chrono::milliseconds(1)},
    {"s", std::chrono::seconds(1)},
    {"m", std::chrono::minutes(1)},
    {"h", std::chrono::hours(1)}};

// "<digits>[.<up to 3 digits>]" > 0 as numerator / 10^decimals; false otherwise.
bool parse_decimal(std::string_view text, uint64_t& numerator, int& decimals, std::string* why) {
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || !digits(whole) || !digits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    *why = "expected a number of arrivals such as 200 or 0.5 before the '/'";
    return false;
  }
  if (fraction.size() > 3) {
    *why = "at most 3 decimals in the number of arrivals";
    return false;
  }
  const std::string all = std::string(whole) + std::string(fraction);
  const auto [end, ec] = std::from_chars(all.data(), all.data() + all.size(), numerator);
  if (ec != std::errc() || end != all.data() + all.size() || numerator > (uint64_t{1} << 53)) {
    *why = "the number of arrivals is too large";
    return false;
  }
  if (numerator == 0) {
    *why = "the rate must be greater than 0";
    return false;
  }
  decimals = static_cast<int>(fraction.size());
  return true;
}

}  // namespace

std::optional<ArrivalRate> parse_arrival_rate(std::string_view text, std::string* why) {
  std::string ignored;
  if (why == nullptr) why = &ignored;
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    *why = "expected a rate such as 200/s, 30/m, 0.5/s or 1/100ms";
    return std::nullopt;
  }
  uint64_t numerator = 0;
  int decimals = 0;
  if (!parse_decimal(text.substr(0, slash), numerator, decimals, why)) return std::nullopt;
  const std::string_view unit = text.substr(slash + 1);
  std::optional<Duration> per;
  for (const auto& [name, length] : kRateUnits) {
    if (unit == name) per = length;
  }
  if (!per) per = parse_duration(unit);
  if (!per || per->count() <= 0) {
    *why = "expected a unit (s, m, h, ms) or a duration such as 100ms after the '/'";
    return std::nullopt;
  }
  // numerator / 10^decimals per `per` == numerator per (per * 10^decimals), reduced by the part of
  // 10^decimals they share.
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const uint64_t common = std::gcd(numerator, scale);
  int64_t per_ns = 0;
  if (__builtin_mul_overflow(per->count(), static_cast<int64_t>(scale / common), &per_ns)) {
    *why = "the rate's period is too long";
    return std::nullopt;
  }
  return ArrivalRate{numerator / common, Duration{per_ns}};
}

std::string format_arrival_rate(const ArrivalSpec& arrival) {
  for (const auto& [name, length] : kRateUnits) {
    if (arrival.per == length) return std::to_string(arrival.count) + "/" + std::string(name);
  }
  return std::to_string(arrival.count) + "/" + format_duration(arrival.per);
}

}  // namespace wsload::shared
