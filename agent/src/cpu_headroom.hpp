#pragma once
// Whether this machine has a core to spare: the one-minute load average (runnable and
// uninterruptible tasks, /proc/loadavg) plus one stays within the cores this process may run on,
// and so does the number of tasks runnable right now (the average lags a sudden burst by seconds:
// 56 agents starting their pings together after a quiet minute). The agent polls before precise
// sends only then (wake_policy.hpp); on a saturated machine the polling would take the CPU from
// the very work it waits for.
#include <optional>
#include <string_view>

namespace wsload::agent {

// Pure: `load1` is the one-minute load average, `running` the tasks runnable now (this one
// included), `cores` the usable cores (0 counts as 1).
bool has_spare_core(double load1, unsigned running, unsigned cores);

struct LoadSample {
  double load1 = 0;
  unsigned running = 0;
};
// Parses /proc/loadavg ("0.43 3.68 12.52 2/878 12345"); nullopt when malformed.
std::optional<LoadSample> parse_loadavg(std::string_view text);

// has_spare_core() for this machine now; true when the load cannot be read.
bool machine_has_spare_core();

}  // namespace wsload::agent
