#pragma once
// The TLS of an established wss:// session once it leaves Asio (a raw session, as ws:// ones are):
// the connection reads and writes its socket itself, and this turns the ciphertext it read into
// plaintext and the frames it queues into records. Asio's ssl::stream made the handshake and
// carried the upgrade; adopt() takes its SSL object over, with the records that already came
// behind the 101 (the stream is destroyed afterwards: its four 17 KB buffers go with it).
// OpenSSL reads from the bytes fed last and appends what it writes to pending(), through a BIO of
// this class: no buffer between calls but the records not yet sent (and OpenSSL's own, which
// SSL_MODE_RELEASE_BUFFERS frees while idle). One thread; not copyable.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct ssl_st;  // OpenSSL's SSL

namespace wsload::agent {

class TlsSession {
 public:
  enum class Read : unsigned char {
    kData,    // plaintext came out
    kWant,    // everything fed is taken; more ciphertext is needed
    kClosed,  // the peer's close_notify
    kFailed,  // a bad record or alert: the session cannot go on
  };

  // Takes `ssl` over (a reference of its own: the stream that made the handshake may go) and
  // replaces its BIOs by this session's. What its read BIO still held is fed first (next read()).
  // Renegotiation is refused from now on. nullptr when OpenSSL refuses, or when the old BIO
  // still holds records to send (Asio sends them before it completes an operation).
  static std::unique_ptr<TlsSession> adopt(ssl_st* ssl);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Ciphertext to decrypt by the next read() calls, once read() has said kWant to everything fed
  // before (after adopt(): once, for what was carried over); it must stay valid until read()
  // says kWant again, or the session is given up.
  void feed(std::string_view cipher) { in_ = cipher; }
  // Plaintext into `into` (n bytes) while it says kData: call it until it says something else.
  Read read(std::span<char> into, std::size_t& n);
  // Encrypts `plain` into records appended to pending(). False when OpenSSL fails.
  bool write(std::string_view plain);

  // Records waiting for the socket, and the first `n` of them sent.
  std::string_view pending() const { return std::string_view(out_).substr(sent_); }
  std::size_t pending_size() const { return out_.size() - sent_; }
  void sent(std::size_t n);

 private:
  explicit TlsSession(ssl_st* ssl) : ssl_(ssl) {}
  friend struct TlsSessionBio;

  ssl_st* ssl_;
  std::string_view in_;  // what the BIO hands OpenSSL now
  std::string out_;      // records written by OpenSSL, from sent_ on not yet sent
  std::size_t sent_ = 0;
  std::string carry_;    // what the handshake's BIO held at adopt(), until it is read
  bool adopted_ = true;  // until read() first says kWant
};

}  // namespace wsload::agent
