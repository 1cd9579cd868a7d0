#pragma once
// The built-in scenarios of the Odin load-testing guide, as YAML text parsed like any file.
#include <optional>
#include <span>
#include <string_view>

namespace wsload::scenario {

struct Preset {
  std::string_view name;
  std::string_view summary;  // one line for `wsload presets`
  std::string_view yaml;
};

std::span<const Preset> presets();
const Preset* find_preset(std::string_view name);

}  // namespace wsload::scenario
