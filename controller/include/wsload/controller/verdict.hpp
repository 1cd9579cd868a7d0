#pragma once
// The one verdict of a run (SPEC §2), shown the same way in text, JSON, JUnit and HTML and turned
// into the exit code. Pure.
#include <optional>
#include <string_view>

namespace wsload::controller {

struct StageResult;

// In order of precedence: a run that was interrupted is INTERRUPTED whatever else happened, and so
// on.
enum class Verdict {
  kInterrupted,  // stopped by SIGINT/SIGTERM before its planned end (exit 130)
  kAborted,      // could not complete: an agent lost under abort, a controller error (exit 3)
  kFailed,       // a threshold failed (exit 1)
  kPartial,  // an agent was lost under --on-agent-loss continue (exit 1, 0 with --allow-partial)
  kPassed,   // every threshold passed (exit 0)
};

std::string_view verdict_name(Verdict verdict);  // "PASSED", "FAILED", ...
std::optional<Verdict> verdict_from_name(std::string_view name);

Verdict stage_verdict(const StageResult& stage);
// The verdict that takes precedence (the lower enumerator).
Verdict worse(Verdict a, Verdict b);
int exit_code(Verdict verdict, bool allow_partial);

}  // namespace wsload::controller
