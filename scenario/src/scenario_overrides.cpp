// Command-line overrides and the seed environment variables of the Odin guide.
#include <algorithm>
#include <charconv>

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

// A token override replaces per-connection JWTs too: the flag names the one token to send. A
// message interval on an idle v1 scenario turns the default messages on; with groups it sets every
// stream's interval.
void apply_overrides(ScenarioPlan& plan, const Overrides& overrides) {
  const auto set_token = [&](AuthSpec& auth) {
    auth.token = *overrides.token;
    if (!overrides.token->empty()) auth.jwt.reset();
  };
  for (Scenario& stage : plan.stages) {
    if (overrides.url) retarget(stage, *overrides.url);
    if (overrides.token) {
      set_token(stage.target.auth);
      for (GroupSpec& group : stage.groups) set_token(group.target.auth);
    }
    if (overrides.connections) stage.load.connections = *overrides.connections;
    if (overrides.ramp_up) stage.load.ramp_up = *overrides.ramp_up;
    if (overrides.hold) stage.load.hold = *overrides.hold;
    if (overrides.message_interval && stage.has_sessions()) {
      for (GroupSpec& group : stage.groups) {
        for (MessagesSpec& stream : group.streams) stream.interval = *overrides.message_interval;
      }
    } else if (overrides.message_interval) {
      if (!stage.messages) stage.messages.emplace();
      stage.messages->interval = *overrides.message_interval;
    }
    for (const Threshold& extra : overrides.extra_thresholds) {
      const bool present =
          std::any_of(stage.thresholds.begin(), stage.thresholds.end(),
                      [&](const Threshold& t) { return t.expression == extra.expression; });
      if (!present) stage.thresholds.push_back(extra);
    }
  }
}

}  // namespace wsload::scenario
