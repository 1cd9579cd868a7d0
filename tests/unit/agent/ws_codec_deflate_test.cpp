// The decoder with permessage-deflate (agent/src/ws_codec.cpp with a PerMessageDeflate): RSV1 on a
// message's first frame only, compressed messages whole, fragmented and split anywhere,
// uncompressed messages still allowed, and the close codes of its violations (the inflated-size
// limit among them).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "permessage_deflate.hpp"
#include "ws_codec.hpp"
#include "zlib_peer.hpp"

namespace wsload::agent::ws {
namespace {

using testing::bytes;
using testing::compressible;
using testing::random_bytes;
using testing::ZlibReceiver;
using testing::ZlibSender;

class DeflateRecorder : public FrameHandler {
 public:
  explicit DeflateRecorder(PerMessageDeflate* pmd) : pmd_(pmd) {}
  std::vector<std::string> events;
  std::vector<std::size_t> wire_sizes;

  bool on_message(bool text, std::string_view p, std::size_t wire_size) override {
    events.push_back((text ? "text:" : "binary:") + std::string(p));
    wire_sizes.push_back(wire_size);
    return true;
  }
  bool on_ping(std::string_view p) override {
    events.push_back("ping:" + std::string(p));
    return true;
  }
  bool on_pong(std::string_view p) override {
    events.push_back("pong:" + std::string(p));
    return true;
  }
  bool on_close(uint16_t code, std::string_view) override {
    events.push_back("close:" + std::to_string(code));
    return true;
  }
  PerMessageDeflate* extension() override { return pmd_; }

 private:
  PerMessageDeflate* pmd_;
};

// An unmasked server frame; b0 carries FIN, RSV1 and the opcode.
std::string server_frame(uint8_t b0, std::string_view payload) {
  std::string f(1, static_cast<char>(b0));
  const uint64_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(n);
  } else if (n < 65536) {
    f += '\x7E';
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  } else {
    f += '\x7F';
    for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  return f + std::string(payload);
}

TEST(DeflateDecoder, CompressedMessagesWholeFragmentedAndByteByByte) {
  ZlibSender server;
  const std::string big = compressible(70000, 4);
  const std::string one = server.message("Hello, compressed");
  const std::string two = server.message(big);
  ASSERT_GT(two.size(), 30u);
  std::string wire = server_frame(0xC1, one);  // FIN + RSV1 + text
  // Fragmented: RSV1 on the first frame only, control frames between fragments.
  wire += server_frame(0x42, two.substr(0, 10));  // RSV1 + binary, not FIN
  wire += server_frame(0x89, "mid");
  wire += server_frame(0x00, two.substr(10, 20));
  wire += server_frame(0x80, two.substr(30));
  wire += server_frame(0x81, "plain");  // uncompressed messages stay allowed
  const std::vector<std::string> expected = {"text:Hello, compressed", "ping:mid", "binary:" + big,
                                             "text:plain"};
  for (std::size_t piece : {wire.size(), std::size_t{1}, std::size_t{7}}) {
    DeflateWorkspace ws;
    PerMessageDeflate pmd({}, ws);
    DeflateRecorder recorder(&pmd);
    Decoder decoder(1 << 20);
    for (std::size_t at = 0; at < wire.size(); at += piece) {
      ASSERT_TRUE(decoder.feed(std::string_view(wire).substr(at, piece), recorder))
          << decoder.error_what() << " at " << at;
    }
    EXPECT_EQ(recorder.events, expected) << piece;
    EXPECT_EQ(recorder.wire_sizes, (std::vector<std::size_t>{one.size(), two.size(), 5}));
    EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());
  }
}

TEST(DeflateDecoder, Rsv1RulesAndLimits) {
  ZlibSender zeros(15, 9, 9);
  const std::string bomb = zeros.message(std::string(10 << 20, '\0'));
  ZlibSender other;
  const std::string bad_utf8 = other.message("ok \xC0\x80");
  struct Case {
    const char* name;
    std::string wire;
    bool extension;
    uint16_t code;
  };
  const std::vector<Case> cases = {
      {"rsv1 without the extension", server_frame(0xC1, bytes({0xf2, 0x48})), false, 1002},
      {"rsv1 on a ping", server_frame(0xC9, ""), true, 1002},
      {"rsv1 on a close", server_frame(0xC8, bytes({0x03, 0xE8})), true, 1002},
      {"rsv1 on a continuation",
       server_frame(0x41, bytes({0xf2, 0x48})) + server_frame(0xC0, bytes({0xcd})), true, 1002},
      {"rsv2", server_frame(0xA1, "x"), true, 1002},
      {"rsv3", server_frame(0x91, "x"), true, 1002},
      {"bomb", server_frame(0xC2, bomb), true, 1009},
      {"fragmented bomb",
       server_frame(0x42, bomb.substr(0, 100)) + server_frame(0x80, bomb.substr(100)), true, 1009},
      {"not deflate", server_frame(0xC2, bytes({0xff, 0xff, 0xff})), true, 1007},
      {"inflated text not utf8", server_frame(0xC1, bad_utf8), true, 1007},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DeflateWorkspace ws;
    PerMessageDeflate pmd({}, ws);
    DeflateRecorder recorder(c.extension ? &pmd : nullptr);
    Decoder decoder(1 << 20);
    EXPECT_FALSE(decoder.feed(c.wire, recorder));
    EXPECT_TRUE(decoder.failed());
    EXPECT_EQ(decoder.error_code(), c.code) << decoder.error_what();
    EXPECT_TRUE(recorder.events.empty());
    EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());
    if (std::string_view(c.name).find("bomb") != std::string_view::npos) {
      EXPECT_LE(ws.buffer_bytes(), (2u << 20));  // the limit, not the 10 MiB
    }
  }
}

}  // namespace
}  // namespace wsload::agent::ws
