#include "wsload/target/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <optional>
#include <stdexcept>
#include <thread>

#include "broadcaster.hpp"
#include "hub.hpp"
#include "listener.hpp"
#include "nats_relay.hpp"
#include "session_start.hpp"

namespace wsload::target {
namespace {
// How long a graceful stop waits for clients to answer the 1001 close before dropping them.
constexpr std::chrono::seconds kDrainTimeout{2};
constexpr std::chrono::milliseconds kDrainPoll{10};
using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
}  // namespace

struct Server::Impl {
  explicit Impl(TargetConfig config) : hub(std::move(config)) {}

  // Runs on shard 0's thread.
  void begin_shutdown() {
    if (hub.stopping()) return;
    hub.set_stopping();
    spdlog::info("stopping: closing {} connection(s) with 1001", hub.reserved_sessions());
    for (auto& listener : listeners) listener->stop();
    if (broadcaster) broadcaster->stop();
    if (relay) relay->stop();
    if (signals) signals->cancel();
    hub.go_away_all();
    drain_deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    drain_timer.emplace(hub.shard(0).ioc());
    poll_drain();
  }

  void poll_drain() {
    if (hub.reserved_sessions() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      for (auto& guard : guards) guard.reset();
      for (int i = 0; i < hub.shard_count(); ++i) hub.shard(i).ioc().stop();
      return;
    }
    drain_timer->expires_after(kDrainPoll);
    drain_timer->async_wait([this](boost::system::error_code ec) {
      if (!ec) poll_drain();
    });
  }

  std::shared_ptr<boost::asio::ssl::context> tls;  // outlives the TLS sessions held by the hub
  Hub hub;                                         // outlives everything below
  std::unique_ptr<NatsRelay> relay;
  std::vector<std::shared_ptr<Listener>> listeners;
  std::shared_ptr<Broadcaster> broadcaster;
  std::optional<boost::asio::signal_set> signals;
  std::optional<boost::asio::steady_timer> drain_timer;
  std::chrono::steady_clock::time_point drain_deadline;
  std::vector<WorkGuard> guards;
  unsigned short port = 0;
};

Server::Server(TargetConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() {
  if (impl_->relay) impl_->relay->stop();
}

void Server::start() {
  auto& hub = impl_->hub;
  const auto& config = hub.config();
  boost::system::error_code ec;
  std::string host = config.listen.host == "localhost" ? "127.0.0.1" : config.listen.host;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec)
    throw std::runtime_error("invalid listen address '" + config.listen.host +
                             "': " + ec.message());
  boost::asio::ip::tcp::endpoint endpoint(address, config.listen.port);

  if (config.tls()) impl_->tls = make_tls_context(config.tls_cert, config.tls_key);
  for (int i = 0; i < hub.shard_count(); ++i) {
    auto listener = std::make_shared<Listener>(hub, hub.shard(i), endpoint, impl_->tls.get());
    // Port 0: the first acceptor picks the port, the others join it through SO_REUSEPORT.
    if (i == 0) endpoint.port(listener->port());
    impl_->listeners.push_back(std::move(listener));
  }
  impl_->port = endpoint.port();

  if (!config.nats_url.empty()) {
    impl_->relay = std::make_unique<NatsRelay>(hub, config.nats_url, config.nats_subject);
    spdlog::info("relaying NATS subject '{}' from {}", config.nats_subject, config.nats_url);
  }
  if (config.broadcast_interval.count() > 0) {
    impl_->broadcaster = std::make_shared<Broadcaster>(
        hub, hub.shard(0).ioc(), config.broadcast_interval, config.broadcast_size);
    impl_->broadcaster->start();
  }
  // Installed before the port is announced, so a signal right after start-up is a graceful stop.
  impl_->signals.emplace(hub.shard(0).ioc(), SIGINT, SIGTERM);
  impl_->signals->async_wait([impl = impl_.get()](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}", signal);
    impl->begin_shutdown();
  });
  for (auto& listener : impl_->listeners) listener->start();
}

unsigned short Server::port() const { return impl_->port; }

void Server::run() {
  auto& hub = impl_->hub;
  for (int i = 0; i < hub.shard_count(); ++i)
    impl_->guards.emplace_back(hub.shard(i).ioc().get_executor());
  std::vector<std::thread> threads;
  for (int i = 1; i < hub.shard_count(); ++i)
    threads.emplace_back([&hub, i] { hub.shard(i).ioc().run(); });
  hub.shard(0).ioc().run();
  for (auto& thread : threads) thread.join();
}

void Server::stop() {
  boost::asio::post(impl_->hub.shard(0).ioc(), [impl = impl_.get()] { impl->begin_shutdown(); });
}

StatsSnapshot Server::snapshot() const { return impl_->hub.snapshot(); }

}  // namespace wsload::target
