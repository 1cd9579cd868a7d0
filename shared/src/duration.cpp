#include "wsload/shared/duration.hpp"

#include <cstdint>

#include "wsload/shared/strings.hpp"

namespace wsload::shared {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Nanoseconds per unit; 0 when `unit` is not a unit.
int64_t unit_nanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\xC2\xB5s") return 1'000;  // also "µs"
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return 0;
}

bool checked_add(int64_t a, int64_t b, int64_t* out) { return !__builtin_add_overflow(a, b, out); }
bool checked_mul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }

// Parses one "<digits>[.<digits>]<unit>" component at the front of `s`, advancing it.
std::optional<int64_t> parse_component(std::string_view& s) {
  size_t i = 0;
  int64_t whole = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (!checked_mul(whole, 10, &whole) || !checked_add(whole, s[i] - '0', &whole))
      return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string_view fraction;
  if (i < s.size() && s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    fraction = s.substr(start, i - start);
    if (fraction.empty()) return std::nullopt;
  }
  const size_t unit_start = i;
  while (i < s.size() && !is_digit(s[i]) && s[i] != '.') ++i;
  const int64_t per_unit = unit_nanos(s.substr(unit_start, i - unit_start));
  if (per_unit == 0) return std::nullopt;

  int64_t total = 0;
  if (!checked_mul(whole, per_unit, &total)) return std::nullopt;
  // Fraction digits beyond nanosecond resolution are truncated.
  int64_t scale = per_unit;
  for (char c : fraction) {
    scale /= 10;
    if (scale == 0) break;
    if (!checked_add(total, (c - '0') * scale, &total)) return std::nullopt;
  }
  s.remove_prefix(i);
  return total;
}

}  // namespace

std::optional<Nanos> parse_duration(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text == "0") return Nanos{0};
  int64_t total = 0;
  while (!text.empty()) {
    const auto part = parse_component(text);
    if (!part || !checked_add(total, *part, &total)) return std::nullopt;
  }
  return Nanos{total};
}

std::optional<Nanos> parse_millis(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  int64_t ms = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    if (!checked_mul(ms, 10, &ms) || !checked_add(ms, c - '0', &ms)) return std::nullopt;
  }
  int64_t ns = 0;
  if (!checked_mul(ms, 1'000'000, &ns)) return std::nullopt;
  return Nanos{ns};
}

std::string format_duration(Nanos d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  // Work on the magnitude as unsigned so that INT64_MIN renders too.
  uint64_t rest =
      ns < 0 ? static_cast<uint64_t>(0) - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (ns < 0) out += '-';
  struct Unit {
    uint64_t nanos;
    const char* name;
  };
  static constexpr Unit kWhole[] = {
      {3'600'000'000'000, "h"}, {60'000'000'000, "m"}, {1'000'000'000, "s"}};
  for (const auto& u : kWhole) {
    if (rest >= u.nanos) {
      out += std::to_string(rest / u.nanos) + u.name;
      rest %= u.nanos;
    }
  }
  // The sub-second remainder in the largest unit that renders it exactly.
  if (rest != 0) {
    if (rest % 1'000'000 == 0) {
      out += std::to_string(rest / 1'000'000) + "ms";
    } else if (rest % 1'000 == 0) {
      out += std::to_string(rest / 1'000) + "us";
    } else {
      out += std::to_string(rest) + "ns";
    }
  }
  return out;
}

}  // namespace wsload::shared
