#pragma once
// One SO_REUSEPORT acceptor bound to a shard: the kernel spreads connections over the acceptors of
// all threads (and of other processes bound to the same port).
//
// Each completed accept also takes, without waiting, every further connection already in the
// backlog (up to kAcceptBatch): one accept per io_context round is far too slow when the round is
// long (thousands of broadcast writes), and an overflowing backlog makes clients time out or reset.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace wsload::target {

class Hub;
class Shard;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; throws std::runtime_error when the address cannot be bound. `tls` may be
  // null.
  Listener(Hub& hub, Shard& shard, const boost::asio::ip::tcp::endpoint& endpoint,
           boost::asio::ssl::context* tls);

  unsigned short port() const;
  void start();
  // Closes the acceptor; thread-safe (posted to the shard).
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void start_session(boost::asio::ip::tcp::socket socket);

  Hub& hub_;
  Shard& shard_;
  boost::asio::ssl::context* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
};

}  // namespace wsload::target
