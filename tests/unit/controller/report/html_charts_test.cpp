#include "report/html_charts.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "report/html_format.hpp"

namespace wsload::controller::html {
namespace {

void expect_ticks(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], 1e-9) << i;
}

TEST(HtmlCharts, LinearTicksAreNiceStepsFromZero) {
  expect_ticks(linear_ticks(20), {0, 5, 10, 15, 20});
  expect_ticks(linear_ticks(7.3), {0, 2, 4, 6, 8});
  expect_ticks(linear_ticks(0.3), {0, 0.1, 0.2, 0.3});
  expect_ticks(linear_ticks(0), {0, 1});  // nothing to draw: still an axis
}

TEST(HtmlCharts, LogTicksCoverTheRangeIn125Steps) {
  expect_ticks(log_ticks(0.2, 162), {0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200});
  expect_ticks(log_ticks(0.35, 0.9), {0.2, 0.5, 1});
  expect_ticks(log_ticks(1, 1), {1, 2});  // one value: still two ticks
}

TEST(HtmlCharts, TimeTicksTakeAtMostFiveSteps) {
  expect_ticks(time_ticks(3), {0, 1, 2, 3});
  expect_ticks(time_ticks(1.5), {0, 0.5, 1, 1.5});
  expect_ticks(time_ticks(45), {0, 10, 20, 30, 40, 50});
  expect_ticks(time_ticks(100), {0, 30, 60, 90, 120});
  EXPECT_EQ(time_ticks(3 * 3600).size(), 4u);  // 1 h steps
}

TEST(HtmlCharts, LabelsCarryUnits) {
  EXPECT_EQ(duration_tick(0.5), "500 µs");
  EXPECT_EQ(duration_tick(20), "20 ms");
  EXPECT_EQ(duration_tick(2000), "2 s");
  EXPECT_EQ(duration(0.512), "512 µs");
  EXPECT_EQ(duration(1.6234), "1.62 ms");
  EXPECT_EQ(duration(162), "162 ms");
  EXPECT_EQ(duration(1620), "1.62 s");
  EXPECT_EQ(duration(std::nullopt), "-");
  EXPECT_EQ(seconds_tick(2.5), "2.5s");
  EXPECT_EQ(seconds_tick(150), "2m30s");
  EXPECT_EQ(seconds_tick(300), "5m");
  EXPECT_EQ(count_tick(15000), "15k");
}

// The y pixel of each point of the path of `series`, in order.
std::vector<double> path_ys(const std::string& svg, const std::string& series) {
  const std::regex path("<path d=\"([^\"]*)\"[^>]*data-series=\"" + series + "\"");
  std::smatch m;
  if (!std::regex_search(svg, m, path)) return {};
  std::vector<double> ys;
  const std::string d = m[1];
  const std::regex point("[ML](-?[\\d.]+),(-?[\\d.]+)");
  for (auto it = std::sregex_iterator(d.begin(), d.end(), point); it != std::sregex_iterator();
       ++it)
    ys.push_back(std::stod((*it)[2]));
  return ys;
}

TEST(HtmlCharts, LogScaleKeepsPercentilesApartUnderASpike) {
  LineChart c{"latency", "Latency", "latency", YScale::kLog, YUnit::kMillis, {1, 2, 3}, {}};
  c.series = {{"p50", "#1f77b4", {0.2, 0.2, 0.2}},
              {"p99", "#d62728", {0.9, 0.9, 0.9}},
              {"max", "#9467bd", {2, 162, 2}}};
  const auto svg = line_chart_svg(c);
  EXPECT_NE(svg.find("data-scale=\"log\""), std::string::npos);
  EXPECT_NE(svg.find(">200 µs</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">100 ms</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">2s</text>"), std::string::npos) << svg;  // a time tick
  const auto p50 = path_ys(svg, "p50"), p99 = path_ys(svg, "p99");
  ASSERT_EQ(p50.size(), 3u);
  ASSERT_EQ(p99.size(), 3u);
  // On a linear axis to 200 ms these lie within 1 px of each other; on the log axis (3 decades over
  // 192 px) p99, 4.5 times p50, is about 42 px above it.
  EXPECT_GT(p50[0] - p99[0], 35);
}

TEST(HtmlCharts, NoSamplesIsAGapOnTheLogAxis) {
  LineChart c{"latency", "Latency", "latency", YScale::kLog, YUnit::kMillis, {1, 2, 3, 4}, {}};
  c.series = {{"p50", "#1f77b4", {1, 0, 2, 3}}};
  const auto svg = line_chart_svg(c);
  EXPECT_EQ(path_ys(svg, "p50").size(), 3u);
  EXPECT_NE(svg.find(" M"), std::string::npos) << svg;  // a second segment after the gap
  EXPECT_NE(svg.find("<circle"), std::string::npos);    // the lone first point as a dot
}

TEST(HtmlCharts, AChartWithNothingToDrawSaysSo) {
  LineChart c{"latency", "Latency", "latency", YScale::kLog, YUnit::kMillis, {1, 2}, {}};
  c.series = {{"p50", "#1f77b4", {0, 0}}};
  const auto svg = line_chart_svg(c);
  EXPECT_EQ(svg.find("<path"), std::string::npos);
  EXPECT_NE(svg.find(">no samples</text>"), std::string::npos);
  c.series[0].values = {1, 2};
  c.series.push_back({"total", "#d62728", {1, 2}, true});
  EXPECT_NE(line_chart_svg(c).find("stroke-dasharray=\"5 4\" data-series=\"total\""),
            std::string::npos);
}

TEST(HtmlCharts, BarsCarryTheirCountsAndEscapeLabels) {
  const auto svg =
      bar_chart_svg("reasons", "Errors by reason",
                    {{"connection failed: http_401", 20, "#d62728"}, {"step <b>", 3, "#bcbd22"}});
  EXPECT_NE(svg.find("data-label=\"connection failed: http_401\" data-count=\"20\""),
            std::string::npos);
  EXPECT_NE(svg.find("step &lt;b&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
}

}  // namespace
}  // namespace wsload::controller::html
