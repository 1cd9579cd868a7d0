#pragma once
// Whether this machine has a core to spare: the one-minute load average (runnable and
// uninterruptible tasks, /proc/loadavg) plus one stays within the cores this process may run on.
// The agent polls before precise sends only then (wake_policy.hpp); on a saturated machine the
// polling would take the CPU from the very work it waits for.
namespace wsload::agent {

// Pure: `load1` is the one-minute load average, `cores` the usable cores (0 counts as 1).
bool has_spare_core(double load1, unsigned cores);

// has_spare_core() for this machine now; true when the load cannot be read.
bool machine_has_spare_core();

}  // namespace wsload::agent
