// wss:// with a certificate generated at test time by the openssl command line.
#include <gtest/gtest.h>

#include <ctime>

#include "target_process.hpp"
#include "wsload/shared/jwt.hpp"

namespace wsload::test {
namespace {

TEST(TargetTls, HandshakeVerifiesAndPingPongWorks) {
  TempDir dir;
  const std::string cert = dir.file("cert.pem");
  const std::string key = dir.file("key.pem");
  ChildProcess openssl(
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
       "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
      ProcessOptions{{}, {}, true});
  ASSERT_EQ(openssl.wait_exit(std::chrono::seconds(60)), 0) << openssl.output();

  TargetProcess target({"--jwt-secret", kTargetSecret, "--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(target.ok()) << target.error();

  WsClient secure;
  WsOptions options;
  options.tls = true;
  options.ca_file = cert;
  options.token = "bad";
  EXPECT_EQ(secure.connect(target.port(), options), 401) << "auth applies over TLS too";

  WsClient client;
  options.token = shared::jwt_make_token(kTargetSecret, "tls-user", std::time(nullptr), 600);
  ASSERT_EQ(client.connect(target.port(), options), 101) << client.error();
  ASSERT_TRUE(client.send_text(R"({"type":"ping","id":42})"));
  auto reply = client.read();
  ASSERT_TRUE(reply) << client.error();
  EXPECT_EQ(reply->text, R"({"type":"pong","id":42})");

  // A plain client on the TLS port gets no upgrade.
  WsClient plain;
  WsOptions plain_options;
  plain_options.timeout = std::chrono::seconds(3);
  EXPECT_NE(plain.connect(target.port(), plain_options), 101);
}

}  // namespace
}  // namespace wsload::test
