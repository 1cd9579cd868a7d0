// The top-level sections of a plain scenario other than `target` and `load`.
#include <limits>
#include <optional>

#include "scenario_reader.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/threshold.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

// Which keys a stream gave (the rules below depend on presence, not only on the values).
struct GivenKeys {
  std::optional<YAML::Node> match;
  std::optional<YAML::Node> size;
  std::optional<YAML::Node> start;
  bool template_given = false;
};

// The rules between a stream's keys, once all are read: the kind's default match, binary
// pairing, `start` only on an open loop, `size` only for binary without a template.
void settle_stream(ScenarioReader& reader, const std::string& path, const GivenKeys& given,
                   MessagesSpec& out) {
  if (!given.match)
    out.match = out.kind == MessageKind::kJson ? Match::by_field("id") : Match::next();
  if (out.kind == MessageKind::kBinary && given.match && out.match.mode == Match::Mode::kField) {
    reader.error(*given.match, path +
                                   ".match: binary replies cannot be paired by a JSON field; "
                                   "use next or none");
  }
  if (given.start && out.start.count() > 0 && out.interval.count() == 0) {
    reader.error(*given.start, path +
                                   ".start: needs an open-loop stream (interval > 0); a closed "
                                   "loop (interval 0) starts when its connection opens");
  }
  if (given.size) {
    if (out.kind != MessageKind::kBinary) {
      reader.error(*given.size, path + ".size: only applies to kind binary");
    } else if (given.template_given) {
      reader.error(*given.size, path + ".size: give either template or size, not both");
    } else {
      out.payload_template.clear();
    }
  }
}

}  // namespace

// Defaults that depend on the kind: match is "id" for json and "next" otherwise (ping replies are
// pong frames, paired by the sequence number in their payload unless match is none; see
// shared::Match); a binary message with `size` and no template is `size` bytes of payload.
StreamMarks read_messages(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
                          MessagesSpec& out, std::vector<TemplateRef>& templates, bool named) {
  StreamMarks marks;
  std::optional<YAML::Node> match_node;  // set when the key is present
  std::optional<YAML::Node> size_node;
  std::optional<YAML::Node> start_node;
  bool template_given = false;
  bool name_given = false;
  const auto handle = [&](const std::string& key, const YAML::Node& value) {
    const std::string key_path = path + "." + key;
    if (key == "name") {
      name_given = true;
      marks.name = value.Mark();
      if (auto v = reader.string(value, key_path)) {
        const std::string why = check_part_name(*v);
        if (!why.empty()) reader.error(value, key_path + ": " + why);
        out.name = std::move(*v);
      }
    } else if (key == "interval") {
      if (auto v = reader.duration(value, key_path, false)) out.interval = *v;
    } else if (key == "start") {
      start_node = value;
      if (auto v = reader.duration(value, key_path, false)) out.start = *v;
    } else if (key == "kind") {
      if (auto v = reader.choice(value, key_path, {"ping", "text", "binary", "json"})) {
        out.kind = *v == "ping"     ? MessageKind::kPing
                   : *v == "text"   ? MessageKind::kText
                   : *v == "binary" ? MessageKind::kBinary
                                    : MessageKind::kJson;
      }
    } else if (key == "template") {
      template_given = true;
      if (auto v = reader.string(value, key_path)) {
        templates.push_back(template_ref(value, key_path, *v, TemplateUse::kMessage));
        out.payload_template = std::move(*v);
      }
    } else if (key == "match") {
      match_node = value;
      marks.match = value.Mark();
      if (auto v = reader.string(value, key_path)) {
        out.match = parse_match(*v);
        if (out.match.mode == Match::Mode::kField) {
          const std::string why = check_match_field(out.match.field);
          if (!why.empty()) reader.error(value, key_path + ": " + why);
        }
      }
    } else if (key == "timeout") {
      if (auto v = reader.duration(value, key_path, true)) out.timeout = *v;
    } else if (key == "size") {
      size_node = value;
      if (auto v = reader.integer(value, key_path, false)) out.size = *v;
    }
  };
  bool is_map = false;
  if (named) {
    is_map = reader.for_each_key(
        node, path, {"name", "interval", "start", "kind", "template", "match", "timeout", "size"},
        handle);
    if (is_map && !name_given) {
      reader.error(node, path + ".name: is required (streams are named: streams.<name>.* metrics)");
    }
  } else {
    is_map = reader.for_each_key(
        node, path, {"interval", "start", "kind", "template", "match", "timeout", "size"}, handle);
  }
  settle_stream(reader, path, {match_node, size_node, start_node, template_given}, out);
  return marks;
}

void read_push(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
               PushSpec& out) {
  reader.for_each_key(node, path, {"sequence_field", "timestamp_field"},
                      [&](const std::string& key, const YAML::Node& value) {
                        auto v = reader.string(value, path + "." + key);
                        if (!v) return;
                        (key == "sequence_field" ? out.sequence_field : out.timestamp_field) =
                            std::move(*v);
                      });
}

namespace {

// max_backoff caps the doubling of backoff, so it is at least backoff; without it the backoff is
// fixed (format v1). jitter and seed: shared::reconnect_delay.
void read_reconnect(ScenarioReader& reader, const YAML::Node& node, ReconnectSpec& out) {
  std::optional<YAML::Node> max_backoff_node;
  reader.for_each_key(node, "reconnect",
                      {"enabled", "max_attempts", "backoff", "max_backoff", "jitter", "seed"},
                      [&](const std::string& key, const YAML::Node& value) {
                        const std::string path = "reconnect." + key;
                        if (key == "enabled") {
                          if (auto v = reader.boolean(value, path)) out.enabled = *v;
                        } else if (key == "max_attempts") {
                          if (auto v = reader.integer(value, path, false)) {
                            if (*v > std::numeric_limits<uint32_t>::max()) {
                              reader.error(value, path + ": is too large");
                            } else {
                              out.max_attempts = static_cast<uint32_t>(*v);
                            }
                          }
                        } else if (key == "backoff") {
                          if (auto v = reader.duration(value, path, false)) out.backoff = *v;
                        } else if (key == "max_backoff") {
                          if (auto v = reader.duration(value, path, true)) {
                            out.max_backoff = *v;
                            max_backoff_node = value;
                          }
                        } else if (key == "jitter") {
                          if (auto v = reader.boolean(value, path)) out.jitter = *v;
                        } else if (key == "seed") {
                          if (auto v = reader.integer(value, path, false)) out.seed = *v;
                        }
                      });
  if (max_backoff_node && out.max_backoff < out.backoff) {
    reader.error(*max_backoff_node, "reconnect.max_backoff: " + format_duration(out.max_backoff) +
                                        " is less than reconnect.backoff (" +
                                        format_duration(out.backoff) +
                                        "); it caps the doubling backoff, so it must be at least "
                                        "the backoff");
  }
}

void read_monitor(ScenarioReader& reader, const YAML::Node& node, MonitorSpec& out) {
  bool url_given = false;
  reader.for_each_key(node, "monitor", {"url", "interval"},
                      [&](const std::string& key, const YAML::Node& value) {
                        const std::string path = "monitor." + key;
                        if (key == "url") {
                          url_given = true;
                          if (auto v = reader.string(value, path)) {
                            const std::string why = check_http_url(*v);
                            if (!why.empty()) reader.error(value, path + ": " + why);
                            out.url = std::move(*v);
                          }
                        } else if (key == "interval") {
                          if (auto v = reader.duration(value, path, true)) out.interval = *v;
                        }
                      });
  if (!url_given && (node.IsMap() || node.IsNull())) {
    reader.error(node, "monitor.url: is required when monitor is given");
  }
}

void read_thresholds(ScenarioReader& reader, const YAML::Node& node, std::vector<Threshold>& out,
                     std::vector<ListItem>& kept) {
  auto items = reader.string_list(node, "thresholds");
  if (!items) return;
  for (const ListItem& item : *items) {
    std::string why;
    if (auto t = parse_threshold(item.text, &why)) {
      out.push_back(std::move(*t));
      kept.push_back(item);
    } else {
      reader.error(item.node, "thresholds[" + std::to_string(item.index) + "]: " + why);
    }
  }
}

}  // namespace

void read_scenario_key(ScenarioReader& reader, const std::string& key, const YAML::Node& value,
                       Scenario& out, ScenarioContext& context) {
  if (key == "name") {
    if (auto v = reader.string(value, "name")) out.name = std::move(*v);
  } else if (key == "description") {
    if (auto v = reader.string(value, "description")) out.description = std::move(*v);
  } else if (key == "target") {
    read_target(reader, value, "target", out.target, context.templates, false);
  } else if (key == "load") {
    read_load(reader, value, out.load);
  } else if (key == "messages") {
    out.messages.emplace();
    context.messages = value;
    read_messages(reader, value, "messages", *out.messages, context.templates, false);
  } else if (key == "push") {
    read_push(reader, value, "push", out.push);
  } else if (key == "reconnect") {
    read_reconnect(reader, value, out.reconnect);
  } else if (key == "monitor") {
    out.monitor.emplace();
    read_monitor(reader, value, *out.monitor);
  } else if (key == "thresholds") {
    read_thresholds(reader, value, out.thresholds, context.threshold_items);
  } else if (key == "data") {
    context.data = value;
  } else if (key == "groups") {
    context.groups = value;
  }
}

}  // namespace wsload::scenario::detail
