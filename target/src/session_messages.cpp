#include "session_messages.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "wsload/target/limits.hpp"

namespace wsload::target {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Advances `i` over one or more digits; false when there is none.
bool skip_digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i > start;
}

// True when `raw` is exactly one JSON number token (RFC 8259 section 6).
bool is_json_number(std::string_view raw) {
  std::size_t i = 0;
  if (i < raw.size() && raw[i] == '-') ++i;
  if (i < raw.size() && raw[i] == '0') {
    ++i;
  } else if (i >= raw.size() || raw[i] < '1' || raw[i] > '9' || !skip_digits(raw, i)) {
    return false;
  }
  if (i < raw.size() && raw[i] == '.' && !skip_digits(raw, ++i)) return false;
  if (i < raw.size() && (raw[i] == 'e' || raw[i] == 'E')) {
    ++i;
    if (i < raw.size() && (raw[i] == '+' || raw[i] == '-')) ++i;
    if (!skip_digits(raw, i)) return false;
  }
  return i == raw.size();
}

// The raw number token of the request's top-level "id": empty when there is none, nullopt when it
// is not a number (it is then not echoed).
std::optional<std::string_view> find_request_id(std::string_view text) {
  auto span = find_top_level_value(text, "id");
  if (!span) return std::string_view{};
  auto raw = text.substr(span->offset, span->size);
  if (!is_json_number(raw)) return std::nullopt;
  return raw;
}

// nullopt when `text` is not a JSON object; otherwise its top-level "channel" (null when absent).
// Every other member is discarded while parsing, so the DOM stays small whatever the input.
std::optional<nlohmann::json> parse_channel(std::string_view text) {
  using Event = nlohmann::json::parse_event_t;
  auto keep_channel_only = [](int depth, Event event, nlohmann::json& parsed) {
    return !(depth == 1 && event == Event::key && parsed != "channel");
  };
  auto doc = nlohmann::json::parse(text, keep_channel_only, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  auto it = doc.find("channel");
  if (it == doc.end()) return nlohmann::json();
  return std::move(*it);
}

bool valid_channel(const nlohmann::json& channel) {
  if (!channel.is_string()) return false;
  const auto& name = channel.get_ref<const std::string&>();
  return !name.empty() && name.size() <= kMaxChannelNameBytes;
}

std::string reply(std::string_view type, std::string_view id) {
  std::string out = "{\"type\":\"";
  out += type;
  out += '"';
  if (!id.empty()) {
    out += ",\"id\":";
    out += id;
  }
  return out;
}

// {"type":TYPE,"channel":CHANNEL,"id":ID (when present)
std::string channel_reply(std::string_view type, std::string_view channel, std::string_view id) {
  std::string out = "{\"type\":\"";
  out += type;
  out += "\",\"channel\":\"";
  append_json_escaped(out, channel);
  out += '"';
  if (!id.empty()) {
    out += ",\"id\":";
    out += id;
  }
  return out;
}

}  // namespace

ClassifiedMessage classify_message(std::string_view text) {
  if (text.find("\"type\"") == std::string_view::npos) return {};
  auto span = find_top_level_string(text, "type");
  if (!span) return {};
  const auto type = text.substr(span->offset, span->size);
  SessionMessageKind kind = SessionMessageKind::kOther;
  if (type == "ping") {
    kind = SessionMessageKind::kPing;
  } else if (type == "subscribe") {
    kind = SessionMessageKind::kSubscribe;
  } else if (type == "unsubscribe") {
    kind = SessionMessageKind::kUnsubscribe;
  } else if (type == "publish") {
    kind = SessionMessageKind::kPublish;
  }
  return {kind, *span};
}

bool answer_text(std::string& message, SessionMessages& messages) {
  const ClassifiedMessage classified = classify_message(message);
  switch (classified.kind) {
    case SessionMessageKind::kOther:
      return false;
    case SessionMessageKind::kPing:
      message.replace(classified.type.offset, classified.type.size, "pong");
      return false;
    case SessionMessageKind::kSubscribe:
    case SessionMessageKind::kUnsubscribe:
    case SessionMessageKind::kPublish:
      message = messages.handle(classified.kind, message);
      return true;
  }
  return false;
}

SessionMessages::~SessionMessages() {
  if (!channels_.empty()) counters_.subscriptions_released.add(channels_.size());
}

std::string SessionMessages::handle(SessionMessageKind kind, std::string_view text) {
  const auto id = find_request_id(text);
  if (!id) return refuse({}, "id must be a number");
  if (text.size() > kMaxSessionMessageBytes)
    return refuse(*id, "message larger than " + std::to_string(kMaxSessionMessageBytes) + " bytes");
  const auto channel = parse_channel(text);
  if (!channel) return refuse(*id, "not a JSON object");
  const bool channel_ok = valid_channel(*channel);
  const std::string channel_rule =
      "channel must be a string of 1 to " + std::to_string(kMaxChannelNameBytes) + " bytes";
  if (kind == SessionMessageKind::kPublish) {
    // A publish may name no channel (the guide's publisher does not).
    if (!channel->is_null() && !channel_ok) return refuse(*id, channel_rule);
    counters_.publishes.add();
    return reply("published", *id) + "}";
  }
  if (!channel_ok) return refuse(*id, channel_rule);
  const auto& name = channel->get_ref<const std::string&>();
  return kind == SessionMessageKind::kSubscribe ? subscribe(name, *id) : unsubscribe(name, *id);
}

std::string SessionMessages::subscribe(const std::string& channel, std::string_view id) {
  auto held = std::find_if(channels_.begin(), channels_.end(),
                           [&](const Channel& c) { return c.name == channel; });
  // Subscribing to a held channel again is acknowledged with the subscription it already has.
  if (held == channels_.end()) {
    if (channels_.size() >= kMaxChannelsPerSession)
      return refuse(id,
                    "at most " + std::to_string(kMaxChannelsPerSession) + " channels per session");
    const uint64_t number = subscription_ids_.fetch_add(1, std::memory_order_relaxed) + 1;
    channels_.push_back(Channel{channel, "s" + std::to_string(number)});
    held = channels_.end() - 1;
    counters_.subscriptions_added.add();
  }
  counters_.subscribes.add();
  return channel_reply("subscribed", channel, id) + ",\"subscription\":\"" + held->subscription +
         "\"}";
}

std::string SessionMessages::unsubscribe(const std::string& channel, std::string_view id) {
  auto held = std::find_if(channels_.begin(), channels_.end(),
                           [&](const Channel& c) { return c.name == channel; });
  counters_.unsubscribes.add();
  if (held == channels_.end()) {
    counters_.unsubscribes_unknown.add();
  } else {
    channels_.erase(held);
    counters_.subscriptions_released.add();
  }
  return channel_reply("unsubscribed", channel, id) + "}";
}

std::string SessionMessages::refuse(std::string_view id, std::string_view reason) {
  counters_.session_message_errors.add();
  std::string out = reply("error", id);
  out += ",\"error\":\"";
  append_json_escaped(out, reason);
  out += "\"}";
  return out;
}

}  // namespace wsload::target
