#include "broadcaster.hpp"

#include "hub.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/target/data_message.hpp"

namespace wsload::target {

Broadcaster::Broadcaster(Hub& hub, boost::asio::io_context& ioc, std::chrono::nanoseconds interval,
                         std::size_t payload_size)
    : hub_(hub), timer_(ioc), interval_(interval), payload_(make_payload(payload_size)) {}

void Broadcaster::start() {
  next_ = std::chrono::steady_clock::now() + interval_;
  schedule();
}

void Broadcaster::stop() {
  stopped_ = true;
  timer_.cancel();
}

void Broadcaster::schedule() {
  timer_.expires_at(next_);
  timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_tick(ec); });
}

void Broadcaster::on_tick(boost::system::error_code ec) {
  if (ec || stopped_) return;
  const auto now = std::chrono::steady_clock::now();
  auto text = std::make_shared<const std::string>(
      make_data_message(hub_.next_seq(), shared::unix_us_now(), payload_));
  hub_.publish(std::move(text));
  next_ += interval_;
  // After a long stall, skip missed ticks instead of bursting to catch up.
  if (next_ < now) next_ = now + interval_;
  schedule();
}

}  // namespace wsload::target
