#include "cpu_headroom.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>

namespace wsload::agent {

bool has_spare_core(double load1, unsigned running, unsigned cores) {
  if (cores == 0) cores = 1;
  return load1 + 1.0 <= static_cast<double>(cores) && running <= cores;
}

std::optional<LoadSample> parse_loadavg(std::string_view text) {
  LoadSample s;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  auto [after_load, ec] = std::from_chars(p, end, s.load1);
  if (ec != std::errc() || after_load == end) return std::nullopt;
  // Skip the 5- and 15-minute averages to "running/total".
  const std::string_view rest(after_load, static_cast<size_t>(end - after_load));
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const size_t space = rest.rfind(' ', slash);
  if (space == std::string_view::npos) return std::nullopt;
  auto [after_running, ec2] =
      std::from_chars(rest.data() + space + 1, rest.data() + slash, s.running);
  if (ec2 != std::errc() || after_running != rest.data() + slash) return std::nullopt;
  return s;
}

bool machine_has_spare_core() {
  const int fd = ::open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  char buffer[128];
  const ssize_t n = ::read(fd, buffer, sizeof(buffer));
  ::close(fd);
  if (n <= 0) return true;
  const auto sample = parse_loadavg(std::string_view(buffer, static_cast<size_t>(n)));
  if (!sample) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  const unsigned cores =
      sched_getaffinity(0, sizeof(set), &set) == 0 ? static_cast<unsigned>(CPU_COUNT(&set)) : 1;
  return has_spare_core(sample->load1, sample->running, cores);
}

}  // namespace wsload::agent
