// TlsSession against a real OpenSSL server, in memory: the client makes its handshake through a
// BIO pair as Asio's ssl::stream does, records then wait in that pair unread (the server's session
// tickets and a message, as records that come right behind a 101 do), and the client's SSL object
// is taken over and its first owner freed, as the agent does when a wss:// session goes raw.
#include "tls_session.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <string>

namespace wsload::agent {
namespace {

// A server context with a self-signed P-256 certificate made in memory.
SSL_CTX* make_server_ctx() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("wsload-test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ctx;
}

// Everything one BIO holds for reading.
std::string drain(BIO* bio) {
  std::string out;
  std::array<char, 4096> chunk{};
  int n = 0;
  while ((n = BIO_read(bio, chunk.data(), static_cast<int>(chunk.size()))) > 0) {
    out.append(chunk.data(), static_cast<std::size_t>(n));
  }
  return out;
}

class TlsSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ctx_ = make_server_ctx();
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    server_ = SSL_new(server_ctx_);
    client_ = SSL_new(client_ctx_);
    BIO* inner = nullptr;
    BIO_new_bio_pair(&inner, 0, &client_ext_, 0);  // as Asio's engine does
    SSL_set_bio(client_, inner, inner);
    SSL_set_mode(client_, SSL_MODE_RELEASE_BUFFERS);
    server_rbio_ = BIO_new(BIO_s_mem());
    server_wbio_ = BIO_new(BIO_s_mem());
    SSL_set_bio(server_, server_rbio_, server_wbio_);
    SSL_set_connect_state(client_);
    SSL_set_accept_state(server_);
    for (int round = 0;
         round < 10 && !(SSL_is_init_finished(client_) && SSL_is_init_finished(server_)); ++round) {
      SSL_do_handshake(client_);
      to_server(drain(client_ext_));
      SSL_do_handshake(server_);
      const std::string& records = server_records();
      BIO_write(client_ext_, records.data(), static_cast<int>(records.size()));
    }
    ASSERT_TRUE(SSL_is_init_finished(client_) && SSL_is_init_finished(server_));
  }

  void TearDown() override {
    if (client_ != nullptr) SSL_free(client_);
    BIO_free(client_ext_);
    SSL_free(server_);
    SSL_CTX_free(server_ctx_);
    SSL_CTX_free(client_ctx_);
  }

  // The server's records written since the last call.
  const std::string& server_records() {
    pending_ = drain(server_wbio_);
    return pending_;
  }
  std::string server_sends(const std::string& plain) {
    EXPECT_EQ(SSL_write(server_, plain.data(), static_cast<int>(plain.size())),
              static_cast<int>(plain.size()));
    return server_records();
  }
  void to_server(const std::string& records) {
    BIO_write(server_rbio_, records.data(), static_cast<int>(records.size()));
  }
  std::string server_reads() {
    std::string out;
    std::array<char, 4096> chunk{};
    int n = 0;
    while ((n = SSL_read(server_, chunk.data(), static_cast<int>(chunk.size()))) > 0) {
      out.append(chunk.data(), static_cast<std::size_t>(n));
    }
    return out;
  }
  // Takes the client over as the agent does: its first owner (Asio's stream) then goes.
  std::unique_ptr<TlsSession> adopt() {
    auto session = TlsSession::adopt(client_);
    SSL_free(client_);
    client_ = nullptr;
    BIO_free(client_ext_);
    client_ext_ = nullptr;
    return session;
  }
  // Plaintext until the session wants more ciphertext; `last` receives how reading stopped.
  static std::string read_all(TlsSession& session, TlsSession::Read& last) {
    std::string out;
    std::array<char, 1000> into{};
    std::size_t n = 0;
    while ((last = session.read(into, n)) == TlsSession::Read::kData) out.append(into.data(), n);
    return out;
  }

  SSL_CTX* server_ctx_ = nullptr;
  SSL_CTX* client_ctx_ = nullptr;
  SSL* server_ = nullptr;
  SSL* client_ = nullptr;
  BIO* client_ext_ = nullptr;
  BIO* server_rbio_ = nullptr;  // owned by server_
  BIO* server_wbio_ = nullptr;  // owned by server_
  std::string pending_;
};

TEST_F(TlsSessionTest, RecordsWaitingInTheHandshakeBioAreReadFirst) {
  const std::string behind = server_sends("frames right behind the 101");
  BIO_write(client_ext_, behind.data(), static_cast<int>(behind.size()));
  auto session = adopt();
  ASSERT_NE(session, nullptr);
  TlsSession::Read last{};
  EXPECT_EQ(read_all(*session, last), "frames right behind the 101");
  EXPECT_EQ(last, TlsSession::Read::kWant);
  // Then records fed as the socket gives them: here one byte at a time.
  const std::string big(40000, 'x');
  const std::string records = server_sends(big);
  std::string got;
  for (char byte : records) {
    session->feed(std::string_view(&byte, 1));
    got += read_all(*session, last);
    ASSERT_EQ(last, TlsSession::Read::kWant);
  }
  EXPECT_EQ(got, big);
}

TEST_F(TlsSessionTest, WritesBecomeRecordsTheServerReadsUntilSent) {
  auto session = adopt();
  ASSERT_NE(session, nullptr);
  TlsSession::Read last{};
  EXPECT_EQ(read_all(*session, last), "");  // the session tickets, if any, are no plaintext
  ASSERT_TRUE(session->write("ping 1"));
  ASSERT_TRUE(session->write(std::string(20000, 'p')));
  const std::string records(session->pending());
  EXPECT_GT(records.size(), 20006u);  // framing and tags on top of the plaintext
  session->sent(10);
  EXPECT_EQ(session->pending(), std::string_view(records).substr(10));
  session->sent(session->pending_size());
  EXPECT_EQ(session->pending_size(), 0u);
  to_server(records);
  EXPECT_EQ(server_reads(), "ping 1" + std::string(20000, 'p'));
}

TEST_F(TlsSessionTest, TheServersCloseNotifyEndsTheSession) {
  auto session = adopt();
  ASSERT_NE(session, nullptr);
  TlsSession::Read last{};
  EXPECT_EQ(read_all(*session, last), "");
  SSL_shutdown(server_);
  const std::string records = server_records();
  session->feed(records);
  EXPECT_EQ(read_all(*session, last), "");
  EXPECT_EQ(last, TlsSession::Read::kClosed);
}

TEST_F(TlsSessionTest, ACorruptedRecordFailsTheSession) {
  auto session = adopt();
  ASSERT_NE(session, nullptr);
  TlsSession::Read last{};
  EXPECT_EQ(read_all(*session, last), "");
  EXPECT_EQ(session->pending_size(), 0u);
  std::string records = server_sends("a message whose tag will not match");
  records[records.size() - 3] ^= 0x40;
  session->feed(records);
  EXPECT_EQ(read_all(*session, last), "");
  EXPECT_EQ(last, TlsSession::Read::kFailed);
  EXPECT_GT(session->pending_size(), 0u);  // the alert that tells the server why
}

}  // namespace
}  // namespace wsload::agent
