#pragma once
// Internal to the scenario loader: reads typed values out of yaml-cpp nodes for one file, expanding
// ${VAR} in every scalar and collecting one Diagnostic per problem (never throwing).
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario::detail {

// Expands ${VAR}, ${VAR:-default} (default used when VAR is unset or empty; it may itself contain
// ${...}) and $$ (a literal $). An unset VAR without default expands to "". Any other $ is literal.
// nullopt and *error set for an unterminated ${ or a malformed ${...}.
std::optional<std::string> expand_env(std::string_view text, const EnvLookup& env,
                                      std::string* error);

// The closest of `candidates` to `word`, or "" when none is close enough to be a likely typo.
std::string closest_word(std::string_view word, std::initializer_list<std::string_view> candidates);

// Problems with the value itself, shared by the loader (which adds a position) and
// validate_scenario. Each returns "" when the value is fine, else the reason (no field prefix).
std::string check_ws_url(std::string_view url);
std::string check_http_url(std::string_view url);
// A match field name: letters, digits, _ - . (not empty).
std::string check_match_field(std::string_view field);

// The YAML spelling of a match mode: "next", "none", or else a field name (checked by
// check_match_field, not here). The only place that turns the spelling into a shared::Match.
shared::Match parse_match(std::string_view text);

struct ListItem {
  YAML::Node node;
  size_t index = 0;  // position in the YAML list
  std::string text;  // expanded
};

class ScenarioReader {
 public:
  using KeyHandler = std::function<void(const std::string& key, const YAML::Node& value)>;

  ScenarioReader(std::string file, const EnvLookup& env) : file_(std::move(file)), env_(env) {}

  const std::string& file() const { return file_; }
  const EnvLookup& env() const { return env_; }
  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

  void error(const YAML::Mark& mark, std::string message);
  // A null value (`hold:` with nothing after it) is reported at its key.
  void error(const YAML::Node& at, std::string message) {
    error(at.IsNull() ? key_mark_ : at.Mark(), std::move(message));
  }

  // Calls `handle` for each key of the mapping `map` that is in `known`; reports unknown keys (with
  // the closest known key suggested), duplicate keys and non-scalar keys. False when `map` is not a
  // mapping (reported; a null node counts as an empty mapping).
  bool for_each_key(const YAML::Node& map, const std::string& path,
                    std::initializer_list<std::string_view> known, const KeyHandler& handle);

  // Scalars, expanded. A null node reads as "". Each reports its own error and returns nullopt.
  std::optional<std::string> string(const YAML::Node& node, const std::string& path);
  std::optional<uint64_t> integer(const YAML::Node& node, const std::string& path, bool positive);
  std::optional<std::chrono::nanoseconds> duration(const YAML::Node& node, const std::string& path,
                                                   bool positive);
  std::optional<bool> boolean(const YAML::Node& node, const std::string& path);
  // One of `choices`, with a suggestion when it is a near miss.
  std::optional<std::string> choice(const YAML::Node& node, const std::string& path,
                                    std::initializer_list<std::string_view> choices);
  // The readable items of a list of strings (bad items are reported and skipped); nullopt when the
  // node is not a list.
  std::optional<std::vector<ListItem>> string_list(const YAML::Node& node, const std::string& path);

 private:
  std::string file_;
  const EnvLookup& env_;
  std::vector<Diagnostic> diagnostics_;
  YAML::Mark key_mark_ = YAML::Mark::null_mark();  // key whose value is being read
};

// Reads one top-level key of a plain scenario (name, description, target, load, messages, push,
// reconnect, monitor, thresholds) into `out`.
void read_scenario_key(ScenarioReader& reader, const std::string& key, const YAML::Node& value,
                       shared::Scenario& out);

// The `target` section (scenario_target.cpp).
void read_target(ScenarioReader& reader, const YAML::Node& node, shared::TargetSpec& out);

// Describes a node for "got ..." in messages: the scalar text quoted, or "a list" / "a mapping".
std::string describe(const YAML::Node& node);

}  // namespace wsload::scenario::detail
