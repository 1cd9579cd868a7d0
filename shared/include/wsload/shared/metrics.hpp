#pragma once
// Measured quantities as plain mergeable values. An agent thread records into its own MetricsDelta
// without locks; deltas are shipped per interval and summed by the controller with merge().
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "wsload/shared/histogram.hpp"

namespace wsload::shared {

struct Counters {
  uint64_t connections_attempted = 0;    // connection attempts started (reconnects included)
  uint64_t connections_established = 0;  // handshake returned 101; subset of attempted
  uint64_t connections_failed = 0;       // subset of attempted; by reason in failures
  uint64_t connections_closed = 0;       // established connections that ended, for any reason
  uint64_t disconnects_unexpected = 0;   // subset of closed: ended before we asked to close
  uint64_t reconnects = 0;  // attempts made after an unexpected disconnect; subset of attempted

  uint64_t messages_sent = 0;      // requests written (text/binary/json frames or ping frames)
  uint64_t messages_received = 0;  // every frame received (replies + pushes + other)
  uint64_t replies = 0;            // requests answered before their timeout; subset of received
  uint64_t timeouts = 0;           // requests without a reply by their timeout
  uint64_t late_replies = 0;       // replies that arrived after their request timed out
  uint64_t unmatched = 0;          // frames that looked like replies but matched no request
  uint64_t protocol_errors = 0;    // undecodable frames, oversize messages, bad close frames
  uint64_t bytes_sent = 0;         // WebSocket payload bytes (messages as the app sent them)
  uint64_t bytes_received = 0;     // WebSocket payload bytes (messages as the app got them)
  // The same payloads as they went over the wire: compressed by permessage-deflate where it was
  // negotiated, equal to bytes_sent/bytes_received without compression. Frame headers excluded.
  uint64_t bytes_sent_wire = 0;
  uint64_t bytes_received_wire = 0;

  uint64_t push_received = 0;    // server-initiated messages; subset of received
  uint64_t push_gaps = 0;        // sequence numbers never received after a connection's first
  uint64_t push_duplicates = 0;  // sequence numbers received more than once
  uint64_t push_reordered = 0;   // sequence numbers that arrived after a higher one
  uint64_t push_resets =
      0;  // jumps of more than 2^24 numbers: the sequence restarted (no gaps counted)

  // Sessions (format v2) whose on_open steps failed: closed with 1000, streams never started;
  // subset of established. By step in PartsDelta::steps. Counted in errors like timeouts.
  uint64_t sessions_failed = 0;

  uint64_t sends_behind_schedule = 0;  // sends issued more than 1 ms after their scheduled instant
  uint64_t max_schedule_lag_us = 0;    // largest such delay (merge takes the max)

  // reason -> count: dns, refused, connect_timeout, tls, tls_timeout, handshake_timeout,
  // http_<status>, bad_accept, bad_upgrade, bad_extension, closed_during_upgrade,
  // stopped_before_established, other
  std::map<std::string, uint64_t> failures;
  // reason -> count: close_<code>, close_timeout, protocol_error, write_stall, eof, reset, error
  std::map<std::string, uint64_t> disconnects;
  // Scheduled requests that were never written, reason -> count (peer_not_reading, closed, ...).
  // Every scheduled request ends as sent or unsent: scheduled = messages_sent + sum(unsent).
  std::map<std::string, uint64_t> unsent;

  uint64_t unsent_total() const;
  uint64_t requests_scheduled() const { return messages_sent + unsent_total(); }
  // SPEC §4 errors: failed connections + unexpected disconnects + timeouts + protocol errors +
  // unsent requests + failed sessions. errors.rate divides it by attempts + requests scheduled.
  uint64_t error_count() const;

  void merge(const Counters& other);
  bool operator==(const Counters&) const = default;
};

// One stream's requests (streams.<name>.*). The unprefixed totals (Counters::messages_sent,
// replies, timeouts, unsent and MetricsDelta::latency) are the sums over every stream; frames of
// steps are counted in steps.* (and in bytes and messages_received), never in the stream totals.
struct StreamFigures {
  uint64_t sent = 0;      // requests written
  uint64_t replies = 0;   // answered before their timeout
  uint64_t timeouts = 0;  // no reply by their timeout (or the session ended first)
  uint64_t unsent = 0;    // scheduled and never written (Counters::unsent, all reasons)
  Histogram latency;      // scheduled send -> reply (us)

  void merge(const StreamFigures& other);
  bool operator==(const StreamFigures&) const = default;
};

// One step (steps.<name>.*): every step that started ends as ok or failed.
struct StepFigures {
  uint64_t ok = 0;
  uint64_t failed = 0;
  // reason -> count: timeout, closed (the session ended first), capture_missing, unsent
  std::map<std::string, uint64_t> failures;
  Histogram latency;  // step start -> the message its expect matched (steps with expect) (us)

  void merge(const StepFigures& other);
  bool operator==(const StepFigures&) const = default;
};

// Per part of a format-v2 scenario, by index in shared::effective_groups order. Empty for a v1
// scenario (its one group and stream are the totals).
struct PartsDelta {
  std::vector<Counters> groups;        // groups.<name>.* (the group's connections' counters)
  std::vector<StreamFigures> streams;  // every group's streams, groups in order
  std::vector<StepFigures> steps;      // every group's on_open then on_close steps, in order

  bool empty() const { return groups.empty() && streams.empty() && steps.empty(); }
  // Element-wise; the result has the larger size of each list.
  void merge(const PartsDelta& other);
  bool operator==(const PartsDelta&) const = default;
};

struct MetricsDelta {
  Counters counters;
  Histogram latency;          // scheduled send -> reply (us); coordinated-omission free
  Histogram latency_service;  // actual send -> reply (us)
  Histogram connect_time;     // TCP connect start -> 101 (us)
  Histogram push_latency;     // server timestamp -> receipt (us)
  // unexpected disconnect (session end) -> the 101 of the session a reconnect opened (us); one
  // sample per reconnect that succeeded (Counters::reconnects counts every attempt)
  Histogram reconnect_time;
  PartsDelta parts;  // format v2 only; the fields above stay the totals

  void merge(const MetricsDelta& other);
  bool operator==(const MetricsDelta&) const = default;
};

}  // namespace wsload::shared
