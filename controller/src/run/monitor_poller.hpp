#pragma once
// Polls the scenario's `monitor` URL (a JSON endpoint such as the server's /stats) on its own
// thread at the monitor interval and keeps the latest numeric fields, flattened with dots
// ("memory.rss"). latest() is thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "net/http_client.hpp"

namespace wsload::controller {

class MonitorPoller {
 public:
  MonitorPoller(HttpUrl url, std::chrono::nanoseconds interval);
  ~MonitorPoller();  // stops and joins the thread
  MonitorPoller(const MonitorPoller&) = delete;
  MonitorPoller& operator=(const MonitorPoller&) = delete;

  std::map<std::string, double> latest() const;
  std::string last_error() const;  // empty when the last poll succeeded
  // What the last poll dropped to stay within JsonFieldLimits (see json_fields.hpp); empty if
  // nothing.
  std::string last_note() const;

 private:
  void run();

  HttpUrl url_;
  std::chrono::nanoseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                 // guarded by mutex_
  std::map<std::string, double> latest_;  // guarded by mutex_
  std::string error_;                     // guarded by mutex_
  std::string note_;                      // guarded by mutex_
  std::thread thread_;
};

}  // namespace wsload::controller
