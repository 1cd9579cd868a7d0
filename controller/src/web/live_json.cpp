#include "web/live_json.hpp"

#include "report/html_sections.hpp"
#include "report/json_report_fields.hpp"
#include "report/json_values.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/part_metrics.hpp"

namespace wsload::controller {
namespace {

using nlohmann::json;

json errors_by_reason(const LiveFrame& f) {
  json rows = json::array();
  for (const auto& row : html::reason_rows(f.figures.delta, f.parts)) {
    rows.push_back(
        {{"kind", row.kind}, {"reason", row.reason}, {"count", row.count}, {"share", row.share}});
  }
  return rows;
}

json agents_json(const LiveFrame& f) {
  json agents = json::array();
  for (const auto& a : f.agents) {
    const auto& c = a.totals->counters;
    agents.push_back({{"endpoint", a.agent},
                      {"state", a.state},
                      {"up", a.up},
                      {"open", a.open},
                      {"established", c.connections_established},
                      {"failed", c.connections_failed},
                      {"sent", c.messages_sent},
                      {"received", c.messages_received},
                      {"timeouts", c.timeouts},
                      {"errors", c.error_count()},
                      {"behind_schedule", c.sends_behind_schedule},
                      {"latency_p99_ms", optional_number(shared::histogram_stat_ms(
                                             a.totals->latency, shared::HistogramStat::kP99))}});
  }
  return agents;
}

json thresholds_json(const LiveFrame& f) {
  json out = json::array();
  for (const auto& t : threshold_results(f.scenario, f.figures)) {
    out.push_back({{"expression", t.expression},
                   {"metric", t.metric},
                   {"actual", t.available ? json(t.actual) : json(nullptr)},
                   {"passed", t.passed}});
  }
  return out;
}

// Format v2: every stream's requests and latency so far.
json streams_json(const LiveFrame& f) {
  json out = json::array();
  for (size_t i = 0; i < f.parts.stream_names.size(); ++i) {
    const auto& s = shared::stream_at(f.figures.delta.parts, i);
    out.push_back({{"name", f.parts.stream_names[i]},
                   {"sent", s.sent},
                   {"replies", s.replies},
                   {"timeouts", s.timeouts},
                   {"unsent", s.unsent},
                   {"latency", live_distribution(s.latency)}});
  }
  return out;
}

}  // namespace

json live_distribution(const shared::Histogram& h) {
  using shared::HistogramStat;
  auto stat = [&](HistogramStat s) { return optional_number(shared::histogram_stat_ms(h, s)); };
  return {{"count", h.count()},
          {"min_ms", stat(HistogramStat::kMin)},
          {"avg_ms", stat(HistogramStat::kAvg)},
          {"p50_ms", stat(HistogramStat::kP50)},
          {"p90_ms", stat(HistogramStat::kP90)},
          {"p99_ms", stat(HistogramStat::kP99)},
          {"max_ms", stat(HistogramStat::kMax)}};
}

json live_json(const LiveFrame& f) {
  const auto& d = f.figures.delta;
  json j;
  j["scenario"] = f.scenario.name;
  j["elapsed_s"] = f.figures.duration_s;
  j["planned_s"] = f.planned_s;
  j["phase"] = f.phase;
  put_metrics(j, f.figures, JsonScope::kStage);
  j["connections"]["open"] = f.figures.open;
  j["connections"]["target"] = f.target;
  j["connections"]["connect_time"] = live_distribution(d.connect_time);
  j["latency"] = live_distribution(d.latency);
  j["latency_service"] = live_distribution(d.latency_service);
  j["push"]["latency"] = live_distribution(d.push_latency);
  j["errors"]["by_reason"] = errors_by_reason(f);
  j["agents_healthy"] = f.agents_healthy;
  j["agents_total"] = f.agents_total;
  j["agents"] = agents_json(f);
  j["thresholds"] = thresholds_json(f);
  if (!f.parts.stream_names.empty()) j["streams"] = streams_json(f);
  j["server"] = f.server ? json(*f.server) : json(nullptr);
  j["server_error"] = f.server_error;
  return j;
}

}  // namespace wsload::controller
