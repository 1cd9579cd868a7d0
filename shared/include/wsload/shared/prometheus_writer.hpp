#pragma once
// Prometheus text exposition format 0.0.4 writer (HELP/TYPE lines, counters, gauges).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsload::shared {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Writes metric families in order. Each family is announced once (HELP + TYPE) by
// counter()/gauge(); samples follow. Counter names must end in "_total" (the writer appends it when
// missing). Names are sanitized to [a-zA-Z_:][a-zA-Z0-9_:]*; label values and HELP text are escaped
// per the format.
class PrometheusWriter {
 public:
  void counter(std::string_view name, std::string_view help, double value,
               const Labels& labels = {});
  void gauge(std::string_view name, std::string_view help, double value, const Labels& labels = {});

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
std::string format_sample_value(double value);

}  // namespace wsload::shared
