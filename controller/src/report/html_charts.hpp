#pragma once
// Inline SVG charts for the HTML report: line charts over the timeline (linear or logarithmic y
// axis, time ticks on x, a legend) and horizontal bar charts. No script, no external resource.
// Pure.
#include <cstdint>
#include <string>
#include <vector>

namespace wsload::controller::html {

enum class YScale { kLinear, kLog };
enum class YUnit { kCount, kMillis };  // tick labels: count_tick or duration_tick

struct ChartSeries {
  std::string name;  // legend text, and the path's data-series
  std::string color;
  std::vector<double> values;  // one per x; on a log axis values <= 0 are gaps (no samples)
  bool dashed = false;         // a total drawn over its parts
};

struct LineChart {
  std::string id;     // element id, also data-chart
  std::string title;  // escaped when drawn
  std::string y_label;
  YScale scale = YScale::kLinear;
  YUnit unit = YUnit::kCount;
  std::vector<double> xs;  // seconds since the start, ascending
  std::vector<ChartSeries> series;
};

// Nice linear ticks from 0 to at least `max` in steps of 1, 2 or 5 times a power of ten (about
// `count` of them); {0, 1} when max <= 0.
std::vector<double> linear_ticks(double max, int count = 5);
// The 1-2-5 values of each decade from the largest one <= `lo` to the smallest one >= `hi`
// (lo, hi > 0), at least two.
std::vector<double> log_ticks(double lo, double hi);
// Time ticks from 0 to at least `max_s`: the smallest step of 0.5, 1, 2, 5, 10, 15, 30 s, 1, 2, 5,
// 10, 15, 30 min, 1 h (then doubled) that needs at most 5 intervals.
std::vector<double> time_ticks(double max_s);

// <svg class="chart" id=.. data-chart=.. data-scale="linear|log">: title, legend, y ticks with
// units and grid lines, x ticks in seconds, one <path data-series> per series (a dot for a lone
// point between gaps); "no samples" across the plot when no series has a point to draw.
std::string line_chart_svg(const LineChart& chart);

struct Bar {
  std::string label;  // escaped when drawn
  uint64_t value = 0;
  std::string color;
};

// <svg class="chart bars" id=..>: one horizontal bar per entry, labelled with its count, and a
// count axis with ticks.
std::string bar_chart_svg(const std::string& id, const std::string& title,
                          const std::vector<Bar>& bars);

}  // namespace wsload::controller::html
