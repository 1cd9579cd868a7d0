#pragma once
// /api/live (schema wsload.live/v1, README "Live dashboard"): the running stage as JSON, built
// from one LiveFrame. The metric sections (connections, messages, errors, push, schedule) carry
// the keys and units of the final JSON report (wsload.report/v1); the rest is documented in the
// README. Pure.
#include <nlohmann/json.hpp>

#include "run/live_frame.hpp"

namespace wsload::controller {

// Everything but the timeline and the run's place (state, stage, verdict: web_dashboard.cpp).
nlohmann::json live_json(const LiveFrame& frame);

// count, min/avg/p50/p90/p99/max in ms of `h` (null stats when it is empty).
nlohmann::json live_distribution(const shared::Histogram& h);

}  // namespace wsload::controller
