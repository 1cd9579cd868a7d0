#include "tls_session.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace wsload::agent {

// The BIO both ways: reads take from TlsSession::in_, writes append to TlsSession::out_. An empty
// in_ is a retryable read (OpenSSL answers SSL_ERROR_WANT_READ); writes always succeed.
struct TlsSessionBio {
  static TlsSession& session(BIO* b) { return *static_cast<TlsSession*>(BIO_get_data(b)); }

  static int write(BIO* b, const char* data, int size) {
    BIO_clear_retry_flags(b);
    if (size <= 0) return 0;
    session(b).out_.append(data, static_cast<std::size_t>(size));
    return size;
  }

  static int read(BIO* b, char* into, int size) {
    BIO_clear_retry_flags(b);
    std::string_view& in = session(b).in_;
    if (in.empty()) {
      BIO_set_retry_read(b);
      return -1;
    }
    const std::size_t n = std::min(in.size(), static_cast<std::size_t>(std::max(size, 0)));
    std::memcpy(into, in.data(), n);
    in.remove_prefix(n);
    return static_cast<int>(n);
  }

  static long ctrl(BIO* b, int cmd, long, void*) {
    switch (cmd) {
      case BIO_CTRL_FLUSH:
        return 1;
      case BIO_CTRL_PENDING:
        return static_cast<long>(
            std::min<std::size_t>(session(b).in_.size(), std::numeric_limits<int>::max()));
      default:
        return 0;
    }
  }

  static int create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
  }

  // Made once per process; OpenSSL keeps it for the process's life.
  static const BIO_METHOD* method() {
    static BIO_METHOD* const m = [] {
      BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "wsload-tls");
      if (made != nullptr) {
        BIO_meth_set_write(made, write);
        BIO_meth_set_read(made, read);
        BIO_meth_set_ctrl(made, ctrl);
        BIO_meth_set_create(made, create);
      }
      return made;
    }();
    return m;
  }
};

std::unique_ptr<TlsSession> TlsSession::adopt(SSL* ssl) {
  const BIO_METHOD* method = TlsSessionBio::method();
  BIO* old = SSL_get_rbio(ssl);
  if (method == nullptr || old == nullptr || BIO_ctrl_wpending(SSL_get_wbio(ssl)) != 0) {
    return nullptr;
  }
  std::unique_ptr<TlsSession> s(new TlsSession(ssl));
  // Records behind the 101 that Asio passed to OpenSSL but OpenSSL did not read yet.
  s->carry_.resize(BIO_ctrl_pending(old));
  std::size_t got = 0;
  while (got < s->carry_.size()) {
    const int n = BIO_read(old, s->carry_.data() + got, static_cast<int>(s->carry_.size() - got));
    if (n <= 0) return nullptr;
    got += static_cast<std::size_t>(n);
  }
  BIO* bio = BIO_new(method);
  if (bio == nullptr || SSL_up_ref(ssl) != 1) {
    BIO_free(bio);
    return nullptr;
  }
  BIO_set_data(bio, s.get());
  SSL_set_bio(ssl, bio, bio);  // frees the handshake's BIO (its other half goes with the stream)
  SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                        SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_options(ssl, SSL_OP_NO_RENEGOTIATION);
  // Asio's verify callback reaches for state its stream frees; the handshake is over anyway.
  SSL_set_verify(ssl, SSL_get_verify_mode(ssl), nullptr);
  s->in_ = s->carry_;
  return s;
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

TlsSession::Read TlsSession::read(std::span<char> into, std::size_t& n) {
  n = 0;
  ERR_clear_error();
  if (SSL_read_ex(ssl_, into.data(), into.size(), &n) == 1) return Read::kData;
  switch (SSL_get_error(ssl_, 0)) {
    case SSL_ERROR_WANT_READ:
      if (adopted_) {
        // The read buffer that held the records Asio read (~17 KB) stayed allocated after the
        // takeover despite RELEASE_BUFFERS (heaptrack: 760 of 1,000 idle sessions): free it
        // unless it holds part of a record. Later reads release theirs (bench: idle after
        // messages costs the same). in_ no longer points into carry_.
        adopted_ = false;
        SSL_free_buffers(ssl_);
        std::string().swap(carry_);
      }
      return Read::kWant;
    case SSL_ERROR_ZERO_RETURN:
      return Read::kClosed;
    default:
      return Read::kFailed;
  }
}

bool TlsSession::write(std::string_view plain) {
  while (!plain.empty()) {
    std::size_t n = 0;
    ERR_clear_error();
    if (SSL_write_ex(ssl_, plain.data(), plain.size(), &n) != 1) return false;
    plain.remove_prefix(n);  // partial writes: one record at a time
  }
  return true;
}

void TlsSession::sent(std::size_t n) {
  sent_ += std::min(n, pending_size());
  if (sent_ < out_.size()) return;
  out_.clear();
  sent_ = 0;
  if (out_.capacity() > 16 * 1024) std::string().swap(out_);
}

}  // namespace wsload::agent
