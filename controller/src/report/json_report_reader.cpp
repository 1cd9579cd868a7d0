// `wsload report`: a saved wsload.report/v1 JSON back into a RunReport, so the text, JUnit and
// HTML renderers work on it exactly as after a run. Histograms come back exactly from their
// encoded form.
#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "report/json_report_fields.hpp"
#include "report/json_report_parts.hpp"
#include "report/json_values.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::controller {
namespace {

using nlohmann::json;

// The plain counters kJsonFields places in `scope` (the per-agent ones, or the stage-only ones),
// restored through the metric table's Counters field. `where` names the report or agent;
// stage-only sections are named on their own ("push.gaps").
void read_metric_counters(const json& j, JsonScope scope, shared::Counters& c,
                          const std::string& where) {
  for (const auto& f : kJsonFields) {
    if (f.scope != scope || f.metric->counter == nullptr) continue;
    const std::string section(f.section), key(f.key);
    const auto& sj = field(j, section.c_str(), where);
    if (f.since_v1 && !sj.contains(key)) continue;
    const auto sw =
        scope == JsonScope::kStageAndAgents ? fmt::format("{}.{}", where, section) : section;
    c.*(f.metric->counter) = count(sj, key.c_str(), sw);
  }
}

// The connections and messages sections shared by stages and agents.
void read_counters(const json& j, shared::Counters& c, uint64_t* in_flight,
                   const std::string& where) {
  read_metric_counters(j, JsonScope::kStageAndAgents, c, where);
  read_counter_details(j, c, where);
  *in_flight = count(field(j, "messages", where), "in_flight", where + ".messages");
}

std::chrono::nanoseconds duration_field(const json& j, const char* name, const std::string& where) {
  const auto& v = field(j, name, where);
  if (v.is_null()) return {};
  auto d = shared::parse_duration(v.get<std::string>());
  if (!d) throw std::runtime_error(where + "." + name + " is not a duration");
  return *d;
}

// `stages` and `arrival` of the scenario section, when present (put_load_shape).
void read_load_shape(const json& sc, shared::LoadSpec& load) {
  if (sc.contains("stages")) {
    for (const auto& stage : sc["stages"]) {
      load.stages.push_back({count(stage, "to", "scenario.stages"),
                             duration_field(stage, "over", "scenario.stages")});
    }
  }
  if (sc.contains("arrival")) {
    const auto& a = sc["arrival"];
    std::string why;
    const auto rate =
        shared::parse_arrival_rate(field(a, "rate", "scenario.arrival").get<std::string>(), &why);
    if (!rate) throw std::runtime_error("scenario.arrival.rate: " + why);
    load.arrival =
        shared::ArrivalSpec{.count = rate->count,
                            .per = rate->per,
                            .lifetime = duration_field(a, "lifetime", "scenario.arrival"),
                            .duration = duration_field(a, "duration", "scenario.arrival")};
  }
}

shared::Scenario scenario_from_json(const json& sc) {
  shared::Scenario s;
  s.name = field(sc, "name", "scenario").get<std::string>();
  s.description = field(sc, "description", "scenario").get<std::string>();
  s.target.url = field(sc, "url", "scenario").get<std::string>();
  s.load.connections = count(sc, "connections", "scenario");
  s.load.ramp_up = duration_field(sc, "ramp_up", "scenario");
  s.load.hold = duration_field(sc, "hold", "scenario");
  s.load.ramp_down = duration_field(sc, "ramp_down", "scenario");
  read_load_shape(sc, s.load);
  if (!field(sc, "message_interval", "scenario").is_null()) {
    s.messages = shared::MessagesSpec{};
    s.messages->interval = duration_field(sc, "message_interval", "scenario");
    if (sc.contains("message_timeout"))
      s.messages->timeout = duration_field(sc, "message_timeout", "scenario");
    if (sc.contains("message_start"))
      s.messages->start = duration_field(sc, "message_start", "scenario");
  }
  if (sc.contains("groups")) s.groups = scenario_groups_from_json(sc["groups"]);
  if (sc.contains("compression") && sc["compression"] == "deflate") {
    s.target.compression = shared::Compression::kDeflate;
  }
  return s;
}

// The stage's totals: the table's counters, the details and the distributions.
void read_totals(const json& j, StageResult& r) {
  uint64_t in_flight_total = 0;
  read_counters(j, r.totals.counters, &in_flight_total, "report");
  r.peak_open = count(field(j, "connections", "report"), "peak_open", "connections");
  r.totals.connect_time =
      histogram(field(field(j, "connections", "report"), "connect_time", "connections"),
                "connections.connect_time");
  if (const auto& c = field(j, "connections", "report"); c.contains("reconnect_time")) {
    r.totals.reconnect_time = histogram(c.at("reconnect_time"), "connections.reconnect_time");
  }  // absent: nothing reconnected
  r.totals.latency = histogram(field(j, "latency", "report"), "latency");
  r.totals.latency_service = histogram(field(j, "latency_service", "report"), "latency_service");
  read_metric_counters(j, JsonScope::kStage, r.totals.counters, "report");
  r.totals.push_latency =
      histogram(field(field(j, "push", "report"), "latency", "push"), "push.latency");
  r.totals.counters.max_schedule_lag_us = static_cast<uint64_t>(std::llround(
      field(field(j, "schedule", "report"), "max_lag_ms", "schedule").get<double>() * 1000.0));
}

AgentResult agent_from_json(const json& aj, const std::string& where) {
  AgentResult a;
  a.endpoint = field(aj, "endpoint", where).get<std::string>();
  a.hostname = field(aj, "hostname", where).get<std::string>();
  a.share = count(aj, "share", where);
  a.finished = field(aj, "finished", where).get<bool>();
  a.lost = field(aj, "lost", where).get<bool>();
  a.loss_reason = aj.value("loss_reason", std::string());
  a.late_reports = aj.value("late_reports", uint64_t{0});  // absent in reports before it existed
  a.clock_offset_us =
      static_cast<int64_t>(field(aj, "clock_offset_ms", where).get<double>() * 1000.0);
  read_counters(aj, a.totals.counters, &a.in_flight, where);
  a.totals.latency = histogram(field(aj, "latency", where), where + ".latency");
  return a;
}

ThresholdResult threshold_from_json(const json& tj) {
  ThresholdResult t;
  t.expression = field(tj, "expression", "thresholds[]").get<std::string>();
  t.metric = field(tj, "metric", "thresholds[]").get<std::string>();
  t.available = !field(tj, "actual", "thresholds[]").is_null();
  t.actual = t.available ? tj["actual"].get<double>() : 0;
  t.passed = field(tj, "passed", "thresholds[]").get<bool>();
  return t;
}

TimelinePoint point_from_json(const json& pj) {
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
  p.latency_p90_ms = pj.value("latency_p90_ms", 0.0);  // absent in reports before it
  p.latency_p99_ms = pj.value("latency_p99_ms", 0.0);
  p.latency_max_ms = pj.value("latency_max_ms", 0.0);
  p.agents_healthy = pj.value("agents_healthy", 0u);
  if (pj.contains("monitor") && pj["monitor"].is_object()) {
    for (auto it = pj["monitor"].begin(); it != pj["monitor"].end(); ++it)
      p.monitor[it.key()] = it.value().get<double>();
  }
  return p;
}

StageResult stage_from_json(const json& j) {
  if (field(j, "schema", "report") != "wsload.report/v1") {
    throw std::runtime_error("not a wsload.report/v1 report (schema is " + j["schema"].dump() +
                             ")");
  }
  StageResult r;
  r.scenario = scenario_from_json(field(j, "scenario", "report"));
  r.start_unix_ms = j.value("started_at_unix_ms", int64_t{0});
  r.duration_s = field(j, "duration_s", "report").get<double>();
  r.partial = field(j, "partial", "report").get<bool>();
  r.interrupted = field(j, "interrupted", "report").get<bool>();
  r.aborted = field(j, "aborted", "report").get<bool>();
  r.abort_reason = j.value("abort_reason", std::string());
  read_totals(j, r);
  if (r.scenario.has_sessions()) read_parts(j, r);
  size_t index = 0;
  for (const auto& aj : field(j, "agents", "report")) {
    r.agents.push_back(agent_from_json(aj, "agents[" + std::to_string(index++) + "]"));
  }
  for (const auto& tj : field(j, "thresholds", "report"))
    r.thresholds.push_back(threshold_from_json(tj));
  for (const auto& pj : field(j, "timeline", "report")) r.timeline.push_back(point_from_json(pj));
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
