#pragma once
// Durations as written in scenarios and flags: "250ms", "10s", "2m", "1h", "1.5s", "500us", "0".
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wsload::shared {

using Nanos = std::chrono::nanoseconds;

// Parses a duration with a unit suffix (us, ms, s, m, h); compound forms such as "1m30s" are
// accepted. A bare "0" is zero. Any other unit-less number, a negative value or garbage gives
// nullopt.
std::optional<Nanos> parse_duration(std::string_view text);

// Parses a plain number of milliseconds (the seed environment variables TEST_DURATION and
// MESSAGE_FREQUENCY); nullopt when it is not a non-negative integer.
std::optional<Nanos> parse_millis(std::string_view text);

// Shortest exact rendering: 0s, 250ms, 10s, 2m, 1m30s, 1h, 1500us.
std::string format_duration(Nanos d);

}  // namespace wsload::shared
