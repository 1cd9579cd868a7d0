#include "scenario_reader.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "wsload/shared/duration.hpp"
#include "wsload/shared/metric_catalog.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

std::string prefix(const std::string& path) { return path.empty() ? "" : path + ": "; }

std::string join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string concat(std::initializer_list<std::string_view> pieces) {
  size_t size = 0;
  for (std::string_view p : pieces) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : pieces) out.append(p);
  return out;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

std::string closest_word(std::string_view word,
                         std::initializer_list<std::string_view> candidates) {
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string_view best;
  size_t best_distance = limit + 1;
  for (std::string_view candidate : candidates) {
    const size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return std::string(best);
}

void ScenarioReader::error(const YAML::Mark& mark, std::string message) {
  Diagnostic d;
  d.file = file_;
  d.line = mark.line >= 0 ? mark.line + 1 : 0;
  d.column = mark.column >= 0 && d.line > 0 ? mark.column + 1 : 0;
  d.message = std::move(message);
  diagnostics_.push_back(std::move(d));
}

std::string ScenarioReader::where(const YAML::Mark& mark) const {
  return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool ScenarioReader::for_each_key(const YAML::Node& map, const std::string& path,
                                  std::initializer_list<std::string_view> known,
                                  const KeyHandler& handle) {
  if (map.IsNull()) return true;
  if (!map.IsMap()) {
    error(map, prefix(path) + "expected a mapping, got " + describe(map));
    return false;
  }
  std::set<std::string> seen;
  // Entries are proxies returned by value: copy the nodes, never bind references into them.
  for (const auto& entry : map) {
    const YAML::Node key_node = entry.first;
    const YAML::Node value = entry.second;
    if (!key_node.IsScalar()) {
      error(key_node, prefix(path) + "keys must be plain words, got " + describe(key_node));
      continue;
    }
    const std::string& key = key_node.Scalar();
    if (!seen.insert(key).second) {
      error(key_node, prefix(path) + "duplicate key '" + key + "'");
      continue;
    }
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      const std::string suggestion = closest_word(key, known);
      std::string message = prefix(path);
      message.append("unknown key '").append(key);
      if (!suggestion.empty()) {
        message.append("'; did you mean '").append(suggestion).append("'?");
      } else {
        message.append("' (known keys: ").append(join(known)).append(")");
      }
      error(key_node, std::move(message));
      continue;
    }
    const YAML::Mark outer_key = key_mark_;
    key_mark_ = key_node.Mark();
    handle(key, value);
    key_mark_ = outer_key;
  }
  return true;
}

std::optional<std::string> ScenarioReader::string(const YAML::Node& node, const std::string& path) {
  if (node.IsNull()) return std::string();
  if (!node.IsScalar()) {
    error(node, prefix(path) + "expected a string, got " + describe(node));
    return std::nullopt;
  }
  std::string why;
  std::optional<std::string> value = expand_env(node.Scalar(), env_, &why);
  if (!value) error(node, prefix(path) + why);
  return value;
}

std::optional<uint64_t> ScenarioReader::integer(const YAML::Node& node, const std::string& path,
                                                bool positive) {
  const std::string expected = positive ? "a positive integer" : "a non-negative integer";
  if (!node.IsScalar()) {
    error(node, prefix(path) + "expected " + expected + ", got " + describe(node));
    return std::nullopt;
  }
  std::optional<std::string> text = string(node, path);
  if (!text) return std::nullopt;
  uint64_t value = 0;
  const char* first = text->data();
  const char* last = first + text->size();
  auto [end, ec] = std::from_chars(first, last, value);
  if (text->empty() || ec != std::errc() || end != last || (positive && value == 0)) {
    error(node, prefix(path) + "expected " + expected + ", got '" + *text + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<std::chrono::nanoseconds> ScenarioReader::duration(const YAML::Node& node,
                                                                 const std::string& path,
                                                                 bool positive) {
  if (!node.IsScalar()) {
    error(node,
          prefix(path) + "expected a duration such as 250ms, 10s or 2m, got " + describe(node));
    return std::nullopt;
  }
  std::optional<std::string> text = string(node, path);
  if (!text) return std::nullopt;
  std::optional<std::chrono::nanoseconds> value = parse_duration(*text);
  if (!value) {
    if (!text->empty() && text->front() == '-') {
      error(node, prefix(path) + "must not be negative, got '" + *text + "'");
    } else {
      error(node,
            prefix(path) + "expected a duration such as 250ms, 10s or 2m, got '" + *text + "'");
    }
    return std::nullopt;
  }
  if (positive && value->count() <= 0) {
    error(node, prefix(path) + "must be greater than 0, got '" + *text + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ScenarioReader::boolean(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    error(node, prefix(path) + "expected true or false, got " + describe(node));
    return std::nullopt;
  }
  std::optional<std::string> text = string(node, path);
  if (!text) return std::nullopt;
  const std::string word = lower(*text);
  if (word == "true" || word == "yes" || word == "on") return true;
  if (word == "false" || word == "no" || word == "off") return false;
  error(node, prefix(path) + "expected true or false, got '" + *text + "'");
  return std::nullopt;
}

std::optional<std::string> ScenarioReader::choice(const YAML::Node& node, const std::string& path,
                                                  std::initializer_list<std::string_view> choices) {
  if (!node.IsScalar()) {
    error(node, prefix(path) + "expected one of " + join(choices) + ", got " + describe(node));
    return std::nullopt;
  }
  std::optional<std::string> text = string(node, path);
  if (!text) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *text) != choices.end()) return text;
  std::string message = prefix(path) + "expected one of " + join(choices) + ", got '" + *text + "'";
  const std::string suggestion = closest_word(*text, choices);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  error(node, std::move(message));
  return std::nullopt;
}

std::optional<std::vector<ListItem>> ScenarioReader::string_list(const YAML::Node& node,
                                                                 const std::string& path) {
  std::vector<ListItem> items;
  if (node.IsNull()) return items;
  if (!node.IsSequence()) {
    error(node, prefix(path) + "expected a list, got " + describe(node));
    return std::nullopt;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      error(item, item_path + ": expected a string, got " + describe(item));
      continue;
    }
    std::optional<std::string> text = string(item, item_path);
    if (text) items.push_back(ListItem{item, i, std::move(*text)});
  }
  return items;
}

}  // namespace wsload::scenario::detail
