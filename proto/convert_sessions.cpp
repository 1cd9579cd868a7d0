// Format v2 parts of a scenario on the wire: groups with their targets, steps and streams, and
// data feeders.
#include "convert_detail.hpp"

namespace wsload::proto::detail {
namespace {

void pairs_to_wire(const std::vector<std::pair<std::string, std::string>>& pairs,
                   google::protobuf::RepeatedPtrField<v1::Header>* out) {
  for (const auto& [name, value] : pairs) {
    auto* h = out->Add();
    h->set_name(name);
    h->set_value(value);
  }
}

std::vector<std::pair<std::string, std::string>> pairs_from_wire(
    const google::protobuf::RepeatedPtrField<v1::Header>& wire) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(static_cast<size_t>(wire.size()));
  for (const auto& h : wire) out.emplace_back(h.name(), h.value());
  return out;
}

void target_to_wire(const shared::TargetSpec& t, const CaReader& read_ca, v1::TargetSpec* out) {
  out->set_url(t.url);
  pairs_to_wire(t.headers, out->mutable_headers());
  for (const auto& p : t.subprotocols) out->add_subprotocols(p);
  out->set_token(t.auth.token);
  if (t.auth.jwt) {
    auto* jwt = out->mutable_jwt();
    jwt->set_secret(t.auth.jwt->secret);
    jwt->set_subject(t.auth.jwt->subject);
    jwt->set_ttl_s(static_cast<uint64_t>(duration_cast<seconds>(t.auth.jwt->ttl).count()));
  }
  out->set_token_in_query(t.auth.in == shared::TokenPlacement::kQuery);
  out->set_query_param(t.auth.query_param);
  out->set_tls_verify(t.tls.verify);
  if (!t.tls.ca_file.empty() && read_ca) out->set_tls_ca_pem(read_ca(t.tls.ca_file));
  out->set_connect_timeout_ms(ms(t.connect_timeout));
  out->set_compression(t.compression == shared::Compression::kDeflate ? v1::COMPRESSION_DEFLATE
                                                                      : v1::COMPRESSION_NONE);
}

// The agent's view: a CA travels as its contents, which the agent writes where it needs them;
// tls.ca_file is left empty and the contents go to *ca_pem.
shared::TargetSpec target_from_wire(const v1::TargetSpec& w, std::string* ca_pem) {
  shared::TargetSpec t;
  t.url = w.url();
  t.headers = pairs_from_wire(w.headers());
  t.subprotocols.assign(w.subprotocols().begin(), w.subprotocols().end());
  t.auth.token = w.token();
  if (w.has_jwt()) {
    t.auth.jwt = shared::JwtAuthSpec{w.jwt().secret(), w.jwt().subject(), seconds(w.jwt().ttl_s())};
  }
  t.auth.in = w.token_in_query() ? shared::TokenPlacement::kQuery : shared::TokenPlacement::kHeader;
  t.auth.query_param = w.query_param();
  t.tls.verify = w.tls_verify();
  *ca_pem = w.tls_ca_pem();
  t.connect_timeout = milliseconds(w.connect_timeout_ms());
  t.compression = w.compression() == v1::COMPRESSION_DEFLATE ? shared::Compression::kDeflate
                                                             : shared::Compression::kNone;
  return t;
}

void step_to_wire(const shared::StepSpec& step, v1::StepSpec* out) {
  out->set_name(step.name);
  if (step.send) {
    out->set_has_send(true);
    out->set_send_kind(kind_to_wire(step.send->kind));
    out->set_send_template(step.send->payload_template);
    out->set_send_size(step.send->size);
  }
  if (step.expect) {
    out->set_has_expect(true);
    out->set_expect_match_mode(match_to_wire(step.expect->match.mode));
    out->set_expect_match_field(step.expect->match.field);
    pairs_to_wire(step.expect->where, out->mutable_expect_where());
    out->set_expect_timeout_ms(ms(step.expect->timeout));
  }
  pairs_to_wire(step.capture, out->mutable_capture());
  out->set_wait_ms(ms(step.wait));
}

shared::StepSpec step_from_wire(const v1::StepSpec& w) {
  shared::StepSpec step;
  step.name = w.name();
  if (w.has_send()) {
    step.send = shared::SendSpec{kind_from_wire(w.send_kind()), w.send_template(), w.send_size()};
  }
  if (w.has_expect()) {
    shared::ExpectSpec expect;
    expect.match = match_from_wire(w.expect_match_mode(), w.expect_match_field());
    expect.where = pairs_from_wire(w.expect_where());
    expect.timeout = milliseconds(w.expect_timeout_ms());
    step.expect = std::move(expect);
  }
  step.capture = pairs_from_wire(w.capture());
  step.wait = milliseconds(w.wait_ms());
  return step;
}

void group_to_wire(const shared::GroupSpec& g, const CaReader& read_ca, v1::GroupSpec* out) {
  out->set_name(g.name);
  out->set_weight(g.weight);
  if (g.connections) {
    out->set_has_connections(true);
    out->set_connections(*g.connections);
  }
  target_to_wire(g.target, read_ca, out->mutable_target());
  for (const auto& step : g.on_open) step_to_wire(step, out->add_on_open());
  for (const auto& stream : g.streams) messages_to_wire(stream, out->add_streams());
  for (const auto& step : g.on_close) step_to_wire(step, out->add_on_close());
  out->set_push_sequence_field(g.push.sequence_field);
  out->set_push_timestamp_field(g.push.timestamp_field);
}

}  // namespace

void sessions_to_wire(const shared::Scenario& s, const CaReader& read_ca, v1::ScenarioSpec* out) {
  for (const auto& g : s.groups) group_to_wire(g, read_ca, out->add_groups());
  for (const auto& feeder : s.data) {
    auto* f = out->add_data();
    f->set_name(feeder.name);
    for (const auto& c : feeder.columns) f->add_columns(c);
    f->set_row_count(feeder.row_count);
    for (const auto& row : feeder.rows) {
      auto* r = f->add_rows();
      r->set_index(row.index);
      for (const auto& v : row.values) r->add_values(v);
    }
  }
}

void sessions_from_wire(const v1::ScenarioSpec& spec, shared::Scenario* out) {
  for (const auto& w : spec.groups()) {
    shared::GroupSpec g;
    g.name = w.name();
    g.weight = w.weight();
    if (w.has_connections()) g.connections = w.connections();
    std::string ca_pem;
    g.target = target_from_wire(w.target(), &ca_pem);
    // The agent writes a group's CA next to the scenario's; the pem rides in ca_file's place.
    if (!ca_pem.empty()) g.target.tls.ca_file = "pem:" + ca_pem;
    for (const auto& step : w.on_open()) g.on_open.push_back(step_from_wire(step));
    for (const auto& stream : w.streams()) g.streams.push_back(messages_from_wire(stream));
    for (const auto& step : w.on_close()) g.on_close.push_back(step_from_wire(step));
    g.push.sequence_field = w.push_sequence_field();
    g.push.timestamp_field = w.push_timestamp_field();
    out->groups.push_back(std::move(g));
  }
  for (const auto& w : spec.data()) {
    shared::DataFeeder f;
    f.name = w.name();
    f.columns.assign(w.columns().begin(), w.columns().end());
    f.row_count = w.row_count();
    for (const auto& r : w.rows()) {
      f.rows.push_back(shared::DataRow{r.index(), {r.values().begin(), r.values().end()}});
    }
    out->data.push_back(std::move(f));
  }
}

}  // namespace wsload::proto::detail
