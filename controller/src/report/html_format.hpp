#pragma once
// Text pieces of the HTML report: escaping and the number formats of its tables and chart axes.
// Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wsload::controller::html {

// `text` with & < > " escaped: safe inside an element and inside a double-quoted attribute, in
// HTML and in XML (the JUnit report uses it too).
std::string escape(std::string_view text);

// A duration given in milliseconds, with three significant digits in the unit that reads best:
// "512 µs", "1.62 ms", "162 ms", "1.20 s". "-" for nullopt.
std::string duration(std::optional<double> ms);

// An axis label for a duration tick in milliseconds: "500 µs", "1 ms", "20 ms", "2 s".
std::string duration_tick(double ms);

// An axis label for a count or rate: "0", "2.5", "15", "1.5k", "2M".
std::string count_tick(double value);

// An axis label for seconds since the start: "0s", "2.5s", "90s", "2m", "2m30s".
std::string seconds_tick(double s);

// "1.500 ms" (three decimals and `unit`, as the text summary); "-" for nullopt.
std::string fixed(const std::optional<double>& v, const char* unit);

// " (http_401 20, refused 3)": counts by reason, escaped; "" when there are none.
std::string by_reason(const std::map<std::string, uint64_t>& counts);

// "12.5%" of `part` in `whole`; "-" when `whole` is 0.
std::string percent(uint64_t part, uint64_t whole);

}  // namespace wsload::controller::html
