#pragma once
// Small string helpers shared by the parsers (durations, thresholds, templates, address lists).
#include <string_view>

namespace wsload::shared {

// `s` without its leading and trailing blanks (spaces and tabs); a view into `s`.
constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace wsload::shared
