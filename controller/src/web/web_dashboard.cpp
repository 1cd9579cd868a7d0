#include "web/web_dashboard.hpp"

#include <charconv>

#include "report/json_report_fields.hpp"
#include "web/dashboard_page.hpp"
#include "web/live_json.hpp"

namespace wsload::controller {
namespace {

constexpr const char* kJson = "application/json";

// ?since=N: a count of points the page already has; 0 when absent or not a number.
size_t since_of(const std::string& query) {
  const auto text = query_value(query, "since").value_or("0");
  size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end == text.data() + text.size() ? n : 0;
}

}  // namespace

WebDashboard::WebDashboard(const std::string& listen)
    : server_(listen, "--web", [this](const HttpServer::Request& r) { return answer(r); }) {}

void WebDashboard::begin_stage(const std::string& name, size_t index, size_t count) {
  std::lock_guard lock(mutex_);
  run_ = {{"stage", name}, {"stage_index", index}, {"stage_count", count}};
  points_.clear();
  snapshot_ = nlohmann::json::object();
}

void WebDashboard::publish(const LiveFrame& frame) {
  nlohmann::json snapshot = live_json(frame);
  std::lock_guard lock(mutex_);
  state_ = "running";
  snapshot_ = std::move(snapshot);
  for (size_t i = points_.size(); i < frame.timeline.size(); ++i) {
    points_.push_back(timeline_point_json(frame.timeline[i]));
  }
}

void WebDashboard::finish(const RunReport& report) {
  std::string html = report_to_html(report);
  std::string json = report_to_json(report).dump(2) + "\n";
  std::lock_guard lock(mutex_);
  state_ = "finished";
  verdict_ = verdict_name(report.verdict());
  exit_code_ = report.exit_code();
  report_html_ = std::move(html);
  report_json_ = std::move(json);
}

HttpServer::Response WebDashboard::answer(const HttpServer::Request& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return {405, "text/plain; charset=utf-8", "the dashboard only answers GET\n"};
  }
  if (request.path == "/" || request.path == "/index.html") {
    return {200, "text/html; charset=utf-8", std::string(dashboard_page())};
  }
  if (request.path == "/api/live") return live(request.query);
  std::lock_guard lock(mutex_);
  if (request.path == "/report" && !report_html_.empty()) {
    return {200, "text/html; charset=utf-8", report_html_};
  }
  if (request.path == "/report.json" && !report_json_.empty()) return {200, kJson, report_json_};
  if (request.path == "/report" || request.path == "/report.json") {
    return {404, "text/plain; charset=utf-8", "the report is served once the run has ended\n"};
  }
  return {404, "text/plain; charset=utf-8",
          "wsload serves /, /api/live, /report and /report.json\n"};
}

HttpServer::Response WebDashboard::live(const std::string& query) {
  const size_t since = since_of(query);
  std::lock_guard lock(mutex_);
  nlohmann::json j = snapshot_;
  j["schema"] = "wsload.live/v1";
  j["state"] = state_;
  j["run"] = run_;
  j["verdict"] = verdict_;
  j["exit_code"] = exit_code_;
  j["report"] = report_html_.empty() ? nlohmann::json(nullptr) : nlohmann::json("/report");
  const size_t from = std::min(since, points_.size());
  j["timeline_from"] = from;
  j["timeline_count"] = points_.size();
  nlohmann::json timeline = nlohmann::json::array();
  for (size_t i = from; i < points_.size(); ++i) timeline.push_back(points_[i]);
  j["timeline"] = std::move(timeline);
  return {200, kJson, j.dump()};
}

}  // namespace wsload::controller
