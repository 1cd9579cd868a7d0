// Format v2 over the wire (proto/convert_sessions.cpp, proto/convert_metrics.cpp): a scenario with
// groups, steps, streams and data, and a MetricsDelta with parts, come back field by field.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wsload/proto/convert.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::proto {
namespace {

using namespace std::chrono_literals;
using shared::Match;
using shared::MessageKind;

shared::StepSpec step(std::string name) {
  shared::StepSpec s;
  s.name = std::move(name);
  return s;
}

shared::MessagesSpec stream(std::string name, std::chrono::nanoseconds interval, MessageKind kind,
                            std::string payload, Match match, std::chrono::nanoseconds timeout) {
  shared::MessagesSpec m;
  m.name = std::move(name);
  m.interval = interval;
  m.kind = kind;
  m.payload_template = std::move(payload);
  m.match = std::move(match);
  m.timeout = timeout;
  return m;
}

shared::Scenario v2_scenario() {
  shared::Scenario s;
  s.name = "odin-session";
  s.target.url = "wss://example.test/ws";
  s.target.auth.token = "{{data.users.token}}";

  shared::GroupSpec listeners;
  listeners.name = "listeners";
  listeners.weight = 9;
  listeners.target.url = "wss://example.test/ws?role=listener&u={{data.users.id}}";
  listeners.target.headers = {{"X-Client", "wsload"}, {"X-User", "{{data.users.id}}"}};
  listeners.target.subprotocols = {"odin.v1", "odin.v2"};
  listeners.target.auth.jwt = shared::JwtAuthSpec{"jwt-secret", "user-{{conn}}", 2h};
  listeners.target.auth.in = shared::TokenPlacement::kQuery;
  listeners.target.auth.query_param = "access";
  listeners.target.tls = shared::TlsSpec{true, "/etc/wsload/listeners-ca.pem"};
  listeners.target.connect_timeout = 3s;

  shared::StepSpec subscribe = step("subscribe");
  subscribe.send = shared::SendSpec{MessageKind::kJson,
                                    R"({"type":"subscribe","channel":"prices","id":{{seq}}})", 0};
  subscribe.expect = shared::ExpectSpec{Match::by_field("id"), {}, 5s};
  subscribe.capture = {{"sub", "subscription"}, {"n", "count"}};
  shared::StepSpec confirmed = step("confirmed");
  confirmed.expect =
      shared::ExpectSpec{Match::by_field("id"), {{"type", "subscribed"}, {"n", "3"}}, 1500ms};
  shared::StepSpec settle = step("settle");
  settle.wait = 500ms;
  shared::StepSpec hello = step("hello");
  hello.send = shared::SendSpec{MessageKind::kText, "hello {{var.sub}}", 0};
  hello.expect = shared::ExpectSpec{Match::next(), {}, 250ms};
  hello.wait = 20ms;
  listeners.on_open = {subscribe, confirmed, settle, hello};
  listeners.streams = {
      stream("ping", 5s, MessageKind::kJson, R"({"type":"ping","id":{{seq}}})",
             Match::by_field("id"), 5s),
      stream("chat", 30s, MessageKind::kJson, R"({"type":"chat","to":"{{var.sub}}"})",
             Match::none(), 1s),
      stream("frames", 250ms, MessageKind::kBinary, "", Match::next(), 2s),
  };
  listeners.streams[2].size = 64;
  listeners.streams[1].start = 8min + 20s;  // chat only once the ramp is over
  shared::StepSpec unsubscribe = step("unsubscribe");
  unsubscribe.send = shared::SendSpec{MessageKind::kBinary, "", 16};
  listeners.on_close = {unsubscribe};
  listeners.push = shared::PushSpec{"seq", "ts"};

  shared::GroupSpec publishers;
  publishers.name = "publishers";
  publishers.weight = 1;
  publishers.connections = 10;
  publishers.target.url = "ws://example.test/publish";
  publishers.target.auth.token = "static-token";
  publishers.target.tls = shared::TlsSpec{false, ""};
  publishers.target.connect_timeout = 7s;
  shared::StepSpec ping = step("ping-first");
  ping.send = shared::SendSpec{MessageKind::kPing, "", 0};
  ping.expect = shared::ExpectSpec{Match::next(), {}, 2s};
  publishers.on_open = {ping};
  publishers.streams = {stream("publish", 200ms, MessageKind::kJson,
                               R"({"type":"publish","id":{{seq}}})", Match::by_field("req"), 2s)};
  s.groups = {listeners, publishers};

  shared::DataFeeder users;
  users.name = "users";
  users.file = "users.csv";
  users.columns = {"id", "token"};
  users.row_count = 100;
  users.rows = {{3, {"u3", "t3"}}, {17, {"u17", "t,17"}}, {99, {"", "t99"}}};
  shared::DataFeeder geo;
  geo.name = "geo";
  geo.columns = {"city"};
  geo.row_count = 2;
  geo.rows = {{1, {"Paris"}}};
  s.data = {users, geo};
  return s;
}

// Through the wire, as bytes.
shared::Scenario round_trip(const shared::Scenario& s, const CaReader& read_ca,
                            std::string* ca_pem = nullptr) {
  const v1::ScenarioSpec wire = to_wire(s, "scenario-ca", read_ca);
  v1::ScenarioSpec parsed;
  EXPECT_TRUE(parsed.ParseFromString(wire.SerializeAsString()));
  return from_wire(parsed, ca_pem);
}

void expect_target_eq(const shared::TargetSpec& got, const shared::TargetSpec& want,
                      const std::string& ca_file) {
  EXPECT_EQ(got.url, want.url);
  EXPECT_EQ(got.headers, want.headers);
  EXPECT_EQ(got.subprotocols, want.subprotocols);
  EXPECT_EQ(got.auth.token, want.auth.token);
  ASSERT_EQ(got.auth.jwt.has_value(), want.auth.jwt.has_value());
  if (want.auth.jwt) {
    EXPECT_EQ(got.auth.jwt->secret, want.auth.jwt->secret);
    EXPECT_EQ(got.auth.jwt->subject, want.auth.jwt->subject);
    EXPECT_EQ(got.auth.jwt->ttl, want.auth.jwt->ttl);
  }
  EXPECT_EQ(got.auth.in, want.auth.in);
  EXPECT_EQ(got.auth.query_param, want.auth.query_param);
  EXPECT_EQ(got.tls.verify, want.tls.verify);
  EXPECT_EQ(got.tls.ca_file, ca_file);
  EXPECT_EQ(got.connect_timeout, want.connect_timeout);
}

void expect_steps_eq(const std::vector<shared::StepSpec>& got,
                     const std::vector<shared::StepSpec>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("step " + want[i].name);
    EXPECT_EQ(got[i].name, want[i].name);
    ASSERT_EQ(got[i].send.has_value(), want[i].send.has_value());
    if (want[i].send) {
      EXPECT_EQ(got[i].send->kind, want[i].send->kind);
      EXPECT_EQ(got[i].send->payload_template, want[i].send->payload_template);
      EXPECT_EQ(got[i].send->size, want[i].send->size);
    }
    ASSERT_EQ(got[i].expect.has_value(), want[i].expect.has_value());
    if (want[i].expect) {
      EXPECT_EQ(got[i].expect->match, want[i].expect->match);
      EXPECT_EQ(got[i].expect->where, want[i].expect->where);
      EXPECT_EQ(got[i].expect->timeout, want[i].expect->timeout);
    }
    EXPECT_EQ(got[i].capture, want[i].capture);
    EXPECT_EQ(got[i].wait, want[i].wait);
  }
}

void expect_streams_eq(const std::vector<shared::MessagesSpec>& got,
                       const std::vector<shared::MessagesSpec>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("stream " + want[i].name);
    EXPECT_EQ(got[i].name, want[i].name);
    EXPECT_EQ(got[i].interval, want[i].interval);
    EXPECT_EQ(got[i].start, want[i].start);
    EXPECT_EQ(got[i].kind, want[i].kind);
    EXPECT_EQ(got[i].payload_template, want[i].payload_template);
    EXPECT_EQ(got[i].match, want[i].match);
    EXPECT_EQ(got[i].timeout, want[i].timeout);
    EXPECT_EQ(got[i].size, want[i].size);
  }
}

TEST(ConvertSessions, V2ScenarioSurvivesTheWire) {
  const shared::Scenario want = v2_scenario();
  std::vector<std::string> read;
  const CaReader read_ca = [&](const std::string& path) {
    read.push_back(path);
    return "-----PEM of " + path + "-----";
  };
  std::string ca_pem;
  const shared::Scenario got = round_trip(want, read_ca, &ca_pem);

  EXPECT_EQ(ca_pem, "scenario-ca");
  EXPECT_EQ(read, (std::vector<std::string>{"/etc/wsload/listeners-ca.pem"}));  // only set CAs
  EXPECT_TRUE(got.has_sessions());
  ASSERT_EQ(got.groups.size(), 2u);
  const std::vector<std::string> ca_files = {"pem:-----PEM of /etc/wsload/listeners-ca.pem-----",
                                             ""};
  for (size_t g = 0; g < want.groups.size(); ++g) {
    const shared::GroupSpec& w = want.groups[g];
    const shared::GroupSpec& h = got.groups[g];
    SCOPED_TRACE("group " + w.name);
    EXPECT_EQ(h.name, w.name);
    EXPECT_EQ(h.weight, w.weight);
    EXPECT_EQ(h.connections, w.connections);
    expect_target_eq(h.target, w.target, ca_files[g]);
    expect_steps_eq(h.on_open, w.on_open);
    expect_streams_eq(h.streams, w.streams);
    expect_steps_eq(h.on_close, w.on_close);
    EXPECT_EQ(h.push.sequence_field, w.push.sequence_field);
    EXPECT_EQ(h.push.timestamp_field, w.push.timestamp_field);
  }

  ASSERT_EQ(got.data.size(), want.data.size());
  for (size_t f = 0; f < want.data.size(); ++f) {
    SCOPED_TRACE("feeder " + want.data[f].name);
    EXPECT_EQ(got.data[f].name, want.data[f].name);
    EXPECT_EQ(got.data[f].columns, want.data[f].columns);
    EXPECT_EQ(got.data[f].row_count, want.data[f].row_count);
    ASSERT_EQ(got.data[f].rows.size(), want.data[f].rows.size());
    for (size_t r = 0; r < want.data[f].rows.size(); ++r) {
      EXPECT_EQ(got.data[f].rows[r].index, want.data[f].rows[r].index);
      EXPECT_EQ(got.data[f].rows[r].values, want.data[f].rows[r].values);
    }
  }
  // The parts are numbered the same on both sides.
  const shared::PartIndex sent = shared::part_index(want.groups);
  const shared::PartIndex received = shared::part_index(got.groups);
  EXPECT_EQ(received.stream_names, sent.stream_names);
  EXPECT_EQ(received.step_names, sent.step_names);
  EXPECT_EQ(received.step_on_close, sent.step_on_close);
}

TEST(ConvertSessions, GroupCaIsDroppedWithoutAReader) {
  const shared::Scenario got = round_trip(v2_scenario(), nullptr);
  ASSERT_EQ(got.groups.size(), 2u);
  EXPECT_EQ(got.groups[0].target.tls.ca_file, "");
  EXPECT_TRUE(got.groups[0].target.tls.verify);
}

TEST(ConvertSessions, DataRowsGoAsGivenSoAnAgentGetsItsSubset) {
  shared::Scenario s = v2_scenario();
  const std::vector<uint64_t> rows = {17};
  shared::DataFeeder full = v2_scenario().data[0];
  // A full table indexed by position, then this agent's rows only.
  full.rows = {};
  for (uint64_t r = 0; r < 20; ++r) full.rows.push_back({r, {"u" + std::to_string(r), "t"}});
  s.data[0] = shared::data_subset(full, rows);
  const v1::ScenarioSpec wire = to_wire(s, "");
  ASSERT_EQ(wire.data_size(), 2);
  ASSERT_EQ(wire.data(0).rows_size(), 1);
  EXPECT_EQ(wire.data(0).rows(0).index(), 17u);
  EXPECT_EQ(wire.data(0).row_count(), 100u);
  const shared::Scenario got = from_wire(wire, nullptr);
  ASSERT_EQ(got.data[0].rows.size(), 1u);
  EXPECT_EQ(got.data[0].rows[0].values, (std::vector<std::string>{"u17", "t"}));
}

TEST(ConvertSessions, V1ScenarioCarriesNoGroupsAndNoData) {
  shared::Scenario s;
  s.name = "medium";
  s.messages = shared::MessagesSpec{};
  const v1::ScenarioSpec wire = to_wire(s, "", [](const std::string&) { return "pem"; });
  EXPECT_EQ(wire.groups_size(), 0);
  EXPECT_EQ(wire.data_size(), 0);
  EXPECT_TRUE(wire.has_messages());
  const shared::Scenario got = from_wire(wire, nullptr);
  EXPECT_FALSE(got.has_sessions());
  EXPECT_TRUE(got.data.empty());
  ASSERT_TRUE(got.messages.has_value());
  EXPECT_EQ(got.messages->name, "default");
}

shared::Histogram histogram_of(std::initializer_list<int64_t> values_us) {
  shared::Histogram h;
  for (int64_t v : values_us) h.record(v);
  return h;
}

shared::Counters group_counters(uint64_t base) {
  shared::Counters c;
  c.connections_attempted = base + 10;
  c.connections_established = base + 9;
  c.connections_failed = 1;
  c.connections_closed = base + 2;
  c.disconnects_unexpected = 1;
  c.messages_sent = base * 100;
  c.messages_received = base * 100 + 7;
  c.replies = base * 99;
  c.timeouts = 3;
  c.push_received = 7;
  c.bytes_sent = base * 1000;
  c.bytes_received = base * 2000;
  c.sessions_failed = base + 4;
  c.failures = {{"refused", 1}};
  c.disconnects = {{"close_1006", 1}};
  c.unsent = {{"closed", 2}};
  return c;
}

shared::MetricsDelta delta_with_parts() {
  shared::MetricsDelta d;
  d.counters = group_counters(20);
  d.counters.sessions_failed = 9;
  d.latency = histogram_of({100, 250, 4000});
  d.latency_service = histogram_of({90, 240});
  d.connect_time = histogram_of({1500});
  d.push_latency = histogram_of({12});
  d.parts.groups = {group_counters(5), group_counters(15)};
  shared::StreamFigures ping;
  ping.sent = 40;
  ping.replies = 38;
  ping.timeouts = 1;
  ping.unsent = 1;
  ping.latency = histogram_of({100, 250, 4000, 7});
  shared::StreamFigures chat;  // fire and forget: no latency
  chat.sent = 12;
  d.parts.streams = {ping, chat, shared::StreamFigures{}};
  shared::StepFigures subscribe;
  subscribe.ok = 17;
  subscribe.failed = 3;
  subscribe.failures = {{"timeout", 2}, {"capture_missing", 1}};
  subscribe.latency = histogram_of({800, 1200});
  shared::StepFigures unsubscribe;
  unsubscribe.ok = 5;
  unsubscribe.failed = 1;
  unsubscribe.failures = {{"closed", 1}};
  d.parts.steps = {subscribe, unsubscribe};
  return d;
}

TEST(ConvertSessions, MetricsWithPartsSurviveTheWire) {
  const shared::MetricsDelta want = delta_with_parts();
  v1::Metrics wire;
  to_wire(want, &wire);
  v1::Metrics parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire.SerializeAsString()));
  EXPECT_EQ(parsed.groups_size(), 2);
  EXPECT_EQ(parsed.streams_size(), 3);
  EXPECT_EQ(parsed.steps_size(), 2);

  shared::MetricsDelta got;
  ASSERT_TRUE(from_wire(parsed, &got));
  EXPECT_EQ(got.parts.groups, want.parts.groups);
  EXPECT_EQ(got.parts.groups[1].sessions_failed, 19u);
  EXPECT_EQ(got.parts.streams, want.parts.streams);
  EXPECT_EQ(got.parts.streams[0].latency.count(), 4u);
  EXPECT_EQ(got.parts.steps, want.parts.steps);
  EXPECT_EQ(got.parts.steps[0].failures.at("capture_missing"), 1u);
  EXPECT_EQ(got.counters, want.counters);
  EXPECT_TRUE(got == want);
}

// The controller decodes every report into one scratch delta: nothing of an earlier one remains.
TEST(ConvertSessions, DecodingOverwritesEarlierParts) {
  shared::MetricsDelta scratch = delta_with_parts();
  scratch.parts.groups.push_back(group_counters(1));
  scratch.parts.steps.push_back(scratch.parts.steps[0]);
  scratch.parts.steps[0].failures["unsent"] = 4;

  shared::MetricsDelta want;
  want.counters.messages_sent = 1;
  want.parts.groups = {group_counters(2)};
  shared::StreamFigures s;
  s.sent = 1;
  want.parts.streams = {s};
  shared::StepFigures st;
  st.ok = 1;
  want.parts.steps = {st};
  v1::Metrics wire;
  to_wire(want, &wire);
  ASSERT_TRUE(from_wire(wire, &scratch));
  EXPECT_TRUE(scratch == want);
  EXPECT_EQ(scratch.parts.steps.size(), 1u);
  EXPECT_TRUE(scratch.parts.steps[0].failures.empty());
  EXPECT_TRUE(scratch.parts.streams[0].latency.empty());
}

TEST(ConvertSessions, V1MetricsCarryNoParts) {
  shared::MetricsDelta d;
  d.counters = group_counters(3);
  d.latency = histogram_of({10});
  v1::Metrics wire;
  to_wire(d, &wire);
  EXPECT_EQ(wire.groups_size(), 0);
  EXPECT_EQ(wire.streams_size(), 0);
  EXPECT_EQ(wire.steps_size(), 0);
  shared::MetricsDelta got = delta_with_parts();
  ASSERT_TRUE(from_wire(wire, &got));
  EXPECT_TRUE(got.parts.empty());
  EXPECT_TRUE(got == d);
}

}  // namespace
}  // namespace wsload::proto
