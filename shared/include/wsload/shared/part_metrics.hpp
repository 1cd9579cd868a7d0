#pragma once
// Metrics per part of a format-v2 scenario (SPEC §4): streams.<name>.<leaf>, steps.<name>.<leaf>
// and groups.<name>.<metric>. Stream and step leaves are listed here; a group's leaves are the rows
// of the metric table (metric_catalog.hpp) that a group's Counters answer — every row but the
// distributions and connections.peak_open — read over the group's counters, with
// connections.open = established - closed. Names are [A-Za-z0-9_-]+. Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "wsload/shared/metric_catalog.hpp"
#include "wsload/shared/session_plan.hpp"
#include "wsload/shared/threshold.hpp"

namespace wsload::shared {

// One leaf of streams.<name>.* or steps.<name>.*: a count of the part's figures, or a statistic of
// its latency histogram (ms).
struct PartLeaf {
  std::string name;  // "sent", "latency.p99"
  MetricUnit unit = MetricUnit::kCount;
  uint64_t StreamFigures::*stream_count = nullptr;   // a stream's count
  uint64_t StepFigures::*step_count = nullptr;       // a step's count
  std::optional<HistogramStat> stat = std::nullopt;  // latency.<stat>
};

// Streams: sent, replies, timeouts, unsent, latency.min … latency.max. Steps: ok, failed,
// latency.*. Nothing for kGroup (see group_metric) and kTotal.
std::span<const PartLeaf> part_leaves(PartKind kind);
const PartLeaf* find_part_leaf(PartKind kind, std::string_view leaf);

// The row of the metric table called `leaf` when it is kept per group; nullptr otherwise.
const MetricInfo* group_metric(std::string_view leaf);
bool is_group_metric(const MetricInfo& info);

std::string_view part_prefix(PartKind kind);  // "streams", "steps", "groups"; "" for kTotal

struct PartMetricName {
  PartKind kind = PartKind::kTotal;
  std::string_view part;  // as written: may be empty or misspelled (valid_part_name)
  std::string_view leaf;  // as written: may be empty
};
// "streams.ping.latency.p99" -> {kStream, "ping", "latency.p99"}; nullopt for a name that does not
// start with "streams.", "steps." or "groups.".
std::optional<PartMetricName> split_part_metric(std::string_view name);
bool valid_part_name(std::string_view name);
// The leaf's unit for parts of `kind`; nullopt when it is not one of theirs.
std::optional<MetricUnit> part_leaf_unit(PartKind kind, std::string_view leaf);
// The part metric with the same part name closest to `name` by edit distance (a misspelled kind
// or leaf), or "" when `name` has fewer than three parts or nothing is reasonably close.
std::string closest_part_metric(std::string_view name);

// A count exactly, a latency statistic in ms (nullopt without samples).
std::optional<double> stream_metric_value(const PartLeaf& leaf, const StreamFigures& figures);
std::optional<double> step_metric_value(const PartLeaf& leaf, const StepFigures& figures);

// Connections of a group open now: established - closed (0 when more closed than established in
// the figures at hand).
uint64_t group_open(const Counters& counters);

// A group's counters seen as a run's figures (empty histograms), so that the metric table's
// readers (success_rate, errors.rate, connections.rate, ...) value them as they value totals.
class GroupFigures {
 public:
  // Rates divide by the stage's `duration_s` and `ramp_up_s`, as for the totals.
  GroupFigures(const Counters& counters, double duration_s, double ramp_up_s);
  RunFigures figures() const;  // refers to this object

 private:
  MetricsDelta delta_;
  double duration_s_;
  double ramp_up_s_;
};

// Where the part called `name` sits in PartsDelta's list of its kind; nullopt when none has it.
std::optional<size_t> find_part(const PartIndex& index, PartKind kind, std::string_view name);

// The value of `leaf` of the part `name` read from `parts`, placed by `index`. A part `parts` has
// no figures for recorded nothing and reads as empty figures (counts 0, no latency). nullopt when
// the part or the leaf is unknown, or the metric has no value.
std::optional<double> part_metric_value(PartKind kind, std::string_view name, std::string_view leaf,
                                        const PartsDelta& parts, const PartIndex& index,
                                        double duration_s, double ramp_up_s);

// sessions.failed by step: the failures of every on_open step that failed at least once.
std::map<std::string, uint64_t> sessions_failed_by_step(const PartsDelta& parts,
                                                        const PartIndex& index);

// The figures of stream/step/group `i`, or empty figures when `parts` has none for it.
const StreamFigures& stream_at(const PartsDelta& parts, size_t i);
const StepFigures& step_at(const PartsDelta& parts, size_t i);
const Counters& group_at(const PartsDelta& parts, size_t i);

}  // namespace wsload::shared
