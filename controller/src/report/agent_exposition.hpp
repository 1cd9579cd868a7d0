#pragma once
// The per-agent part of live_exposition (interval_views.hpp). Pure.
#include <span>

#include "report/interval_views.hpp"
#include "wsload/shared/prometheus_writer.hpp"

namespace wsload::controller {

// wsload_agent_up (1/0), wsload_agent_connections_open and the wsload_agent_*_total counters, one
// series per agent labelled `stage` and agent=<endpoint>; agents beyond kMaxAgentSeries are summed
// under agent="other" (which has no up gauge). Nothing without agents.
void write_agent_series(shared::PrometheusWriter& w, std::span<const AgentExposition> agents,
                        const shared::Labels& stage);

}  // namespace wsload::controller
