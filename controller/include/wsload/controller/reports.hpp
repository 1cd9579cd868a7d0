#pragma once
// Final reports (SPEC §5): the text summary with the guide's three blocks, and the JSON report
// (schema wsload.report/v1). A progressive run nests one report per stage.
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "wsload/controller/stage_result.hpp"
#include "wsload/controller/verdict.hpp"

namespace wsload::controller {

struct RunReport {
  std::string name;                 // scenario or sequence name
  std::vector<StageResult> stages;  // one for a plain scenario
  bool sequence = false;
  std::string agents_mode;     // "local (N processes)" or the --agents list
  bool allow_partial = false;  // --allow-partial: a PARTIAL run exits 0
  Verdict verdict() const;     // the worst stage verdict (ABORTED when no stage ran)
  int exit_code() const { return controller::exit_code(verdict(), allow_partial); }
  bool passed() const { return exit_code() == 0; }
};

void write_text_summary(std::ostream& out, const RunReport& report);
void write_stage_summary(std::ostream& out, const StageResult& stage);

nlohmann::json stage_to_json(const StageResult& stage);
nlohmann::json report_to_json(const RunReport& report);

// Reads a report written by report_to_json back (for `wsload report`). Throws std::runtime_error
// naming the missing or malformed field.
RunReport report_from_json(const nlohmann::json& j);

// JUnit XML: one test case per threshold (and one for a run that did not complete).
std::string report_to_junit(const RunReport& report);

// One self-contained HTML page (inline SVG charts of the timeline; no script, no network).
std::string report_to_html(const RunReport& report);

}  // namespace wsload::controller
