#pragma once
// `--web ADDR`: the live dashboard (SPEC §5). Serves one self-contained page at `/`, the running
// stage as JSON at `/api/live` (schema wsload.live/v1; `?since=N` sends only the timeline points
// from index N on) and, once the run has ended, the final reports at `/report` (HTML) and
// `/report.json`. publish() runs on the coordinator's thread, requests on the server's; the state
// between them is guarded by one mutex.
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/http_server.hpp"
#include "run/live_frame.hpp"
#include "wsload/controller/reports.hpp"

namespace wsload::controller {

class WebDashboard : public LivePublisher {
 public:
  // Listens on "host:port" (port 0 = any free port). Throws std::runtime_error when it cannot.
  explicit WebDashboard(const std::string& listen);

  std::string url() const { return "http://" + server_.address() + "/"; }

  // A stage of the plan starts (index from 0 of `count`): its timeline starts empty.
  void begin_stage(const std::string& name, size_t index, size_t count);
  void publish(const LiveFrame& frame) override;
  // The run has ended: /api/live says so with the verdict and exit code, /report serves the report.
  void finish(const RunReport& report);

 private:
  HttpServer::Response answer(const HttpServer::Request& request);
  HttpServer::Response live(const std::string& query);

  std::mutex mutex_;                // guards everything below but server_
  std::string state_ = "starting";  // starting, running, finished
  nlohmann::json run_ = {{"stage", nullptr}, {"stage_index", 0}, {"stage_count", 0}};
  nlohmann::json snapshot_ = nlohmann::json::object();  // live_json of the last frame
  std::vector<nlohmann::json> points_;                  // the stage's timeline so far
  nlohmann::json verdict_ = nullptr, exit_code_ = nullptr;
  std::string report_html_, report_json_;
  HttpServer server_;  // last: stopped before the state it serves goes away
};

}  // namespace wsload::controller
