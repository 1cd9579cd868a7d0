#include "cpu_headroom.hpp"

#include <sched.h>

#include <cstdlib>

namespace wsload::agent {

bool has_spare_core(double load1, unsigned cores) {
  if (cores == 0) cores = 1;
  return load1 + 1.0 <= static_cast<double>(cores);
}

bool machine_has_spare_core() {
  double load[1] = {0};
  if (getloadavg(load, 1) != 1) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  const unsigned cores =
      sched_getaffinity(0, sizeof(set), &set) == 0 ? static_cast<unsigned>(CPU_COUNT(&set)) : 1;
  return has_spare_core(load[0], cores);
}

}  // namespace wsload::agent
