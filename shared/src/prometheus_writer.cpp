#include "wsload/shared/prometheus_writer.hpp"

#include <algorithm>
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
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return buf;
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
