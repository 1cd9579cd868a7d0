#include "run/metrics_server.hpp"

#include "wsload/shared/prometheus_writer.hpp"

namespace wsload::controller {

MetricsServer::MetricsServer(const std::string& listen)
    : server_(listen, "--metrics-listen",
              [this](const HttpServer::Request& r) { return answer(r); }) {}

void MetricsServer::publish(std::string exposition_text) {
  std::lock_guard lock(mutex_);
  body_ = std::move(exposition_text);
}

void MetricsServer::publish(const LiveFrame& f) {
  publish(live_exposition(f.figures.delta, f.scenario.name, f.figures.duration_s, f.figures.open,
                          f.figures.peak_open, f.agents_healthy, f.agents_total, f.parts,
                          f.agents));
}

HttpServer::Response MetricsServer::answer(const HttpServer::Request& request) {
  if (request.path != "/metrics") return {404, "text/plain", "wsload serves /metrics only\n"};
  std::lock_guard lock(mutex_);
  return {200, std::string(shared::PrometheusWriter::kContentType), body_};
}

}  // namespace wsload::controller
