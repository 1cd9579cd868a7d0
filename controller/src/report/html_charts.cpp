#include "report/html_charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/html_format.hpp"

namespace wsload::controller::html {
namespace {

constexpr double kW = 760, kH = 280, kLeft = 72, kRight = 16, kTop = 46, kBottom = 42;
constexpr double kPlotH = kH - kTop - kBottom, kPlotW = kW - kLeft - kRight;
// Above this many 1-2-5 ticks a log axis labels only the powers of ten.
constexpr size_t kMaxLabelledLogTicks = 10;

// Maps a value to its pixel row.
struct YAxis {
  YScale scale;
  double lo, hi;
  double operator()(double v) const {
    const double f = scale == YScale::kLog
                         ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo))
                         : (v - lo) / (hi - lo);
    return kH - kBottom - kPlotH * f;
  }
};

bool is_power_of_ten(double v) {
  const double e = std::log10(v);
  return std::abs(e - std::round(e)) < 1e-9;
}

std::vector<double> y_ticks(const LineChart& c) {
  double lo = 0, hi = 0;
  for (const auto& s : c.series) {
    for (double v : s.values) {
      if (c.scale == YScale::kLog && v <= 0) continue;
      lo = lo == 0 ? v : std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (c.scale == YScale::kLinear) return linear_ticks(hi);
  return hi > 0 ? log_ticks(lo, hi) : log_ticks(1, 10);
}

std::string tick_label(const LineChart& c, double v) {
  return c.unit == YUnit::kMillis ? duration_tick(v) : count_tick(v);
}

std::string y_axis(const LineChart& c, const std::vector<double>& ticks, const YAxis& y) {
  std::string out = fmt::format("<g class=\"y-axis\" data-unit=\"{}\">",
                                c.unit == YUnit::kMillis ? "ms" : "count");
  const bool decades_only = c.scale == YScale::kLog && ticks.size() > kMaxLabelledLogTicks;
  for (double v : ticks) {
    const bool labelled = !decades_only || is_power_of_ten(v);
    out += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" class=\"{3}\"/>",
                       kLeft, y(v), kW - kRight, labelled ? "grid" : "grid minor");
    if (labelled) {
      out += fmt::format(
          "<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\" data-value=\"{:g}\">{}"
          "</text>",
          kLeft - 6, y(v) + 4, v, escape(tick_label(c, v)));
    }
  }
  out += fmt::format(
      "<text x=\"14\" y=\"{0}\" class=\"axis-label\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 14 {0})\">{1}</text></g>",
      kTop + kPlotH / 2, escape(c.y_label));
  return out;
}

std::string x_axis(const std::vector<double>& ticks, double x_hi) {
  std::string out = "<g class=\"x-axis\" data-unit=\"s\">";
  for (double t : ticks) {
    const double x = kLeft + kPlotW * t / x_hi;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"axis\"/><text "
        "x=\"{0:.1f}\" y=\"{3}\" class=\"tick\" text-anchor=\"middle\" data-value=\"{4:g}\">{5}"
        "</text>",
        x, kH - kBottom, kH - kBottom + 4, kH - kBottom + 16, t, seconds_tick(t));
  }
  out += fmt::format(
      "<text x=\"{}\" y=\"{}\" class=\"axis-label\" text-anchor=\"middle\">time since start</text>"
      "</g>",
      kLeft + kPlotW / 2, kH - 6);
  return out;
}

// One path per series; a value that cannot be drawn (<= 0 on a log axis) starts a new segment,
// and a segment of one point is drawn as a dot.
std::string series_marks(const LineChart& c, const YAxis& y, double x_hi) {
  std::string out;
  bool drawn = false;
  for (const auto& s : c.series) {
    std::string d, dots;
    size_t run = 0;
    double last_x = 0, last_y = 0;
    auto end_segment = [&] {
      if (run == 1) {
        dots += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>", last_x,
                            last_y, s.color);
      }
      run = 0;
    };
    for (size_t i = 0; i < c.xs.size() && i < s.values.size(); ++i) {
      const double v = s.values[i];
      if (c.scale == YScale::kLog && v <= 0) {
        end_segment();
        continue;
      }
      last_x = kLeft + kPlotW * c.xs[i] / x_hi;
      last_y = y(v);
      d += fmt::format("{}{:.1f},{:.1f}", d.empty() ? "M" : (run == 0 ? " M" : " L"), last_x,
                       last_y);
      ++run;
    }
    end_segment();
    if (!d.empty()) {
      out += fmt::format(
          "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"{} data-series=\"{}\"/>",
          d, s.color, s.dashed ? " stroke-dasharray=\"5 4\"" : "", escape(s.name));
      drawn = true;
    }
    out += dots;
  }
  if (!drawn) {
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" class=\"axis-label\" text-anchor=\"middle\">no samples</text>",
        kLeft + kPlotW / 2, kTop + kPlotH / 2);
  }
  return out;
}

std::string legend(const LineChart& c) {
  std::string out = "<g class=\"legend\">";
  double x = kLeft;
  for (const auto& s : c.series) {
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"31\" x2=\"{1}\" y2=\"31\" stroke=\"{2}\" stroke-width=\"3\"{3}/>"
        "<text x=\"{4}\" y=\"35\" class=\"legend\">{5}</text>",
        x, x + 18, s.color, s.dashed ? " stroke-dasharray=\"5 2\"" : "", x + 22, escape(s.name));
    x += 30 + 7.0 * static_cast<double>(s.name.size()) + 16;
  }
  return out + "</g>";
}

}  // namespace

std::vector<double> linear_ticks(double max, int count) {
  if (!(max > 0)) return {0, 1};
  const double raw = max / count;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  const double r = raw / magnitude;
  const double step = magnitude * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10);
  std::vector<double> ticks;
  const auto n = static_cast<int>(std::ceil(max / step - 1e-9));
  for (int i = 0; i <= n; ++i) ticks.push_back(step * i);
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> all;
  const int first = static_cast<int>(std::floor(std::log10(lo))) - 1;
  const int last = static_cast<int>(std::ceil(std::log10(hi))) + 1;
  for (int e = first; e <= last; ++e) {
    for (double m : {1.0, 2.0, 5.0}) all.push_back(m * std::pow(10, e));
  }
  size_t from = 0, to = all.size() - 1;
  while (from + 1 < all.size() && all[from + 1] <= lo * (1 + 1e-9)) ++from;
  while (to > 0 && all[to - 1] >= hi * (1 - 1e-9)) --to;
  if (to <= from) to = from + 1;
  return {all.begin() + static_cast<std::ptrdiff_t>(from),
          all.begin() + static_cast<std::ptrdiff_t>(to) + 1};
}

std::vector<double> time_ticks(double max_s) {
  if (!(max_s > 0)) max_s = 1;
  static constexpr double kSteps[] = {0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800};
  double step = 3600;
  for (double s : kSteps) {
    if (std::ceil(max_s / s - 1e-9) <= 5) {
      step = s;
      break;
    }
  }
  while (std::ceil(max_s / step - 1e-9) > 5) step *= 2;
  std::vector<double> ticks;
  const auto n = static_cast<int>(std::ceil(max_s / step - 1e-9));
  for (int i = 0; i <= n; ++i) ticks.push_back(step * i);
  return ticks;
}

std::string line_chart_svg(const LineChart& c) {
  const auto ticks = y_ticks(c);
  const YAxis y{c.scale, ticks.front(), ticks.back()};
  const auto xt = time_ticks(c.xs.empty() ? 1 : c.xs.back());
  const double x_hi = xt.back();
  std::string out = fmt::format(
      "<svg class=\"chart\" id=\"{0}\" data-chart=\"{0}\" data-scale=\"{1}\" viewBox=\"0 0 {2} "
      "{3}\" width=\"{2}\" height=\"{3}\" role=\"img\" aria-label=\"{4}\">",
      escape(c.id), c.scale == YScale::kLog ? "log" : "linear", kW, kH, escape(c.title));
  out += fmt::format("<text x=\"{}\" y=\"16\" class=\"title\">{}</text>", kLeft, escape(c.title));
  out += legend(c);
  out += y_axis(c, ticks, y);
  out += x_axis(xt, x_hi);
  out += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"axis\"/><line x1=\"{0}\" "
      "y1=\"{3}\" x2=\"{0}\" y2=\"{1}\" class=\"axis\"/>",
      kLeft, kH - kBottom, kW - kRight, kTop);
  out += series_marks(c, y, x_hi);
  return out + "</svg>";
}

std::string bar_chart_svg(const std::string& id, const std::string& title,
                          const std::vector<Bar>& bars) {
  constexpr double kLabelW = 260, kRow = 22, kHead = 30, kFoot = 34, kValueW = 60;
  const double height = kHead + kRow * static_cast<double>(bars.size()) + kFoot;
  const double bar_w = kW - kLabelW - kValueW;
  uint64_t max = 0;
  for (const auto& b : bars) max = std::max(max, b.value);
  const auto ticks = linear_ticks(static_cast<double>(max));
  const double x_hi = ticks.back();
  std::string out = fmt::format(
      "<svg class=\"chart bars\" id=\"{0}\" data-chart=\"{0}\" viewBox=\"0 0 {1} {2}\" "
      "width=\"{1}\" height=\"{2}\" role=\"img\" aria-label=\"{3}\"><text x=\"{4}\" y=\"16\" "
      "class=\"title\">{3}</text>",
      escape(id), kW, height, escape(title), kLabelW);
  const double axis_y = height - kFoot;
  for (double t : ticks) {
    const double x = kLabelW + bar_w * t / x_hi;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" class=\"grid\"/><text "
        "x=\"{0:.1f}\" y=\"{3}\" class=\"tick\" text-anchor=\"middle\">{4}</text>",
        x, kHead - 4, axis_y + 4, axis_y + 16, count_tick(t));
  }
  out += fmt::format(
      "<text x=\"{}\" y=\"{}\" class=\"axis-label\" text-anchor=\"middle\">count</text>",
      kLabelW + bar_w / 2, height - 4);
  double y = kHead;
  for (const auto& b : bars) {
    const double w = std::max(1.0, bar_w * static_cast<double>(b.value) / x_hi);
    out += fmt::format(
        "<g class=\"bar\" data-label=\"{0}\" data-count=\"{1}\"><text x=\"{2}\" y=\"{3:.1f}\" "
        "class=\"tick\" text-anchor=\"end\">{0}</text><rect x=\"{4}\" y=\"{5:.1f}\" "
        "width=\"{6:.1f}\" height=\"{7}\" fill=\"{8}\"/><text x=\"{9:.1f}\" y=\"{3:.1f}\" "
        "class=\"tick\">{1}</text></g>",
        escape(b.label), b.value, kLabelW - 6, y + 15, kLabelW, y + 3, w, kRow - 6, b.color,
        kLabelW + w + 4);
    y += kRow;
  }
  out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" class=\"axis\"/>", kLabelW,
                     kHead - 4, axis_y);
  return out + "</svg>";
}

}  // namespace wsload::controller::html
