#pragma once
// A scenario's load shape in words, for the text summary, the HTML report, validate and the live
// view's stage line. Pure.
#include <string>

#include "wsload/shared/scenario.hpp"

namespace wsload::controller {

// "100 connections, ramp-up 10s, hold 30s" for a ramp (as the text summary always read);
// "stages 60 over 1s, 60 over 1s, 120 over 500ms, 0 over 1s (peak 120)";
// "arrivals 40/s, lifetime 300ms, duration 2s (80 sessions)".
std::string describe_load(const shared::LoadSpec& load);

}  // namespace wsload::controller
