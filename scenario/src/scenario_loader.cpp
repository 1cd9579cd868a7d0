// Entry points of the scenario loader: presets and files, plain scenarios and sequences.
#include "wsload/scenario/scenario_loader.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario_reader.hpp"
#include "wsload/scenario/presets.hpp"

namespace wsload::scenario {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

namespace fs = std::filesystem;
using detail::ScenarioReader;

constexpr std::string_view kPresetPrefix = "preset:";

struct Source {
  std::string label;  // Diagnostic::file
  fs::path base_dir;  // relative sequence items resolve against this
  std::string default_name;
};

struct Outcome {
  LoadResult result;
  bool is_sequence = false;  // set instead of loading the stages when sequences are not allowed
};

std::string preset_names() {
  std::string out;
  for (const Preset& p : presets()) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

std::string not_found_message(std::string_view name_or_path) {
  return "'" + std::string(name_or_path) +
         "' is neither a preset nor a readable file (presets: " + preset_names() + ")";
}

std::optional<std::string> read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

Outcome load_any(std::string_view name_or_path, const fs::path& base_dir, const EnvLookup& env,
                 bool allow_sequence);

Outcome parse_text(std::string_view text, const Source& source, const EnvLookup& env,
                   bool allow_sequence);

bool has_key(const YAML::Node& map, std::string_view key);

// A plain scenario written inline in a sequence: read with the sequence file's reader, so its
// problems carry that file's positions; named `sequence[i]` unless it has a name.
void read_inline_stage(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
                       ScenarioPlan& plan) {
  if (has_key(node, "sequence") || has_key(node, "cooldown")) {
    reader.error(node, path + ": is itself a sequence; a sequence lists plain scenarios");
    return;
  }
  Scenario scenario;
  detail::ScenarioContext context;
  scenario.name = path;
  const size_t problems = reader.diagnostics().size();
  reader.for_each_key(node, path,
                      {"name", "description", "target", "load", "messages", "push", "reconnect",
                       "monitor", "thresholds", "data", "groups"},
                      [&](const std::string& key, const YAML::Node& value) {
                        detail::read_scenario_key(reader, key, value, scenario, context);
                      });
  detail::finish_scenario(reader, context, scenario);
  if (scenario.name.empty()) scenario.name = path;
  if (reader.diagnostics().size() == problems) plan.stages.push_back(std::move(scenario));
}

// A sequence item that names a preset or a file (relative to the sequence file).
void read_named_stage(ScenarioReader& reader, const detail::ListItem& item, const Source& source,
                      const std::string& path, ScenarioPlan& plan) {
  if (item.text.empty()) {
    reader.error(item.node, path + ": is empty");
    return;
  }
  const bool is_preset = find_preset(item.text) != nullptr;
  std::error_code ec;
  if (!is_preset && !fs::is_regular_file(source.base_dir / item.text, ec)) {
    reader.error(item.node, path + ": " + not_found_message(item.text));
    return;
  }
  Outcome stage = load_any(item.text, source.base_dir, reader.env(), false);
  if (stage.is_sequence) {
    reader.error(item.node, path + ": '" + item.text +
                                "' is itself a sequence; a sequence lists plain scenarios");
    return;
  }
  for (Diagnostic& d : stage.result.diagnostics) reader.diagnostics().push_back(std::move(d));
  if (stage.result.plan) plan.stages.push_back(std::move(stage.result.plan->stages.front()));
}

// Loads the stages a sequence lists into `plan`, reporting into `reader`: each item is a preset
// name, a file, or a scenario mapping written inline.
void read_sequence(ScenarioReader& reader, const YAML::Node& node, const Source& source,
                   ScenarioPlan& plan) {
  if (!node.IsSequence()) {
    reader.error(node, "sequence: expected a list of presets, files or scenario mappings, got " +
                           detail::describe(node));
    return;
  }
  if (node.size() == 0) {
    reader.error(node, "sequence: must list at least one scenario");
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string path = "sequence[" + std::to_string(i) + "]";
    if (item.IsMap()) {
      read_inline_stage(reader, item, path, plan);
    } else if (!item.IsScalar()) {
      reader.error(item, path + ": expected a preset name, a file or a scenario mapping, got " +
                             detail::describe(item));
    } else if (auto text = reader.string(item, path)) {
      read_named_stage(reader, detail::ListItem{item, i, std::move(*text)}, source, path, plan);
    }
  }
}

bool has_key(const YAML::Node& map, std::string_view key) {
  for (const auto& entry : map) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) return true;
  }
  return false;
}

Outcome parse_root(ScenarioReader& reader, const YAML::Node& root, const Source& source,
                   bool allow_sequence) {
  Outcome outcome;
  if (!root.IsMap()) {
    reader.error(root, "expected a mapping of scenario keys at the top level, got " +
                           detail::describe(root));
    return outcome;
  }
  const bool sequence = has_key(root, "sequence");
  if (sequence && !allow_sequence) {
    outcome.is_sequence = true;
    return outcome;
  }
  ScenarioPlan plan;
  Scenario scenario;
  detail::ScenarioContext context;
  std::string name;
  reader.for_each_key(
      root, "",
      {"name", "description", "target", "load", "messages", "push", "reconnect", "monitor",
       "thresholds", "data", "groups", "sequence", "cooldown"},
      [&](const std::string& key, const YAML::Node& value) {
        if (key == "name") {
          if (auto v = reader.string(value, "name")) name = std::move(*v);
        } else if (key == "description" && sequence) {
          reader.string(value, "description");  // accepted; a plan has no description
        } else if (key == "sequence") {
          read_sequence(reader, value, source, plan);
        } else if (key == "cooldown") {
          if (!sequence) {
            reader.error(value, "cooldown: only applies to a sequence file (with 'sequence:')");
          } else if (auto v = reader.duration(value, "cooldown", false)) {
            plan.cooldown = *v;
          }
        } else if (sequence) {
          reader.error(value, key +
                                  ": cannot be combined with 'sequence'; put it in the stage "
                                  "scenarios");
        } else {
          detail::read_scenario_key(reader, key, value, scenario, context);
        }
      });
  plan.name = name.empty() ? source.default_name : name;
  if (!sequence) {
    detail::finish_scenario(reader, context, scenario);
    scenario.name = plan.name;
    plan.stages.push_back(std::move(scenario));
  }
  if (reader.diagnostics().empty()) outcome.result.plan = std::move(plan);
  return outcome;
}

Outcome parse_text(std::string_view text, const Source& source, const EnvLookup& env,
                   bool allow_sequence) {
  ScenarioReader reader(source.label, env);
  reader.set_base_dir(source.base_dir);
  Outcome outcome;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root.IsDefined() || root.IsNull()) {
      reader.error(YAML::Mark::null_mark(), "is empty; expected a scenario");
    } else {
      outcome = parse_root(reader, root, source, allow_sequence);
    }
  } catch (const YAML::Exception& e) {
    reader.error(e.mark, "YAML syntax error: " + e.msg);
    outcome.result.plan.reset();
  }
  outcome.result.diagnostics = std::move(reader.diagnostics());
  if (!outcome.result.diagnostics.empty()) outcome.result.plan.reset();
  return outcome;
}

Outcome load_any(std::string_view name_or_path, const fs::path& base_dir, const EnvLookup& env,
                 bool allow_sequence) {
  if (const Preset* preset = find_preset(name_or_path)) {
    const std::string label = std::string(kPresetPrefix) + std::string(preset->name);
    return parse_text(preset->yaml, Source{label, base_dir, std::string(preset->name)}, env,
                      allow_sequence);
  }
  const fs::path path = base_dir / fs::path(name_or_path);
  const std::string label = base_dir.empty() ? std::string(name_or_path) : path.string();
  std::optional<std::string> text = read_file(path);
  if (!text) {
    Outcome outcome;
    outcome.result.diagnostics.push_back(Diagnostic{label, 0, 0, not_found_message(label)});
    return outcome;
  }
  return parse_text(*text, Source{label, path.parent_path(), path.stem().string()}, env,
                    allow_sequence);
}

}  // namespace

namespace {

// A quoted value longer than this is shown by its start and its length: a message must not echo a
// megabyte of input back.
constexpr std::size_t kMaxQuoted = 80;

std::string shorten_quotes(std::string_view message) {
  std::string out;
  std::size_t pos = 0;
  while (pos < message.size()) {
    const auto open = message.find('\'', pos);
    const auto close = open == std::string_view::npos ? open : message.find('\'', open + 1);
    if (close == std::string_view::npos) {
      out.append(message.substr(pos));
      break;
    }
    const auto inner = message.substr(open + 1, close - open - 1);
    out.append(message.substr(pos, open - pos + 1));
    if (inner.size() > kMaxQuoted) {
      out.append(inner.substr(0, kMaxQuoted - 20))
          .append("...' (" + std::to_string(inner.size()) + " characters)");
      pos = close + 1;
      continue;
    }
    out.append(inner).push_back('\'');
    pos = close + 1;
  }
  return out;
}

}  // namespace

std::string Diagnostic::to_string() const {
  std::string out;
  if (!file.empty()) out += file + ":";
  if (line > 0) out += std::to_string(line) + ":" + std::to_string(column) + ":";
  if (!out.empty()) out += " ";
  return out + shorten_quotes(message);
}

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

LoadResult load_scenario(std::string_view name_or_path, const EnvLookup& env) {
  return load_any(name_or_path, fs::path(), env, true).result;
}

LoadResult parse_scenario_text(std::string_view yaml_text, std::string_view file_name,
                               const EnvLookup& env) {
  Source source{std::string(file_name), fs::path(), std::string(file_name)};
  if (file_name.substr(0, kPresetPrefix.size()) == kPresetPrefix) {
    source.default_name = std::string(file_name.substr(kPresetPrefix.size()));
  } else {
    source.base_dir = fs::path(file_name).parent_path();
    source.default_name = fs::path(file_name).stem().string();
  }
  return parse_text(yaml_text, source, env, true).result;
}

}  // namespace wsload::scenario
