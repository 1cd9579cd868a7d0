// `wsload report`: a saved wsload.report/v1 JSON back into a RunReport, so the text, JUnit and
// HTML renderers work on it exactly as after a run. Histograms come back exactly from their
// encoded form.
#include <stdexcept>

#include "wsload/controller/reports.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/jwt.hpp"

namespace wsload::controller {
namespace {

using nlohmann::json;

const json& field(const json& j, const char* name, const std::string& where) {
  if (!j.is_object() || !j.contains(name)) throw std::runtime_error("missing field " + where + "." + name);
  return j.at(name);
}

uint64_t count(const json& j, const char* name, const std::string& where) {
  const auto& v = field(j, name, where);
  if (!v.is_number_unsigned() && !v.is_number_integer()) {
    throw std::runtime_error(where + "." + name + " is not a count");
  }
  return v.get<uint64_t>();
}

shared::Histogram histogram(const json& distribution, const std::string& where) {
  const auto& encoded = field(field(distribution, "histogram", where), "encoded", where + ".histogram");
  auto bytes = shared::base64url_decode(encoded.get<std::string>());
  if (!bytes) throw std::runtime_error(where + ".histogram.encoded is not base64url");
  auto h = shared::Histogram::deserialize(*bytes);
  if (!h) throw std::runtime_error(where + ".histogram.encoded does not decode");
  return *h;
}

std::map<std::string, uint64_t> count_map(const json& j) {
  std::map<std::string, uint64_t> out;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value().get<uint64_t>();
  }
  return out;
}

// The connections and messages sections shared by stages and agents.
void read_counters(const json& j, shared::Counters& c, uint64_t* in_flight, const std::string& where) {
  const auto& conn = field(j, "connections", where);
  const auto& msg = field(j, "messages", where);
  const auto cw = where + ".connections", mw = where + ".messages";
  c.connections_attempted = count(conn, "attempted", cw);
  c.connections_established = count(conn, "established", cw);
  c.connections_failed = count(conn, "failed", cw);
  c.failures = count_map(field(conn, "failures", cw));
  c.connections_closed = count(conn, "closed", cw);
  c.disconnects_unexpected = count(conn, "unexpected_disconnects", cw);
  c.disconnects = count_map(field(conn, "disconnects", cw));
  c.reconnects = count(conn, "reconnects", cw);
  c.messages_sent = count(msg, "sent", mw);
  c.messages_received = count(msg, "received", mw);
  c.replies = count(msg, "replies", mw);
  c.timeouts = count(msg, "timeouts", mw);
  *in_flight = count(msg, "in_flight", mw);
  c.late_replies = count(msg, "late_replies", mw);
  c.unmatched = count(msg, "unmatched", mw);
  c.protocol_errors = count(msg, "protocol_errors", mw);
  // Reports written before unsent requests were counted have none.
  if (msg.contains("unsent_reasons")) c.unsent = count_map(msg["unsent_reasons"]);
  c.bytes_sent = count(msg, "bytes_sent", mw);
  c.bytes_received = count(msg, "bytes_received", mw);
}

std::chrono::nanoseconds duration_field(const json& j, const char* name, const std::string& where) {
  const auto& v = field(j, name, where);
  if (v.is_null()) return {};
  auto d = shared::parse_duration(v.get<std::string>());
  if (!d) throw std::runtime_error(where + "." + name + " is not a duration");
  return *d;
}

StageResult stage_from_json(const json& j) {
  if (field(j, "schema", "report") != "wsload.report/v1") {
    throw std::runtime_error("not a wsload.report/v1 report (schema is " + j["schema"].dump() + ")");
  }
  StageResult r;
  const auto& sc = field(j, "scenario", "report");
  r.scenario.name = field(sc, "name", "scenario").get<std::string>();
  r.scenario.description = field(sc, "description", "scenario").get<std::string>();
  r.scenario.target.url = field(sc, "url", "scenario").get<std::string>();
  r.scenario.load.connections = count(sc, "connections", "scenario");
  r.scenario.load.ramp_up = duration_field(sc, "ramp_up", "scenario");
  r.scenario.load.hold = duration_field(sc, "hold", "scenario");
  r.scenario.load.ramp_down = duration_field(sc, "ramp_down", "scenario");
  if (!field(sc, "message_interval", "scenario").is_null()) {
    r.scenario.messages = shared::MessagesSpec{};
    r.scenario.messages->interval = duration_field(sc, "message_interval", "scenario");
    if (sc.contains("message_timeout")) r.scenario.messages->timeout = duration_field(sc, "message_timeout", "scenario");
  }
  r.start_unix_ms = j.value("started_at_unix_ms", int64_t{0});
  r.duration_s = field(j, "duration_s", "report").get<double>();
  r.partial = field(j, "partial", "report").get<bool>();
  r.interrupted = field(j, "interrupted", "report").get<bool>();
  r.aborted = field(j, "aborted", "report").get<bool>();
  r.abort_reason = j.value("abort_reason", std::string());

  uint64_t in_flight_total = 0;
  read_counters(j, r.totals.counters, &in_flight_total, "report");
  r.peak_open = count(field(j, "connections", "report"), "peak_open", "connections");
  r.totals.connect_time = histogram(field(field(j, "connections", "report"), "connect_time", "connections"),
                                    "connections.connect_time");
  r.totals.latency = histogram(field(j, "latency", "report"), "latency");
  r.totals.latency_service = histogram(field(j, "latency_service", "report"), "latency_service");
  const auto& push = field(j, "push", "report");
  r.totals.counters.push_received = count(push, "received", "push");
  r.totals.counters.push_gaps = count(push, "gaps", "push");
  r.totals.counters.push_duplicates = count(push, "duplicates", "push");
  r.totals.counters.push_reordered = count(push, "reordered", "push");
  if (push.contains("resets")) r.totals.counters.push_resets = count(push, "resets", "push");
  r.totals.push_latency = histogram(field(push, "latency", "push"), "push.latency");
  const auto& schedule = field(j, "schedule", "report");
  r.totals.counters.sends_behind_schedule = count(schedule, "sends_behind", "schedule");
  r.totals.counters.max_schedule_lag_us =
      static_cast<uint64_t>(field(schedule, "max_lag_ms", "schedule").get<double>() * 1000.0 + 0.5);

  size_t index = 0;
  for (const auto& aj : field(j, "agents", "report")) {
    const auto where = "agents[" + std::to_string(index++) + "]";
    AgentResult a;
    a.endpoint = field(aj, "endpoint", where).get<std::string>();
    a.hostname = field(aj, "hostname", where).get<std::string>();
    a.share = count(aj, "share", where);
    a.finished = field(aj, "finished", where).get<bool>();
    a.lost = field(aj, "lost", where).get<bool>();
    a.loss_reason = aj.value("loss_reason", std::string());
    a.clock_offset_us = static_cast<int64_t>(field(aj, "clock_offset_ms", where).get<double>() * 1000.0);
    read_counters(aj, a.totals.counters, &a.in_flight, where);
    a.totals.latency = histogram(field(aj, "latency", where), where + ".latency");
    r.agents.push_back(std::move(a));
  }
  for (const auto& tj : field(j, "thresholds", "report")) {
    ThresholdResult t;
    t.expression = field(tj, "expression", "thresholds[]").get<std::string>();
    t.metric = field(tj, "metric", "thresholds[]").get<std::string>();
    t.available = !field(tj, "actual", "thresholds[]").is_null();
    t.actual = t.available ? tj["actual"].get<double>() : 0;
    t.passed = field(tj, "passed", "thresholds[]").get<bool>();
    r.thresholds.push_back(std::move(t));
  }
  for (const auto& pj : field(j, "timeline", "report")) {
    TimelinePoint p;
    p.t_s = pj.value("t_s", 0.0);
    p.phase = pj.value("phase", std::string());
    p.open_connections = pj.value("open", uint64_t{0});
    p.target_connections = pj.value("target", uint64_t{0});
    p.established = pj.value("established", uint64_t{0});
    p.failed = pj.value("failed", uint64_t{0});
    p.sent = pj.value("sent", uint64_t{0});
    p.received = pj.value("received", uint64_t{0});
    p.timeouts = pj.value("timeouts", uint64_t{0});
    p.errors = pj.value("errors", uint64_t{0});
    p.latency_p50_ms = pj.value("latency_p50_ms", 0.0);
    p.latency_p99_ms = pj.value("latency_p99_ms", 0.0);
    p.latency_max_ms = pj.value("latency_max_ms", 0.0);
    p.agents_healthy = pj.value("agents_healthy", 0u);
    if (pj.contains("monitor") && pj["monitor"].is_object()) {
      for (auto it = pj["monitor"].begin(); it != pj["monitor"].end(); ++it) p.monitor[it.key()] = it.value().get<double>();
    }
    r.timeline.push_back(std::move(p));
  }
  return r;
}

}  // namespace

RunReport report_from_json(const json& j) {
  RunReport report;
  if (j.value("sequence", false)) {
    report.sequence = true;
    report.name = j.value("name", std::string("sequence"));
    size_t i = 0;
    for (const auto& stage : field(j, "stages", "report")) {
      try {
        report.stages.push_back(stage_from_json(stage));
      } catch (const std::exception& e) {
        throw std::runtime_error("stages[" + std::to_string(i) + "]: " + e.what());
      }
      ++i;
    }
  } else {
    report.stages.push_back(stage_from_json(j));
    report.name = report.stages.back().scenario.name;
  }
  report.agents_mode = "as recorded";
  report.allow_partial = j.value("allow_partial", false);
  return report;
}

}  // namespace wsload::controller
