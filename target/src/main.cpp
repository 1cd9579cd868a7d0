// wsload-target: flag parsing and wiring only.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "nats_relay.hpp"
#include "wsload/shared/duration.hpp"
#include "wsload/shared/fd_limit.hpp"
#include "wsload/shared/jwt.hpp"
#include "wsload/target/config.hpp"
#include "wsload/target/limits.hpp"
#include "wsload/target/server.hpp"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitRuntime = 1;

std::chrono::nanoseconds duration_or_throw(const std::string& flag, const std::string& text) {
  auto d = wsload::shared::parse_duration(text);
  if (!d)
    throw CLI::ValidationError(flag, "not a duration (examples: 250ms, 1s, 2m): '" + text + "'");
  return *d;
}

// The fixed input bounds, for --help (the README's target section says the same).
std::string limits_text() {
  using namespace wsload::target;
  return "Input limits (fixed):\n"
         "  HTTP request header (request line + fields): " +
         std::to_string(kHttpHeaderLimit / 1024) +
         " KiB; beyond it: 431 and close (counted in rejected_431)\n"
         "  HTTP request body: " +
         std::to_string(kHttpBodyLimit / 1024) +
         " KiB; beyond it: 413 and close (rejected_413)\n"
         "  JWT: " +
         std::to_string(wsload::shared::kJwtMaxTokenBytes) + " bytes, JSON nesting " +
         std::to_string(wsload::shared::kJwtMaxJsonDepth) +
         ", \"exp\" required; otherwise 401 (rejected_401)\n"
         "  WebSocket message: --max-message-size (at most 64 MiB and --max-queue-bytes); beyond "
         "it: close 1009\n"
         "  NATS message: relayed only up to --max-message-size once shaped (else nats_dropped); "
         "libnats\n"
         "    queues at most " +
         std::to_string(kNatsPendingMessages) + " messages / " +
         std::to_string(kNatsPendingBytes / (1024 * 1024)) +
         " MiB before relaying (beyond: slow consumer)\n"
         "  Session messages (subscribe/unsubscribe/publish): " +
         std::to_string(kMaxSessionMessageBytes / 1024) + " KiB, channel names 1-" +
         std::to_string(kMaxChannelNameBytes) + " bytes, " +
         std::to_string(kMaxChannelsPerSession) +
         " channels per session;\n"
         "    beyond: an error reply (session_message_errors)\n"
         "  Distinct JWT subjects remembered: " +
         std::to_string(kMaxDistinctSubjects) + " / " +
         std::to_string(kMaxDistinctSubjectBytes / (1024 * 1024)) +
         " MiB (beyond: distinct_subjects_overflow)\n"
         "  Undelivered broadcasts: " +
         std::to_string(kBroadcastBacklogBytes / (1024 * 1024)) +
         " MiB (beyond: broadcasts_dropped)";
}

struct ServerFlags {
  wsload::target::TargetConfig config;
  std::string listen = "127.0.0.1:3001";
  std::string jwt_secret;
  std::string broadcast_interval = "0";
  bool deflate = false;
  bool deflate_no_context_takeover = false;
};

void add_server_options(CLI::App& app, ServerFlags& f) {
  auto& config = f.config;
  auto& listen = f.listen;
  auto& jwt_secret = f.jwt_secret;
  auto& broadcast_interval = f.broadcast_interval;
  app.add_option("--listen", listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--path", config.path, "WebSocket upgrade path")->capture_default_str();
  app.add_option("--jwt-secret", jwt_secret, "HS256 secret (default: $JWT_SECRET)");
  app.add_flag("--no-auth", config.no_auth, "accept upgrades without a token");
  app.add_option("--threads", config.threads, "io_context threads (one SO_REUSEPORT acceptor each)")
      ->capture_default_str();
  app.add_option("--broadcast-interval", broadcast_interval,
                 "built-in broadcast period, e.g. 100ms; 0 = off")
      ->capture_default_str();
  app.add_option("--broadcast-size", config.broadcast_size, "broadcast payload bytes")
      ->capture_default_str();
  app.add_flag("--require-subscribe", config.require_subscribe,
               "send broadcasts only to sessions holding at least one subscription (default: to "
               "every session)");
  app.add_option("--max-connections", config.max_connections,
                 "open WebSocket sessions; 0 = unlimited (503 beyond)")
      ->capture_default_str();
  app.add_option("--accept-rate", config.accept_rate,
                 "upgrades per second per IP, burst equal; 0 = off (429 beyond)")
      ->capture_default_str();
  app.add_option("--max-message-size", config.max_message_size,
                 "largest incoming message in bytes (1009 beyond) and largest NATS message relayed")
      ->capture_default_str();
  app.add_option("--max-queue-messages", config.max_queue_messages,
                 "outgoing queue per connection, messages")
      ->capture_default_str();
  app.add_option("--max-queue-bytes", config.max_queue_bytes,
                 "outgoing queue per connection, bytes")
      ->capture_default_str();
  app.add_option("--nats", config.nats_url, "NATS URL to relay from, e.g. nats://127.0.0.1:4222");
  app.add_option("--subject", config.nats_subject, "NATS subject to relay");
  app.add_option("--tls-cert", config.tls_cert, "PEM certificate chain (enables wss)");
  app.add_option("--tls-key", config.tls_key, "PEM private key");
  app.add_option("--log-level", config.log_level, "trace|debug|info|warn|error|critical|off")
      ->capture_default_str();
  app.add_flag("--deflate", f.deflate,
               "accept permessage-deflate (RFC 7692) when a client offers it: 4 KiB server window "
               "(server_max_window_bits=12), memLevel 5, level 6, context takeover");
  app.add_flag("--deflate-no-context-takeover", f.deflate_no_context_takeover,
               "like --deflate, with server_no_context_takeover and client_no_context_takeover "
               "(every message compressed on its own)");

  app.footer(limits_text());
}

struct PublishFlags {
  wsload::target::PublisherOptions publish;
  std::string duration = "0";
};

CLI::App* add_publish_command(CLI::App& app, PublishFlags& f) {
  auto& publish = f.publish;
  auto& publish_duration = f.duration;
  auto* pub =
      app.add_subcommand("publish", "publish data messages (seq 1.., ts) to a NATS subject");
  pub->add_option("--nats", publish.url,
                  "NATS URL (default: $NATS_URL, as in the load-testing guide)")
      ->envname("NATS_URL")
      ->required();
  pub->add_option("--subject", publish.subject, "subject")->required();
  pub->add_option("--rate", publish.rate, "messages per second")
      ->required()
      ->check(CLI::PositiveNumber);
  pub->add_option("--count", publish.count, "stop after N messages (0 = no limit)");
  pub->add_option("--duration", publish_duration, "stop after this long, e.g. 10s (0 = no limit)");
  pub->add_option("--size", publish.size, "payload bytes")->capture_default_str();

  return pub;
}

// Serves until SIGINT/SIGTERM; the process exit code.
int run_server(wsload::target::TargetConfig& config, const std::string& jwt_secret) {
  if (!jwt_secret.empty()) {
    config.jwt_secret = jwt_secret;
  } else if (const char* env = std::getenv("JWT_SECRET"); env && *env && !config.no_auth) {
    config.jwt_secret = std::string(env);
  }
  auto errors = wsload::target::validate(config);
  if (!errors.empty()) {
    for (const auto& error : errors) std::cerr << "wsload-target: " << error << "\n";
    return kExitUsage;
  }
  auto logger = spdlog::stderr_color_mt("wsload-target");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  const uint64_t fd_limit = wsload::shared::raise_fd_limit();
  try {
    wsload::target::Server server(config);
    server.start();
    std::printf("listening on %s:%u\n", config.listen.host.c_str(),
                static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    spdlog::info("path {} auth {} threads {} tls {} fd limit {}", config.path,
                 config.no_auth ? "off" : "HS256", config.threads, config.tls() ? "on" : "off",
                 fd_limit);
    server.run();
    spdlog::info("stopped");
  } catch (const std::exception& e) {
    std::cerr << "wsload-target: " << e.what() << "\n";
    return kExitRuntime;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "wsload-target: reference WebSocket server (JWT, ping/pong, subscribe/unsubscribe/publish, "
      "broadcasts, limits, NATS relay)"};
  ServerFlags server;
  add_server_options(app, server);
  PublishFlags publish;
  auto* pub = add_publish_command(app, publish);
  try {
    app.parse(argc, argv);
    if (pub->parsed()) {
      publish.publish.duration = duration_or_throw("--duration", publish.duration);
    } else {
      auto host_port = wsload::target::parse_host_port(server.listen);
      if (!host_port)
        throw CLI::ValidationError("--listen", "expected HOST:PORT, got '" + server.listen + "'");
      server.config.listen = *host_port;
      server.config.broadcast_interval =
          duration_or_throw("--broadcast-interval", server.broadcast_interval);
      using wsload::target::DeflateMode;
      server.config.deflate = server.deflate_no_context_takeover ? DeflateMode::kNoContextTakeover
                              : server.deflate                   ? DeflateMode::kContextTakeover
                                                                 : DeflateMode::kOff;
    }
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the message (or the help)
    return code == 0 ? 0 : kExitUsage;
  }
  if (pub->parsed()) return wsload::target::run_publisher(publish.publish);
  return run_server(server.config, server.jwt_secret);
}
