#include <chrono>
#include <ctime>

#include "interval_views.hpp"
#include "wsload/controller/reports.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/jwt.hpp"

namespace wsload::controller {
namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json distribution(const shared::Histogram& h) {
  json j;
  j["count"] = h.count();
  for (const char* stat : {"min", "avg", "p50", "p90", "p95", "p99", "p999", "max"}) {
    j[std::string(stat) + "_ms"] = optional_number(histogram_stat_ms(h, stat));
  }
  json buckets = json::array();
  h.for_each_bucket([&](int64_t lo, int64_t hi, uint64_t count) { buckets.push_back({lo, hi, count}); });
  j["histogram"] = {{"unit", "us"},
                    {"buckets", std::move(buckets)},
                    {"encoded", shared::base64url_encode(h.serialize())}};
  return j;
}

json counts_map(const std::map<std::string, uint64_t>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

std::string iso_time(int64_t unix_ms) {
  const std::time_t seconds = unix_ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

json guide_errors(const shared::Counters& c) {
  json errors = json::array();
  for (const auto& [reason, count] : c.failures) {
    errors.push_back("connection failed (" + reason + "): " + std::to_string(count));
  }
  if (c.disconnects_unexpected) errors.push_back("unexpected disconnects: " + std::to_string(c.disconnects_unexpected));
  if (c.timeouts) errors.push_back("request timeouts: " + std::to_string(c.timeouts));
  if (c.protocol_errors) errors.push_back("protocol errors: " + std::to_string(c.protocol_errors));
  for (const auto& [reason, count] : c.unsent) {
    errors.push_back("requests not sent (" + reason + "): " + std::to_string(count));
  }
  return errors;
}

json counters_json(const shared::MetricsDelta& d, uint64_t in_flight) {
  const auto& c = d.counters;
  return {{"connections",
           {{"attempted", c.connections_attempted},
            {"established", c.connections_established},
            {"failed", c.connections_failed},
            {"failures", counts_map(c.failures)},
            {"closed", c.connections_closed},
            {"unexpected_disconnects", c.disconnects_unexpected},
            {"disconnects", counts_map(c.disconnects)},
            {"reconnects", c.reconnects}}},
          {"messages",
           {{"sent", c.messages_sent},
            {"scheduled", c.requests_scheduled()},
            {"unsent", c.unsent_total()},
            {"unsent_reasons", counts_map(c.unsent)},
            {"received", c.messages_received},
            {"replies", c.replies},
            {"timeouts", c.timeouts},
            {"in_flight", in_flight},
            {"late_replies", c.late_replies},
            {"unmatched", c.unmatched},
            {"protocol_errors", c.protocol_errors},
            {"bytes_sent", c.bytes_sent},
            {"bytes_received", c.bytes_received}}}};
}

}  // namespace

json stage_to_json(const StageResult& r) {
  auto metric = [&](const char* name) { return optional_number(metric_value(r, name)); };
  const auto& c = r.totals.counters;
  const auto& s = r.scenario;
  uint64_t in_flight = 0;
  for (const auto& a : r.agents) in_flight += a.in_flight;

  json j;
  j["schema"] = "wsload.report/v1";
  j["tool"] = {{"name", "wsload"}, {"version", WSLOAD_VERSION}};
  j["scenario"] = {{"name", s.name},
                   {"description", s.description},
                   {"url", s.target.url},
                   {"connections", s.load.connections},
                   {"ramp_up", shared::format_duration(s.load.ramp_up)},
                   {"hold", shared::format_duration(s.load.hold)},
                   {"ramp_down", shared::format_duration(s.load.ramp_down)},
                   {"message_interval", s.messages ? json(shared::format_duration(s.messages->interval)) : json(nullptr)}};
  j["scenario"]["message_timeout"] = s.messages ? json(shared::format_duration(s.messages->timeout)) : json(nullptr);
  j["started_at"] = iso_time(r.start_unix_ms);
  j["started_at_unix_ms"] = r.start_unix_ms;
  j["duration_s"] = r.duration_s;
  j["partial"] = r.partial;
  j["interrupted"] = r.interrupted;
  j["aborted"] = r.aborted;
  if (r.aborted) j["abort_reason"] = r.abort_reason;
  j["verdict"] = verdict_name(stage_verdict(r));
  j["passed"] = stage_verdict(r) == Verdict::kPassed;
  j["summary"] = {{"totalConnections", c.connections_attempted},
                  {"successfulConnections", c.connections_established},
                  {"failedConnections", c.connections_failed},
                  {"totalMessagesSent", c.messages_sent},
                  {"totalMessagesReceived", c.messages_received},
                  {"averageLatency", metric("latency.avg")},
                  {"minLatency", metric("latency.min")},
                  {"maxLatency", metric("latency.max")},
                  {"connectionsPerSecond", metric("connections.rate")},
                  {"messagesPerSecond", metric("messages.rate")},
                  {"errors", guide_errors(c)}};
  auto sections = counters_json(r.totals, in_flight);
  j["connections"] = sections["connections"];
  j["connections"]["success_rate"] = metric("connections.success_rate");
  j["connections"]["peak_open"] = r.peak_open;
  j["connections"]["rate"] = metric("connections.rate");
  j["connections"]["connect_time"] = distribution(r.totals.connect_time);
  j["messages"] = sections["messages"];
  j["messages"]["rate"] = metric("messages.rate");
  j["errors"] = {{"count", error_count(c)}, {"rate", metric("errors.rate")}};
  j["latency"] = distribution(r.totals.latency);
  j["latency_service"] = distribution(r.totals.latency_service);
  j["schedule"] = {{"sends_behind", c.sends_behind_schedule},
                   {"max_lag_ms", static_cast<double>(c.max_schedule_lag_us) / 1000.0}};
  j["push"] = {{"received", c.push_received},
               {"gaps", c.push_gaps},
               {"duplicates", c.push_duplicates},
               {"reordered", c.push_reordered},
               {"resets", c.push_resets},
               {"latency", distribution(r.totals.push_latency)}};
  json agents = json::array();
  for (const auto& a : r.agents) {
    auto aj = counters_json(a.totals, a.in_flight);
    aj["endpoint"] = a.endpoint;
    aj["hostname"] = a.hostname;
    aj["share"] = a.share;
    aj["finished"] = a.finished;
    aj["lost"] = a.lost;
    if (a.lost) aj["loss_reason"] = a.loss_reason;
    aj["clock_offset_ms"] = static_cast<double>(a.clock_offset_us) / 1000.0;
    aj["latency"] = distribution(a.totals.latency);
    agents.push_back(std::move(aj));
  }
  j["agents"] = std::move(agents);
  json thresholds = json::array();
  for (const auto& t : r.thresholds) {
    thresholds.push_back({{"expression", t.expression},
                          {"metric", t.metric},
                          {"actual", t.available ? json(t.actual) : json(nullptr)},
                          {"passed", t.passed}});
  }
  j["thresholds"] = std::move(thresholds);
  json timeline = json::array();
  for (const auto& p : r.timeline) {
    timeline.push_back({{"t_s", p.t_s},
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
                        {"latency_p99_ms", p.latency_p99_ms},
                        {"latency_max_ms", p.latency_max_ms},
                        {"agents_healthy", p.agents_healthy},
                        {"monitor", p.monitor}});
  }
  j["timeline"] = std::move(timeline);
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
