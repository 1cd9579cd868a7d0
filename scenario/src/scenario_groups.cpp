// The `groups` section of a format-v2 scenario (SPEC §3a): kinds of clients with their own
// target overrides, on_open steps, streams, on_close steps and push accounting.
#include <algorithm>
#include <cctype>
#include <map>

#include "scenario_reader.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

// Group, stream and step names, each unique across the scenario: name -> where it first appears.
struct NameBook {
  std::map<std::string, YAML::Mark> groups, streams, steps;
};

void register_name(ScenarioReader& reader, std::map<std::string, YAML::Mark>& book,
                   std::string_view kind, const std::string& path, const std::string& name,
                   const YAML::Mark& mark) {
  if (name.empty() || !check_part_name(name).empty()) return;  // reported already
  auto [it, fresh] = book.emplace(name, mark);
  if (!fresh) {
    reader.error(mark, path + ": duplicate " + std::string(kind) + " name '" + name +
                           "' (first at " + reader.where(it->second) + ")");
  }
}

bool same_header(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The scenario's target with the fields a group gives: each replaces the scenario's, except
// headers, which are added to the scenario's or replace one of the same name.
TargetSpec merge_target(const TargetSpec& top, TargetSpec partial,
                        const std::vector<std::string>& given) {
  TargetSpec out = top;
  for (const std::string& key : given) {
    if (key == "url") {
      out.url = std::move(partial.url);
      if (is_relative_url(out.url) && !top.url.empty()) out.url = resolve_url(top.url, out.url);
    } else if (key == "headers") {
      for (auto& header : partial.headers) {
        auto it = std::find_if(out.headers.begin(), out.headers.end(),
                               [&](const auto& h) { return same_header(h.first, header.first); });
        if (it != out.headers.end()) {
          *it = std::move(header);
        } else {
          out.headers.push_back(std::move(header));
        }
      }
    } else if (key == "subprotocols") {
      out.subprotocols = std::move(partial.subprotocols);
    } else if (key == "auth") {
      out.auth = std::move(partial.auth);
    } else if (key == "tls") {
      out.tls = std::move(partial.tls);
    } else if (key == "connect_timeout") {
      out.connect_timeout = partial.connect_timeout;
    } else if (key == "compression") {
      out.compression = partial.compression;
    }
  }
  return out;
}

// What read_group keeps for the checks across groups.
struct GroupMarks {
  YAML::Mark item;
  std::optional<YAML::Node> connections;
};

struct GroupReading {
  const Scenario& scenario;
  std::vector<TemplateRef>& templates;
  NameBook& names;
};

// Sets which variables each message template of the group may use: a step's, those captured by
// earlier on_open steps; a stream's or an on_close step's, all of them.
void bind_variables(ScenarioReader& reader, std::vector<TemplateRef>& refs,
                    const std::vector<CaptureMark>& captures) {
  for (TemplateRef& ref : refs) {
    if (ref.use != TemplateUse::kMessage) continue;
    for (const CaptureMark& c : captures) {
      if (ref.step < 0 || c.step < static_cast<size_t>(ref.step)) {
        ref.vars.push_back(c.var);
      } else if (c.step == static_cast<size_t>(ref.step)) {
        ref.later.emplace_back(c.var, "this step from its reply (" + reader.where(c.mark) +
                                          "), so its own send cannot use it");
      } else {
        ref.later.emplace_back(c.var, "step '" + c.step_name + "' (" + reader.where(c.mark) +
                                          "), which runs after this one");
      }
    }
  }
}

// `match: next` pairs a reply with the oldest request in flight: with a second stream that
// expects replies a frame could answer either. Ping streams are paired by their pong's payload.
void check_match_next(ScenarioReader& reader, const GroupSpec& group, const std::string& path,
                      const std::vector<YAML::Mark>& stream_marks,
                      const std::vector<StreamMarks>& marks) {
  const auto& streams = group.streams;
  for (size_t a = 0; a < streams.size(); ++a) {
    if (streams[a].kind == MessageKind::kPing || streams[a].match.mode != Match::Mode::kNext) {
      continue;
    }
    for (size_t b = 0; b < streams.size(); ++b) {
      if (b == a || streams[b].kind == MessageKind::kPing ||
          streams[b].match.mode == Match::Mode::kNone) {
        continue;
      }
      const std::string stream_path = path + ".messages[" + std::to_string(a) + "]";
      const std::string how = marks[a].match ? "" : " (the default for its kind)";
      reader.error(marks[a].match.value_or(stream_marks[a]),
                   concat({stream_path, ".match: next", how, " is ambiguous: stream '",
                           streams[b].name, "' of group '", group.name,
                           "' also expects replies, so a frame could answer either;",
                           " pair replies by a field (match: id) or make one stream",
                           " fire-and-forget (match: none)"}));
      break;
    }
  }
}

void register_parts(ScenarioReader& reader, const GroupSpec& group, const std::string& path,
                    NameBook& names, const std::vector<StreamMarks>& marks,
                    const std::vector<YAML::Mark>& open, const std::vector<YAML::Mark>& close) {
  for (size_t i = 0; i < group.streams.size(); ++i) {
    register_name(reader, names.streams, "stream",
                  path + ".messages[" + std::to_string(i) + "].name", group.streams[i].name,
                  marks[i].name);
  }
  // In the order of the file, so that "first at" names the earlier one.
  struct Step {
    YAML::Mark mark;
    std::string path;
    const std::string* name;
  };
  std::vector<Step> steps;
  for (size_t i = 0; i < group.on_open.size(); ++i) {
    steps.push_back(
        {open[i], path + ".on_open[" + std::to_string(i) + "].name", &group.on_open[i].name});
  }
  for (size_t i = 0; i < group.on_close.size(); ++i) {
    steps.push_back(
        {close[i], path + ".on_close[" + std::to_string(i) + "].name", &group.on_close[i].name});
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& x, const Step& y) { return x.mark.pos < y.mark.pos; });
  for (const Step& s : steps) register_name(reader, names.steps, "step", s.path, *s.name, s.mark);
}

void read_group(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
                GroupReading& reading, GroupSpec& out, GroupMarks& group_marks) {
  group_marks.item = node.Mark();
  out.push = reading.scenario.push;
  std::vector<TemplateRef> refs;
  TargetSpec partial;
  std::vector<std::string> given;
  std::optional<YAML::Node> weight_node;
  std::optional<YAML::Mark> name_mark;
  std::vector<YAML::Mark> open_marks, close_marks, stream_items;
  std::vector<StreamMarks> stream_marks;
  std::vector<CaptureMark> captures;
  const bool is_map = reader.for_each_key(
      node, path,
      {"name", "weight", "connections", "target", "on_open", "messages", "on_close", "push"},
      [&](const std::string& key, const YAML::Node& v) {
        const std::string key_path = path + "." + key;
        if (key == "name") {
          name_mark = v.Mark();
          if (auto text = reader.string(v, key_path)) {
            if (const std::string why = check_part_name(*text); !why.empty()) {
              reader.error(v, key_path + ": " + why);
            }
            out.name = std::move(*text);
          }
        } else if (key == "weight") {
          weight_node = v;
          if (auto n = reader.integer(v, key_path, true)) out.weight = *n;
        } else if (key == "connections") {
          group_marks.connections = v;
          if (auto n = reader.integer(v, key_path, true)) out.connections = *n;
        } else if (key == "target") {
          given = read_target(reader, v, key_path, partial, refs, true);
        } else if (key == "on_open" || key == "on_close") {
          const bool close = key == "on_close";
          read_steps(reader, v, key_path, close, close ? out.on_close : out.on_open,
                     close ? close_marks : open_marks, refs, captures);
        } else if (key == "messages") {
          if (!v.IsSequence()) {
            reader.error(v, key_path +
                                ": in a group, messages is a list of named streams "
                                "(- { name: ping, interval: 5s, ... }), got " +
                                describe(v));
            return;
          }
          for (size_t i = 0; i < v.size(); ++i) {
            MessagesSpec stream;
            stream.name.clear();
            stream_items.push_back(v[i].Mark());
            stream_marks.push_back(read_messages(
                reader, v[i], key_path + "[" + std::to_string(i) + "]", stream, refs, true));
            out.streams.push_back(std::move(stream));
          }
        } else if (key == "push") {
          PushSpec push;
          read_push(reader, v, key_path, push);
          out.push = std::move(push);
        }
      });
  if (!is_map) return;
  if (!name_mark) {
    out.name.clear();
    reader.error(node, path + ".name: is required (groups are named: groups.<name>.* metrics)");
  } else {
    register_name(reader, reading.names.groups, "group", path + ".name", out.name, *name_mark);
  }
  if (weight_node && group_marks.connections) {
    reader.error(
        *group_marks.connections,
        path + ": give either weight (a share) or connections (an absolute count), not both");
  }
  out.target = merge_target(reading.scenario.target, std::move(partial), given);
  register_parts(reader, out, path, reading.names, stream_marks, open_marks, close_marks);
  check_match_next(reader, out, path, stream_items, stream_marks);
  bind_variables(reader, refs, captures);
  for (TemplateRef& ref : refs) reading.templates.push_back(std::move(ref));
}

// Absolute counts must fit in load.connections (shared::group_counts is the rule; --connections
// may change the total later, and the controller checks again).
void check_counts(ScenarioReader& reader, const YAML::Node& node, const Scenario& scenario,
                  const std::vector<GroupMarks>& marks) {
  std::vector<uint64_t> counts;
  const std::string why = group_counts(scenario.load.connections, scenario.groups, &counts);
  if (why.empty()) return;
  uint64_t sum = 0;
  for (size_t g = 0; g < scenario.groups.size(); ++g) {
    if (!scenario.groups[g].connections) continue;
    sum += *scenario.groups[g].connections;
    if (sum > scenario.load.connections) {
      reader.error(*marks[g].connections,
                   "groups[" + std::to_string(g) + "].connections: " + why + " (load.connections)");
      return;
    }
  }
  reader.error(node, "groups: " + why);
}

}  // namespace

void read_groups(ScenarioReader& reader, const YAML::Node& node, Scenario& out,
                 std::vector<TemplateRef>& templates) {
  if (!node.IsSequence() || node.size() == 0) {
    reader.error(node, "groups: expected a list of groups (- name: listeners ...), got " +
                           (node.IsSequence() ? std::string("an empty list") : describe(node)));
    return;
  }
  NameBook names;
  GroupReading reading{out, templates, names};
  std::vector<GroupMarks> marks;
  const size_t before = reader.diagnostics().size();
  for (size_t i = 0; i < node.size(); ++i) {
    GroupSpec group;
    GroupMarks group_marks;
    read_group(reader, node[i], "groups[" + std::to_string(i) + "]", reading, group, group_marks);
    out.groups.push_back(std::move(group));
    marks.push_back(std::move(group_marks));
  }
  if (reader.diagnostics().size() == before) check_counts(reader, node, out, marks);
}

}  // namespace wsload::scenario::detail
