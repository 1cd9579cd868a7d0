// FrameReader against RFC 6455's own examples (section 5.7) and the refusals of Beast's server
// (websocket::detail::read_fh and is_valid_close_code); fed whole and byte by byte.
#include "frame_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wsload::target {
namespace {

using Bytes = std::vector<uint8_t>;

// One client frame: masked with `key`, the length in its shortest form unless `length_form`
// (126 or 127) forces a longer one.
Bytes client_frame(uint8_t first_byte, std::string_view payload, int length_form = 0,
                   std::array<uint8_t, 4> key = {0x37, 0xfa, 0x21, 0x3d}) {
  Bytes out{first_byte};
  const uint64_t n = payload.size();
  if (length_form == 127 || (length_form == 0 && n > 0xFFFF)) {
    out.push_back(0x80 | 127);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
  } else if (length_form == 126 || (length_form == 0 && n >= 126)) {
    out.push_back(0x80 | 126);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(static_cast<uint8_t>(0x80 | n));
  }
  out.insert(out.end(), key.begin(), key.end());
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(payload[i]) ^ key[i % 4]);
  return out;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Recorder final : FrameSink {
  std::vector<std::string> events;
  void on_message(bool binary, std::string& payload) override {
    events.push_back((binary ? "binary:" : "text:") + std::move(payload));
  }
  void on_ping(std::string_view payload) override {
    events.push_back("ping:" + std::string(payload));
  }
  void on_close(uint16_t code, std::string_view reason) override {
    events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
  }
};

struct Result {
  FrameError error;
  std::vector<std::string> events;
};

Result feed_whole(Bytes bytes, std::size_t max = 0) {
  FrameReader reader(max);
  Recorder sink;
  const FrameError error = reader.feed(bytes, sink);
  return {error, sink.events};
}

Result feed_bytewise(Bytes bytes, std::size_t max = 0) {
  FrameReader reader(max);
  Recorder sink;
  FrameError error = FrameError::kNone;
  for (auto& b : bytes) error = reader.feed(std::span<uint8_t>(&b, 1), sink);
  return {error, sink.events};
}

void expect_both(const Bytes& bytes, FrameError error, std::vector<std::string> events,
                 std::size_t max = 0) {
  for (const Result& r : {feed_whole(bytes, max), feed_bytewise(bytes, max)}) {
    EXPECT_EQ(r.error, error);
    EXPECT_EQ(r.events, events);
  }
}

TEST(FrameReader, Rfc6455MaskedHelloExample) {
  expect_both({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}, FrameError::kNone,
              {"text:Hello"});
}

TEST(FrameReader, FragmentsJoinAndControlFramesInterleave) {
  expect_both(client_frame(0x01, "Hel") + client_frame(0x89, "p") + client_frame(0x8A, "ignored") +
                  client_frame(0x80, "lo") + client_frame(0x82, std::string("\xff\x00", 2)),
              FrameError::kNone, {"ping:p", "text:Hello", std::string("binary:\xff\x00", 9)});
}

TEST(FrameReader, SixteenAndSixtyFourBitLengths) {
  const std::string medium(200, 'm');
  const std::string large(70000, 'L');
  expect_both(client_frame(0x81, medium) + client_frame(0x82, large), FrameError::kNone,
              {"text:" + medium, "binary:" + large});
}

TEST(FrameReader, EmptyMessageAndEmptyCloseFrame) {
  expect_both(client_frame(0x81, "") + client_frame(0x88, "") + client_frame(0x81, "after"),
              FrameError::kNone, {"text:", "close:0:"});
}

TEST(FrameReader, CloseCodeAndReasonEndTheStream) {
  FrameReader reader(0);
  Recorder sink;
  Bytes bytes = client_frame(0x88, std::string("\x03\xe8"
                                               "bye",
                                               5)) +
                client_frame(0x81, "late");
  EXPECT_EQ(reader.feed(bytes, sink), FrameError::kNone);
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(sink.events, std::vector<std::string>{"close:1000:bye"});
}

TEST(FrameReader, ProtocolErrorsAreRefusedWith1002) {
  const Bytes unmasked{0x81, 0x02, 'h', 'i'};
  const std::vector<Bytes> cases = {
      unmasked,
      client_frame(0xC1, "rsv1"),                              // reserved bit without extension
      client_frame(0x83, "op3"),                               // unknown opcode
      client_frame(0x09, "p"),                                 // fragmented ping
      client_frame(0x89, std::string(126, 'p')),               // control payload over 125
      client_frame(0x80, "cont"),                              // continuation without a message
      client_frame(0x01, "a") + client_frame(0x81, "b"),       // new message inside one
      client_frame(0x81, "short", 126),                        // 16-bit length under 126
      client_frame(0x81, std::string(300, 'x'), 127),          // 64-bit length under 65536
      client_frame(0x88, "\x03"),                              // 1-byte close payload
      client_frame(0x88, std::string("\x03\xed", 2)),          // close code 1005
      client_frame(0x88, std::string("\x07\xd0", 2)),          // close code 2000
      client_frame(0x88, std::string("\x03\xe8\xc0\xaf", 4)),  // close reason not UTF-8
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    expect_both(cases[i], FrameError::kProtocol, {});
  }
  Bytes huge{0x82, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};  // length over 2^63
  expect_both(huge, FrameError::kProtocol, {});
}

TEST(FrameReader, InvalidUtf8TextIs1007ButBinaryIsNot) {
  expect_both(client_frame(0x81, "\xc0\xaf"), FrameError::kBadData, {});
  // A code point split across fragments is valid once joined.
  expect_both(client_frame(0x01, "\xe2\x82") + client_frame(0x80, "\xac"), FrameError::kNone,
              {"text:\xe2\x82\xac"});
  expect_both(client_frame(0x82, "\xc0\xaf"), FrameError::kNone, {"binary:\xc0\xaf"});
}

TEST(FrameReader, MessagesOverTheLimitAre1009AtTheHeader) {
  expect_both(client_frame(0x81, "0123456789"), FrameError::kNone, {"text:0123456789"}, 10);
  expect_both(client_frame(0x81, "0123456789a"), FrameError::kTooBig, {}, 10);
  expect_both(client_frame(0x01, "012345") + client_frame(0x80, "6789a"), FrameError::kTooBig, {},
              10);
  // Refused from the header alone: the payload need not arrive.
  expect_both(Bytes{0x82, 0x80 | 127, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}, FrameError::kTooBig, {},
              65536);
}

TEST(FrameHeader, ShortestLengthForms) {
  std::array<uint8_t, 10> out{};
  EXPECT_EQ(encode_frame_header(out, Opcode::kText, 0), 2u);
  EXPECT_EQ(out[0], 0x81);
  EXPECT_EQ(out[1], 0);
  EXPECT_EQ(encode_frame_header(out, Opcode::kBinary, 125), 2u);
  EXPECT_EQ(out[0], 0x82);
  EXPECT_EQ(out[1], 125);
  EXPECT_EQ(encode_frame_header(out, Opcode::kPong, 126), 4u);
  EXPECT_EQ(out[0], 0x8A);
  EXPECT_EQ((Bytes{out[1], out[2], out[3]}), (Bytes{126, 0, 126}));
  EXPECT_EQ(encode_frame_header(out, Opcode::kText, 65535), 4u);
  EXPECT_EQ((Bytes{out[2], out[3]}), (Bytes{0xFF, 0xFF}));
  EXPECT_EQ(encode_frame_header(out, Opcode::kClose, 65536), 10u);
  EXPECT_EQ(out[0], 0x88);
  EXPECT_EQ((Bytes(out.begin() + 1, out.end())), (Bytes{127, 0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(Utf8, Rfc3629Rules) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));                      // U+10FFFF
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));                             // overlong '/'
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));                         // overlong, 3 bytes
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));                         // surrogate U+D800
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));                     // over U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe2\x82"));                             // truncated
  EXPECT_FALSE(valid_utf8("\x80"));                                 // lone continuation
  EXPECT_FALSE(valid_utf8("\xf8\x88\x80\x80\x80"));                 // 5-byte form
}

}  // namespace
}  // namespace wsload::target
