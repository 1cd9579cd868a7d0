#include <sys/resource.h>

#include <filesystem>
#include <system_error>

#include "wsload/agent/engine.hpp"

namespace wsload::agent {
namespace {
constexpr uint64_t kFdReserve = 64;  // gRPC, logs, resolver, TLS files
}

uint64_t fd_budget() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  uint64_t limit = lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : lim.rlim_cur;
  uint64_t in_use = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++in_use;
  }
  uint64_t used = in_use + kFdReserve;
  return limit > used ? limit - used : 0;
}

}  // namespace wsload::agent
