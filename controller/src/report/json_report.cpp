#include <chrono>
#include <ctime>

#include "report/json_report_fields.hpp"
#include "report/json_report_parts.hpp"
#include "report/json_values.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::controller {
namespace {

using nlohmann::json;

// The distribution `family` of `d` (see distribution_json).
json distribution(const shared::MetricsDelta& d, shared::Histogram shared::MetricsDelta::*family) {
  return distribution_json(d.*family, family);
}

std::string iso_time(int64_t unix_ms) {
  const std::time_t seconds = unix_ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The guide's `errors` list: one line per failure reason and per kind of error that happened.
json guide_errors(const shared::RunFigures& f) {
  const auto& c = f.delta.counters;
  auto count = [&](const shared::MetricInfo& m) {
    return std::to_string(shared::metric_count(m, f));
  };
  json errors = json::array();
  for (const auto& [reason, n] : c.failures) {
    errors.push_back("connection failed (" + reason + "): " + std::to_string(n));
  }
  const std::pair<const shared::MetricInfo*, const char*> kinds[] = {
      {&shared::metric("disconnects.unexpected"), "unexpected disconnects: "},
      {&shared::metric("messages.timeouts"), "request timeouts: "},
      {&shared::metric("messages.protocol_errors"), "protocol errors: "},
      {&shared::metric("sessions.failed"), "failed sessions: "}};
  for (const auto& [m, label] : kinds) {
    if (shared::metric_count(*m, f) != 0) errors.push_back(label + count(*m));
  }
  for (const auto& [reason, n] : c.unsent) {
    errors.push_back("requests not sent (" + reason + "): " + std::to_string(n));
  }
  return errors;
}

// What the report holds besides the table's metrics: counts by reason, reconnects, requests
// scheduled (sent + unsent) and requests in flight at the end.
void put_details(json& j, const shared::Counters& c, uint64_t in_flight) {
  put_counter_details(j, c);
  j["messages"]["in_flight"] = in_flight;
}

// The load shape besides the ramp's fields: `stages` or `arrival`, only when the scenario has it
// (a ramp scenario's section reads as before).
void put_load_shape(json& j, const shared::LoadSpec& load) {
  if (!load.stages.empty()) {
    json stages = json::array();
    for (const auto& stage : load.stages) {
      stages.push_back({{"to", stage.to}, {"over", shared::format_duration(stage.over)}});
    }
    j["stages"] = std::move(stages);
  }
  if (load.arrival) {
    j["arrival"] = {{"rate", shared::format_arrival_rate(*load.arrival)},
                    {"lifetime", shared::format_duration(load.arrival->lifetime)},
                    {"duration", shared::format_duration(load.arrival->duration)}};
  }
}

json scenario_json(const shared::Scenario& s) {
  json j = {{"name", s.name},
            {"description", s.description},
            {"url", s.target.url},
            {"connections", s.load.connections},
            {"ramp_up", shared::format_duration(s.load.ramp_up)},
            {"hold", shared::format_duration(s.load.hold)},
            {"ramp_down", shared::format_duration(s.load.ramp_down)}};
  j["message_interval"] =
      s.messages ? json(shared::format_duration(s.messages->interval)) : json(nullptr);
  j["message_timeout"] =
      s.messages ? json(shared::format_duration(s.messages->timeout)) : json(nullptr);
  if (s.messages && s.messages->start.count() > 0)
    j["message_start"] = shared::format_duration(s.messages->start);
  put_load_shape(j, s.load);
  if (s.has_sessions()) j["groups"] = scenario_groups_json(s);
  if (s.target.compression == shared::Compression::kDeflate) j["compression"] = "deflate";
  return j;
}

json summary_json(const shared::RunFigures& f) {
  auto value = [&](const shared::MetricInfo& m) { return metric_json(m, f); };
  using shared::metric;
  return {{"totalConnections", value(metric("connections.attempted"))},
          {"successfulConnections", value(metric("connections.established"))},
          {"failedConnections", value(metric("connections.failed"))},
          {"totalMessagesSent", value(metric("messages.sent"))},
          {"totalMessagesReceived", value(metric("messages.received"))},
          {"averageLatency", value(metric("latency.avg"))},
          {"minLatency", value(metric("latency.min"))},
          {"maxLatency", value(metric("latency.max"))},
          {"connectionsPerSecond", value(metric("connections.rate"))},
          {"messagesPerSecond", value(metric("messages.rate"))},
          {"errors", guide_errors(f)}};
}

json agent_json(const AgentResult& a) {
  json aj;
  const auto f = agent_figures(a);
  put_metrics(aj, f, JsonScope::kStageAndAgents);
  put_details(aj, a.totals.counters, a.in_flight);
  aj["endpoint"] = a.endpoint;
  aj["hostname"] = a.hostname;
  aj["share"] = a.share;
  aj["finished"] = a.finished;
  aj["lost"] = a.lost;
  if (a.lost) aj["loss_reason"] = a.loss_reason;
  aj["late_reports"] = a.late_reports;
  aj["clock_offset_ms"] = static_cast<double>(a.clock_offset_us) / 1000.0;
  aj["latency"] =
      distribution_json(a.totals.latency, &shared::MetricsDelta::latency, BucketList::kWithout);
  return aj;
}

json timeline_json(const std::vector<TimelinePoint>& points) {
  json timeline = json::array();
  for (const auto& p : points) timeline.push_back(timeline_point_json(p));
  return timeline;
}

}  // namespace

void put_metrics(json& j, const shared::RunFigures& f, JsonScope scope) {
  for (const auto& field : kJsonFields) {
    if (scope == JsonScope::kStageAndAgents && field.scope != JsonScope::kStageAndAgents) continue;
    j[std::string(field.section)][std::string(field.key)] = metric_json(*field.metric, f);
  }
}

json timeline_point_json(const TimelinePoint& p) {
  return {{"t_s", p.t_s},
          {"phase", p.phase},
          {"open", p.open_connections},
          {"target", p.target_connections},
          {"established", p.established},
          {"failed", p.failed},
          {"sent", p.sent},
          {"received", p.received},
          {"timeouts", p.timeouts},
          {"errors", p.errors},
          {"latency_p50_ms", p.latency_p50_ms},
          {"latency_p90_ms", p.latency_p90_ms},
          {"latency_p99_ms", p.latency_p99_ms},
          {"latency_max_ms", p.latency_max_ms},
          {"agents_healthy", p.agents_healthy},
          {"monitor", p.monitor}};
}

json stage_to_json(const StageResult& r) {
  using shared::MetricsDelta;
  const auto f = run_figures(r);
  uint64_t in_flight = 0;
  for (const auto& a : r.agents) in_flight += a.in_flight;

  json j;
  j["schema"] = "wsload.report/v1";
  j["tool"] = {{"name", "wsload"}, {"version", WSLOAD_VERSION}};
  j["scenario"] = scenario_json(r.scenario);
  j["started_at"] = iso_time(r.start_unix_ms);
  j["started_at_unix_ms"] = r.start_unix_ms;
  j["duration_s"] = r.duration_s;
  j["partial"] = r.partial;
  j["interrupted"] = r.interrupted;
  j["aborted"] = r.aborted;
  if (r.aborted) j["abort_reason"] = r.abort_reason;
  j["verdict"] = verdict_name(stage_verdict(r));
  j["passed"] = stage_verdict(r) == Verdict::kPassed;
  j["summary"] = summary_json(f);
  put_metrics(j, f, JsonScope::kStage);
  put_details(j, r.totals.counters, in_flight);
  j["connections"]["connect_time"] = distribution(r.totals, &MetricsDelta::connect_time);
  // Only where something reconnected, so that reports of runs without reconnects read as before.
  if (r.totals.counters.reconnects > 0 || !r.totals.reconnect_time.empty()) {
    j["connections"]["reconnect_time"] = distribution(r.totals, &MetricsDelta::reconnect_time);
  }
  j["latency"] = distribution(r.totals, &MetricsDelta::latency);
  j["latency_service"] = distribution(r.totals, &MetricsDelta::latency_service);
  j["push"]["latency"] = distribution(r.totals, &MetricsDelta::push_latency);
  if (r.scenario.has_sessions()) put_parts(j, r);
  json agents = json::array();
  for (const auto& a : r.agents) agents.push_back(agent_json(a));
  j["agents"] = std::move(agents);
  json thresholds = json::array();
  for (const auto& t : r.thresholds) {
    thresholds.push_back({{"expression", t.expression},
                          {"metric", t.metric},
                          {"actual", t.available ? json(t.actual) : json(nullptr)},
                          {"passed", t.passed}});
  }
  j["thresholds"] = std::move(thresholds);
  j["timeline"] = timeline_json(r.timeline);
  return j;
}

namespace {

// The run's verdict (the same the text, JUnit and HTML reports show) and what it exits with.
void add_verdict(const RunReport& report, json& j) {
  j["verdict"] = verdict_name(report.verdict());
  j["allow_partial"] = report.allow_partial;
  j["exit_code"] = report.exit_code();
  j["passed"] = report.passed();
}

}  // namespace

// The guide's TestMetrics over a whole sequence: every stage's figures merged (rates over the
// stages' summed ramp-ups and durations), so a CI script reads `summary` whatever it ran.
json sequence_summary(const RunReport& report) {
  shared::MetricsDelta merged;
  uint64_t peak_open = 0;
  double duration_s = 0, ramp_up_s = 0;
  bool arrivals = !report.stages.empty();
  for (const auto& s : report.stages) {
    merged.merge(s.totals);
    peak_open = std::max(peak_open, s.peak_open);
    duration_s += s.duration_s;
    ramp_up_s += opening_s(s.scenario.load);
    arrivals = arrivals && s.scenario.load.arrival.has_value();
  }
  return summary_json(shared::RunFigures{.delta = merged,
                                         .peak_open = peak_open,
                                         .duration_s = duration_s,
                                         .ramp_up_s = ramp_up_s,
                                         .arrivals = arrivals});
}

json report_to_json(const RunReport& report) {
  json j;
  if (!report.sequence && report.stages.size() == 1) {
    j = stage_to_json(report.stages.front());
    add_verdict(report, j);
    return j;
  }
  j["schema"] = "wsload.report/v1";
  j["tool"] = {{"name", "wsload"}, {"version", WSLOAD_VERSION}};
  j["name"] = report.name;
  j["sequence"] = true;
  j["summary"] = sequence_summary(report);
  json stages = json::array();
  for (const auto& s : report.stages) stages.push_back(stage_to_json(s));
  j["stages"] = std::move(stages);
  add_verdict(report, j);
  return j;
}

Verdict RunReport::verdict() const {
  if (stages.empty()) return Verdict::kAborted;
  Verdict v = Verdict::kPassed;
  for (const auto& s : stages) v = worse(v, stage_verdict(s));
  return v;
}

}  // namespace wsload::controller
