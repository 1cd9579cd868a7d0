#include "run/monitor_poller.hpp"

#include <fmt/format.h>

#include "run/json_fields.hpp"

namespace wsload::controller {

MonitorPoller::MonitorPoller(HttpUrl url, std::chrono::nanoseconds interval)
    : url_(std::move(url)),
      interval_(interval > std::chrono::nanoseconds::zero() ? interval : std::chrono::seconds(5)) {
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

void MonitorPoller::run() {
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::min<std::chrono::nanoseconds>(interval_, std::chrono::seconds(5)));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const auto response = http_request(url_, "", timeout);
    JsonFields parsed;
    const JsonFieldLimits limits;
    std::string error = response.error;
    if (error.empty() && response.status != 200) error = "HTTP " + std::to_string(response.status);
    if (error.empty()) {
      parsed = numeric_json_fields(response.body, limits);
      if (response.body.size() > limits.max_bytes) {
        error = fmt::format("the response is larger than {} bytes", limits.max_bytes);
      } else if (parsed.fields.empty()) {
        error = "the response has no numeric JSON fields";
      }
    }
    lock.lock();
    error_ = error;
    note_ = parsed.note(limits);
    if (error.empty()) latest_ = std::move(parsed.fields);
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

std::map<std::string, double> MonitorPoller::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

std::string MonitorPoller::last_note() const {
  std::lock_guard lock(mutex_);
  return note_;
}

std::string MonitorPoller::last_error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

}  // namespace wsload::controller
