// {{var.X}} and {{data.F.C}} in templates and target fields: each reference checked against the
// feeders and the variables captured before it, and reported at its own column.
#include <algorithm>

#include "scenario_reader.hpp"
#include "wsload/shared/message_template.hpp"
#include "wsload/shared/strings.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

constexpr std::string_view kColumnSuffix = " at column ";

// The problem of one placeholder as MessageTemplate words it, without its column.
std::string placeholder_problem(std::string_view inner, const TemplateNames& names) {
  std::string why;
  if (MessageTemplate::compile("{{" + std::string(inner) + "}}", names, &why)) return "";
  const size_t at = why.rfind(kColumnSuffix);
  return at == std::string::npos ? why : why.substr(0, at);
}

TemplateNames names_for(const TemplateRef& ref, const std::vector<DataFeeder>& data) {
  TemplateNames names;
  if (ref.use == TemplateUse::kMessage) names.vars = ref.vars;
  for (const DataFeeder& feeder : data) names.data.push_back({feeder.name, feeder.columns});
  return names;
}

// The problem of a {{var.X}} reference; "" when X may be used here.
std::string var_problem(const TemplateRef& ref, std::string_view inner,
                        const TemplateNames& names) {
  const std::string_view var = inner.substr(4);
  if (ref.use != TemplateUse::kMessage) {
    return "'{{" + std::string(inner) +
           "}}': variables cannot be used in target fields; they are captured from messages, and "
           "the connection is not open yet when its url, headers and token are used";
  }
  if (std::find(ref.vars.begin(), ref.vars.end(), var) != ref.vars.end()) return "";
  for (const auto& [name, where] : ref.later) {
    if (name == var) {
      return "'{{" + std::string(inner) + "}}' is captured by " + where +
             "; a step can only use variables captured by earlier on_open steps";
    }
  }
  return placeholder_problem(inner, names);
}

// A feeder whose file could not be read has no columns (a readable one has at least one).
bool uses_unreadable_feeder(std::string_view inner, const std::vector<DataFeeder>& data) {
  if (inner.substr(0, 5) != "data.") return false;
  const std::string_view rest = inner.substr(5);
  const std::string_view feeder = rest.substr(0, rest.find('.'));
  return std::any_of(data.begin(), data.end(),
                     [&](const DataFeeder& f) { return f.name == feeder && f.columns.empty(); });
}

}  // namespace

TemplateRef template_ref(const YAML::Node& node, std::string path, std::string text,
                         TemplateUse use) {
  TemplateRef ref;
  ref.mark = node.Mark();
  // yaml-cpp tags a quoted scalar "!" and a plain one "?".
  ref.quoted = node.IsScalar() && node.Tag() == "!";
  ref.path = std::move(path);
  ref.text = std::move(text);
  ref.use = use;
  return ref;
}

std::vector<NamedPlaceholder> named_placeholders(std::string_view text) {
  std::vector<NamedPlaceholder> out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "{{") != 0 || text.compare(i, 3, "{{{") == 0) {
      ++i;
      continue;
    }
    const size_t close = text.find("}}", i + 2);
    if (close == std::string_view::npos) break;  // MessageTemplate reports it
    const std::string_view inner = trim(text.substr(i + 2, close - i - 2));
    if (inner.substr(0, 4) == "var." || inner.substr(0, 5) == "data.") {
      out.push_back(NamedPlaceholder{i, inner});
    }
    i = close + 2;
  }
  return out;
}

void check_templates(ScenarioReader& reader, const std::vector<TemplateRef>& refs,
                     const std::vector<DataFeeder>& data) {
  for (const TemplateRef& ref : refs) {
    const TemplateNames names = names_for(ref, data);
    bool named_ok = true;
    for (const NamedPlaceholder& p : named_placeholders(ref.text)) {
      if (uses_unreadable_feeder(p.inner, data)) {
        named_ok = false;  // its file's problem is reported already
        continue;
      }
      const std::string problem = p.inner.substr(0, 4) == "var."
                                      ? var_problem(ref, p.inner, names)
                                      : placeholder_problem(p.inner, names);
      if (problem.empty()) continue;
      named_ok = false;
      YAML::Mark at = ref.mark;
      at.column += static_cast<int>(p.offset) + (ref.quoted ? 1 : 0);
      reader.error(at, ref.path + ": " + problem);
    }
    // Target fields are literal text apart from {{data.F.C}}: nothing else to check.
    if (!named_ok || ref.use == TemplateUse::kField) continue;
    std::string why;
    if (!MessageTemplate::compile(ref.text, names, &why))
      reader.error(ref.mark, ref.path + ": " + why);
  }
}

}  // namespace wsload::scenario::detail
