#pragma once
// What a running stage looks like at one instant, handed every second to whoever shows it live
// (--metrics-listen, --web). Everything is borrowed from the coordinator for the duration of one
// publish() call; a publisher copies or formats what it keeps.
#include <map>
#include <span>
#include <string>

#include "report/interval_views.hpp"
#include "wsload/controller/stage_result.hpp"
#include "wsload/shared/metric_catalog.hpp"
#include "wsload/shared/session_plan.hpp"

namespace wsload::controller {

struct LiveFrame {
  const shared::Scenario& scenario;
  const shared::PartIndex& parts;
  // Everything merged so far: delta, open (summed last gauges), peak_open, duration_s (the time
  // since the synchronized start) and ramp_up_s, as the final report reads them.
  shared::RunFigures figures;
  std::span<const AgentExposition> agents;
  std::span<const TimelinePoint> timeline;  // every aligned point so far
  std::string phase;                        // ramp-up, hold, ramp-down, drain
  uint64_t target = 0;                      // connections the load plan has open now
  double planned_s = 0;                     // the load plan's length
  unsigned agents_healthy = 0;
  unsigned agents_total = 0;
  const std::map<std::string, double>* server = nullptr;  // the monitor's fields; null without
  std::string server_error;                               // why the last monitor poll failed
};

// Receives the frames of every stage of a run, on the coordinator's thread.
class LivePublisher {
 public:
  virtual ~LivePublisher() = default;
  virtual void publish(const LiveFrame& frame) = 0;
};

}  // namespace wsload::controller
