#pragma once
// Relays every message of a NATS subject to all WebSocket clients (libnats; optional at build
// time).
//
// Shape rule: a message whose top-level "type" is "data" is relayed byte for byte (it keeps the
// publisher's seq and ts). Anything else is wrapped as
//   {"type":"data","seq":N,"ts":MICROS,"payload":"<original text, JSON-escaped>"}
// with N from the server's global push sequence and ts the time of receipt.
//
// Bounds: a message that would be larger than --max-message-size once shaped is not relayed
// (counted in nats_dropped); libnats queues at most 65,536 messages / 64 MiB before on_message, and
// the hub refuses broadcasts beyond its backlog bound (broadcasts_dropped).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace wsload::target {

class Hub;

// True when this binary was built with libnats.
bool nats_supported();

class NatsRelay {
 public:
  // Connects and subscribes, and returns once the server has registered the subscription.
  // Throws std::runtime_error on failure or when built without libnats.
  NatsRelay(Hub& hub, const std::string& url, const std::string& subject);
  ~NatsRelay();
  NatsRelay(const NatsRelay&) = delete;
  NatsRelay& operator=(const NatsRelay&) = delete;

  // Unsubscribes; no message is published to the hub after it returns. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct PublisherOptions {
  std::string url;
  std::string subject;
  double rate = 10;                      // messages per second
  uint64_t count = 0;                    // 0 = unbounded
  std::chrono::nanoseconds duration{0};  // 0 = unbounded
  std::size_t size = 64;                 // payload bytes
};

// `wsload-target publish`: publishes data-shaped messages with seq 1.. and ts at `rate` until count
// or duration is reached or SIGINT/SIGTERM arrives. Prints "published N messages" on stdout.
// Returns an exit code (0 ok, 1 NATS error).
int run_publisher(const PublisherOptions& options);

}  // namespace wsload::target
