// The `load` section: a linear ramp (connections, ramp_up, hold, ramp_down), k6-like stages, or an
// open arrival model (SPEC §3, §3b). One shape per scenario.
#include <algorithm>

#include "scenario_reader.hpp"
#include "wsload/shared/load_plan.hpp"
#include "wsload/shared/planner.hpp"

namespace wsload::scenario::detail {

using namespace shared;  // the model types (scenario.hpp) and core parsers

namespace {

constexpr std::string_view kRampKeys[] = {"connections", "ramp_up", "hold", "ramp_down"};

bool is_ramp_key(std::string_view key) {
  return std::find(std::begin(kRampKeys), std::end(kRampKeys), key) != std::end(kRampKeys);
}

bool has_key(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return false;
  for (const auto& entry : map) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) return true;
  }
  return false;
}

// One `{to, over}` of load.stages; both are required (a stage with another problem is not also
// told what it lacks: a misspelt key would be reported twice).
void read_stage(ScenarioReader& reader, const YAML::Node& node, const std::string& path,
                LoadStage& out) {
  bool to = false;
  bool over = false;
  const size_t problems = reader.diagnostics().size();
  const bool mapping = reader.for_each_key(
      node, path, {"to", "over"}, [&](const std::string& key, const YAML::Node& value) {
        const std::string key_path = path + "." + key;
        if (key == "over") {
          over = true;
          if (auto v = reader.duration(value, key_path, false)) out.over = *v;
          return;
        }
        to = true;
        const auto v = reader.integer(value, key_path, false);
        if (v && *v > kMaxConnections) {
          reader.error(value, concat({key_path,
                                      ": at most 4294967296 open connections (connection ids are "
                                      "32-bit); got '",
                                      std::to_string(*v), "'"}));
        } else if (v) {
          out.to = *v;
        }
      });
  if (!mapping || reader.diagnostics().size() != problems) return;
  for (const auto& [given, key] : {std::pair{to, "to"}, std::pair{over, "over"}}) {
    if (!given) reader.error(node, concat({path, ".", key, ": is required in every stage"}));
  }
}

void read_stages(ScenarioReader& reader, const YAML::Node& node, LoadSpec& out) {
  if (!node.IsSequence()) {
    reader.error(
        node, "load.stages: expected a list of { to: N, over: DURATION }, got " + describe(node));
    return;
  }
  if (node.size() == 0) {
    reader.error(node, "load.stages: must list at least one stage");
    return;
  }
  out.stages.resize(node.size());
  const size_t problems = reader.diagnostics().size();
  for (size_t i = 0; i < node.size(); ++i) {
    read_stage(reader, node[i], "load.stages[" + std::to_string(i) + "]", out.stages[i]);
  }
  const bool opens = std::any_of(out.stages.begin(), out.stages.end(),
                                 [](const LoadStage& s) { return s.to > 0; });
  if (!opens && reader.diagnostics().size() == problems) {
    reader.error(node, "load.stages: no stage opens a connection (every 'to' is 0)");
  }
}

// The ids an arrival spec plans, without overflow (shared::planned_ids narrows to 64 bits).
bool too_many_arrivals(const ArrivalSpec& a) {
  __extension__ typedef unsigned __int128 u128;
  const u128 ids = static_cast<u128>(a.duration.count()) * a.count /
                   static_cast<uint64_t>(std::max<int64_t>(1, a.per.count()));
  return ids > kMaxConnections;
}

void read_rate(ScenarioReader& reader, const YAML::Node& value, ArrivalSpec& out) {
  const std::string path = "load.arrival.rate";
  const auto text = reader.string(value, path);
  if (!text) return;
  std::string why;
  if (const auto parsed = parse_arrival_rate(*text, &why)) {
    out.count = parsed->count;
    out.per = parsed->per;
  } else {
    reader.error(value, concat({path, ": ", why, ", got '", *text, "'"}));
  }
}

// rate, lifetime and duration are all required; the plan must hold 1 to 2^32 arrivals.
void read_arrival(ScenarioReader& reader, const YAML::Node& node, ArrivalSpec& out) {
  bool rate = false, lifetime = false, duration = false;
  const size_t problems = reader.diagnostics().size();
  const bool mapping =
      reader.for_each_key(node, "load.arrival", {"rate", "lifetime", "duration"},
                          [&](const std::string& key, const YAML::Node& value) {
                            if (key == "rate") {
                              rate = true;
                              read_rate(reader, value, out);
                              return;
                            }
                            (key == "lifetime" ? lifetime : duration) = true;
                            if (auto v = reader.duration(value, "load.arrival." + key, true)) {
                              (key == "lifetime" ? out.lifetime : out.duration) = *v;
                            }
                          });
  if (!mapping || reader.diagnostics().size() != problems) return;
  for (const auto& [given, key] : {std::pair{rate, "rate"}, std::pair{lifetime, "lifetime"},
                                   std::pair{duration, "duration"}}) {
    if (!given) reader.error(node, concat({"load.arrival.", key, ": is required"}));
  }
  if (!rate || !lifetime || !duration) return;
  LoadSpec arrivals;
  arrivals.arrival = out;
  if (too_many_arrivals(out)) {
    reader.error(node,
                 "load.arrival: rate * duration plans more than 4294967296 arrivals "
                 "(connection ids are 32-bit)");
  } else if (planned_ids(arrivals) == 0) {
    reader.error(node, "load.arrival: no arrival within the duration (rate * duration < 1)");
  }
}

}  // namespace

// The ramp's keys, `stages` and `arrival` exclude one another; a conflict is reported at each ramp
// key given with a shape, and at `arrival` given with `stages`. The ramp's figures are zeroed for
// stages and arrivals (nothing reads them then), and `connections` becomes the number of global ids
// the shape plans.
void read_load(ScenarioReader& reader, const YAML::Node& node, LoadSpec& out) {
  const bool stages = has_key(node, "stages");
  const bool arrival = has_key(node, "arrival");
  reader.for_each_key(
      node, "load", {"connections", "ramp_up", "hold", "ramp_down", "stages", "arrival"},
      [&](const std::string& key, const YAML::Node& value) {
        const std::string path = "load." + key;
        if (is_ramp_key(key) && (stages || arrival)) {
          reader.error(
              value, concat({path, ": cannot be combined with load.", stages ? "stages" : "arrival",
                             stages ? " (the stages' 'to' and 'over' give the shape)"
                                    : " (rate, lifetime and duration give the shape)"}));
        } else if (key == "connections") {
          if (auto v = reader.integer(value, path, true)) out.connections = *v;
        } else if (key == "ramp_up") {
          if (auto v = reader.duration(value, path, false)) out.ramp_up = *v;
        } else if (key == "hold") {
          if (auto v = reader.duration(value, path, false)) out.hold = *v;
        } else if (key == "ramp_down") {
          if (auto v = reader.duration(value, path, false)) out.ramp_down = *v;
        } else if (key == "stages") {
          read_stages(reader, value, out);
        } else if (stages) {
          reader.error(value, "load.arrival: cannot be combined with load.stages; give one shape");
        } else {
          read_arrival(reader, value, out.arrival.emplace());
        }
      });
  if (stages || arrival) {
    out.ramp_up = out.hold = out.ramp_down = std::chrono::nanoseconds::zero();
    out.connections = planned_ids(out);
  }
}

}  // namespace wsload::scenario::detail
