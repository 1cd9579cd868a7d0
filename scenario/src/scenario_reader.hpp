#pragma once
// Internal to the scenario loader: reads typed values out of yaml-cpp nodes for one file, expanding
// ${VAR} in every scalar and collecting one Diagnostic per problem (never throwing).
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
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
  // Relative data files resolve against this (the scenario file's directory).
  const std::filesystem::path& base_dir() const { return base_dir_; }
  void set_base_dir(std::filesystem::path dir) { base_dir_ = std::move(dir); }
  // "file:line:column" of a mark, for messages that point at a second place.
  std::string where(const YAML::Mark& mark) const;
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
  std::filesystem::path base_dir_;
  const EnvLookup& env_;
  std::vector<Diagnostic> diagnostics_;
  YAML::Mark key_mark_ = YAML::Mark::null_mark();  // key whose value is being read
};

// Where a scalar may use placeholders (SPEC §3a).
enum class TemplateUse {
  kMessage,  // a message template: every placeholder, {{var.X}} from TemplateRef::vars
  kSubject,  // the JWT subject: every placeholder but {{var.X}}
  kField,    // url, header value, token: {{data.F.C}} is the only placeholder, the rest is literal
};

// A scalar that may hold {{var.X}} or {{data.F.C}}, checked once the feeders and the variables
// are known (check_templates).
struct TemplateRef {
  YAML::Mark mark;      // of the scalar
  bool quoted = false;  // the text starts one column after the mark
  std::string path;     // e.g. "groups[0].messages[1].template"
  std::string text;     // expanded
  TemplateUse use = TemplateUse::kMessage;
  int step = -1;                  // index of the on_open step it belongs to; -1 elsewhere
  std::vector<std::string> vars;  // kMessage: the variables captured before it, in order
  // variable -> where it is captured, for variables captured only after this template
  std::vector<std::pair<std::string, std::string>> later;
};
TemplateRef template_ref(const YAML::Node& node, std::string path, std::string text,
                         TemplateUse use);

// A {{var.X}} or {{data.F.C}} placeholder of a template text (same brace rules as
// shared::MessageTemplate: "{{{" is a literal brace).
struct NamedPlaceholder {
  size_t offset = 0;       // of its "{{" in the text
  std::string_view inner;  // "var.X" or "data.F.C", trimmed
};
std::vector<NamedPlaceholder> named_placeholders(std::string_view text);

// Reports each problem of `refs`: an unknown, later-captured or misplaced variable, an unknown
// feeder or column (at the placeholder's own column), then a message template's syntax (at the
// scalar, as for v1 files).
void check_templates(ScenarioReader& reader, const std::vector<TemplateRef>& refs,
                     const std::vector<shared::DataFeeder>& data);

// What a plain scenario's top-level keys leave for the checks that need the whole file.
struct ScenarioContext {
  std::optional<YAML::Node> groups;
  std::optional<YAML::Node> data;
  std::optional<YAML::Node> messages;  // the top-level block (refused next to groups)
  std::vector<TemplateRef> templates;
  std::vector<ListItem> threshold_items;  // parallel to Scenario::thresholds
};

// Reads one top-level key of a plain scenario (name, description, target, load, messages, push,
// reconnect, monitor, thresholds, data, groups) into `out`; data and groups wait for
// finish_scenario.
void read_scenario_key(ScenarioReader& reader, const std::string& key, const YAML::Node& value,
                       shared::Scenario& out, ScenarioContext& context);

// After every top-level key: the data feeders, the groups (format v2), the templates, and the
// checks across them (names, match next, thresholds naming parts, absolute connections).
void finish_scenario(ScenarioReader& reader, ScenarioContext& context, shared::Scenario& out);

// The `load` section (scenario_load.cpp): a ramp, stages or arrivals; sets `connections` to the
// number of global ids the shape plans.
void read_load(ScenarioReader& reader, const YAML::Node& node, shared::LoadSpec& out);

// The `target` section (scenario_target.cpp) at `path` ("target" or "groups[0].target"). Returns
// the keys given. A relative url ("?..." or "/...") is accepted only with allow_relative_url.
std::vector<std::string> read_target(ScenarioReader& reader, const YAML::Node& node,
                                     const std::string& path, shared::TargetSpec& out,
                                     std::vector<TemplateRef>& templates, bool allow_relative_url);

// A `messages` block at `path`: the v1 mapping ("messages") or one stream of a group
// (`named`: `name` is required). Its template goes to `templates`.
struct StreamMarks {
  YAML::Mark name;                  // of the name (named streams)
  std::optional<YAML::Mark> match;  // of `match` when given
};
StreamMarks read_messages(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
                          shared::MessagesSpec& out, std::vector<TemplateRef>& templates,
                          bool named);
void read_push(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
               shared::PushSpec& out);

// A group's url relative to the scenario's: "?query" or "/path" (RFC 3986 reference forms).
bool is_relative_url(std::string_view url);
// `relative` resolved against the absolute `base`: "?q" replaces base's query, "/p" its path.
std::string resolve_url(std::string_view base, std::string_view relative);

// Group, stream, step, feeder and variable names: letters, digits, _ and -. "" when fine.
std::string check_part_name(std::string_view name);

// A variable captured by an on_open step of a group.
struct CaptureMark {
  std::string var;
  size_t step = 0;  // index in on_open
  std::string step_name;
  YAML::Mark mark;  // of the variable's key
};

// A list of steps at `path` ("groups[0].on_open"); on_close steps may only send and wait
// (scenario_steps.cpp). Templates go to `templates` (TemplateRef::step set for on_open), the marks
// of the names to `name_marks` (parallel to `out`), on_open captures to `captures`.
void read_steps(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
                bool on_close, std::vector<shared::StepSpec>& out,
                std::vector<YAML::Mark>& name_marks, std::vector<TemplateRef>& templates,
                std::vector<CaptureMark>& captures);

// The `data` section: feeders read from CSV files next to the scenario (scenario_data.cpp).
void read_data(ScenarioReader& reader, const YAML::Node& node,
               std::vector<shared::DataFeeder>& out);

// The `groups` section (scenario_groups.cpp), after `out.target`, `out.push` and `out.data`.
void read_groups(ScenarioReader& reader, const YAML::Node& node, shared::Scenario& out,
                 std::vector<TemplateRef>& templates);

// The pieces joined into one string: messages built without temporary concatenations.
std::string concat(std::initializer_list<std::string_view> pieces);

// Describes a node for "got ..." in messages: the scalar text quoted, or "a list" / "a mapping".
std::string describe(const YAML::Node& node);

}  // namespace wsload::scenario::detail
