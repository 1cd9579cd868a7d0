#include "wsload/proto/convert.hpp"

#include "convert_detail.hpp"

namespace wsload::proto {
namespace detail {

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

shared::Match match_from_wire(v1::MessagesSpec::MatchMode mode, const std::string& field) {
  switch (mode) {
    case v1::MessagesSpec::MATCH_MODE_NEXT:
      return shared::Match::next();
    case v1::MessagesSpec::MATCH_MODE_NONE:
      return shared::Match::none();
    default:
      return shared::Match::by_field(field);
  }
}

void messages_to_wire(const shared::MessagesSpec& m, v1::MessagesSpec* out) {
  out->set_name(m.name);
  out->set_interval_us(us(m.interval));
  out->set_start_us(us(m.start));
  out->set_kind(kind_to_wire(m.kind));
  out->set_payload_template(m.payload_template);
  out->set_match_mode(match_to_wire(m.match.mode));
  if (m.match.mode == shared::Match::Mode::kField) out->set_match_field(m.match.field);
  out->set_timeout_ms(ms(m.timeout));
  out->set_size(m.size);
}

shared::MessagesSpec messages_from_wire(const v1::MessagesSpec& m) {
  shared::MessagesSpec messages;
  if (!m.name().empty()) messages.name = m.name();
  messages.interval = microseconds(m.interval_us());
  messages.start = microseconds(m.start_us());
  messages.kind = kind_from_wire(m.kind());
  messages.payload_template = m.payload_template();
  messages.match = match_from_wire(m.match_mode(), m.match_field());
  messages.timeout = milliseconds(m.timeout_ms());
  messages.size = m.size();
  return messages;
}

}  // namespace detail

using namespace detail;

v1::ScenarioSpec to_wire(const shared::Scenario& s, const std::string& ca_pem,
                         const CaReader& read_ca) {
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
  spec.set_compression(s.target.compression == shared::Compression::kDeflate
                           ? v1::COMPRESSION_DEFLATE
                           : v1::COMPRESSION_NONE);
  spec.set_ramp_up_ms(ms(s.load.ramp_up));
  spec.set_hold_ms(ms(s.load.hold));
  spec.set_ramp_down_ms(ms(s.load.ramp_down));
  for (const shared::LoadStage& stage : s.load.stages) {
    auto* w = spec.add_stages();
    w->set_to(stage.to);
    w->set_over_ms(ms(stage.over));
  }
  if (s.load.arrival) {
    auto* a = spec.mutable_arrival();
    a->set_count(s.load.arrival->count);
    a->set_per_ms(ms(s.load.arrival->per));
    a->set_lifetime_ms(ms(s.load.arrival->lifetime));
    a->set_duration_ms(ms(s.load.arrival->duration));
  }
  if (s.messages) messages_to_wire(*s.messages, spec.mutable_messages());
  spec.set_push_sequence_field(s.push.sequence_field);
  spec.set_push_timestamp_field(s.push.timestamp_field);
  auto* r = spec.mutable_reconnect();
  r->set_enabled(s.reconnect.enabled);
  r->set_max_attempts(s.reconnect.max_attempts);
  r->set_backoff_ms(ms(s.reconnect.backoff));
  r->set_max_backoff_ms(ms(s.reconnect.max_backoff));
  r->set_jitter(s.reconnect.jitter);
  r->set_seed(s.reconnect.seed);
  detail::sessions_to_wire(s, read_ca, &spec);
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
  s.target.compression = spec.compression() == v1::COMPRESSION_DEFLATE
                             ? shared::Compression::kDeflate
                             : shared::Compression::kNone;
  s.load.ramp_up = milliseconds(spec.ramp_up_ms());
  s.load.hold = milliseconds(spec.hold_ms());
  s.load.ramp_down = milliseconds(spec.ramp_down_ms());
  for (const auto& w : spec.stages()) {
    s.load.stages.push_back(shared::LoadStage{w.to(), milliseconds(w.over_ms())});
  }
  if (spec.has_arrival()) {
    const auto& a = spec.arrival();
    s.load.arrival =
        shared::ArrivalSpec{a.count(), milliseconds(a.per_ms()), milliseconds(a.lifetime_ms()),
                            milliseconds(a.duration_ms())};
  }
  if (spec.has_messages()) s.messages = messages_from_wire(spec.messages());
  s.push.sequence_field = spec.push_sequence_field();
  s.push.timestamp_field = spec.push_timestamp_field();
  s.reconnect.enabled = spec.reconnect().enabled();
  s.reconnect.max_attempts = spec.reconnect().max_attempts();
  s.reconnect.backoff = milliseconds(spec.reconnect().backoff_ms());
  s.reconnect.max_backoff = milliseconds(spec.reconnect().max_backoff_ms());
  s.reconnect.jitter = spec.reconnect().jitter();
  s.reconnect.seed = spec.reconnect().seed();
  detail::sessions_from_wire(spec, &s);
  return s;
}

}  // namespace wsload::proto
