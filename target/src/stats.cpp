#include "wsload/target/stats.hpp"

#include <cstdio>

#include "wsload/shared/prometheus_writer.hpp"

namespace wsload::target {
using shared::PrometheusWriter;
namespace {

void field(std::string& out, const char* name, uint64_t value) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "\"%s\":%llu,", name, static_cast<unsigned long long>(value));
  out += buf;
}

std::string uptime_text(double uptime_s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", uptime_s);
  return buf;
}

// Subscriptions, publishes and JWT subjects.
void render_session_metrics(PrometheusWriter& w, const StatsSnapshot& s) {
  auto u = [](uint64_t v) { return static_cast<double>(v); };
  w.counter("wsload_target_subscribes_total", "Subscribe requests acknowledged.", u(s.subscribes));
  w.counter("wsload_target_unsubscribes_total", "Unsubscribe requests acknowledged.",
            u(s.unsubscribes));
  w.counter("wsload_target_unsubscribes_unknown_total",
            "Unsubscribe requests for a channel the session did not hold.",
            u(s.unsubscribes_unknown));
  w.counter("wsload_target_publishes_total", "Publish requests acknowledged.", u(s.publishes));
  w.counter("wsload_target_session_message_errors_total",
            "Subscribe, unsubscribe and publish requests refused with an error reply.",
            u(s.session_message_errors));
  w.gauge("wsload_target_subscriptions_open", "Channels held by open sessions.",
          u(s.subscriptions_open));
  w.gauge("wsload_target_distinct_subjects",
          "Distinct JWT sub claims among completed upgrades (exact up to the bound).",
          u(s.distinct_subjects));
  w.counter("wsload_target_distinct_subjects_overflow_total",
            "Upgrades whose new JWT subject was not recorded: the subject set was full.",
            u(s.distinct_subjects_overflow));
}

}  // namespace

std::string render_stats_json(const StatsSnapshot& s) {
  std::string out = "{";
  field(out, "connections_open", s.connections_open);
  field(out, "connections_total", s.connections_total);
  field(out, "connections_closed", s.connections_closed);
  field(out, "connections_peak", s.connections_peak);
  field(out, "messages_in", s.messages_in);
  field(out, "messages_out", s.messages_out);
  field(out, "bytes_in", s.bytes_in);
  field(out, "bytes_out", s.bytes_out);
  field(out, "broadcasts", s.broadcasts);
  field(out, "broadcasts_dropped", s.broadcasts_dropped);
  field(out, "nats_received", s.nats_received);
  field(out, "nats_dropped", s.nats_dropped);
  field(out, "drops", s.drops);
  field(out, "oversize", s.oversize);
  field(out, "rejected_401", s.rejected_401);
  field(out, "rejected_429", s.rejected_429);
  field(out, "rejected_503", s.rejected_503);
  field(out, "rejected_413", s.rejected_413);
  field(out, "rejected_431", s.rejected_431);
  field(out, "http_requests", s.http_requests);
  field(out, "subscribes", s.subscribes);
  field(out, "unsubscribes", s.unsubscribes);
  field(out, "unsubscribes_unknown", s.unsubscribes_unknown);
  field(out, "publishes", s.publishes);
  field(out, "session_message_errors", s.session_message_errors);
  field(out, "subscriptions_open", s.subscriptions_open);
  field(out, "distinct_subjects", s.distinct_subjects);
  field(out, "distinct_subjects_overflow", s.distinct_subjects_overflow);
  field(out, "threads", static_cast<uint64_t>(s.threads));
  out += "\"uptime_s\":" + uptime_text(s.uptime_s) + "}";
  return out;
}

std::string render_health_json(const StatsSnapshot& s) {
  return "{\"status\":\"ok\",\"uptime_s\":" + uptime_text(s.uptime_s) +
         ",\"connections\":" + std::to_string(s.connections_open) + "}";
}

std::string render_metrics(const StatsSnapshot& s) {
  PrometheusWriter w;
  auto u = [](uint64_t v) { return static_cast<double>(v); };
  w.gauge("wsload_target_connections_open", "Open WebSocket sessions.", u(s.connections_open));
  w.counter("wsload_target_connections_total", "WebSocket upgrades completed.",
            u(s.connections_total));
  w.counter("wsload_target_connections_closed_total", "WebSocket sessions ended.",
            u(s.connections_closed));
  w.gauge("wsload_target_connections_peak", "Most WebSocket sessions open or upgrading at once.",
          u(s.connections_peak));
  w.counter("wsload_target_messages_in_total", "WebSocket messages received.", u(s.messages_in));
  w.counter("wsload_target_messages_out_total", "WebSocket messages written.", u(s.messages_out));
  w.counter("wsload_target_bytes_in_total", "WebSocket payload bytes received.", u(s.bytes_in));
  w.counter("wsload_target_bytes_out_total", "WebSocket payload bytes written.", u(s.bytes_out));
  w.counter("wsload_target_broadcasts_total", "Messages published to every client.",
            u(s.broadcasts));
  w.counter("wsload_target_broadcasts_dropped_total",
            "Broadcasts refused because the undelivered backlog was full.",
            u(s.broadcasts_dropped));
  w.counter("wsload_target_nats_received_total", "Messages received from the NATS subject.",
            u(s.nats_received));
  w.counter("wsload_target_nats_dropped_total",
            "NATS messages not relayed: larger than --max-message-size.", u(s.nats_dropped));
  w.counter("wsload_target_drops_total", "Slow clients disconnected because their queue was full.",
            u(s.drops));
  w.counter("wsload_target_oversize_total", "Sessions closed for an oversize message (1009).",
            u(s.oversize));
  const char* help =
      "Requests rejected, by HTTP status (401/429/503 upgrades, 413/431 oversize requests).";
  w.counter("wsload_target_rejected_total", help, u(s.rejected_401), {{"status", "401"}});
  w.counter("wsload_target_rejected_total", help, u(s.rejected_429), {{"status", "429"}});
  w.counter("wsload_target_rejected_total", help, u(s.rejected_503), {{"status", "503"}});
  w.counter("wsload_target_rejected_total", help, u(s.rejected_413), {{"status", "413"}});
  w.counter("wsload_target_rejected_total", help, u(s.rejected_431), {{"status", "431"}});
  w.counter("wsload_target_http_requests_total", "Plain HTTP requests served.", u(s.http_requests));
  render_session_metrics(w, s);
  w.gauge("wsload_target_uptime_seconds", "Seconds since start.", s.uptime_s);
  w.gauge("wsload_target_threads", "io_context threads.", s.threads);
  return w.take();
}

}  // namespace wsload::target
