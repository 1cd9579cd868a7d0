#pragma once
// The per-agent part of the text summary. Up to kAgentLinesInFull agents get one line each; more
// are folded into one summary line and the lines of the worst agents (lost first, then the most
// errors, then the highest p99), so a run over 60 agents reads in a few lines. The JSON report
// keeps every agent.
#include <cstddef>
#include <ostream>
#include <vector>

#include "wsload/controller/stage_result.hpp"

namespace wsload::controller {

inline constexpr size_t kAgentLinesInFull = 16;
inline constexpr size_t kWorstAgentsShown = 5;

// The indexes of the `count` worst agents, worst first: lost before not lost, then more errors
// (shared::Counters::error_count), then higher p99 latency (none counts as lowest), then the lower
// index. Pure.
std::vector<size_t> worst_agents(const std::vector<AgentResult>& agents, size_t count);

// "Agents:" and its lines, folded beyond kAgentLinesInFull agents.
void write_agent_lines(std::ostream& out, const StageResult& r);

}  // namespace wsload::controller
