#pragma once
// `--metrics-listen`: serves the merged live metrics in Prometheus text format at GET /metrics
// (net/http_server.hpp). publish() is thread-safe; the last exposition stays served until the
// server is destroyed (--metrics-linger).
#include <mutex>
#include <string>

#include "net/http_server.hpp"
#include "run/live_frame.hpp"

namespace wsload::controller {

class MetricsServer : public LivePublisher {
 public:
  // Listens on "host:port" (port 0 = any free port). Throws std::runtime_error when it cannot.
  explicit MetricsServer(const std::string& listen);

  void publish(std::string exposition_text);
  void publish(const LiveFrame& frame) override;  // the frame's live_exposition
  const std::string& address() const { return server_.address(); }

 private:
  HttpServer::Response answer(const HttpServer::Request& request);

  std::mutex mutex_;
  std::string body_ = "# no run has started yet\n";  // guarded by mutex_
  HttpServer server_;  // last: stopped before the body it serves goes away
};

}  // namespace wsload::controller
