// wsload-agent: runs its share of a scenario for one controller at a time (SPEC §6).

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "agent_service.hpp"
#include "source_ips.hpp"
#include "wsload/proto/convert.hpp"
#include "wsload/shared/fd_limit.hpp"

namespace {

struct Options {
  std::string listen = "127.0.0.1:7000";
  std::string token;
  bool insecure = false;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::string source_ips;
  std::string tls_cert;
  std::string tls_key;
  std::string log_level = "info";
};

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string host_of(const std::string& listen) {
  if (!listen.empty() && listen.front() == '[') return listen.substr(0, listen.find(']') + 1);
  return listen.substr(0, listen.rfind(':'));
}

int run(const Options& options) {
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  // Take the whole hard limit up front, so that the budget reported to controllers is real.
  wsload::shared::raise_fd_limit();
  wsload::agent::AgentConfig config;
  config.token = options.token;
  config.threads = options.threads;
  if (!options.source_ips.empty()) {
    std::string error;
    auto ips = wsload::agent::parse_source_ips(options.source_ips, &error);
    if (!ips) {
      std::cerr << "wsload-agent: --source-ips: " << error << "\n";
      return 2;
    }
    config.source_ips = std::move(*ips);
  }
  if (!wsload::agent::is_loopback_host(host_of(options.listen)) && options.token.empty() &&
      !options.insecure) {
    std::cerr << "wsload-agent: refusing to listen on " << options.listen
              << " without a token: set --token or WSLOAD_AGENT_TOKEN (or pass --insecure)\n";
    return 2;
  }
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({read_file(options.tls_key), read_file(options.tls_cert)});
    credentials = grpc::SslServerCredentials(ssl);
  }

  wsload::agent::AgentService service(config);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, credentials, &port);
  builder.RegisterService(&service);
  // Keepalive lets a session notice a controller whose host vanished without closing the stream.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 2000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 2000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 500);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // The same control-message limit as the controller's (an assignment carries a template of up to 1
  // MiB).
  builder.SetMaxReceiveMessageSize(wsload::proto::kMaxControlMessageBytes);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "wsload-agent: cannot listen on " << options.listen << "\n";
    return 3;
  }
  std::cout << "listening on " << host_of(options.listen) << ":" << port << std::endl;
  spdlog::info("wsload-agent {} listening on {}:{} with {} threads", WSLOAD_VERSION,
               host_of(options.listen), port, config.threads);

  // Signals are taken by one thread with sigwait; everything else runs with them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("signal {}: shutting down", signal_number);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(3));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Options options;
  options.token = env_or("WSLOAD_AGENT_TOKEN", "");
  options.log_level = env_or("LOG_LEVEL", "info");
  CLI::App app{"wsload-agent: runs a share of a wsload scenario for a controller"};
  app.add_option("--listen", options.listen, "address:port for the controller (port 0 = any free)")
      ->capture_default_str();
  app.add_option("--token", options.token,
                 "shared secret every controller must present [WSLOAD_AGENT_TOKEN]");
  app.add_flag("--insecure", options.insecure,
               "allow a non-loopback listen address without a token");
  app.add_option("--threads", options.threads, "load threads (one io_context each)")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  app.add_option("--source-ips", options.source_ips,
                 "local addresses to spread connections over, e.g. 127.0.0.2-127.0.0.20");
  app.add_option("--tls-cert", options.tls_cert, "PEM certificate for the control channel");
  app.add_option("--tls-key", options.tls_key, "PEM key for the control channel");
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error [LOG_LEVEL]");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::cerr << "wsload-agent: " << e.what() << "\n";
    return 3;
  }
}
