// Command-line overrides and the seed environment variables of the Odin guide.
#include <algorithm>
#include <charconv>

#include "scenario_scale.hpp"
#include "wsload/scenario/scenario_loader.hpp"
#include "wsload/shared/duration.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

constexpr std::string_view kEnvironment = "environment";

// An empty variable counts as unset, as in most shells' ${VAR:-default}.
std::optional<std::string> lookup(const EnvLookup& env, std::string_view name) {
  if (!env) return std::nullopt;
  std::optional<std::string> value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace

std::vector<Diagnostic> fill_from_env(Overrides& flags, const EnvLookup& env) {
  std::vector<Diagnostic> out;
  auto fail = [&](std::string_view name, const std::string& expected, const std::string& value) {
    out.push_back(
        Diagnostic{std::string(kEnvironment), 0, 0,
                   std::string(name) + ": expected " + expected + ", got '" + value + "'"});
  };
  if (!flags.url) flags.url = lookup(env, "WS_URL");
  if (!flags.token) flags.token = lookup(env, "AUTH_TOKEN");
  if (!flags.connections) {
    if (auto text = lookup(env, "MAX_CONNECTIONS")) {
      uint64_t value = 0;
      const char* last = text->data() + text->size();
      auto [end, ec] = std::from_chars(text->data(), last, value);
      if (ec != std::errc() || end != last || value == 0) {
        fail("MAX_CONNECTIONS", "a positive integer", *text);
      } else {
        flags.connections = value;
      }
    }
  }
  if (!flags.hold) {
    if (auto text = lookup(env, "TEST_DURATION")) {
      flags.hold = parse_millis(*text);
      if (!flags.hold) fail("TEST_DURATION", "a whole number of milliseconds", *text);
    }
  }
  if (!flags.message_interval) {
    if (auto text = lookup(env, "MESSAGE_FREQUENCY")) {
      flags.message_interval = parse_millis(*text);
      if (!flags.message_interval) {
        fail("MESSAGE_FREQUENCY", "a whole number of milliseconds", *text);
      }
    }
  }
  return out;
}

namespace {

using detail::ScaledFigure;

// The refusals of `figure` for every scenario of the plan (a sequence names the scenario).
void check_scale(const ScenarioPlan& plan, ScaledFigure figure, std::string_view env_name,
                 std::vector<Diagnostic>& out) {
  std::string label(detail::flag_name(figure));
  if (!env_name.empty()) label += " (or " + std::string(env_name) + ")";
  for (const Scenario& s : plan.stages) {
    const std::string why = detail::scale_refusal(s, figure);
    if (why.empty()) continue;
    out.push_back(
        Diagnostic{label, 0, 0, plan.is_sequence() ? "scenario '" + s.name + "': " + why : why});
  }
}

// The four scaled flags: refused for the whole plan when one does not apply, else scaled.
OverrideOutcome scale_figures(ScenarioPlan& plan, const Overrides& o) {
  OverrideOutcome out;
  if (o.connections) check_scale(plan, ScaledFigure::kConnections, "MAX_CONNECTIONS", out.refusals);
  if (o.ramp_up) check_scale(plan, ScaledFigure::kRampUp, "", out.refusals);
  if (o.hold) check_scale(plan, ScaledFigure::kHold, "TEST_DURATION", out.refusals);
  if (!out.refusals.empty()) return out;
  std::vector<detail::ScaleNote> notes;
  if (o.connections) notes.push_back(detail::scale_counts(plan.stages, *o.connections));
  if (o.ramp_up) {
    notes.push_back(detail::scale_durations(plan.stages, ScaledFigure::kRampUp, *o.ramp_up));
  }
  if (o.hold) notes.push_back(detail::scale_durations(plan.stages, ScaledFigure::kHold, *o.hold));
  if (o.message_interval) {
    notes.push_back(
        detail::scale_durations(plan.stages, ScaledFigure::kMessageInterval, *o.message_interval));
  }
  for (detail::ScaleNote& n : notes) {
    if (!n.text.empty()) out.notes.push_back(std::move(n.text));
  }
  return out;
}

}  // namespace

// A token override replaces per-connection JWTs too: the flag names the one token to send.
OverrideOutcome apply_overrides(ScenarioPlan& plan, const Overrides& overrides) {
  const auto set_token = [&](AuthSpec& auth) {
    auth.token = *overrides.token;
    if (!overrides.token->empty()) auth.jwt.reset();
  };
  OverrideOutcome out = scale_figures(plan, overrides);
  if (!out.refusals.empty()) return out;
  for (Scenario& stage : plan.stages) {
    if (overrides.url) retarget(stage, *overrides.url);
    if (overrides.token) {
      set_token(stage.target.auth);
      for (GroupSpec& group : stage.groups) set_token(group.target.auth);
    }
    for (const Threshold& extra : overrides.extra_thresholds) {
      const bool present =
          std::any_of(stage.thresholds.begin(), stage.thresholds.end(),
                      [&](const Threshold& t) { return t.expression == extra.expression; });
      if (!present) stage.thresholds.push_back(extra);
    }
  }
  return out;
}

}  // namespace wsload::scenario
