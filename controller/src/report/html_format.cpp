#include "report/html_format.hpp"

#include <fmt/format.h>

#include <cmath>

namespace wsload::controller::html {
namespace {

// Three significant digits without an exponent: 512, 16.2, 1.62.
std::string three_digits(double v) {
  if (v >= 99.95) return fmt::format("{:.0f}", v);
  if (v >= 9.995) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

// A tick value without trailing zeros; ticks are 1-2-5 multiples, so 6 digits are exact.
std::string plain(double v) { return fmt::format("{:g}", v); }

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string duration(std::optional<double> ms) {
  if (!ms) return "-";
  if (*ms < 0.9995) return three_digits(*ms * 1000) + " µs";
  if (*ms < 999.5) return three_digits(*ms) + " ms";
  return three_digits(*ms / 1000) + " s";
}

std::string duration_tick(double ms) {
  if (ms < 1) return plain(ms * 1000) + " µs";
  if (ms < 1000) return plain(ms) + " ms";
  return plain(ms / 1000) + " s";
}

std::string count_tick(double value) {
  if (std::abs(value) >= 1e6) return plain(value / 1e6) + "M";
  if (std::abs(value) >= 1e4) return plain(value / 1e3) + "k";
  return plain(value);
}

std::string seconds_tick(double s) {
  if (s < 120) return plain(s) + "s";
  const auto whole = static_cast<long long>(std::llround(s));
  if (whole % 60 == 0) return fmt::format("{}m", whole / 60);
  return fmt::format("{}m{}s", whole / 60, whole % 60);
}

std::string fixed(const std::optional<double>& v, const char* unit) {
  return v ? fmt::format("{:.3f}{}", *v, unit) : "-";
}

std::string by_reason(const std::map<std::string, uint64_t>& counts) {
  if (counts.empty()) return {};
  std::string out;
  for (const auto& [reason, n] : counts)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", escape(reason), n);
  return " (" + out + ")";
}

std::string percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "-";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace wsload::controller::html
