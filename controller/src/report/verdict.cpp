#include "wsload/controller/verdict.hpp"

#include <array>
#include <utility>

#include "wsload/controller/run_options.hpp"
#include "wsload/controller/stage_result.hpp"

namespace wsload::controller {
namespace {

constexpr std::array<std::pair<Verdict, std::string_view>, 5> kNames{{
    {Verdict::kInterrupted, "INTERRUPTED"},
    {Verdict::kAborted, "ABORTED"},
    {Verdict::kFailed, "FAILED"},
    {Verdict::kPartial, "PARTIAL"},
    {Verdict::kPassed, "PASSED"},
}};

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  for (const auto& [v, name] : kNames) {
    if (v == verdict) return name;
  }
  return "FAILED";
}

std::optional<Verdict> verdict_from_name(std::string_view name) {
  for (const auto& [v, n] : kNames) {
    if (n == name) return v;
  }
  return std::nullopt;
}

Verdict stage_verdict(const StageResult& stage) {
  if (stage.interrupted) return Verdict::kInterrupted;
  if (stage.aborted) return Verdict::kAborted;
  for (const auto& t : stage.thresholds) {
    if (!t.passed) return Verdict::kFailed;
  }
  return stage.partial ? Verdict::kPartial : Verdict::kPassed;
}

Verdict worse(Verdict a, Verdict b) { return static_cast<int>(a) < static_cast<int>(b) ? a : b; }

int exit_code(Verdict verdict, bool allow_partial) {
  switch (verdict) {
    case Verdict::kInterrupted:
      return kExitInterrupted;
    case Verdict::kAborted:
      return kExitIncomplete;
    case Verdict::kFailed:
      return kExitThresholdFailed;
    case Verdict::kPartial:
      return allow_partial ? kExitPassed : kExitThresholdFailed;
    case Verdict::kPassed:
      return kExitPassed;
  }
  return kExitThresholdFailed;
}

}  // namespace wsload::controller
