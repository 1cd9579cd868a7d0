#include "wsload/shared/prometheus_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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
}

}  // namespace
}  // namespace wsload::shared
