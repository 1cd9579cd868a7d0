#include "convert_detail.hpp"
#include "wsload/proto/convert.hpp"

namespace wsload::proto {
namespace {

// What an agent reports by reason is bounded on arrival, whatever the agent sends: at most
// kMaxReasons distinct reasons of at most kMaxReasonLength characters each; the counts of the rest
// are kept under "other_reasons", so no count is lost and the controller's memory is bounded.
constexpr std::size_t kMaxReasons = 256;
constexpr std::size_t kMaxReasonLength = 64;

void read_reasons(const google::protobuf::Map<std::string, uint64_t>& wire,
                  std::map<std::string, uint64_t>& out) {
  for (const auto& [k, v] : wire) {
    if (out.size() < kMaxReasons && k.size() <= kMaxReasonLength) {
      out[k] += v;
    } else {
      out["other_reasons"] += v;
    }
  }
}

// Decodes a histogram (empty bytes: an empty histogram) into `h`, reusing its storage.
bool decode_histogram(const std::string& bytes, shared::Histogram& h) {
  if (bytes.empty()) {
    h.reset();
    return true;
  }
  return shared::Histogram::deserialize_into(bytes, &h);
}

void parts_to_wire(const shared::PartsDelta& parts, v1::Metrics* out) {
  for (const shared::Counters& g : parts.groups) detail::counters_to_wire(g, out->add_groups());
  for (const shared::StreamFigures& f : parts.streams) {
    auto* s = out->add_streams();
    s->set_sent(f.sent);
    s->set_replies(f.replies);
    s->set_timeouts(f.timeouts);
    s->set_unsent(f.unsent);
    if (!f.latency.empty()) s->set_latency(f.latency.serialize());
  }
  for (const shared::StepFigures& f : parts.steps) {
    auto* s = out->add_steps();
    s->set_ok(f.ok);
    s->set_failed(f.failed);
    for (const auto& [k, v] : f.failures) (*s->mutable_failures())[k] = v;
    if (!f.latency.empty()) s->set_latency(f.latency.serialize());
  }
}

// Parts are bounded on arrival like reasons: at most kMaxParts of each kind.
constexpr int kMaxParts = 1024;

bool parts_from_wire(const v1::Metrics& m, shared::PartsDelta* parts) {
  bool ok = true;
  parts->groups.resize(static_cast<size_t>(std::min(m.groups_size(), kMaxParts)));
  for (size_t i = 0; i < parts->groups.size(); ++i) {
    detail::counters_from_wire(m.groups(static_cast<int>(i)), &parts->groups[i]);
  }
  parts->streams.resize(static_cast<size_t>(std::min(m.streams_size(), kMaxParts)));
  for (size_t i = 0; i < parts->streams.size(); ++i) {
    const auto& s = m.streams(static_cast<int>(i));
    auto& f = parts->streams[i];
    f.sent = s.sent();
    f.replies = s.replies();
    f.timeouts = s.timeouts();
    f.unsent = s.unsent();
    ok &= decode_histogram(s.latency(), f.latency);
  }
  parts->steps.resize(static_cast<size_t>(std::min(m.steps_size(), kMaxParts)));
  for (size_t i = 0; i < parts->steps.size(); ++i) {
    const auto& s = m.steps(static_cast<int>(i));
    auto& f = parts->steps[i];
    f.ok = s.ok();
    f.failed = s.failed();
    f.failures.clear();
    read_reasons(s.failures(), f.failures);
    ok &= decode_histogram(s.latency(), f.latency);
  }
  return ok;
}

}  // namespace

namespace detail {

void counters_to_wire(const shared::Counters& c, v1::Metrics* out) {
  out->set_connections_attempted(c.connections_attempted);
  out->set_connections_established(c.connections_established);
  out->set_connections_failed(c.connections_failed);
  out->set_connections_closed(c.connections_closed);
  out->set_disconnects_unexpected(c.disconnects_unexpected);
  out->set_reconnects(c.reconnects);
  out->set_messages_sent(c.messages_sent);
  out->set_messages_received(c.messages_received);
  out->set_replies(c.replies);
  out->set_timeouts(c.timeouts);
  out->set_late_replies(c.late_replies);
  out->set_unmatched(c.unmatched);
  out->set_protocol_errors(c.protocol_errors);
  out->set_bytes_sent(c.bytes_sent);
  out->set_bytes_received(c.bytes_received);
  out->set_bytes_sent_wire(c.bytes_sent_wire);
  out->set_bytes_received_wire(c.bytes_received_wire);
  out->set_push_received(c.push_received);
  out->set_push_gaps(c.push_gaps);
  out->set_push_duplicates(c.push_duplicates);
  out->set_push_reordered(c.push_reordered);
  out->set_push_resets(c.push_resets);
  out->set_sends_behind_schedule(c.sends_behind_schedule);
  out->set_max_schedule_lag_us(c.max_schedule_lag_us);
  out->set_sessions_failed(c.sessions_failed);
  for (const auto& [k, v] : c.failures) (*out->mutable_failures())[k] = v;
  for (const auto& [k, v] : c.disconnects) (*out->mutable_disconnects())[k] = v;
  for (const auto& [k, v] : c.unsent) (*out->mutable_unsent())[k] = v;
}

void counters_from_wire(const v1::Metrics& m, shared::Counters* out) {
  auto& c = *out;
  c = shared::Counters{};
  c.connections_attempted = m.connections_attempted();
  c.connections_established = m.connections_established();
  c.connections_failed = m.connections_failed();
  c.connections_closed = m.connections_closed();
  c.disconnects_unexpected = m.disconnects_unexpected();
  c.reconnects = m.reconnects();
  c.messages_sent = m.messages_sent();
  c.messages_received = m.messages_received();
  c.replies = m.replies();
  c.timeouts = m.timeouts();
  c.late_replies = m.late_replies();
  c.unmatched = m.unmatched();
  c.protocol_errors = m.protocol_errors();
  c.bytes_sent = m.bytes_sent();
  c.bytes_received = m.bytes_received();
  c.bytes_sent_wire = m.bytes_sent_wire();
  c.bytes_received_wire = m.bytes_received_wire();
  c.push_received = m.push_received();
  c.push_gaps = m.push_gaps();
  c.push_duplicates = m.push_duplicates();
  c.push_reordered = m.push_reordered();
  c.push_resets = m.push_resets();
  c.sends_behind_schedule = m.sends_behind_schedule();
  c.max_schedule_lag_us = m.max_schedule_lag_us();
  c.sessions_failed = m.sessions_failed();
  read_reasons(m.failures(), c.failures);
  read_reasons(m.disconnects(), c.disconnects);
  read_reasons(m.unsent(), c.unsent);
}

}  // namespace detail

void to_wire(const shared::MetricsDelta& d, v1::Metrics* out) {
  detail::counters_to_wire(d.counters, out);
  out->set_latency(d.latency.serialize());
  out->set_latency_service(d.latency_service.serialize());
  out->set_connect_time(d.connect_time.serialize());
  out->set_push_latency(d.push_latency.serialize());
  out->set_reconnect_time(d.reconnect_time.serialize());
  parts_to_wire(d.parts, out);
}

bool from_wire(const v1::Metrics& m, shared::MetricsDelta* into) {
  shared::MetricsDelta& d = *into;
  detail::counters_from_wire(m, &d.counters);
  // Every histogram is decoded (or emptied) even after a failure, so `into` never keeps old data.
  const bool ok = decode_histogram(m.latency(), d.latency) &
                  decode_histogram(m.latency_service(), d.latency_service) &
                  decode_histogram(m.connect_time(), d.connect_time) &
                  decode_histogram(m.push_latency(), d.push_latency) &
                  decode_histogram(m.reconnect_time(), d.reconnect_time) &
                  parts_from_wire(m, &d.parts);
  return ok;
}

}  // namespace wsload::proto
