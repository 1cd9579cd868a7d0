#pragma once
// One io_context thread with the WebSocket sessions it owns and its counters.
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>

#include "wsload/target/stats.hpp"

namespace wsload::target {

using SharedText = std::shared_ptr<const std::string>;

// A WebSocket session as the shard sees it (plain or TLS). Called on the shard thread only; neither
// call may destroy the session synchronously.
class SessionHandle {
 public:
  virtual ~SessionHandle() = default;
  virtual void deliver(const SharedText& message) = 0;  // queue a text message
  virtual void go_away() = 0;                           // close with 1001
};

// Not thread-safe except ioc() and counters() reads: everything else runs on the shard thread.
class Shard {
 public:
  explicit Shard(int index) : index_(index) {}
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  int index() const { return index_; }
  boost::asio::io_context& ioc() { return ioc_; }
  ShardCounters& counters() { return counters_; }
  const ShardCounters& counters() const { return counters_; }

  void attach(SessionHandle* session) { sessions_.insert(session); }
  void detach(SessionHandle* session) {
    sessions_.erase(session);
    subscribed_.erase(session);
  }
  // Whether an attached session holds at least one channel (for --require-subscribe).
  void set_subscribed(SessionHandle* session, bool subscribed) {
    if (subscribed) {
      subscribed_.insert(session);
    } else {
      subscribed_.erase(session);
    }
  }
  // To every session, or with `subscribed_only` to those holding at least one channel.
  void deliver_all(const SharedText& message, bool subscribed_only = false) {
    for (auto* session : subscribed_only ? subscribed_ : sessions_) session->deliver(message);
  }
  void go_away_all() {
    for (auto* session : sessions_) session->go_away();
  }
  // Scratch space for the synchronous reads of this shard's sessions (LeanWsSession), allocated on
  // first use: its contents are valid until the next read on this thread.
  std::span<uint8_t> read_buffer() {
    if (!read_buffer_) read_buffer_.reset(new uint8_t[kReadBufferBytes]);
    return {read_buffer_.get(), kReadBufferBytes};
  }

 private:
  int index_;
  ShardCounters counters_;
  std::unordered_set<SessionHandle*> sessions_;
  std::unordered_set<SessionHandle*> subscribed_;  // subset of sessions_
  static constexpr std::size_t kReadBufferBytes = 64 * 1024;
  std::unique_ptr<uint8_t[]> read_buffer_;
  // Declared last: destroying it destroys pending handlers, whose sessions detach from sessions_.
  boost::asio::io_context ioc_{1};
};

}  // namespace wsload::target
