#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "report/html_format.hpp"
#include "wsload/controller/reports.hpp"

namespace wsload::controller {
namespace {

// Why the stage's run itself (not a threshold) fails, if it does: one extra failing test case.
std::optional<std::string> run_failure(const StageResult& s, bool allow_partial) {
  if (s.interrupted) return std::string("interrupted by a signal before the planned end");
  if (s.aborted) return s.abort_reason;
  if (s.partial && !allow_partial)
    return std::string("an agent was lost; part of the load is missing");
  return std::nullopt;
}

}  // namespace

std::string report_to_junit(const RunReport& report) {
  std::ostringstream out;
  size_t tests = 0, failures = 0;
  for (const auto& s : report.stages) {
    tests += s.thresholds.size() + (run_failure(s, report.allow_partial) ? 1 : 0);
    for (const auto& t : s.thresholds) failures += t.passed ? 0 : 1;
    failures += run_failure(s, report.allow_partial) ? 1 : 0;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites name=\"wsload\" tests=\"{}\" failures=\"{}\">\n", tests,
                     failures);
  for (const auto& s : report.stages) {
    size_t stage_failures = 0;
    for (const auto& t : s.thresholds) stage_failures += t.passed ? 0 : 1;
    const auto broken = run_failure(s, report.allow_partial);
    out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                       html::escape(s.scenario.name), s.thresholds.size() + (broken ? 1 : 0),
                       stage_failures + (broken ? 1 : 0), s.duration_s);
    for (const auto& t : s.thresholds) {
      out << fmt::format("    <testcase classname=\"{}.thresholds\" name=\"{}\">",
                         html::escape(s.scenario.name), html::escape(t.expression));
      if (!t.passed) {
        const auto actual = t.available ? fmt::format("{:.3f}", t.actual) : std::string("no value");
        out << fmt::format("<failure message=\"{} (actual {})\"/>", html::escape(t.expression),
                           actual);
      }
      out << "</testcase>\n";
    }
    if (broken) {
      const auto why = fmt::format("{}: {}", verdict_name(stage_verdict(s)), *broken);
      out << fmt::format(
          "    <testcase classname=\"{}.run\" name=\"run completed\"><failure "
          "message=\"{}\"/></testcase>\n",
          html::escape(s.scenario.name), html::escape(why));
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace wsload::controller
