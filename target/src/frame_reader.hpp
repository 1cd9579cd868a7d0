#pragma once
// The server's side of RFC 6455 framing with no extension negotiated, for LeanWsSession: an
// incremental parser of client frames and the encoder of server frame headers. It refuses what
// Beast's server refuses (websocket::detail::read_fh, is_valid_close_code), with the same codes:
//   - 1002 protocol error: reserved bits set, unknown opcode, unmasked frame, fragmented or
//     over-125-byte control frame, continuation without a message or a new message inside one,
//     a length not in its shortest form or over 2^63, a close payload of 1 byte or with an invalid
//     code or reason;
//   - 1007: a text message that is not valid UTF-8 (checked once the message is complete);
//   - 1009: a message over `max_message` bytes (checked at each frame header, before its payload).
// Memory: a partial message is held until it completes; between messages only the fixed members.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wsload::target {

// Why the reader stopped; the value is the close code to send (RFC 6455 section 7.4.1).
enum class FrameError : uint16_t { kNone = 0, kProtocol = 1002, kBadData = 1007, kTooBig = 1009 };

enum class Opcode : uint8_t {
  kContinuation = 0,
  kText = 1,
  kBinary = 2,
  kClose = 8,
  kPing = 9,
  kPong = 10
};

// What the reader hands over, synchronously from within FrameReader::feed.
class FrameSink {
 public:
  // A complete data message (unmasked); the sink may move from `payload`.
  virtual void on_message(bool binary, std::string& payload) = 0;
  // A ping's payload (at most 125 bytes), to be echoed in a pong.
  virtual void on_ping(std::string_view payload) = 0;
  // The peer's close frame: its code (0 when the frame had none) and reason, both validated.
  virtual void on_close(uint16_t code, std::string_view reason) = 0;

 protected:
  ~FrameSink() = default;
};

// Not thread-safe; one per session.
class FrameReader {
 public:
  // `max_message`: largest data message in bytes; 0 = unlimited.
  explicit FrameReader(std::size_t max_message) : max_message_(max_message) {}

  // Parses `bytes` (unmasked in place), calling `sink` for each complete message and control frame.
  // Returns kNone while the stream is well formed. After a close frame or an error the reader is
  // done(): it ignores further input and returns the same result.
  FrameError feed(std::span<uint8_t> bytes, FrameSink& sink);
  bool done() const { return done_ || error_ != FrameError::kNone; }

 private:
  FrameError fail(FrameError error);
  // Bytes the current header needs in all, from its first two bytes.
  std::size_t header_size() const;
  FrameError start_frame();
  FrameError end_frame(FrameSink& sink);
  FrameError end_control(FrameSink& sink);

  std::size_t max_message_;
  std::string message_;     // unmasked payload of the data message in progress
  std::string control_;     // unmasked payload of the control frame in progress
  uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  std::array<uint8_t, 14> header_{};
  uint8_t header_have_ = 0;  // header bytes received; the header is complete when in_payload_
  uint8_t mask_offset_ = 0;  // payload bytes of the current frame unmasked so far, mod 4
  Opcode opcode_ = Opcode::kContinuation;          // of the current frame
  Opcode message_opcode_ = Opcode::kContinuation;  // kText/kBinary while a message is in progress
  bool fin_ = false;
  bool in_payload_ = false;
  bool done_ = false;
  FrameError error_ = FrameError::kNone;
};

// Writes the header of one unfragmented, unmasked server frame carrying `payload_size` bytes into
// `out`; returns its size (2, 4 or 10).
std::size_t encode_frame_header(std::array<uint8_t, 10>& out, Opcode opcode,
                                std::size_t payload_size);

// RFC 3629 UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view text);

}  // namespace wsload::target
