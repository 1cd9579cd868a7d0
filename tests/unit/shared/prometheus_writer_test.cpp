#include "wsload/shared/prometheus_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace wsload::shared {
namespace {

TEST(PrometheusWriter, CounterGetsHelpTypeAndTotalSuffix) {
  PrometheusWriter w;
  w.counter("requests", "Requests served.", 42);
  EXPECT_EQ(w.text(),
            "# HELP requests_total Requests served.\n"
            "# TYPE requests_total counter\n"
            "requests_total 42\n");
}

TEST(PrometheusWriter, CounterKeepsExistingTotalSuffix) {
  PrometheusWriter w;
  w.counter("bytes_total", "Bytes.", 1);
  EXPECT_NE(w.text().find("\nbytes_total 1\n"), std::string::npos);
  EXPECT_EQ(w.text().find("bytes_total_total"), std::string::npos);
}

TEST(PrometheusWriter, GaugeAndLabelsAnnouncedOncePerFamily) {
  PrometheusWriter w;
  w.gauge("open", "Open.", 3);
  w.counter("rejected", "Rejected.", 1, {{"status", "401"}});
  w.counter("rejected", "Rejected.", 2, {{"status", "429"}});
  EXPECT_EQ(w.text(),
            "# HELP open Open.\n# TYPE open gauge\nopen 3\n"
            "# HELP rejected_total Rejected.\n# TYPE rejected_total counter\n"
            "rejected_total{status=\"401\"} 1\nrejected_total{status=\"429\"} 2\n");
}

TEST(PrometheusWriter, EscapesLabelValuesAndHelp) {
  PrometheusWriter w;
  w.gauge("g", "line1\nback\\slash", 1, {{"path", "a\"b\\c\nd"}});
  EXPECT_NE(w.text().find("# HELP g line1\\nback\\\\slash\n"), std::string::npos);
  EXPECT_NE(w.text().find("g{path=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos);
}

TEST(PrometheusWriter, SanitizesNames) {
  EXPECT_EQ(sanitize_metric_name("http.requests-count"), "http_requests_count");
  EXPECT_EQ(sanitize_metric_name("9lives"), "_9lives");
  EXPECT_EQ(sanitize_metric_name("ok:name_1"), "ok:name_1");
  EXPECT_EQ(sanitize_metric_name(""), "_");
}

TEST(PrometheusWriter, FormatsValues) {
  EXPECT_EQ(format_sample_value(0), "0");
  EXPECT_EQ(format_sample_value(12345678901.0), "12345678901");
  EXPECT_EQ(format_sample_value(0.5), "0.5");
  EXPECT_EQ(format_sample_value(-2), "-2");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(std::nan("")), "NaN");
  // The shortest text that reads back as the same double.
  EXPECT_EQ(format_sample_value(2.701), "2.701");
  EXPECT_EQ(format_sample_value(0.0001), "0.0001");
  EXPECT_EQ(format_sample_value(2006982 / 1e6), "2.006982");
  EXPECT_EQ(format_sample_value(1.5e-9), "1.5e-09");
}

TEST(PrometheusWriter, SecondsTextIsExactDecimal) {
  EXPECT_EQ(seconds_text(100), "0.0001");
  EXPECT_EQ(seconds_text(250), "0.00025");
  EXPECT_EQ(seconds_text(1), "0.000001");
  EXPECT_EQ(seconds_text(1'000'000), "1");
  EXPECT_EQ(seconds_text(2'500'000), "2.5");
  EXPECT_EQ(seconds_text(60'000'000), "60");
  EXPECT_EQ(seconds_text(0), "0");
}

// Oracle: sorted samples. Below 2048 us every value has its own bucket, so the counts are exact;
// above, a sample is counted under b only if it is <= b, and every sample <= b - b/1024 is.
TEST(CumulativeCounts, MatchSortedSamplesWithinTheHistogramsResolution) {
  std::mt19937_64 rng(15);
  std::uniform_real_distribution<double> log_us(0, std::log(120e6));
  std::vector<int64_t> samples;
  Histogram h;
  for (int i = 0; i < 20000; ++i) {
    const auto v = static_cast<int64_t>(std::exp(log_us(rng)));
    samples.push_back(std::max<int64_t>(v, 1));
    h.record(v);
  }
  for (int64_t b : kSecondsBucketsUs) {  // on the bounds and next to them
    for (int64_t v : {b - 1, b, b + 1}) {
      samples.push_back(v);
      h.record(v);
    }
  }
  std::sort(samples.begin(), samples.end());
  const auto below = [&](double x) {
    return static_cast<uint64_t>(std::upper_bound(samples.begin(), samples.end(), x) -
                                 samples.begin());
  };
  const auto counts = cumulative_counts(h, kSecondsBucketsUs);
  ASSERT_EQ(counts.size(), std::size(kSecondsBucketsUs));
  for (size_t i = 0; i < counts.size(); ++i) {
    const auto b = kSecondsBucketsUs[i];
    EXPECT_LE(counts[i], below(static_cast<double>(b))) << b;
    EXPECT_GE(counts[i], below(static_cast<double>(b) * (1 - 1.0 / 1024))) << b;
    if (b < 2048) {
      EXPECT_EQ(counts[i], below(static_cast<double>(b))) << b;
    }
    if (i > 0) {
      EXPECT_GE(counts[i], counts[i - 1]);
    }
  }
}

TEST(CumulativeCounts, CountsASampleUnderTheFirstBoundItsBucketFitsUnder) {
  Histogram h;
  h.record(2500);  // bucket [2500, 2501] above 2048 us: not certainly <= 2500
  h.record(2048);  // bucket [2048, 2049]
  h.record(5000);  // bucket [5000, 5003]
  const int64_t bounds[] = {2048, 2049, 2500, 2501, 5003};
  EXPECT_EQ(cumulative_counts(h, bounds), (std::vector<uint64_t>{0, 1, 1, 2, 3}));
  EXPECT_EQ(cumulative_counts(Histogram{}, bounds), (std::vector<uint64_t>(5, 0)));
}

TEST(PrometheusWriter, HistogramInSeconds) {
  Histogram h;
  h.record(100);
  h.record(400);
  h.record(90'000'000);  // beyond the last bound: only under +Inf
  PrometheusWriter w;
  w.histogram("rt_seconds", "Round trip.", h, {{"stage", "a"}});
  const auto& t = w.text();
  EXPECT_TRUE(
      t.starts_with("# HELP rt_seconds Round trip.\n# TYPE rt_seconds histogram\n"
                    "rt_seconds_bucket{stage=\"a\",le=\"0.0001\"} 1\n"
                    "rt_seconds_bucket{stage=\"a\",le=\"0.00025\"} 1\n"
                    "rt_seconds_bucket{stage=\"a\",le=\"0.0005\"} 2\n"))
      << t;
  EXPECT_NE(t.find("rt_seconds_bucket{stage=\"a\",le=\"60\"} 2\n"
                   "rt_seconds_bucket{stage=\"a\",le=\"+Inf\"} 3\n"
                   "rt_seconds_sum{stage=\"a\"} 90.0005\n"
                   "rt_seconds_count{stage=\"a\"} 3\n"),
            std::string::npos)
      << t;
  EXPECT_TRUE(t.ends_with("rt_seconds_count{stage=\"a\"} 3\n"));
}

}  // namespace
}  // namespace wsload::shared
