#pragma once
// Parses scenario YAML (files and built-in presets) into a ScenarioPlan, expanding ${VAR} and
// ${VAR:-default}, and validating everything at once: each problem with file, line and column
// (1-based), unknown keys with the closest known key suggested.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wsload/shared/scenario.hpp"

namespace wsload::scenario {

// The loader yields the model values of wsload/shared/scenario.hpp (namespace wsload::shared),
// which proto and the agent use without linking this library.

struct Diagnostic {
  std::string file;  // path as given, or "preset:<name>"
  int line = 0;      // 1-based; 0 when not tied to a place
  int column = 0;    // 1-based
  std::string message;
  std::string to_string() const;  // "file:line:column: message"
};

// Looks up an environment variable; nullopt when unset. Injected so tests need no real environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup process_env();

struct LoadResult {
  std::optional<shared::ScenarioPlan> plan;  // set only when diagnostics is empty
  std::vector<Diagnostic> diagnostics;
};

// `name_or_path` is a preset name (quick, medium, stress, progressive) or a YAML file path.
// An empty target.url (say ${WS_URL} unset) is accepted here because a flag may still supply it;
// validate_scenario rejects it. Without an explicit `match`, kind json pairs replies by "id" and
// the other kinds by "next" (ping replies are pong frames, paired by the sequence number in their
// payload unless match is none).
LoadResult load_scenario(std::string_view name_or_path, const EnvLookup& env);
LoadResult parse_scenario_text(std::string_view yaml_text, std::string_view file_name,
                               const EnvLookup& env);

// Command-line overrides and the seed environment variables (flags win, then the environment:
// WS_URL, AUTH_TOKEN, MAX_CONNECTIONS, TEST_DURATION and MESSAGE_FREQUENCY in milliseconds).
struct Overrides {
  std::optional<std::string> url;
  std::optional<std::string> token;
  std::optional<uint64_t> connections;
  std::optional<std::chrono::nanoseconds> ramp_up;
  std::optional<std::chrono::nanoseconds> hold;
  std::optional<std::chrono::nanoseconds> message_interval;
  std::vector<shared::Threshold> extra_thresholds;
};

// Fills the fields of `flags` that are unset from the seed environment variables. Returns
// diagnostics (file "environment") for values that do not parse.
std::vector<Diagnostic> fill_from_env(Overrides& flags, const EnvLookup& env);

// What apply_overrides did besides setting values.
struct OverrideOutcome {
  // A flag that does not apply to a scenario's load shape (--connections or --ramp-up on
  // load.arrival, --duration on stages without a hold): file is the flag; nothing was changed.
  std::vector<Diagnostic> refusals;
  // How a flag scaled several figures, one line each, for the user.
  std::vector<std::string> notes;
};

// --url, --token and --threshold apply to every scenario of the plan. --connections, --ramp-up,
// --duration and --message-interval (and their seed variables) scale: the largest figure of
// their kind in the whole plan becomes the value and every other one is multiplied by the same
// factor, so a progressive sequence, a scenario's stages and a group's streams keep their
// proportions (one figure: it is simply set). The kinds: --connections a ramp's connections and
// every stage's `to`; --ramp-up a ramp's ramp_up and every rising stage's `over`; --duration a
// ramp's hold, every flat stage's `over` (its `to` equals the level before it) and an arrival's
// duration; --message-interval every stream's interval. Counts round to the nearest connection
// (at least 1 where they were not 0), durations to the nearest millisecond (at least 1 ms where
// they were not 0). A flag that does not apply to some scenario (--connections or --ramp-up with
// load.arrival, --duration with stages that have no flat stage) is refused for the whole plan.
OverrideOutcome apply_overrides(shared::ScenarioPlan& plan, const Overrides& overrides);

// Points a scenario at `url` (--url, WS_URL, --spawn-target): the top-level url becomes `url`; a
// group url that starts with the top-level url as it was gets that prefix replaced (so a group's
// "${WS_URL}?role=publisher" follows), and a relative group url ("?..." or "/...") is resolved
// against `url`. A group url naming another server is kept.
void retarget(shared::Scenario& scenario, const std::string& url);

// Checks a scenario after overrides (connections > 0, URL scheme ws/wss, ...).
std::vector<Diagnostic> validate_scenario(const shared::Scenario& scenario);

}  // namespace wsload::scenario
