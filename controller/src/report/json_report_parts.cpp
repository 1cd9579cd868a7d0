#include "report/json_report_parts.hpp"

#include <cmath>
#include <stdexcept>

#include "report/json_report_fields.hpp"
#include "report/json_values.hpp"
#include "wsload/controller/run_metrics.hpp"
#include "wsload/shared/part_metrics.hpp"

namespace wsload::controller {
namespace {

using nlohmann::json;
using shared::PartKind;

json names_json(const auto& items) {
  json names = json::array();
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

std::vector<std::string> names_from_json(const json& j, const char* name,
                                         const std::string& where) {
  const auto& list = field(j, name, where);
  if (!list.is_array()) throw std::runtime_error(where + "." + name + " is not a list");
  return list.get<std::vector<std::string>>();
}

json group_json(const shared::Counters& c, const shared::RunFigures& stage) {
  const shared::GroupFigures group(c, stage.duration_s, stage.ramp_up_s);
  const auto f = group.figures();
  json j;
  for (const auto& field : kJsonFields) {
    if (!shared::is_group_metric(*field.metric)) continue;
    j[std::string(field.section)][std::string(field.key)] = metric_json(*field.metric, f);
  }
  j["connections"]["open"] = metric_json(shared::metric("connections.open"), f);
  j["sessions"]["failed"] = metric_json(shared::metric("sessions.failed"), f);
  put_counter_details(j, c);
  return j;
}

shared::Counters group_from_json(const json& j, const std::string& where) {
  shared::Counters c;
  for (const auto& f : kJsonFields) {
    if (f.metric->counter == nullptr) continue;
    const std::string section(f.section), key(f.key);
    std::string section_where = where;
    section_where += '.';
    section_where += section;
    c.*(f.metric->counter) = count(field(j, section.c_str(), where), key.c_str(), section_where);
  }
  c.sessions_failed = count(field(j, "sessions", where), "failed", where + ".sessions");
  read_counter_details(j, c, where);
  const auto& lag = field(field(j, "schedule", where), "max_lag_ms", where + ".schedule");
  c.max_schedule_lag_us = static_cast<uint64_t>(std::llround(lag.get<double>() * 1000.0));
  return c;
}

json stream_json(const shared::StreamFigures& s) {
  json j;
  for (const auto& leaf : shared::part_leaves(PartKind::kStream)) {
    if (leaf.stream_count != nullptr) j[leaf.name] = s.*leaf.stream_count;
  }
  j["latency"] = distribution_json(s.latency, &shared::MetricsDelta::latency);
  return j;
}

shared::StreamFigures stream_from_json(const json& j, const std::string& where) {
  shared::StreamFigures s;
  for (const auto& leaf : shared::part_leaves(PartKind::kStream)) {
    if (leaf.stream_count != nullptr) s.*leaf.stream_count = count(j, leaf.name.c_str(), where);
  }
  s.latency = histogram(field(j, "latency", where), where + ".latency");
  return s;
}

json step_json(const shared::StepFigures& s) {
  json j;
  for (const auto& leaf : shared::part_leaves(PartKind::kStep)) {
    if (leaf.step_count != nullptr) j[leaf.name] = s.*leaf.step_count;
  }
  j["failures"] = counts_json(s.failures);
  j["latency"] = distribution_json(s.latency, &shared::MetricsDelta::latency);
  return j;
}

shared::StepFigures step_from_json(const json& j, const std::string& where) {
  shared::StepFigures s;
  for (const auto& leaf : shared::part_leaves(PartKind::kStep)) {
    if (leaf.step_count != nullptr) s.*leaf.step_count = count(j, leaf.name.c_str(), where);
  }
  s.failures = count_map(field(j, "failures", where));
  s.latency = histogram(field(j, "latency", where), where + ".latency");
  return s;
}

// The object of part `name` in `section` of the report.
const json& part_json(const json& report, const char* section, const std::string& name) {
  return field(field(report, section, "report"), name.c_str(), section);
}

}  // namespace

json scenario_groups_json(const shared::Scenario& s) {
  json groups = json::array();
  for (const auto& g : s.groups) {
    json gj = {{"name", g.name},
               {"url", g.target.url},
               {"streams", names_json(g.streams)},
               {"on_open", names_json(g.on_open)},
               {"on_close", names_json(g.on_close)}};
    if (g.connections) {
      gj["connections"] = *g.connections;
    } else {
      gj["weight"] = g.weight;
    }
    groups.push_back(std::move(gj));
  }
  return groups;
}

std::vector<shared::GroupSpec> scenario_groups_from_json(const json& groups) {
  if (!groups.is_array()) throw std::runtime_error("scenario.groups is not a list");
  std::vector<shared::GroupSpec> out;
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto& gj = groups[i];
    const std::string where = "scenario.groups[" + std::to_string(i) + "]";
    shared::GroupSpec g;
    g.name = field(gj, "name", where).get<std::string>();
    g.target.url = gj.value("url", std::string());
    if (gj.contains("connections")) g.connections = count(gj, "connections", where);
    g.weight = gj.value("weight", uint64_t{1});
    for (auto& name : names_from_json(gj, "streams", where)) {
      g.streams.emplace_back();
      g.streams.back().name = std::move(name);
    }
    for (auto* steps : {&g.on_open, &g.on_close}) {
      for (auto& name : names_from_json(gj, steps == &g.on_open ? "on_open" : "on_close", where)) {
        steps->emplace_back();
        steps->back().name = std::move(name);
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

void put_parts(json& j, const StageResult& r) {
  const auto parts = stage_parts(r.scenario);
  const auto stage = run_figures(r);
  const auto& d = r.totals.parts;
  json groups = json::object(), streams = json::object(), steps = json::object();
  for (size_t i = 0; i < parts.group_names.size(); ++i)
    groups[parts.group_names[i]] = group_json(shared::group_at(d, i), stage);
  for (size_t i = 0; i < parts.stream_names.size(); ++i)
    streams[parts.stream_names[i]] = stream_json(shared::stream_at(d, i));
  for (size_t i = 0; i < parts.step_names.size(); ++i)
    steps[parts.step_names[i]] = step_json(shared::step_at(d, i));
  j["groups"] = std::move(groups);
  j["streams"] = std::move(streams);
  j["steps"] = std::move(steps);
  j["sessions"] = {{"failed", shared::metric_count(shared::metric("sessions.failed"), stage)},
                   {"by_step", counts_json(shared::sessions_failed_by_step(d, parts))}};
}

void read_parts(const json& j, StageResult& r) {
  const auto parts = stage_parts(r.scenario);
  auto& d = r.totals.parts;
  d = {};
  for (const auto& name : parts.group_names)
    d.groups.push_back(group_from_json(part_json(j, "groups", name), "groups." + name));
  for (const auto& name : parts.stream_names)
    d.streams.push_back(stream_from_json(part_json(j, "streams", name), "streams." + name));
  for (const auto& name : parts.step_names)
    d.steps.push_back(step_from_json(part_json(j, "steps", name), "steps." + name));
  r.totals.counters.sessions_failed = count(field(j, "sessions", "report"), "failed", "sessions");
}

}  // namespace wsload::controller
