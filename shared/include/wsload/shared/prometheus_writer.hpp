#pragma once
// Prometheus text exposition format 0.0.4 writer (HELP/TYPE lines, counters, gauges, histograms).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wsload/shared/histogram.hpp"

namespace wsload::shared {

using Labels = std::vector<std::pair<std::string, std::string>>;

// The upper bounds (`le`) of every exported duration histogram, in microseconds (exported in
// seconds: 0.0001 ... 60), +Inf implied.
inline constexpr int64_t kSecondsBucketsUs[] = {
    100,     250,     500,     1'000,     2'500,     5'000,     10'000,     25'000,     50'000,
    100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};

// Cumulative counts of `h` under each bound of `bounds_us` (increasing), exact from its buckets: a
// sample counts under bound b iff the highest value of the bucket it was recorded in is <= b. The
// resolution is the histogram's: up to 2048 us every value has its own bucket, so the counts are
// exact; above, a sample less than 1/1024 of b below b may be counted only under the next bound
// (never a sample above b under b).
std::vector<uint64_t> cumulative_counts(const Histogram& h, std::span<const int64_t> bounds_us);

// "0.00025" for 250: a whole number of microseconds as decimal seconds, exactly.
std::string seconds_text(int64_t us);

// Writes metric families in order. Each family is announced once (HELP + TYPE) by
// counter()/gauge()/histogram(); samples follow. Counter names must end in "_total" (the writer
// appends it when missing). Names are sanitized to [a-zA-Z_:][a-zA-Z0-9_:]*; label values and HELP
// text are escaped per the format.
class PrometheusWriter {
 public:
  void counter(std::string_view name, std::string_view help, double value,
               const Labels& labels = {});
  void gauge(std::string_view name, std::string_view help, double value, const Labels& labels = {});
  // A duration histogram in seconds from `h` (microseconds): name_bucket{le=...} for each bound of
  // kSecondsBucketsUs and +Inf, name_sum (the exact sum, in seconds) and name_count.
  void histogram(std::string_view name, std::string_view help, const Histogram& h,
                 const Labels& labels = {});

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  void family(std::string_view name, std::string_view help, std::string_view type);
  void sample(std::string_view name, double value, const Labels& labels);

  std::string out_;
  std::vector<std::string> announced_;
};

std::string sanitize_metric_name(std::string_view name);
// The shortest text that reads back as `value` ("2.701", not "2.7010000000000001").
std::string format_sample_value(double value);

}  // namespace wsload::shared
