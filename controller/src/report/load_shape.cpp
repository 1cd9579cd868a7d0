#include "report/load_shape.hpp"

#include <fmt/format.h>

#include "wsload/shared/duration.hpp"
#include "wsload/shared/load_plan.hpp"

namespace wsload::controller {

std::string describe_load(const shared::LoadSpec& load) {
  using shared::format_duration;
  if (load.arrival) {
    return fmt::format("arrivals {}, lifetime {}, duration {} ({} sessions)",
                       shared::format_arrival_rate(*load.arrival),
                       format_duration(load.arrival->lifetime),
                       format_duration(load.arrival->duration), load.connections);
  }
  if (!load.stages.empty()) {
    std::string stages;
    for (const auto& stage : load.stages) {
      stages += fmt::format("{}{} over {}", stages.empty() ? "" : ", ", stage.to,
                            format_duration(stage.over));
    }
    return fmt::format("stages {} (peak {})", stages, load.connections);
  }
  return fmt::format("{} connections, ramp-up {}, hold {}", load.connections,
                     format_duration(load.ramp_up), format_duration(load.hold));
}

}  // namespace wsload::controller
