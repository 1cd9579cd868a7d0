#include "wsload/shared/prometheus_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace wsload::shared {
namespace {

bool valid_name_char(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return alpha || (!first && c >= '0' && c <= '9');
}

void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

std::string sanitize_label_name(std::string_view name) {
  std::string out = sanitize_metric_name(name);
  std::replace(out.begin(), out.end(), ':', '_');
  return out;
}

}  // namespace

std::string sanitize_metric_name(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  // A leading digit is kept behind an underscore rather than lost.
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) out.push_back('_');
  for (char c : name) out.push_back(valid_name_char(c, out.empty()) ? c : '_');
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 9.007199254740992e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  char buf[32];
  // Shortest round trip; plain decimals ("0.0001", not "1e-04") where they stay short.
  const double magnitude = std::fabs(value);
  const auto end = magnitude >= 1e-6 && magnitude < 1e15
                       ? std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed).ptr
                       : std::to_chars(buf, buf + sizeof buf, value).ptr;
  return std::string(buf, end);
}

std::vector<uint64_t> cumulative_counts(const Histogram& h, std::span<const int64_t> bounds_us) {
  std::vector<uint64_t> counts(bounds_us.size(), 0);
  h.for_each_bucket([&](int64_t, int64_t highest, uint64_t n) {
    const auto at = std::lower_bound(bounds_us.begin(), bounds_us.end(), highest);
    if (at != bounds_us.end()) counts[static_cast<size_t>(at - bounds_us.begin())] += n;
  });
  for (size_t i = 1; i < counts.size(); ++i) counts[i] += counts[i - 1];
  return counts;
}

std::string seconds_text(int64_t us) {
  std::string out = std::to_string(us / 1'000'000);
  if (const int64_t fraction = us % 1'000'000; fraction != 0) {
    std::string digits = std::to_string(1'000'000 + fraction).substr(1);  // six digits
    digits.erase(digits.find_last_not_of('0') + 1);
    out += '.' + digits;
  }
  return out;
}

void PrometheusWriter::counter(std::string_view name, std::string_view help, double value,
                               const Labels& labels) {
  std::string full = sanitize_metric_name(name);
  if (full.size() < 6 || full.compare(full.size() - 6, 6, "_total") != 0) full += "_total";
  family(full, help, "counter");
  sample(full, value, labels);
}

void PrometheusWriter::gauge(std::string_view name, std::string_view help, double value,
                             const Labels& labels) {
  std::string full = sanitize_metric_name(name);
  family(full, help, "gauge");
  sample(full, value, labels);
}

void PrometheusWriter::histogram(std::string_view name, std::string_view help, const Histogram& h,
                                 const Labels& labels) {
  const std::string full = sanitize_metric_name(name);
  family(full, help, "histogram");
  const auto counts = cumulative_counts(h, kSecondsBucketsUs);
  auto with_le = labels;
  with_le.emplace_back("le", "");
  const std::string bucket = full + "_bucket";
  for (size_t i = 0; i < counts.size(); ++i) {
    with_le.back().second = seconds_text(kSecondsBucketsUs[i]);
    sample(bucket, static_cast<double>(counts[i]), with_le);
  }
  with_le.back().second = "+Inf";
  sample(bucket, static_cast<double>(h.count()), with_le);
  sample(full + "_sum", static_cast<double>(h.sum()) / 1e6, labels);
  sample(full + "_count", static_cast<double>(h.count()), labels);
}

void PrometheusWriter::family(std::string_view name, std::string_view help, std::string_view type) {
  if (std::find(announced_.begin(), announced_.end(), name) != announced_.end()) return;
  announced_.emplace_back(name);
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_escaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusWriter::sample(std::string_view name, double value, const Labels& labels) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [key, val] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += sanitize_label_name(key);
      out_ += "=\"";
      append_escaped(out_, val, true);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += format_sample_value(value);
  out_ += '\n';
}

}  // namespace wsload::shared
