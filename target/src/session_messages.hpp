#pragma once
// Session messages of scenario format v2: subscribe, unsubscribe and publish, answered by the
// target. Replies (the id is the request's top-level "id" number token, copied byte for byte, and
// omitted when the request had none):
//   {"type":"subscribe","channel":C,"id":N}   -> {"type":"subscribed","channel":C,"id":N,
//                                                  "subscription":"s<K>"}
//   {"type":"unsubscribe","channel":C,"id":N} -> {"type":"unsubscribed","channel":C,"id":N}
//   {"type":"publish","id":N,...}             -> {"type":"published","id":N}
//   anything refused                          -> {"type":"error","id":N,"error":"<reason>"}
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "wsload/target/ping_rewrite.hpp"
#include "wsload/target/stats.hpp"

namespace wsload::target {

enum class SessionMessageKind { kOther, kPing, kSubscribe, kUnsubscribe, kPublish };

struct ClassifiedMessage {
  SessionMessageKind kind = SessionMessageKind::kOther;
  Span type;  // the raw contents of the top-level "type" string when kind is not kOther
};

// Reads the top-level "type" of a text frame without building a DOM: linear time, constant memory
// (find_top_level_string), after a substring search so that frames without "type" cost one
// pass. Every text frame goes through here.
ClassifiedMessage classify_message(std::string_view text);

class SessionMessages;

// Turns a ping into its pong in place, or a session message into its reply; other text is left as
// is (echoed). Returns true when `message` was a session message: the subscriptions of `messages`
// may have changed.
bool answer_text(std::string& message, SessionMessages& messages);

// The channels one session holds and its answers to subscribe, unsubscribe and publish.
// Not thread-safe: used on the session's shard thread only, which is the only writer of `counters`.
class SessionMessages {
 public:
  // `subscription_ids` is shared by all sessions of the process (subscription "s<K>" numbers).
  SessionMessages(ShardCounters& counters, std::atomic<uint64_t>& subscription_ids)
      : counters_(counters), subscription_ids_(subscription_ids) {}
  // The channels still held are counted as released.
  ~SessionMessages();
  SessionMessages(const SessionMessages&) = delete;
  SessionMessages& operator=(const SessionMessages&) = delete;

  // The reply to `text`, a message classified as kSubscribe, kUnsubscribe or kPublish. Messages
  // over kMaxSessionMessageBytes are refused unparsed; others are parsed with nlohmann::json
  // keeping only the top-level "channel" (nested values are discarded while parsing).
  std::string handle(SessionMessageKind kind, std::string_view text);

  bool subscribed() const { return !channels_.empty(); }
  std::size_t channel_count() const { return channels_.size(); }

 private:
  struct Channel {
    std::string name;
    std::string subscription;
  };

  std::string subscribe(const std::string& channel, std::string_view id);
  std::string unsubscribe(const std::string& channel, std::string_view id);
  std::string refuse(std::string_view id, std::string_view reason);

  ShardCounters& counters_;
  std::atomic<uint64_t>& subscription_ids_;
  std::vector<Channel> channels_;  // at most kMaxChannelsPerSession, in subscription order
};

}  // namespace wsload::target
