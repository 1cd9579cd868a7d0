#include "monitor_poller.hpp"

#include <nlohmann/json.hpp>

namespace wsload::controller {
namespace {

void flatten(const nlohmann::json& j, const std::string& prefix, std::map<std::string, double>& out) {
  if (j.is_number()) {
    out[prefix] = j.get<double>();
  } else if (j.is_boolean()) {
    out[prefix] = j.get<bool>() ? 1 : 0;
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    }
  }
}

}  // namespace

MonitorPoller::MonitorPoller(HttpUrl url, std::chrono::nanoseconds interval)
    : url_(std::move(url)), interval_(interval > std::chrono::nanoseconds::zero() ? interval : std::chrono::seconds(5)) {
  thread_ = std::thread([this] { run(); });
}

MonitorPoller::~MonitorPoller() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::map<std::string, double> MonitorPoller::numeric_fields(const std::string& json_text) {
  std::map<std::string, double> out;
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_discarded()) flatten(j, "", out);
  return out;
}

void MonitorPoller::run() {
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::min<std::chrono::nanoseconds>(interval_, std::chrono::seconds(5)));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const auto response = http_request(url_, "", timeout);
    std::map<std::string, double> fields;
    std::string error = response.error;
    if (error.empty() && response.status != 200) error = "HTTP " + std::to_string(response.status);
    if (error.empty()) {
      fields = numeric_fields(response.body);
      if (fields.empty()) error = "the response has no numeric JSON fields";
    }
    lock.lock();
    error_ = error;
    if (error.empty()) latest_ = std::move(fields);
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

std::map<std::string, double> MonitorPoller::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

std::string MonitorPoller::last_error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

}  // namespace wsload::controller
