#include "cli/validate_plan.hpp"

#include <fmt/format.h>

#include "report/load_shape.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/load_plan.hpp"
#include "wsload/shared/planner.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::controller {
namespace {

using shared::format_duration;

// " from START" when the stream waits for a point of the stage (`start`), else "".
std::string from_start(const shared::MessagesSpec& stream) {
  if (stream.start.count() == 0) return "";
  return " from " + format_duration(stream.start);
}

std::string describe_match(const shared::Match& match, std::chrono::nanoseconds timeout) {
  if (match.mode == shared::Match::Mode::kNone) return "match none";
  return fmt::format("match {}, timeout {}", match.to_string(), format_duration(timeout));
}

std::string describe_step(const shared::StepSpec& step) {
  std::vector<std::string> parts;
  if (step.send) parts.emplace_back("send");
  if (step.expect) {
    if (step.expect->where.empty()) {
      parts.push_back(
          fmt::format("expect {}", describe_match(step.expect->match, step.expect->timeout)));
    } else {
      std::string where;
      for (const auto& [field, value] : step.expect->where) {
        where += fmt::format("{}{}={}", where.empty() ? "" : " ", field, value);
      }
      parts.push_back(
          fmt::format("expect where {}, timeout {}", where, format_duration(step.expect->timeout)));
    }
  }
  if (!step.capture.empty()) {
    std::string vars;
    for (const auto& [var, field] : step.capture) vars += (vars.empty() ? "" : " ") + var;
    parts.push_back("capture " + vars);
  }
  if (step.wait.count() > 0) parts.push_back("wait " + format_duration(step.wait));
  return fmt::format("{} ({})", step.name, fmt::join(parts, ", "));
}

void print_steps(std::ostream& out, std::string_view label,
                 const std::vector<shared::StepSpec>& steps) {
  if (steps.empty()) return;
  std::vector<std::string> text;
  text.reserve(steps.size());
  for (const auto& step : steps) text.push_back(describe_step(step));
  out << fmt::format("    {}: {}\n", label, fmt::join(text, "; "));
}

// Per group: its share, target, steps and streams.
void print_groups(std::ostream& out, const shared::Scenario& s, std::span<const uint64_t> counts) {
  for (size_t g = 0; g < s.groups.size(); ++g) {
    const shared::GroupSpec& group = s.groups[g];
    const std::string share =
        group.connections ? std::string("absolute") : fmt::format("weight {}", group.weight);
    out << fmt::format("  group {}: {} connections ({}) to {}\n", group.name, counts[g], share,
                       group.target.url);
    print_steps(out, "on_open", group.on_open);
    for (const auto& stream : group.streams) {
      out << fmt::format("    stream {}: every {}{}, {}\n", stream.name,
                         format_duration(stream.interval), from_start(stream),
                         describe_match(stream.match, stream.timeout));
    }
    if (group.streams.empty()) out << "    no streams (idle after on_open)\n";
    print_steps(out, "on_close", group.on_close);
  }
  for (const auto& feeder : s.data) {
    out << fmt::format("  data {}: {} rows ({}) from {}\n", feeder.name, feeder.row_count,
                       fmt::join(feeder.columns, ", "), feeder.file);
  }
}

// An instant of the plan, to the millisecond ("+9.9s", "+27ms").
std::string format_instant(std::chrono::nanoseconds d) {
  return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

// ", listeners 9, publishers 1": agent k's connections counted by group.
std::string agent_groups(const shared::Scenario& s, const shared::AgentSplit& split, size_t k) {
  std::string text;
  for (size_t g = 0; g < s.groups.size(); ++g) {
    const uint64_t count = split.group_shares.empty() ? split.shares[k] : split.group_shares[g][k];
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", s.groups[g].name, count);
  }
  return text;
}

// "100 connections" then ", ramp-up 10s, hold 30s, ramp-down 0s" for a ramp (as validate always
// printed it); the shape in words for stages and arrivals.
std::string load_text(const shared::LoadSpec& load, const std::string& where) {
  if (load.stages.empty() && !load.arrival) {
    return fmt::format("{} connections{}, ramp-up {}, hold {}, ramp-down {}", load.connections,
                       where, format_duration(load.ramp_up), format_duration(load.hold),
                       format_duration(load.ramp_down));
  }
  return describe_load(load) + where;
}

// The stage's line, its groups or messages, and its thresholds; false when its groups cannot be
// counted (the reason printed).
bool print_stage_head(std::ostream& out, const shared::Scenario& s) {
  if (s.has_sessions()) {
    std::vector<uint64_t> counts;
    const std::string why = shared::group_counts(s.load.connections, s.groups, &counts);
    if (!why.empty()) {
      out << fmt::format("\nstage {}: {}\n", s.name, why);
      return false;
    }
    out << fmt::format("\nstage {}: {}\n", s.name,
                       load_text(s.load, fmt::format(" in {} groups", s.groups.size())));
    print_groups(out, s, counts);
  } else {
    out << fmt::format("\nstage {}: {}\n", s.name, load_text(s.load, " to " + s.target.url));
    if (s.messages) {
      out << fmt::format("  messages every {} per connection{}, match {}, timeout {}\n",
                         format_duration(s.messages->interval), from_start(*s.messages),
                         s.messages->match.to_string(), format_duration(s.messages->timeout));
    } else {
      out << "  idle connections (no messages)\n";
    }
  }
  for (const auto& t : s.thresholds) out << "  threshold: " << t.expression << "\n";
  return true;
}

// When agent k's connections open: a ramp's first and last instants, as validate always printed
// them (without listing the ids: a plan may hold 2^32); the first and last session opens of
// stages; arrivals and how many of them overlap at most.
std::string agent_opens(const shared::Scenario& s, const shared::LoadPlan& plan,
                        const shared::AgentSplit& split, size_t k) {
  if (s.load.stages.empty() && !s.load.arrival) {
    const auto [lowest, highest] = shared::agent_id_range(split, k);
    const auto first = shared::scheduled_open(lowest, s.load.connections, s.load.ramp_up);
    const auto last = shared::scheduled_open(highest, s.load.connections, s.load.ramp_up);
    return fmt::format("{} connections, opening from +{} to +{}", split.shares[k],
                       format_instant(first), format_instant(last));
  }
  const std::vector<uint32_t> ids = shared::agent_ids(split, k);
  std::vector<shared::LoadPlan::Session> sessions;
  for (uint32_t id : ids) plan.sessions(id, sessions);
  auto first = sessions.front().open, last = first;
  for (const auto& session : sessions) {
    first = std::min(first, session.open);
    last = std::max(last, session.open);
  }
  if (s.load.arrival) {
    return fmt::format("{} arrivals from +{} to +{}, at most {} open at once", ids.size(),
                       format_instant(first), format_instant(last), plan.peak_of(ids));
  }
  return fmt::format("{} connections, {} sessions opening from +{} to +{}", ids.size(),
                     sessions.size(), format_instant(first), format_instant(last));
}

}  // namespace

void print_stage_plan(std::ostream& out, const shared::Scenario& s,
                      std::span<const AgentEndpoint> agents) {
  if (!print_stage_head(out, s)) return;
  std::vector<double> weights;
  weights.reserve(agents.size());
  for (const auto& a : agents) weights.push_back(a.weight);
  shared::AgentSplit split;
  if (!shared::split_agents(s.load.connections, shared::effective_groups(s), weights, &split)
           .empty()) {
    return;  // the group counts were refused above
  }
  const shared::LoadPlan plan(s.load);
  for (size_t i = 0; i < agents.size(); ++i) {
    if (split.shares[i] == 0) {
      out << fmt::format("  {}: 0 connections\n", agents[i].address);
      continue;
    }
    out << fmt::format("  {}: {}", agents[i].address, agent_opens(s, plan, split, i));
    if (s.has_sessions()) out << "; " << agent_groups(s, split, i);
    out << "\n";
  }
}

}  // namespace wsload::controller
