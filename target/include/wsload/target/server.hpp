#pragma once
// The wsload-target server: listeners, sessions, broadcaster and NATS relay on N io_context
// threads.
#include <functional>
#include <memory>
#include <string>

#include "wsload/target/config.hpp"
#include "wsload/target/stats.hpp"

namespace wsload::target {

class Server {
 public:
  // Throws std::runtime_error on start-up failure (bind, TLS files, NATS connection).
  explicit Server(TargetConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listeners; afterwards port() is the bound port.
  void start();
  unsigned short port() const;
  // Runs the threads until stop(); returns after every connection was closed (1001) or 2 s passed.
  void run();
  // Thread-safe and async-signal-unsafe: call from a normal thread (run() also installs
  // SIGINT/SIGTERM).
  void stop();

  StatsSnapshot snapshot() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wsload::target
