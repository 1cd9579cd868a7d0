#pragma once
// The sections of one stage in the HTML report, each a piece of HTML built from the StageResult
// through the metric table; every text from the scenario or the server is escaped. `ids` is
// appended to element ids so that the stages of a sequence keep them unique ("" for the first).
// Pure.
#include <cstdint>
#include <string>
#include <vector>

#include "wsload/controller/stage_result.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::controller::html {

// One line of "errors by reason": a kind of problem, its reason and how often it happened.
struct ReasonRow {
  std::string kind;    // "connection failed", "unexpected disconnect", "timeout", ...
  std::string reason;  // "http_401", "peer_not_reading", "subscribe: timeout", "-"
  uint64_t count = 0;
  std::string share;  // "100.0% of attempts"
  std::string color;  // the kind's bar colour
};

// Every error of the stage by kind and reason (the parts of errors.count, and failed steps of a
// format-v2 scenario), kinds in a fixed order, reasons by count then name; rows with count 0 are
// left out.
std::vector<ReasonRow> reason_rows(const StageResult& r);
// The same from merged figures so far (the live dashboard); `parts` as stage_parts gives them.
std::vector<ReasonRow> reason_rows(const shared::MetricsDelta& totals,
                                   const shared::PartIndex& parts);

// Connections, messages and latency in three columns (the text summary's blocks).
std::string figures_table(const StageResult& r);
// A warning box when sends went out behind schedule (id behind-schedule); "" when none did.
std::string schedule_warning(const StageResult& r, const std::string& ids);
// Errors by reason (table id errors-by-reason, bar chart id errors-by-reason-chart) and how
// connections ended by reason (table id closes-by-reason).
std::string errors_section(const StageResult& r, const std::string& ids);
// min/avg/p50/p90/p99/p99.9/max of every non-empty distribution (id distributions).
std::string distributions_table(const StageResult& r, const std::string& ids);
// Push counters and delivery latency (id push); "" when nothing was pushed.
std::string push_table(const StageResult& r, const std::string& ids);
// One row per agent (id agents).
std::string agents_table(const StageResult& r, const std::string& ids);
// One row per threshold with its actual value and PASS/FAIL (id thresholds); "" without any.
std::string thresholds_table(const StageResult& r, const std::string& ids);
// Format v2: groups, steps and streams.
std::string sessions_table(const StageResult& r);

}  // namespace wsload::controller::html
