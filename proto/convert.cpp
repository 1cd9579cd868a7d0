#include "wsload/proto/convert.hpp"

#include <chrono>

namespace wsload::proto {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

uint64_t ms(nanoseconds d) { return static_cast<uint64_t>(duration_cast<milliseconds>(d).count()); }
uint64_t us(nanoseconds d) { return static_cast<uint64_t>(duration_cast<microseconds>(d).count()); }

v1::MessagesSpec::Kind kind_to_wire(shared::MessageKind kind) {
  switch (kind) {
    case shared::MessageKind::kJson:
      return v1::MessagesSpec::KIND_JSON;
    case shared::MessageKind::kText:
      return v1::MessagesSpec::KIND_TEXT;
    case shared::MessageKind::kBinary:
      return v1::MessagesSpec::KIND_BINARY;
    case shared::MessageKind::kPing:
      return v1::MessagesSpec::KIND_PING;
  }
  return v1::MessagesSpec::KIND_JSON;
}

shared::MessageKind kind_from_wire(v1::MessagesSpec::Kind kind) {
  switch (kind) {
    case v1::MessagesSpec::KIND_TEXT:
      return shared::MessageKind::kText;
    case v1::MessagesSpec::KIND_BINARY:
      return shared::MessageKind::kBinary;
    case v1::MessagesSpec::KIND_PING:
      return shared::MessageKind::kPing;
    default:
      return shared::MessageKind::kJson;
  }
}

v1::MessagesSpec::MatchMode match_to_wire(shared::Match::Mode mode) {
  switch (mode) {
    case shared::Match::Mode::kField:
      return v1::MessagesSpec::MATCH_MODE_FIELD;
    case shared::Match::Mode::kNext:
      return v1::MessagesSpec::MATCH_MODE_NEXT;
    case shared::Match::Mode::kNone:
      return v1::MessagesSpec::MATCH_MODE_NONE;
  }
  return v1::MessagesSpec::MATCH_MODE_FIELD;
}

// An unknown mode reads as kField with whatever field came along; the agent refuses an empty one.
shared::Match match_from_wire(const v1::MessagesSpec& m) {
  switch (m.match_mode()) {
    case v1::MessagesSpec::MATCH_MODE_NEXT:
      return shared::Match::next();
    case v1::MessagesSpec::MATCH_MODE_NONE:
      return shared::Match::none();
    default:
      return shared::Match::by_field(m.match_field());
  }
}

}  // namespace

v1::ScenarioSpec to_wire(const shared::Scenario& s, const std::string& ca_pem) {
  v1::ScenarioSpec spec;
  spec.set_name(s.name);
  spec.set_url(s.target.url);
  for (const auto& [name, value] : s.target.headers) {
    auto* h = spec.add_headers();
    h->set_name(name);
    h->set_value(value);
  }
  for (const auto& p : s.target.subprotocols) spec.add_subprotocols(p);
  spec.set_token(s.target.auth.token);
  if (s.target.auth.jwt) {
    auto* jwt = spec.mutable_jwt();
    jwt->set_secret(s.target.auth.jwt->secret);
    jwt->set_subject(s.target.auth.jwt->subject);
    jwt->set_ttl_s(static_cast<uint64_t>(duration_cast<seconds>(s.target.auth.jwt->ttl).count()));
  }
  spec.set_token_in_query(s.target.auth.in == shared::TokenPlacement::kQuery);
  spec.set_query_param(s.target.auth.query_param);
  spec.set_tls_verify(s.target.tls.verify);
  spec.set_tls_ca_pem(ca_pem);
  spec.set_connect_timeout_ms(ms(s.target.connect_timeout));
  spec.set_ramp_up_ms(ms(s.load.ramp_up));
  spec.set_hold_ms(ms(s.load.hold));
  spec.set_ramp_down_ms(ms(s.load.ramp_down));
  if (s.messages) {
    auto* m = spec.mutable_messages();
    m->set_interval_us(us(s.messages->interval));
    m->set_kind(kind_to_wire(s.messages->kind));
    m->set_payload_template(s.messages->payload_template);
    m->set_match_mode(match_to_wire(s.messages->match.mode));
    if (s.messages->match.mode == shared::Match::Mode::kField) {
      m->set_match_field(s.messages->match.field);
    }
    m->set_timeout_ms(ms(s.messages->timeout));
    m->set_size(s.messages->size);
  }
  spec.set_push_sequence_field(s.push.sequence_field);
  spec.set_push_timestamp_field(s.push.timestamp_field);
  auto* r = spec.mutable_reconnect();
  r->set_enabled(s.reconnect.enabled);
  r->set_max_attempts(s.reconnect.max_attempts);
  r->set_backoff_ms(ms(s.reconnect.backoff));
  return spec;
}

shared::Scenario from_wire(const v1::ScenarioSpec& spec, std::string* ca_pem) {
  shared::Scenario s;
  s.name = spec.name();
  s.target.url = spec.url();
  for (const auto& h : spec.headers()) s.target.headers.emplace_back(h.name(), h.value());
  s.target.subprotocols.assign(spec.subprotocols().begin(), spec.subprotocols().end());
  s.target.auth.token = spec.token();
  if (spec.has_jwt()) {
    s.target.auth.jwt =
        shared::JwtAuthSpec{spec.jwt().secret(), spec.jwt().subject(), seconds(spec.jwt().ttl_s())};
  }
  s.target.auth.in =
      spec.token_in_query() ? shared::TokenPlacement::kQuery : shared::TokenPlacement::kHeader;
  s.target.auth.query_param = spec.query_param();
  s.target.tls.verify = spec.tls_verify();
  s.target.tls.ca_file.clear();
  if (ca_pem) *ca_pem = spec.tls_ca_pem();
  s.target.connect_timeout = milliseconds(spec.connect_timeout_ms());
  s.load.ramp_up = milliseconds(spec.ramp_up_ms());
  s.load.hold = milliseconds(spec.hold_ms());
  s.load.ramp_down = milliseconds(spec.ramp_down_ms());
  if (spec.has_messages()) {
    const auto& m = spec.messages();
    shared::MessagesSpec messages;
    messages.interval = microseconds(m.interval_us());
    messages.kind = kind_from_wire(m.kind());
    messages.payload_template = m.payload_template();
    messages.match = match_from_wire(m);
    messages.timeout = milliseconds(m.timeout_ms());
    messages.size = m.size();
    s.messages = messages;
  }
  s.push.sequence_field = spec.push_sequence_field();
  s.push.timestamp_field = spec.push_timestamp_field();
  s.reconnect.enabled = spec.reconnect().enabled();
  s.reconnect.max_attempts = spec.reconnect().max_attempts();
  s.reconnect.backoff = milliseconds(spec.reconnect().backoff_ms());
  return s;
}

void to_wire(const shared::MetricsDelta& d, v1::Metrics* out) {
  const auto& c = d.counters;
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
  out->set_push_received(c.push_received);
  out->set_push_gaps(c.push_gaps);
  out->set_push_duplicates(c.push_duplicates);
  out->set_push_reordered(c.push_reordered);
  out->set_push_resets(c.push_resets);
  out->set_sends_behind_schedule(c.sends_behind_schedule);
  out->set_max_schedule_lag_us(c.max_schedule_lag_us);
  for (const auto& [k, v] : c.failures) (*out->mutable_failures())[k] = v;
  for (const auto& [k, v] : c.disconnects) (*out->mutable_disconnects())[k] = v;
  for (const auto& [k, v] : c.unsent) (*out->mutable_unsent())[k] = v;
  out->set_latency(d.latency.serialize());
  out->set_latency_service(d.latency_service.serialize());
  out->set_connect_time(d.connect_time.serialize());
  out->set_push_latency(d.push_latency.serialize());
}

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

}  // namespace

bool from_wire(const v1::Metrics& m, shared::MetricsDelta* into) {
  shared::MetricsDelta& d = *into;
  auto& c = d.counters;
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
  c.push_received = m.push_received();
  c.push_gaps = m.push_gaps();
  c.push_duplicates = m.push_duplicates();
  c.push_reordered = m.push_reordered();
  c.push_resets = m.push_resets();
  c.sends_behind_schedule = m.sends_behind_schedule();
  c.max_schedule_lag_us = m.max_schedule_lag_us();
  read_reasons(m.failures(), c.failures);
  read_reasons(m.disconnects(), c.disconnects);
  read_reasons(m.unsent(), c.unsent);
  auto decode = [](const std::string& bytes, shared::Histogram& h) {
    if (bytes.empty()) {
      h.reset();
      return true;
    }
    return shared::Histogram::deserialize_into(bytes, &h);
  };
  // Every histogram is decoded (or emptied) even after a failure, so `into` never keeps old data.
  const bool ok = decode(m.latency(), d.latency) & decode(m.latency_service(), d.latency_service) &
                  decode(m.connect_time(), d.connect_time) &
                  decode(m.push_latency(), d.push_latency);
  return ok;
}

}  // namespace wsload::proto
