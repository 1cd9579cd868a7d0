#pragma once
// A small synchronous WebSocket/HTTP client for integration tests, with no Beast in this header.
// Implemented in target_ws_client_test.cpp (one heavy translation unit shared by all tests).
// Every call has a timeout; after a timeout the connection is unusable (the call reports an error).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace wsload::test {

struct HttpResult {
  int status = 0;  // 0 = no response (see error)
  std::string body;
  std::string content_type;
  std::string error;
};

// GET http://127.0.0.1:PORT<target> (HTTP/1.1, Connection: close).
HttpResult http_get(uint16_t port, const std::string& target,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

struct WsOptions {
  std::string path = "/ws";
  std::string token;  // sent as "Authorization: Bearer" unless token_in_query
  bool token_in_query = false;
  bool tls = false;
  std::string ca_file;     // with tls: verify the server against this PEM (empty = no verification)
  int receive_buffer = 0;  // SO_RCVBUF set before connect (0 = kernel default)
  std::chrono::milliseconds timeout{5000};
};

struct WsMessage {
  std::string text;
  bool binary = false;
};

class WsClient {
 public:
  WsClient();
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // TCP connect + (TLS) + upgrade on 127.0.0.1:PORT. Returns the HTTP status of the upgrade answer:
  // 101 when connected, the rejection status (401, 429, 503, ...), or 0 on a network/TLS error.
  int connect(uint16_t port, const WsOptions& options = {});
  const std::string& error() const;          // last error text
  const std::string& response_body() const;  // body of a rejected upgrade, when the server sent one

  bool send_text(std::string_view text);
  bool send_binary(std::string_view data);
  bool send_ping();  // RFC 6455 ping; the pong is seen by a later read()
  // Next data message; nullopt on close (see close_code()), error or timeout.
  std::optional<WsMessage> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  int pongs_received() const;
  // Close code sent by the server in its close frame (0 when none was received).
  int close_code() const;
  void close(int code = 1000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Publishes `payload` on `subject` to a NATS server on 127.0.0.1:PORT using the text protocol
// (CONNECT, PUB, PING; waits for the PONG so the message was processed). Empty string on success.
std::string nats_publish(uint16_t port, std::string_view subject, std::string_view payload);

}  // namespace wsload::test
