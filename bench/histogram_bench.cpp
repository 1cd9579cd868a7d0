// Histogram costs on the hot path: record() per sample, merge() and serialize() per interval.
//   usage: histogram_bench [samples=50000000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "wsload/shared/histogram.hpp"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const long samples = argc > 1 ? std::atol(argv[1]) : 50'000'000;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(std::log(500.0), 1.0);
  std::vector<int64_t> values(1 << 16);
  for (auto& v : values) v = static_cast<int64_t>(dist(rng));

  wsload::shared::Histogram h;
  auto t0 = Clock::now();
  for (long i = 0; i < samples; ++i) h.record(values[static_cast<size_t>(i) & (values.size() - 1)]);
  const double record_ns =
      std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / samples;

  wsload::shared::Histogram other = h, target;
  constexpr int kMerges = 2000;
  t0 = Clock::now();
  for (int i = 0; i < kMerges; ++i) target.merge(other);
  const double merge_us =
      std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / kMerges;

  t0 = Clock::now();
  std::string bytes;
  for (int i = 0; i < kMerges; ++i) bytes = h.serialize();
  const double serialize_us =
      std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / kMerges;

  std::printf(
      "histogram_bench: record %.2f ns/sample, merge %.1f us, serialize %.1f us (%zu bytes for "
      "%llu samples)\n",
      record_ns, merge_us, serialize_us, bytes.size(), static_cast<unsigned long long>(h.count()));
  std::printf("p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", h.value_at_percentile(50) / 1000.0,
              h.value_at_percentile(99) / 1000.0, h.max() / 1000.0);
  return 0;
}
