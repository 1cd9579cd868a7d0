#pragma once
// The built-in publisher: every `interval`, one data message serialized once and published to all.
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

namespace wsload::target {

class Hub;

// Runs on the io_context it is given; start()/stop() must be called on that context's thread
// (stop() may also be posted). Ticks follow a fixed-rate schedule: a late tick does not shift the
// next.
class Broadcaster : public std::enable_shared_from_this<Broadcaster> {
 public:
  Broadcaster(Hub& hub, boost::asio::io_context& ioc, std::chrono::nanoseconds interval,
              std::size_t payload_size);

  void start();
  void stop();

 private:
  void schedule();
  void on_tick(boost::system::error_code ec);

  Hub& hub_;
  boost::asio::steady_timer timer_;
  std::chrono::nanoseconds interval_;
  std::string payload_;
  std::chrono::steady_clock::time_point next_;
  bool stopped_ = false;
};

}  // namespace wsload::target
