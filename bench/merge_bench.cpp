// Controller merge cost: N simulated agents each send one interval report per second (counters and
// four histograms, serialized as on the wire). Measures the CPU the controller spends decoding and
// merging one second of reports, as it does in Coordinator::execute.
//   usage: merge_bench [agents=200] [seconds=20]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <vector>

#include "wsload/proto/convert.hpp"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// One agent's one-second delta at `rate` replies/s with log-normal latencies around 1 ms.
wsload::v1::Metrics make_report(std::mt19937_64& rng, int rate) {
  std::lognormal_distribution<double> latency(std::log(1000.0), 0.6);
  wsload::shared::MetricsDelta d;
  d.counters.messages_sent = rate;
  d.counters.replies = rate;
  d.counters.messages_received = rate;
  for (int i = 0; i < rate; ++i) {
    const auto v = static_cast<int64_t>(latency(rng));
    d.latency.record(v);
    d.latency_service.record(v * 9 / 10);
  }
  for (int i = 0; i < 50; ++i) d.connect_time.record(static_cast<int64_t>(latency(rng)) * 3);
  wsload::v1::Metrics wire;
  wsload::proto::to_wire(d, &wire);
  return wire;
}

}  // namespace

int main(int argc, char** argv) {
  const int agents = argc > 1 ? std::atoi(argv[1]) : 200;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 20;
  std::mt19937_64 rng(42);
  std::vector<std::string> payloads;
  size_t bytes = 0;
  for (int a = 0; a < agents; ++a) {
    payloads.push_back(make_report(rng, 5000).SerializeAsString());
    bytes += payloads.back().size();
  }

  wsload::shared::MetricsDelta total, window, scratch;
  const double start = cpu_seconds();
  for (int s = 0; s < seconds; ++s) {
    for (const auto& payload : payloads) {
      wsload::v1::Metrics wire;
      wire.ParseFromString(payload);
      if (!wsload::proto::from_wire(wire, &scratch)) return 1;  // reuses scratch's storage
      total.merge(scratch);                                     // the agent's running total
      window.merge(scratch);                                    // the timeline/live interval
    }
    // Percentiles of the interval, as the live view and timeline compute them once a second.
    (void)window.latency.value_at_percentile(50);
    (void)window.latency.value_at_percentile(99);
    window = {};
  }
  const double cpu = cpu_seconds() - start;
  std::printf("merge_bench: %d agents, %d simulated seconds, %.1f KiB of reports per second\n",
              agents, seconds, static_cast<double>(bytes) / 1024.0);
  std::printf("controller CPU per second of merged reports: %.1f ms (%.2f%% of one core)\n",
              1000.0 * cpu / seconds, 100.0 * cpu / seconds);
  std::printf("merged latency samples: %llu, p99 %.3f ms\n",
              static_cast<unsigned long long>(total.latency.count()),
              static_cast<double>(total.latency.value_at_percentile(99)) / 1000.0);
  return 0;
}
