#include "listener.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "hub.hpp"
#include "session_start.hpp"

namespace wsload::target {
namespace {
using ReusePort = boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
// Back-off after an accept error such as EMFILE, so a full fd table does not spin the thread.
constexpr std::chrono::milliseconds kAcceptRetry{50};
// Connections taken from the backlog per completed asynchronous accept.
constexpr int kAcceptBatch = 256;
}  // namespace

Listener::Listener(Hub& hub, Shard& shard, const boost::asio::ip::tcp::endpoint& endpoint,
                   boost::asio::ssl::context* tls)
    : hub_(hub), shard_(shard), tls_(tls), acceptor_(shard.ioc()), retry_timer_(shard.ioc()) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.set_option(ReusePort(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  // Synchronous accepts below return would_block instead of waiting.
  if (!ec) acceptor_.non_blocking(true, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" +
                             std::to_string(endpoint.port()) + ": " + ec.message());
  }
}

unsigned short Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::start() { do_accept(); }

void Listener::stop() {
  boost::asio::post(shard_.ioc(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->retry_timer_.cancel();
    self->acceptor_.close(ignored);
  });
}

void Listener::do_accept() {
  acceptor_.async_accept(shard_.ioc(),
                         [self = shared_from_this()](boost::system::error_code ec,
                                                     boost::asio::ip::tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void Listener::on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
  if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    spdlog::warn("accept failed: {}", ec.message());
    retry_timer_.expires_after(kAcceptRetry);
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  start_session(std::move(socket));
  for (int i = 0; i < kAcceptBatch; ++i) {
    boost::asio::ip::tcp::socket next(shard_.ioc());
    boost::system::error_code next_ec;
    acceptor_.accept(next, next_ec);
    if (next_ec)
      break;  // would_block: the backlog is empty (other errors: the async accept reports them)
    start_session(std::move(next));
  }
  do_accept();
}

void Listener::start_session(boost::asio::ip::tcp::socket socket) {
  if (tls_) {
    start_tls_session(std::move(socket), hub_, shard_, *tls_);
  } else {
    start_plain_session(std::move(socket), hub_, shard_);
  }
}

}  // namespace wsload::target
