// Beast's permessage-deflate as the oracle, in memory: a Beast websocket server stream with the
// extension enabled answers our offer; what it negotiates is what we parse, the messages it
// compresses (whole and fragmented, with context takeover and without, small windows) are what
// our decoder inflates, and the messages we compress are what it reads.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <random>
#include <string>
#include <vector>

#include "permessage_deflate.hpp"
#include "ws_codec.hpp"

namespace wsload::agent::ws {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

// A Beast websocket server in memory with permessage-deflate, handshaken with our offer.
class BeastDeflateServer {
 public:
  explicit BeastDeflateServer(const websocket::permessage_deflate& options)
      : client_(ioc_), ws_(ioc_) {
    ws_.next_layer().connect(client_);
    ws_.set_option(options);
    std::minstd_rand rng(3);
    give_input(
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: " +
        make_key(rng) + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: " +
        std::string(kDeflateOffer) + "\r\n\r\n");
    ws_.accept();
    const std::string response = take_output();
    const std::string name = "Sec-WebSocket-Extensions: ";
    const auto at = response.find(name);
    if (at != std::string::npos) {
      const auto start = at + name.size();
      extensions_ = response.substr(start, response.find("\r\n", start) - start);
    }
  }

  void give_input(std::string_view bytes) { ws_.next_layer().append(bytes); }
  std::string take_output() {
    std::string out(client_.str());
    client_.clear();
    return out;
  }
  websocket::stream<beast::test::stream>& ws() { return ws_; }
  const std::string& extensions() const { return extensions_; }

 private:
  boost::asio::io_context ioc_;
  beast::test::stream client_;
  websocket::stream<beast::test::stream> ws_;
  std::string extensions_;  // of the 101
};

class Recorder : public FrameHandler {
 public:
  explicit Recorder(PerMessageDeflate* pmd) : pmd_(pmd) {}
  std::vector<std::string> events;
  std::size_t wire_bytes = 0;
  std::size_t payload_bytes = 0;
  bool on_message(bool text, std::string_view p, std::size_t wire_size) override {
    events.push_back((text ? "text:" : "binary:") + std::string(p));
    wire_bytes += wire_size;
    payload_bytes += p.size();
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

std::string compressible(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  static const char* const kWords[] = {
      "{\"type\":\"ping\",",     "\"id\":", "\"user\":\"alice\",", "\"ts\":1700000000,",
      "\"payload\":\"abcdef\"}", " "};
  std::string s;
  while (s.size() < n) s += kWords[rng() % 6];
  s.resize(n);
  return s;
}

std::string random_text(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, ' ');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

// Messages whose back-references reach beyond small windows: a random 3000-byte block twice (a
// 512-byte window cannot reach the first copy; a 4 KiB one can).
std::vector<std::string> messages() {
  const std::string block = random_text(3000, 9);
  return {"",
          "a",
          compressible(125, 1),
          compressible(125, 1),
          compressible(5000, 2),
          random_text(300, 3),
          block + block,
          compressible(70000, 4),
          block,
          std::string(100000, 'q')};
}

struct OptionCase {
  const char* name;
  websocket::permessage_deflate options;
  DeflateParams expected;
};

std::vector<OptionCase> option_cases() {
  std::vector<OptionCase> cases;
  auto add = [&](const char* name, auto set_options, auto set_expected) {
    OptionCase c{name, {}, {}};
    c.options.server_enable = true;
    set_options(c.options);
    set_expected(c.expected);
    cases.push_back(c);
  };
  add(
      "defaults", [](auto&) {}, [](auto&) {});
  add(
      "no context takeover",
      [](websocket::permessage_deflate& o) {
        o.server_no_context_takeover = o.client_no_context_takeover = true;
      },
      [](DeflateParams& p) { p.server_no_context_takeover = p.client_no_context_takeover = true; });
  add(
      "9-bit windows",
      [](websocket::permessage_deflate& o) {
        o.server_max_window_bits = o.client_max_window_bits = 9;
      },
      [](DeflateParams& p) { p.server_max_window_bits = p.client_max_window_bits = 9; });
  add(
      "12-bit server window, level 1, memLevel 9",
      [](websocket::permessage_deflate& o) {
        o.server_max_window_bits = 12;
        o.compLevel = 1;
        o.memLevel = 9;
      },
      [](DeflateParams& p) { p.server_max_window_bits = 12; });
  add(
      "10-bit client window without client takeover",
      [](websocket::permessage_deflate& o) {
        o.client_max_window_bits = 10;
        o.client_no_context_takeover = true;
      },
      [](DeflateParams& p) {
        p.client_max_window_bits = 10;
        p.client_no_context_takeover = true;
      });
  return cases;
}

TEST(DeflateBeastOracle, NegotiatesWhatBeastAnswers) {
  for (const OptionCase& c : option_cases()) {
    BeastDeflateServer server(c.options);
    auto answer = parse_deflate_response(server.extensions());
    ASSERT_TRUE(answer.has_value()) << c.name << ": " << server.extensions();
    ASSERT_TRUE(answer->has_value()) << c.name << ": Beast declined";
    EXPECT_EQ(**answer, c.expected) << c.name << ": " << server.extensions();
  }
  // Without server_enable Beast declines: no extension, the session runs uncompressed.
  BeastDeflateServer plain(websocket::permessage_deflate{});
  auto answer = parse_deflate_response(plain.extensions());
  ASSERT_TRUE(answer.has_value());
  EXPECT_FALSE(answer->has_value());
}

TEST(DeflateBeastOracle, WeInflateWhatBeastCompresses) {
  for (const OptionCase& c : option_cases()) {
    SCOPED_TRACE(c.name);
    BeastDeflateServer server(c.options);
    auto& ws = server.ws();
    std::vector<std::string> expected;
    std::string wire;
    bool text = true;
    for (const std::string& m : messages()) {
      ws.text(text);
      ws.write(boost::asio::buffer(m));
      expected.push_back((text ? "text:" : "binary:") + m);
      text = !text;
    }
    ws.ping("between");
    expected.push_back("ping:between");
    wire = server.take_output();
    EXPECT_EQ(static_cast<uint8_t>(wire[0]) & 0x40, 0x40) << "Beast compressed";
    // Fragmented: Beast cuts its compressed output into frames of its write buffer's size.
    ws.auto_fragment(true);
    ws.write_buffer_bytes(61);
    const std::string first = compressible(5000, 8);
    ws.text(true);
    ws.write(boost::asio::buffer(first));
    expected.push_back("text:" + first);
    const std::string fragmented = server.take_output();
    EXPECT_EQ(static_cast<uint8_t>(fragmented[0]) & 0xC0, 0x40) << "first frame: RSV1, not FIN";
    wire += fragmented;
    for (const std::string& m : messages()) {
      ws.binary(true);
      ws.write(boost::asio::buffer(m));
      expected.push_back("binary:" + m);
    }
    wire += server.take_output();

    auto params = parse_deflate_response(server.extensions());
    ASSERT_TRUE(params.has_value() && params->has_value());
    for (std::size_t piece : {wire.size(), std::size_t{1000}, std::size_t{3}}) {
      DeflateWorkspace workspace;
      PerMessageDeflate pmd(**params, workspace);
      Recorder recorder(&pmd);
      Decoder decoder(1 << 20);
      for (std::size_t at = 0; at < wire.size(); at += piece) {
        ASSERT_TRUE(decoder.feed(std::string_view(wire).substr(at, piece), recorder))
            << decoder.error_what() << " at " << at << " in pieces of " << piece;
      }
      EXPECT_EQ(recorder.events, expected) << piece;
      EXPECT_LT(recorder.wire_bytes * 2, recorder.payload_bytes);
    }
  }
}

TEST(DeflateBeastOracle, BeastReadsWhatWeCompress) {
  for (const OptionCase& c : option_cases()) {
    SCOPED_TRACE(c.name);
    BeastDeflateServer server(c.options);
    auto params = parse_deflate_response(server.extensions());
    ASSERT_TRUE(params.has_value() && params->has_value());
    DeflateWorkspace workspace;
    PerMessageDeflate pmd(**params, workspace);
    uint32_t mask = 0x12345678;
    std::size_t wire_bytes = 0, payload_bytes = 0;
    for (int round = 0; round < 2; ++round) {
      for (const std::string& m : messages()) {
        auto payload = pmd.compress(m);
        ASSERT_TRUE(payload.has_value());
        wire_bytes += payload->size();
        payload_bytes += m.size();
        std::string frame;
        append_frame(frame, Opcode::kBinary, *payload, mask, true);
        mask = mask * 2654435761u + 1;
        server.give_input(frame);
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        server.ws().read(buffer, ec);
        ASSERT_FALSE(ec) << ec.message() << " on a message of " << m.size() << " bytes";
        EXPECT_TRUE(server.ws().got_binary());
        EXPECT_EQ(beast::buffers_to_string(buffer.data()), m);
      }
    }
    EXPECT_LT(wire_bytes * 4, payload_bytes);
  }
}

}  // namespace
}  // namespace wsload::agent::ws
