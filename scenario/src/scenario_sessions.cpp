// What a plain scenario checks once every top-level key is read: data feeders, groups, templates,
// and thresholds that name a stream, step or group.
#include <algorithm>

#include "scenario_reader.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

// The names once each, in order.
std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
        names.begin() + static_cast<std::ptrdiff_t>(i)) {
      continue;
    }
    out += (out.empty() ? "" : ", ") + names[i];
  }
  return out.empty() ? "none" : out;
}

// A threshold on streams.<name>.*, steps.<name>.* or groups.<name>.* must name an existing part.
void check_threshold_parts(ScenarioReader& reader, const ScenarioContext& context,
                           const Scenario& scenario) {
  const PartIndex parts = part_index(effective_groups(scenario));
  struct Kind {
    std::string_view prefix;
    std::string_view singular;
    const std::vector<std::string>* names;
  };
  const Kind kinds[] = {{"streams.", "stream", &parts.stream_names},
                        {"steps.", "step", &parts.step_names},
                        {"groups.", "group", &parts.group_names}};
  for (size_t i = 0; i < scenario.thresholds.size(); ++i) {
    const std::string& metric = scenario.thresholds[i].metric;
    for (const Kind& kind : kinds) {
      if (metric.compare(0, kind.prefix.size(), kind.prefix) != 0) continue;
      const std::string rest = metric.substr(kind.prefix.size());
      const std::string name = rest.substr(0, rest.find('.'));
      const auto& names = *kind.names;
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      const ListItem& item = context.threshold_items[i];
      reader.error(item.node,
                   concat({"thresholds[", std::to_string(item.index), "]: '", metric, "' names no ",
                           kind.singular, " '", name, "' (",
                           kind.prefix.substr(0, kind.prefix.size() - 1), ": ", join(names), ")"}));
    }
  }
}

}  // namespace

void finish_scenario(ScenarioReader& reader, ScenarioContext& context, Scenario& out) {
  if (context.data) read_data(reader, *context.data, out.data);
  if (context.groups) {
    if (context.messages) {
      reader.error(*context.messages,
                   "messages: with groups, messages belong to a group (each group lists its "
                   "streams under messages)");
    }
    out.messages.reset();
    read_groups(reader, *context.groups, out, context.templates);
  }
  check_templates(reader, context.templates, out.data);
  check_threshold_parts(reader, context, out);
}

}  // namespace wsload::scenario::detail
