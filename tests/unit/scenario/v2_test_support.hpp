#pragma once
// Helpers shared by the loader tests: inline YAML parsed as if it were a file in
// tests/data/scenarios/v2 (so its data files resolve there), and one-problem assertions.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario::testing {

inline const std::string kV2Dir = std::string(WSLOAD_TEST_DATA_DIR) + "/scenarios/v2/";
inline const std::string kInline = kV2Dir + "inline.yaml";

inline EnvLookup env_of(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline std::string dump(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.to_string() + "\n";
  return out;
}

// Inline YAML that must load without a diagnostic (format v1 tests: named inline.yaml).
inline LoadResult load_ok(const std::string& yaml, const EnvLookup& env = env_of()) {
  LoadResult r = parse_scenario_text(yaml, "inline.yaml", env);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  EXPECT_TRUE(r.plan.has_value());
  return r;
}

inline shared::Scenario load_v2(const std::string& yaml, const EnvLookup& env = env_of()) {
  LoadResult r = parse_scenario_text(yaml, kInline, env);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  if (!r.plan) return {};
  return r.plan->stages.at(0);
}

// The single problem of `yaml`: its file, line and column, and a fragment of its message.
inline void expect_problem(const std::string& yaml, int line, int column,
                           const std::string& fragment, const std::string& file = kInline) {
  const LoadResult r = parse_scenario_text(yaml, kInline, env_of());
  EXPECT_FALSE(r.plan.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  const Diagnostic& d = r.diagnostics[0];
  EXPECT_EQ(d.file, file);
  EXPECT_EQ(d.line, line) << d.to_string();
  EXPECT_EQ(d.column, column) << d.to_string();
  EXPECT_NE(d.message.find(fragment), std::string::npos) << d.to_string();
}

// 1-based column of the first `needle` on 1-based line `line` of `text`.
inline int column_of(const std::string& text, int line, const std::string& needle) {
  size_t start = 0;
  for (int l = 1; l < line; ++l) start = text.find('\n', start) + 1;
  const size_t end = text.find('\n', start);
  const size_t at = text.substr(start, end - start).find(needle);
  return at == std::string::npos ? -1 : static_cast<int>(at) + 1;
}

}  // namespace wsload::scenario::testing
