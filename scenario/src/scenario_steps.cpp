// Steps of a group's on_open and on_close (SPEC §3a): send, expect (match or where), capture, wait.
#include <algorithm>

#include "scenario_reader.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

struct StepReading {
  const std::string& path;  // "groups[0].on_open[1]"
  size_t index;
  bool on_close;
  std::vector<TemplateRef>& templates;
  std::vector<CaptureMark>& captures;
};

std::optional<MessageKind> read_kind(ScenarioReader& reader, const YAML::Node& node,
                                     const std::string& path) {
  auto v = reader.choice(node, path, {"ping", "text", "binary", "json"});
  if (!v) return std::nullopt;
  return *v == "ping"     ? MessageKind::kPing
         : *v == "text"   ? MessageKind::kText
         : *v == "binary" ? MessageKind::kBinary
                          : MessageKind::kJson;
}

void read_send(ScenarioReader& reader, const YAML::Node& node, StepReading& step, SendSpec& out) {
  const std::string path = step.path + ".send";
  std::optional<YAML::Node> template_node;
  std::optional<YAML::Node> size_node;
  const bool is_map = reader.for_each_key(
      node, path, {"kind", "template", "size"}, [&](const std::string& key, const YAML::Node& v) {
        const std::string key_path = path + "." + key;
        if (key == "kind") {
          if (auto kind = read_kind(reader, v, key_path)) out.kind = *kind;
        } else if (key == "template") {
          template_node = v;
          if (auto text = reader.string(v, key_path)) {
            TemplateRef ref = template_ref(v, key_path, *text, TemplateUse::kMessage);
            if (!step.on_close) ref.step = static_cast<int>(step.index);
            step.templates.push_back(std::move(ref));
            out.payload_template = std::move(*text);
          }
        } else if (key == "size") {
          size_node = v;
          if (auto size = reader.integer(v, key_path, true)) out.size = *size;
        }
      });
  if (!is_map) return;
  if (size_node && out.kind != MessageKind::kBinary) {
    reader.error(*size_node, path + ".size: only applies to kind binary");
  } else if (size_node && template_node) {
    reader.error(*size_node, path + ".size: give either template or size, not both");
  }
  const bool needs_template = out.kind == MessageKind::kJson || out.kind == MessageKind::kText ||
                              (out.kind == MessageKind::kBinary && !size_node);
  if (needs_template && !template_node) {
    reader.error(node, path + ".template: is required (what the step sends)");
  }
}

// Reads `expect`; the match default (by the send's kind) is settled by the caller.
void read_expect(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
                 ExpectSpec& out, std::optional<YAML::Node>& match_node,
                 std::optional<YAML::Node>& where_node) {
  reader.for_each_key(
      node, path, {"match", "where", "timeout"}, [&](const std::string& key, const YAML::Node& v) {
        const std::string key_path = path + "." + key;
        if (key == "match") {
          match_node = v;
          auto text = reader.string(v, key_path);
          if (!text) return;
          out.match = parse_match(*text);
          if (out.match.mode == Match::Mode::kNone) {
            reader.error(v, key_path +
                                ": none cannot be waited for; use a reply field (id), next, or "
                                "where: { field: value }");
          } else if (out.match.mode == Match::Mode::kField) {
            const std::string why = check_match_field(out.match.field);
            if (!why.empty()) reader.error(v, key_path + ": " + why);
          }
        } else if (key == "where") {
          where_node = v;
          if (!v.IsMap() || v.size() == 0) {
            reader.error(v, key_path +
                                ": expected a mapping of fields to the values the message must "
                                "hold, such as { type: subscribed }");
            return;
          }
          for (const auto& entry : v) {
            const YAML::Node field = entry.first;
            const YAML::Node value = entry.second;
            const std::string name = field.IsScalar() ? field.Scalar() : std::string();
            if (const std::string why = check_match_field(name);
                !field.IsScalar() || !why.empty()) {
              reader.error(field,
                           key_path + ": expected a JSON field name, got " + describe(field));
              continue;
            }
            if (value.IsNull()) {  // `field: null`, `field: ~` or nothing: the JSON null
              out.where.emplace_back(name, "null");
              continue;
            }
            if (!value.IsScalar()) {
              reader.error(value, concat({key_path, ".", name,
                                          ": expected a string, number, true, false or null,",
                                          " got ", describe(value)}));
              continue;
            }
            if (auto text = reader.string(value, concat({key_path, ".", name}))) {
              out.where.emplace_back(name, std::move(*text));
            }
          }
        } else if (key == "timeout") {
          if (auto v2 = reader.duration(v, key_path, true)) out.timeout = *v2;
        }
      });
  if (match_node && where_node) {
    reader.error(*where_node, path + ": give either match or where, not both");
  }
}

void read_capture(ScenarioReader& reader, const YAML::Node& node, StepReading& step,
                  const std::string& step_name, StepSpec& out) {
  const std::string path = step.path + ".capture";
  if (!node.IsMap() || node.size() == 0) {
    reader.error(node, path +
                           ": expected a mapping of variable names to reply fields, such as "
                           "{ sub: subscription }");
    return;
  }
  for (const auto& entry : node) {
    const YAML::Node var_node = entry.first;
    const YAML::Node field_node = entry.second;
    const std::string var = var_node.IsScalar() ? var_node.Scalar() : std::string();
    if (const std::string why = check_part_name(var); !var_node.IsScalar() || !why.empty()) {
      reader.error(var_node, path + ": variable names use letters, digits, _ and -, got " +
                                 describe(var_node));
      continue;
    }
    const auto earlier = std::find_if(step.captures.begin(), step.captures.end(),
                                      [&](const CaptureMark& c) { return c.var == var; });
    if (earlier != step.captures.end()) {
      reader.error(var_node, concat({path, ": variable '", var, "' is already captured by step '",
                                     earlier->step_name, "' (", reader.where(earlier->mark), ")"}));
      continue;
    }
    const std::string field_path = concat({path, ".", var});
    auto field = reader.string(field_node, field_path);
    if (!field) continue;
    if (const std::string why = check_match_field(*field); !why.empty()) {
      reader.error(field_node,
                   concat({field_path, ": expected a JSON field name of the reply, got ",
                           describe(field_node)}));
      continue;
    }
    step.captures.push_back(CaptureMark{var, step.index, step_name, var_node.Mark()});
    out.capture.emplace_back(var, std::move(*field));
  }
}

void read_step(ScenarioReader& reader, const YAML::Node& node, StepReading& step, StepSpec& out,
               YAML::Mark& name_mark) {
  const std::string& path = step.path;
  std::optional<YAML::Node> send_node, expect_node, capture_node, wait_node, match_node, where_node;
  bool name_given = false;
  const bool is_map = reader.for_each_key(
      node, path, {"name", "send", "expect", "capture", "wait"},
      [&](const std::string& key, const YAML::Node& v) {
        const std::string key_path = path + "." + key;
        if (key == "name") {
          name_given = true;
          name_mark = v.Mark();
          if (auto text = reader.string(v, key_path)) {
            if (const std::string why = check_part_name(*text); !why.empty()) {
              reader.error(v, key_path + ": " + why);
            }
            out.name = std::move(*text);
          }
        } else if (key == "send") {
          send_node = v;
          out.send.emplace();
          read_send(reader, v, step, *out.send);
        } else if (key == "expect" || key == "capture") {
          if (step.on_close) {
            reader.error(v, key_path +
                                ": on_close steps may only send and wait; the connection is "
                                "closing, so no reply is waited for");
            return;
          }
          if (key == "expect") {
            expect_node = v;
            out.expect.emplace();
            read_expect(reader, v, key_path, *out.expect, match_node, where_node);
          } else {
            capture_node = v;  // read once the name is known
          }
        } else if (key == "wait") {
          wait_node = v;
          if (auto d = reader.duration(v, key_path, false)) out.wait = *d;
        }
      });
  if (!is_map) return;
  if (!name_given) {
    reader.error(node, path + ".name: is required (steps are named: steps.<name>.* metrics)");
  }
  if (capture_node) read_capture(reader, *capture_node, step, out.name, out);
  if (!send_node && !expect_node && !wait_node && !capture_node) {
    reader.error(node, path + ": a step needs at least one of send, expect or wait");
  }
  if (capture_node && !expect_node && !step.on_close) {
    reader.error(*capture_node, path +
                                    ".capture: needs an expect; values are captured from the "
                                    "message the step waits for");
  }
  if (!out.expect) return;
  ExpectSpec& expect = *out.expect;
  if (where_node) return;
  if (!out.send) {
    if (match_node) {
      reader.error(*match_node, path +
                                    ".expect.match: waits for the reply to the step's send, but "
                                    "the step sends nothing; use where: { field: value } to wait "
                                    "for a server message");
    } else if (expect_node->IsMap() || expect_node->IsNull()) {
      reader.error(*expect_node, path +
                                     ".expect: the step sends nothing, so there is no reply to "
                                     "wait for; give where: { field: value }");
    }
    return;
  }
  if (!match_node) {
    expect.match = out.send->kind == MessageKind::kJson ? Match::by_field("id") : Match::next();
  } else if (out.send->kind == MessageKind::kBinary && expect.match.mode == Match::Mode::kField) {
    reader.error(*match_node, path +
                                  ".expect.match: binary replies cannot be paired by a JSON "
                                  "field; use next or where");
  }
}

}  // namespace

void read_steps(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
                bool on_close, std::vector<StepSpec>& out, std::vector<YAML::Mark>& name_marks,
                std::vector<TemplateRef>& templates, std::vector<CaptureMark>& captures) {
  if (node.IsNull()) return;
  if (!node.IsSequence()) {
    reader.error(node, path + ": expected a list of steps (- name: ...), got " + describe(node));
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string step_path = path + "[" + std::to_string(i) + "]";
    StepReading step{step_path, out.size(), on_close, templates, captures};
    StepSpec spec;
    YAML::Mark name_mark = YAML::Mark::null_mark();
    read_step(reader, node[i], step, spec, name_mark);
    out.push_back(std::move(spec));
    name_marks.push_back(name_mark);
  }
}

}  // namespace wsload::scenario::detail
