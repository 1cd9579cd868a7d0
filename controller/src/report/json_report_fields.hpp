#pragma once
// Where wsload.report/v1 holds each metric of the table that it shows, shared by the writer
// (json_report.cpp) and the reader (json_report_reader.cpp). Names and values come from the metric
// table; this list only places them. Distributions (latency, connect time, ...) are placed by the
// writer and reader as whole objects, one "<stat>_ms" member per row of the family.
#include <nlohmann/json.hpp>
#include <string_view>

#include "wsload/controller/stage_result.hpp"
#include "wsload/shared/metric_catalog.hpp"

namespace wsload::controller {

enum class JsonScope {
  kStage,           // only in the stage's own sections
  kStageAndAgents,  // also in every agent's connections/messages sections
};

struct JsonField {
  const shared::MetricInfo* metric;
  std::string_view section;  // top-level object of the stage (or agent)
  std::string_view key;
  JsonScope scope = JsonScope::kStage;
  bool since_v1 = false;  // added after v1 was first written: a reader accepts its absence
};

// In the order the reader expects them (a report missing several fields names the first).
inline constexpr JsonField kJsonFields[] = {
    {&shared::metric("connections.attempted"), "connections", "attempted",
     JsonScope::kStageAndAgents},
    {&shared::metric("connections.established"), "connections", "established",
     JsonScope::kStageAndAgents},
    {&shared::metric("connections.failed"), "connections", "failed", JsonScope::kStageAndAgents},
    {&shared::metric("connections.closed"), "connections", "closed", JsonScope::kStageAndAgents},
    {&shared::metric("disconnects.unexpected"), "connections", "unexpected_disconnects",
     JsonScope::kStageAndAgents},
    {&shared::metric("messages.sent"), "messages", "sent", JsonScope::kStageAndAgents},
    {&shared::metric("messages.received"), "messages", "received", JsonScope::kStageAndAgents},
    {&shared::metric("messages.replies"), "messages", "replies", JsonScope::kStageAndAgents},
    {&shared::metric("messages.timeouts"), "messages", "timeouts", JsonScope::kStageAndAgents},
    {&shared::metric("messages.late_replies"), "messages", "late_replies",
     JsonScope::kStageAndAgents},
    {&shared::metric("messages.unmatched"), "messages", "unmatched", JsonScope::kStageAndAgents},
    {&shared::metric("messages.protocol_errors"), "messages", "protocol_errors",
     JsonScope::kStageAndAgents},
    {&shared::metric("messages.unsent"), "messages", "unsent", JsonScope::kStageAndAgents},
    {&shared::metric("bytes.sent"), "messages", "bytes_sent", JsonScope::kStageAndAgents},
    {&shared::metric("bytes.received"), "messages", "bytes_received", JsonScope::kStageAndAgents},
    {&shared::metric("connections.success_rate"), "connections", "success_rate"},
    {&shared::metric("connections.peak_open"), "connections", "peak_open"},
    {&shared::metric("connections.rate"), "connections", "rate"},
    {&shared::metric("messages.rate"), "messages", "rate"},
    {&shared::metric("errors.count"), "errors", "count"},
    {&shared::metric("errors.rate"), "errors", "rate"},
    {&shared::metric("push.received"), "push", "received"},
    {&shared::metric("push.gaps"), "push", "gaps"},
    {&shared::metric("push.duplicates"), "push", "duplicates"},
    {&shared::metric("push.reordered"), "push", "reordered"},
    {&shared::metric("push.resets"), "push", "resets", JsonScope::kStage, true},
    {&shared::metric("schedule.behind"), "schedule", "sends_behind"},
    {&shared::metric("schedule.max_lag"), "schedule", "max_lag_ms"},
};

// Sets j[section][key] for every field of kJsonFields in `scope` (every one for a stage, the
// per-agent ones for an agent), valued on `f`.
void put_metrics(nlohmann::json& j, const shared::RunFigures& f, JsonScope scope);

// One point of the report's timeline (also /api/live's).
nlohmann::json timeline_point_json(const TimelinePoint& p);

}  // namespace wsload::controller
