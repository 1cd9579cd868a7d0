#include "../../../agent/src/ws_codec.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cctype>
#include <random>
#include <string>
#include <vector>

namespace wsload::agent::ws {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

using Events = std::vector<std::string>;

// Records every callback as one string; optionally refuses after `stop_after` events.
class Recorder : public FrameHandler {
 public:
  Events events;
  std::size_t stop_after = SIZE_MAX;
  std::vector<const char*> data_ptrs;  // payload.data() of every callback

  bool on_message(bool text, std::string_view p, std::size_t wire_size) override {
    EXPECT_EQ(wire_size, p.size());  // nothing is compressed without the extension
    return add((text ? "text:" : "binary:") + std::string(p), p);
  }
  bool on_ping(std::string_view p) override { return add("ping:" + std::string(p), p); }
  bool on_pong(std::string_view p) override { return add("pong:" + std::string(p), p); }
  bool on_close(uint16_t code, std::string_view reason) override {
    return add("close:" + std::to_string(code) + ":" + std::string(reason), reason);
  }

 private:
  bool add(std::string event, std::string_view p) {
    events.push_back(std::move(event));
    data_ptrs.push_back(p.data());
    return events.size() < stop_after;
  }
};

enum class Split { kWhole, kBytes, kRandom };

// Decodes `wire` fed in pieces as `split` says; each piece lives in its own buffer that is
// overwritten after the feed, so a decoder keeping views into old input shows up as garbage.
Events decode(std::string_view wire, Split split, uint32_t max_message = 1 << 24) {
  Decoder decoder(max_message);
  Recorder recorder;
  std::mt19937 rng(20240607);
  std::size_t pos = 0;
  while (pos < wire.size()) {
    std::size_t n = wire.size() - pos;
    if (split == Split::kBytes) n = 1;
    if (split == Split::kRandom) n = std::min<std::size_t>(n, rng() % 300 + 1);
    std::string piece(wire.substr(pos, n));
    EXPECT_TRUE(decoder.feed(piece, recorder)) << decoder.error_what() << " at " << pos;
    piece.assign(piece.size(), '#');
    pos += n;
  }
  EXPECT_FALSE(decoder.failed());
  EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());
  return recorder.events;
}

void expect_all_splits(std::string_view wire, const Events& expected) {
  EXPECT_EQ(decode(wire, Split::kWhole), expected);
  EXPECT_EQ(decode(wire, Split::kBytes), expected);
  EXPECT_EQ(decode(wire, Split::kRandom), expected);
}

// Independent encoder of unmasked server frames (minimal length encoding).
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

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s += static_cast<char>(b);
  return s;
}

std::string pattern(std::size_t n, char base = 'a') {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(base + i % 26);
  return s;
}

// A Beast websocket server in memory, handshaken with a client key from make_key. The test is
// the client: give_input() is what it sends, take_output() what the server wrote to it.
class BeastServer {
 public:
  BeastServer() : client_(ioc_), ws_(ioc_) {
    ws_.next_layer().connect(client_);
    std::minstd_rand rng(7);
    key_ = make_key(rng);
    give_input(
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: " +
        key_ + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    ws_.accept();
    handshake_response_ = take_output();
  }

  void give_input(std::string_view bytes) { ws_.next_layer().append(bytes); }
  std::string take_output() {
    std::string out(client_.str());
    client_.clear();
    return out;
  }
  websocket::stream<beast::test::stream>& ws() { return ws_; }
  const std::string& key() const { return key_; }
  const std::string& handshake_response() const { return handshake_response_; }

 private:
  boost::asio::io_context ioc_;
  beast::test::stream client_;
  websocket::stream<beast::test::stream> ws_;
  std::string key_;
  std::string handshake_response_;
};

const std::vector<std::size_t> kSizes = {0, 1, 125, 126, 65535, 65536, 70000};

TEST(WsCodecBeast, HandshakeAcceptMatchesBeast) {
  BeastServer server;
  EXPECT_NE(server.handshake_response().find("101"), std::string::npos);
  EXPECT_NE(server.handshake_response().find("Sec-WebSocket-Accept: " + accept_for(server.key())),
            std::string::npos)
      << server.handshake_response();
}

TEST(WsCodecBeast, ClientFramesReadByBeastServer) {
  BeastServer server;
  uint32_t mask = 0x01234567;
  for (std::size_t n : kSizes) {
    for (bool text : {true, false}) {
      const std::string payload = pattern(n);
      std::string out = "prefix";
      append_frame(out, text ? Opcode::kText : Opcode::kBinary, payload, mask);
      mask = mask * 2654435761u + 1;
      const std::size_t header = n < 126 ? 2 : n < 65536 ? 4 : 10;
      ASSERT_EQ(out.size(), 6 + header + 4 + n) << n;
      EXPECT_EQ(out.substr(0, 6), "prefix");  // appended, not overwritten
      server.give_input(std::string_view(out).substr(6));
      beast::flat_buffer buffer;
      server.ws().read(buffer);
      EXPECT_EQ(server.ws().got_text(), text) << n;
      EXPECT_EQ(beast::buffers_to_string(buffer.data()), payload) << n;
    }
  }
}

TEST(WsCodecBeast, ManyClientFramesInOneWriteAndControlFrames) {
  BeastServer server;
  std::vector<std::string> controls;
  server.ws().control_callback([&](websocket::frame_type kind, beast::string_view p) {
    controls.push_back((kind == websocket::frame_type::ping ? "ping:" : "pong:") + std::string(p));
  });
  std::string out;
  append_frame(out, Opcode::kPing, "hello", 0xDEADBEEF);
  append_frame(out, Opcode::kText, "one", 0x11111111);
  append_frame(out, Opcode::kPong, pattern(125), 0x80808080);
  append_frame(out, Opcode::kBinary, pattern(300), 0);
  server.give_input(out);
  beast::flat_buffer buffer;
  server.ws().read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "one");
  buffer.clear();
  server.ws().read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), pattern(300));
  EXPECT_EQ(controls, (Events{"ping:hello", "pong:" + pattern(125)}));
  // Beast answered the ping; our decoder reads its pong.
  EXPECT_EQ(decode(server.take_output(), Split::kWhole), Events{"pong:hello"});

  std::string close;
  append_close(close, 1001, 0x5A5A5A5A);
  server.give_input(close);
  boost::system::error_code ec;
  server.ws().read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(server.ws().reason().code, 1001);
  EXPECT_EQ(decode(server.take_output(), Split::kBytes), Events{"close:1001:"});
}

TEST(WsCodecBeast, ServerFramesDecodedInEverySplit) {
  BeastServer server;
  auto& ws = server.ws();
  Events expected;
  for (std::size_t n : kSizes) {
    ws.text(true);
    ws.write(boost::asio::buffer(pattern(n)));
    expected.push_back("text:" + pattern(n));
  }
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  ws.binary(true);
  ws.write(boost::asio::buffer(all_bytes));
  expected.push_back("binary:" + all_bytes);
  ws.ping("p1");
  expected.push_back("ping:p1");
  ws.pong("");
  expected.push_back("pong:");
  // Multi-byte UTF-8 ("h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80" = hé€😀) across fragment ends.
  const std::string utf8 = [] {
    std::string s;
    for (int i = 0; i < 200; ++i) s += "h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    return s;
  }();
  std::string wire = server.take_output();

  ws.auto_fragment(true);
  ws.write_buffer_bytes(61);
  ws.text(true);
  ws.write(boost::asio::buffer(utf8));
  expected.push_back("text:" + utf8);
  ws.binary(true);
  ws.write(boost::asio::buffer(pattern(70000)));
  expected.push_back("binary:" + pattern(70000));
  const std::string fragmented = server.take_output();
  EXPECT_EQ(fragmented[0] & 0x80, 0);  // the first frame is not FIN: Beast did fragment
  wire += fragmented;

  // Hand-made fragments with control frames between them.
  ws.auto_fragment(false);
  ws.text(true);
  ws.write_some(false, boost::asio::buffer(std::string("Hel")));
  ws.ping("mid");
  ws.write_some(false, boost::asio::buffer(std::string("")));
  websocket::ping_data long_pong;
  long_pong.assign(pattern(125).data(), 125);
  ws.pong(long_pong);
  ws.write_some(true, boost::asio::buffer(std::string("lo")));
  expected.push_back("ping:mid");
  expected.push_back("pong:" + pattern(125));
  expected.push_back("text:Hello");

  std::string reply;
  append_close(reply, 1000, 42);
  server.give_input(reply);
  ws.close(websocket::close_reason(static_cast<websocket::close_code>(4001), "bye \xE2\x82\xAC"));
  expected.push_back("close:4001:bye \xE2\x82\xAC");
  wire += server.take_output();

  expect_all_splits(wire, expected);
}

TEST(WsCodecEncode, RfcMaskedHelloExactBytes) {
  // RFC 6455 §5.7: a single-frame masked text message "Hello" with key 37 fa 21 3d.
  std::string out;
  append_frame(out, Opcode::kText, "Hello", 0x37FA213D);
  EXPECT_EQ(out, bytes({0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58}));
}

TEST(WsCodecEncode, MinimalLengthHeadersAndClose) {
  const std::vector<std::pair<std::size_t, std::string>> cases = {
      {0, bytes({0x82, 0x80})},
      {125, bytes({0x82, 0xFD})},
      {126, bytes({0x82, 0xFE, 0x00, 0x7E})},
      {65535, bytes({0x82, 0xFE, 0xFF, 0xFF})},
      {65536, bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0})},
  };
  for (const auto& [n, header] : cases) {
    std::string out;
    append_frame(out, Opcode::kBinary, std::string(n, 'x'), 0);
    EXPECT_EQ(out.substr(0, header.size()), header) << n;
    // Mask 0: the payload goes out unchanged after the 4 key bytes.
    EXPECT_EQ(out.substr(header.size()), std::string(4, '\0') + std::string(n, 'x')) << n;
  }
  std::string close;
  append_close(close, 1002, 0);
  EXPECT_EQ(close, bytes({0x88, 0x82, 0, 0, 0, 0, 0x03, 0xEA}));
}

TEST(WsCodecHandshake, KeyAndAccept) {
  // RFC 6455 §1.3 (and Python's hashlib/base64 agree).
  EXPECT_EQ(accept_for("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  std::minstd_rand rng(1);
  const std::string key = make_key(rng);
  ASSERT_EQ(key.size(), 24u);
  EXPECT_EQ(key.substr(22), "==");
  for (char c : key.substr(0, 22))
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') << key;
  unsigned char raw[24];
  // EVP_DecodeBlock counts the 2 padding bytes: 18 = 16 key bytes + 2.
  EXPECT_EQ(EVP_DecodeBlock(raw, reinterpret_cast<const unsigned char*>(key.data()), 24), 18);
  EXPECT_NE(make_key(rng), key);
  std::minstd_rand same(1);
  EXPECT_EQ(make_key(same), key);
}

TEST(WsCodecUtf8, Table) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"", true},
      {"plain ascii, long enough for the word-at-a-time path", true},
      {"\x7F", true},
      {"\xC3\xA9", true},          // é
      {"\xE2\x82\xAC", true},      // €
      {"\xF0\x9F\x98\x80", true},  // U+1F600
      {"\xF4\x8F\xBF\xBF", true},  // U+10FFFF
      {"\xED\x9F\xBF", true},      // U+D7FF
      {"\xEE\x80\x80", true},      // U+E000
      {"abcdefgh\xC3\xA9ijklmnop", true},
      {"\xC0\x80", false},          // overlong NUL
      {"\xC1\xBF", false},          // overlong
      {"\xE0\x80\x80", false},      // overlong
      {"\xE0\x9F\xBF", false},      // overlong
      {"\xF0\x80\x80\x80", false},  // overlong
      {"\xF0\x8F\xBF\xBF", false},  // overlong
      {"\xED\xA0\x80", false},      // surrogate D800
      {"\xED\xBF\xBF", false},      // surrogate DFFF
      {"\xF4\x90\x80\x80", false},  // U+110000
      {"\xF5\x80\x80\x80", false},
      {"\xFF", false},
      {"\x80", false},              // lone continuation
      {"\xC3", false},              // truncated
      {"\xE2\x82", false},          // truncated
      {"\xF0\x9F\x98", false},      // truncated
      {"abcdefgh\xE2\x82", false},  // truncated after the fast path
      {"\xC3\x28", false},          // bad continuation
      {"\xE2\x28\xA1", false},
      {"\xF0\x9F\x28\x80", false},
  };
  for (const auto& [s, valid] : cases) {
    EXPECT_EQ(valid_utf8(s), valid) << testing::PrintToString(s);
  }
}

TEST(WsDecoder, HandBuiltFramesInEverySplit) {
  std::string wire = server_frame(0x81, "hi") + server_frame(0x82, std::string(3, '\0')) +
                     server_frame(0x01, "Hel") + server_frame(0x89, "ping") +
                     server_frame(0x00, "lo ") + server_frame(0x8A, "") +
                     server_frame(0x80, "World") + server_frame(0x02, "") + server_frame(0x80, "") +
                     server_frame(0x81, pattern(70000)) + server_frame(0x88, "") +
                     server_frame(0x88, bytes({0x03, 0xE8})) + server_frame(0x81, "after close");
  expect_all_splits(wire, Events{"text:hi", "binary:" + std::string(3, '\0'), "ping:ping",
                                 "pong:", "text:Hello World", "binary:", "text:" + pattern(70000),
                                 "close:1005:", "close:1000:", "text:after close"});
}

TEST(WsDecoder, RandomValidStreamsInRandomSplits) {
  std::mt19937 rng(99);
  for (int round = 0; round < 50; ++round) {
    std::string wire;
    Events expected;
    for (int m = 0; m < 20; ++m) {
      const bool text = rng() % 2;
      const int fragments = static_cast<int>(rng() % 4) + 1;
      std::string whole;
      Events after;  // control frames after the last fragment come after the message
      for (int f = 0; f < fragments; ++f) {
        const std::size_t sizes[] = {0, 1, 7, 125, 126, 300, 70000};
        const bool huge = rng() % 8 == 0;
        const std::string part = pattern(sizes[rng() % (huge ? 7 : 6)], 'A' + f);
        const uint8_t op = f > 0 ? 0x0 : text ? 0x1 : 0x2;
        wire += server_frame(static_cast<uint8_t>(op | (f + 1 == fragments ? 0x80 : 0)), part);
        whole += part;
        if (rng() % 3 == 0) {  // a control frame after this fragment
          const bool ping = rng() % 2;
          const std::string body = pattern(rng() % 126, 'a');
          wire += server_frame(ping ? 0x89 : 0x8A, body);
          (f + 1 == fragments ? after : expected).push_back((ping ? "ping:" : "pong:") + body);
        }
      }
      expected.push_back((text ? "text:" : "binary:") + whole);
      expected.insert(expected.end(), after.begin(), after.end());
    }
    ASSERT_EQ(decode(wire, Split::kRandom), expected) << round;
  }
}

TEST(WsDecoder, MessageOfExactlyMaxIsAccepted) {
  const std::string wire = server_frame(0x01, pattern(600)) + server_frame(0x80, pattern(400));
  EXPECT_EQ(decode(wire, Split::kBytes, 1000), Events{"text:" + pattern(600) + pattern(400)});
}

struct ErrorCase {
  const char* name;
  std::string wire;
  uint16_t code;
};
// Every case's wire is invalid at its last frame; the frames before it are valid.

std::vector<ErrorCase> error_cases() {
  std::vector<ErrorCase> cases = {
      {"masked", bytes({0x81, 0x81, 1, 2, 3, 4, 'a'}), 1002},
      {"rsv1", bytes({0xC1, 0x00}), 1002},
      {"rsv2", bytes({0xA1, 0x00}), 1002},
      {"rsv3", bytes({0x91, 0x00}), 1002},
      {"ping not fin", bytes({0x09, 0x00}), 1002},
      {"close not fin", bytes({0x08, 0x00}), 1002},
      {"ping 126", server_frame(0x89, pattern(126)), 1002},
      {"continuation first", bytes({0x80, 0x01, 'a'}), 1002},
      {"text in fragmented", server_frame(0x01, "a") + server_frame(0x81, "b"), 1002},
      {"binary in fragmented", server_frame(0x02, "a") + server_frame(0x02, "b"), 1002},
      {"continuation after complete", server_frame(0x81, "a") + server_frame(0x80, "b"), 1002},
      {"non-minimal 16", bytes({0x82, 0x7E, 0x00, 0x7D}) + pattern(125), 1002},
      {"non-minimal 64", bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}), 1002},
      {"64-bit top bit", bytes({0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0}), 1002},
      {"too big frame", server_frame(0x82, pattern(1001)), 1009},
      // The second header alone must trip the limit (its payload is not sent).
      {"too big message", server_frame(0x02, pattern(600)) + bytes({0x80, 0x7E, 0x01, 0x91}), 1009},
      {"text not utf8", server_frame(0x81, "\xC0\x80"), 1007},
      {"fragmented text not utf8", server_frame(0x01, "ok") + server_frame(0x80, "\xED\xA0\x80"),
       1007},
      {"close 1 byte", bytes({0x88, 0x01, 0x03}), 1002},
      {"close reason not utf8", server_frame(0x88, bytes({0x03, 0xE8, 0xFF})), 1007},
  };
  for (int op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    cases.push_back({"unknown opcode", bytes({0x80 | op, 0x00}), 1002});
  }
  return cases;
}

TEST(WsDecoder, ErrorsWholeAndByteByByte) {
  for (const ErrorCase& c : error_cases()) {
    for (bool bytewise : {false, true}) {
      SCOPED_TRACE(std::string(c.name) + (bytewise ? " bytewise" : " whole"));
      Decoder decoder(1000);
      Recorder recorder;
      bool ok = true;
      if (bytewise) {
        for (char b : c.wire) {
          ok = decoder.feed(std::string_view(&b, 1), recorder);
          if (!ok) break;
        }
      } else {
        ok = decoder.feed(c.wire, recorder);
      }
      EXPECT_FALSE(ok);
      EXPECT_TRUE(decoder.failed());
      EXPECT_EQ(decoder.error_code(), c.code);
      EXPECT_STRNE(decoder.error_what(), "");
      EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());
      // Failure is sticky until reset().
      const Events before = recorder.events;
      EXPECT_FALSE(decoder.feed(server_frame(0x81, "x"), recorder));
      EXPECT_EQ(recorder.events, before);
      decoder.reset();
      EXPECT_FALSE(decoder.failed());
      EXPECT_TRUE(decoder.feed(server_frame(0x81, "x"), recorder));
      ASSERT_EQ(recorder.events.size(), before.size() + 1);
      EXPECT_EQ(recorder.events.back(), "text:x");
    }
  }
}

TEST(WsDecoder, CloseCodes) {
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000,
                   3999, 4000, 4999}) {
    EXPECT_EQ(decode(server_frame(0x88, bytes({code >> 8, code & 0xFF}) + "why"), Split::kWhole),
              Events{"close:" + std::to_string(code) + ":why"});
  }
  for (int code : {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    Decoder decoder(1000);
    Recorder recorder;
    EXPECT_FALSE(decoder.feed(server_frame(0x88, bytes({code >> 8, code & 0xFF})), recorder));
    EXPECT_EQ(decoder.error_code(), 1002) << code;
    EXPECT_TRUE(recorder.events.empty()) << code;
  }
}

TEST(WsDecoder, WholeFramesAreViewsIntoTheInput) {
  const std::string wire =
      server_frame(0x81, "hello") + server_frame(0x89, "png") + server_frame(0x82, "world");
  Decoder decoder(1000);
  Recorder recorder;
  ASSERT_TRUE(decoder.feed(wire, recorder));
  ASSERT_EQ(recorder.events, (Events{"text:hello", "ping:png", "binary:world"}));
  EXPECT_EQ(recorder.data_ptrs[0], wire.data() + 2);
  EXPECT_EQ(recorder.data_ptrs[1], wire.data() + 9);
  EXPECT_EQ(recorder.data_ptrs[2], wire.data() + 14);
  EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());
}

TEST(WsDecoder, StorageFreedOnceSpanningMessageCompletes) {
  const std::string big = pattern(70000);
  const std::string wire = server_frame(0x82, big);
  Decoder decoder(1 << 20);
  Recorder recorder;
  ASSERT_TRUE(decoder.feed(std::string_view(wire).substr(0, 30000), recorder));
  EXPECT_GT(decoder.buffered_capacity(), std::string().capacity());
  ASSERT_TRUE(decoder.feed(std::string_view(wire).substr(30000), recorder));
  EXPECT_EQ(recorder.events, Events{"binary:" + big});
  EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());

  // A control frame spanning feeds in the middle of a fragmented message.
  const std::string frag = server_frame(0x01, pattern(40)) + server_frame(0x89, pattern(100)) +
                           server_frame(0x80, pattern(50));
  ASSERT_TRUE(decoder.feed(std::string_view(frag).substr(0, 80), recorder));
  EXPECT_GT(decoder.buffered_capacity(), std::string().capacity());
  ASSERT_TRUE(decoder.feed(std::string_view(frag).substr(80), recorder));
  EXPECT_EQ(recorder.events.back(), "text:" + pattern(40) + pattern(50));
  EXPECT_EQ(recorder.events[recorder.events.size() - 2], "ping:" + pattern(100));
  EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());
}

TEST(WsDecoder, HandlerFalseStopsTheFeedWithoutError) {
  const std::string wire = server_frame(0x81, "one") + server_frame(0x81, "two");
  Decoder decoder(1000);
  Recorder recorder;
  recorder.stop_after = 1;
  EXPECT_FALSE(decoder.feed(wire, recorder));
  EXPECT_FALSE(decoder.failed());
  EXPECT_EQ(recorder.events, Events{"text:one"});

  // Same from storage: a message spanning feeds.
  Decoder spanning(1000);
  Recorder second;
  second.stop_after = 1;
  EXPECT_TRUE(spanning.feed(std::string_view(wire).substr(0, 3), second));
  EXPECT_FALSE(spanning.feed(std::string_view(wire).substr(3), second));
  EXPECT_FALSE(spanning.failed());
  EXPECT_EQ(second.events, Events{"text:one"});
}

// 72 since the permessage-deflate bits: the connection holding it did not grow.
TEST(WsDecoder, SizeIsSmall) { EXPECT_LE(sizeof(Decoder), 72u); }

}  // namespace
}  // namespace wsload::agent::ws
