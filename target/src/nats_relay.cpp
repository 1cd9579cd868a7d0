#include "nats_relay.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <thread>

#include "hub.hpp"
#include "wsload/shared/clock.hpp"
#include "wsload/target/data_message.hpp"
#include "wsload/target/limits.hpp"
#include "wsload/target/ping_rewrite.hpp"

#ifdef WSLOAD_TARGET_HAVE_NATS
#include <nats/nats.h>
#endif

namespace wsload::target {

#ifdef WSLOAD_TARGET_HAVE_NATS

namespace {

std::string nats_error(const char* what, natsStatus status) {
  return std::string(what) + ": " + natsStatus_GetText(status);
}

natsConnection* connect(const std::string& url) {
  natsConnection* conn = nullptr;
  natsStatus s = natsConnection_ConnectTo(&conn, url.c_str());
  if (s != NATS_OK)
    throw std::runtime_error(nats_error(("cannot connect to NATS at " + url).c_str(), s));
  return conn;
}

std::atomic<bool> g_publisher_interrupted{false};
extern "C" void on_publisher_signal(int) { g_publisher_interrupted.store(true); }

}  // namespace

bool nats_supported() { return true; }

struct NatsRelay::Impl {
  explicit Impl(Hub& h) : hub(h) {}
  Hub& hub;
  natsConnection* conn = nullptr;
  natsSubscription* sub = nullptr;
  std::atomic<bool> stopped{false};

  static void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    if (self->stopped.load()) {
      natsMsg_Destroy(msg);
      return;
    }
    self->hub.count_nats_message();
    std::string_view data(natsMsg_GetData(msg),
                          static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    std::optional<std::string> text = relay_text(self->hub, data);
    natsMsg_Destroy(msg);
    if (!text) {
      self->hub.count_nats_dropped();
      return;
    }
    self->hub.publish(std::make_shared<const std::string>(std::move(*text)));
  }

  // The message sent to the clients for a NATS payload, or nullopt when it would be larger than
  // --max-message-size (the server sends nothing it would not accept itself). The payload is only
  // scanned (no DOM, linear time, any nesting depth), and a payload that cannot fit is not scanned.
  // A wrapped message dropped here has taken its seq: clients see the loss as a gap.
  static std::optional<std::string> relay_text(Hub& hub, std::string_view data) {
    const std::size_t limit = hub.config().max_message_size;
    if (data.size() > limit) return std::nullopt;
    if (is_data_message(data)) return std::string(data);
    std::string text = make_data_message(hub.next_seq(), shared::unix_us_now(), data);
    if (text.size() > limit) return std::nullopt;
    return text;
  }
};

NatsRelay::NatsRelay(Hub& hub, const std::string& url, const std::string& subject)
    : impl_(std::make_unique<Impl>(hub)) {
  impl_->conn = connect(url);
  natsStatus s = natsConnection_Subscribe(&impl_->sub, impl_->conn, subject.c_str(),
                                          &Impl::on_message, impl_.get());
  // libnats' own queue between its reader thread and on_message: beyond it libnats drops messages.
  if (s == NATS_OK)
    s = natsSubscription_SetPendingLimits(impl_->sub, kNatsPendingMessages, kNatsPendingBytes);
  if (s == NATS_OK) s = natsConnection_FlushTimeout(impl_->conn, 5000);
  if (s != NATS_OK) {
    natsSubscription_Destroy(impl_->sub);
    natsConnection_Destroy(impl_->conn);
    throw std::runtime_error(nats_error(("cannot subscribe to " + subject).c_str(), s));
  }
}

NatsRelay::~NatsRelay() {
  stop();
  natsConnection_Destroy(impl_->conn);
}

void NatsRelay::stop() {
  if (!impl_->sub) return;
  // Drain completion guarantees that no callback runs any more (the hub may be destroyed next).
  impl_->stopped.store(true);
  if (natsSubscription_Drain(impl_->sub) == NATS_OK)
    natsSubscription_WaitForDrainCompletion(impl_->sub, 2000);
  natsSubscription_Destroy(impl_->sub);
  impl_->sub = nullptr;
  natsConnection_Close(impl_->conn);
}

int run_publisher(const PublisherOptions& o) {
  natsConnection* conn = nullptr;
  try {
    conn = connect(o.url);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wsload-target publish: %s\n", e.what());
    return 1;
  }
  std::signal(SIGINT, on_publisher_signal);
  std::signal(SIGTERM, on_publisher_signal);
  const std::string payload = make_payload(o.size);
  const auto start = std::chrono::steady_clock::now();
  const auto period = std::chrono::duration<double>(1.0 / o.rate);
  uint64_t sent = 0;
  int code = 0;
  while (!g_publisher_interrupted.load()) {
    if (o.count > 0 && sent >= o.count) break;
    auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           period * static_cast<double>(sent));
    if (o.duration.count() > 0 && due - start >= o.duration) break;
    std::this_thread::sleep_until(due);
    std::string text = make_data_message(sent + 1, shared::unix_us_now(), payload);
    natsStatus s =
        natsConnection_Publish(conn, o.subject.c_str(), text.data(), static_cast<int>(text.size()));
    if (s != NATS_OK) {
      std::fprintf(stderr, "wsload-target publish: %s\n", nats_error("publish failed", s).c_str());
      code = 1;
      break;
    }
    ++sent;
  }
  natsStatus s = natsConnection_FlushTimeout(conn, 5000);
  if (s != NATS_OK && code == 0) {
    std::fprintf(stderr, "wsload-target publish: %s\n", nats_error("flush failed", s).c_str());
    code = 1;
  }
  natsConnection_Destroy(conn);
  std::printf("published %llu messages\n", static_cast<unsigned long long>(sent));
  std::fflush(stdout);
  return code;
}

#else  // built without libnats

bool nats_supported() { return false; }

struct NatsRelay::Impl {};

NatsRelay::NatsRelay(Hub&, const std::string&, const std::string&) {
  throw std::runtime_error(
      "this wsload-target was built without NATS support (install libnats-dev and rebuild)");
}
NatsRelay::~NatsRelay() = default;
void NatsRelay::stop() {}

int run_publisher(const PublisherOptions&) {
  std::fprintf(
      stderr,
      "wsload-target publish: built without NATS support (install libnats-dev and rebuild)\n");
  return 2;
}

#endif

}  // namespace wsload::target
