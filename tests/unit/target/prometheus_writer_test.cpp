#include "wsload/target/prometheus_writer.hpp"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "wsload/target/stats.hpp"

namespace wsload::target {
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

TEST(RenderMetrics, EverySampleBelongsToAnAnnouncedFamily) {
  StatsSnapshot s;
  s.connections_open = 7;
  s.rejected_429 = 3;
  std::string text = render_metrics(s);
  EXPECT_NE(text.find("wsload_target_connections_open 7\n"), std::string::npos);
  EXPECT_NE(text.find("wsload_target_rejected_total{status=\"429\"} 3\n"), std::string::npos);
  // Each sample line's metric name was declared by a preceding TYPE line.
  std::string declared;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    ASSERT_NE(end, std::string::npos) << "text must end with a newline";
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      declared = line.substr(7, line.find(' ', 7) - 7);
    } else if (line.rfind("# HELP ", 0) != 0) {
      std::string name = line.substr(0, line.find_first_of("{ "));
      EXPECT_EQ(name, declared) << line;
    }
  }
}

TEST(RenderStats, HasTheSpecFields) {
  StatsSnapshot s;
  s.connections_open = 1;
  s.connections_total = 2;
  s.messages_in = 3;
  s.messages_out = 4;
  s.broadcasts = 5;
  s.drops = 6;
  s.uptime_s = 1.5;
  std::string json = render_stats_json(s);
  for (const char* field : {"\"connections_open\":1", "\"connections_total\":2", "\"messages_in\":3",
                            "\"messages_out\":4", "\"broadcasts\":5", "\"drops\":6", "\"rejected_401\":0",
                            "\"rejected_429\":0", "\"rejected_503\":0", "\"uptime_s\":1.500"}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << " in " << json;
  }
  EXPECT_EQ(render_health_json(s), "{\"status\":\"ok\",\"uptime_s\":1.500,\"connections\":1}");
}

}  // namespace
}  // namespace wsload::target
