// A connection with `target.compression: deflate`, in memory (harness: memory_connection.hpp):
// the offer in the upgrade, the server's answer (accepted, declined, invalid), compressed requests
// and replies with their bytes before compression and on the wire, and a decompression bomb.
// zlib is used directly as the server's side.
#include <zlib.h>

#include "memory_connection.hpp"

namespace wsload::agent {
namespace {

const std::string kTail("\x00\x00\xff\xff", 4);

// What a server's zlib makes of `message` (raw deflate, sync flush, tail cut off).
std::string server_deflate(const std::string& message) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, message.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  z.avail_in = static_cast<uInt>(message.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - z.avail_out - 4);
  deflateEnd(&z);
  return out;
}

// What a server's zlib inflates from a client's compressed payload (a fresh inflater).
std::string server_inflate(const std::string& payload) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  const std::string in = payload + kTail;
  std::string out(1 << 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int ret = inflate(&z, Z_SYNC_FLUSH);
  EXPECT_TRUE(ret == Z_OK || ret == Z_BUF_ERROR) << ret;
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

// A raw client frame as written: its first byte (FIN, RSV1, opcode) and unmasked payload.
struct RawFrame {
  uint8_t b0;
  std::string payload;
};

class DeflateConnection : public MemoryConnection {
 protected:
  void shape(Assignment& a) override {
    a.scenario.target.compression = shared::Compression::kDeflate;
  }

  // Starts the connection and answers its upgrade with a 101 carrying `extensions` (no
  // Sec-WebSocket-Extensions when empty); returns the upgrade request.
  std::string establish_with(const std::string& extensions) {
    conn_->start();
    poll();
    std::string request(server_->str());
    server_->clear();
    auto at = request.find("Sec-WebSocket-Key: ");
    EXPECT_NE(at, std::string::npos);
    std::string key = request.substr(at + 19, request.find("\r\n", at) - at - 19);
    server_write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        (extensions.empty() ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") +
        "Sec-WebSocket-Accept: " + ws::accept_for(key) + "\r\n\r\n");
    return request;
  }

  // Everything the client wrote since the last call (frames of < 64 KiB).
  std::vector<RawFrame> raw_frames() {
    std::string in(server_->str());
    server_->clear();
    std::vector<RawFrame> frames;
    std::size_t i = 0;
    while (i + 6 <= in.size()) {
      const auto b0 = static_cast<uint8_t>(in[i]);
      std::size_t len = static_cast<uint8_t>(in[i + 1]) & 0x7f;
      std::size_t at = i + 2;
      if (len == 126) {
        len = static_cast<uint8_t>(in[at]) << 8 | static_cast<uint8_t>(in[at + 1]);
        at += 2;
      }
      const char* mask = in.data() + at;
      at += 4;
      std::string payload = in.substr(at, len);
      for (std::size_t k = 0; k < payload.size(); ++k) payload[k] ^= mask[k % 4];
      frames.push_back({b0, payload});
      i = at + len;
    }
    EXPECT_EQ(i, in.size());
    return frames;
  }

  // An unmasked server frame with first byte `b0`.
  void server_raw_frame(uint8_t b0, const std::string& payload) {
    std::string f(1, static_cast<char>(b0));
    if (payload.size() < 126) {
      f += static_cast<char>(payload.size());
    } else {
      f += '\x7E';
      f += static_cast<char>(payload.size() >> 8);
      f += static_cast<char>(payload.size() & 0xFF);
    }
    server_write(f + payload);
  }
};

TEST_F(DeflateConnection, OffersCompressesAndCountsBytesBeforeAndOnTheWire) {
  const std::string request = establish_with("permessage-deflate; server_no_context_takeover");
  EXPECT_NE(request.find("\r\nSec-WebSocket-Extensions: permessage-deflate; "
                         "client_max_window_bits\r\n"),
            std::string::npos)
      << request;
  ASSERT_EQ(counters().connections_established, 1u);
  auto frames = raw_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].b0, 0xC1);  // FIN, RSV1, text
  const std::string ping = R"({"type":"ping","id":1})";
  EXPECT_EQ(server_inflate(frames[0].payload), ping);

  // The reply, compressed by the server, pairs with the request.
  const std::string reply_text = R"({"type":"pong","id":1,"pad":"aaaaaaaaaaaaaaaaaaaaaaaaaaaa"})";
  const std::string reply = server_deflate(reply_text);
  server_raw_frame(0xC1, reply);
  EXPECT_EQ(counters().replies, 1u);
  EXPECT_EQ(counters().protocol_errors, 0u);
  EXPECT_EQ(counters().bytes_sent, ping.size());
  EXPECT_EQ(counters().bytes_sent_wire, frames[0].payload.size());
  EXPECT_EQ(counters().bytes_received, reply_text.size());
  EXPECT_EQ(counters().bytes_received_wire, reply.size());
  EXPECT_LT(counters().bytes_received_wire, counters().bytes_received);

  // With context takeover (ours) the next request refers back into the first.
  advance(kInterval);
  frames = raw_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].b0, 0xC1);
  EXPECT_LT(frames[0].payload.size(), 12u);
  // Control frames are never compressed; a pong answers a ping as is.
  server_raw_frame(0x89, "hb");
  frames = raw_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].b0, 0x8A);
  EXPECT_EQ(frames[0].payload, "hb");
  EXPECT_NE(ctx_->deflate, nullptr);  // the worker's shared streams and buffers
}

TEST_F(DeflateConnection, DeclinedOfferRunsUncompressed) {
  establish_with("");
  ASSERT_EQ(counters().connections_established, 1u);
  auto frames = raw_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].b0, 0x81);
  EXPECT_EQ(frames[0].payload, R"({"type":"ping","id":1})");
  EXPECT_EQ(counters().bytes_sent_wire, counters().bytes_sent);
  // A compressed frame now is a protocol error: the extension was not negotiated.
  server_raw_frame(0xC1, server_deflate(R"({"id":1})"));
  EXPECT_EQ(counters().protocol_errors, 1u);
  frames = raw_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].b0, 0x88);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xea", 2));  // 1002
  EXPECT_EQ(ctx_->deflate, nullptr);
  server_->close();
  poll();
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().disconnects, (std::map<std::string, uint64_t>{{"protocol_error", 1}}));
}

TEST_F(DeflateConnection, InvalidAnswerFailsTheAttemptAsBadExtension) {
  establish_with("permessage-deflate; client_max_window_bits=8");
  poll();
  EXPECT_EQ(counters().connections_established, 0u);
  EXPECT_EQ(counters().failures, (std::map<std::string, uint64_t>{{"bad_extension", 1}}));
}

TEST_F(DeflateConnection, BombIsAProtocolErrorAtTheInflatedLimit) {
  establish_with("permessage-deflate");
  raw_frames();
  const std::string bomb = server_deflate(std::string(kReadMessageMax * 10, '\0'));
  ASSERT_LT(bomb.size(), 16u * 1024);
  server_raw_frame(0xC2, bomb);
  EXPECT_EQ(counters().protocol_errors, 1u);
  EXPECT_EQ(counters().messages_received, 0u);
  auto frames = raw_frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].b0, 0x88);
  EXPECT_EQ(frames[0].payload, std::string("\x03\xf1", 2));  // 1009
  ASSERT_NE(ctx_->deflate, nullptr);
  // The inflate buffer stops at the limit + 1 byte; the compress buffer holds the first request.
  EXPECT_LE(ctx_->deflate->buffer_bytes(), kReadMessageMax + 1 + 4096);
  server_close(1009);
  server_->close();
  poll();
  EXPECT_TRUE(done_);
  EXPECT_EQ(counters().disconnects, (std::map<std::string, uint64_t>{{"protocol_error", 1}}));
}

// The same fixture without compression: no offer, and RSV1 is a protocol error.
class PlainConnection : public MemoryConnection {};

TEST_F(PlainConnection, NoOfferWithoutCompression) {
  conn_->start();
  poll();
  const std::string request(server_->str());
  EXPECT_EQ(request.find("Sec-WebSocket-Extensions"), std::string::npos) << request;
  answer_upgrade();
  EXPECT_EQ(counters().connections_established, 1u);
  EXPECT_EQ(counters().bytes_sent_wire, counters().bytes_sent);
  EXPECT_EQ(ctx_->deflate, nullptr);
}

}  // namespace
}  // namespace wsload::agent
