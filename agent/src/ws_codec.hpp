#pragma once
// The client side of RFC 6455 once the upgrade is done: frame encoding (client frames are masked),
// an incremental decoder of server frames, and the upgrade key/accept check. Pure byte work, no
// I/O and no Beast: the agent's connections drive it from their sockets, tests from strings.
//
// Why not Beast's websocket::stream: it holds ~2.5 KB per connection (a fixed read buffer among
// it), allocates an operation per read/write, and writes one message per system call. Here an idle
// connection holds no buffer, a complete message is handed out as a view of the bytes read
// (no copy), and any number of frames go out in one write.
//
// permessage-deflate (RFC 7692) plugs in through FrameHandler::extension(): with it, RSV1 marks a
// compressed message (on its first frame only) and the decoder inflates it before handing it out.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace wsload::agent::ws {

class PerMessageDeflate;

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes we send (RFC 6455 §7.4.1).
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseProtocolError = 1002;
inline constexpr uint16_t kCloseInvalidPayload = 1007;  // text or close reason not UTF-8
inline constexpr uint16_t kCloseTooBig = 1009;
inline constexpr uint16_t kCloseInternalError = 1011;  // no memory to inflate a message
// Reported (never sent) when the peer's close frame carried no code.
inline constexpr uint16_t kCloseNoStatus = 1005;

inline bool is_control(Opcode op) { return static_cast<uint8_t>(op) >= 0x8; }

// Appends one complete (FIN) client frame: header, 4-byte mask key `mask`, masked payload.
// Control frames (close/ping/pong) must carry at most 125 bytes; the caller guarantees it.
// `compressed` sets RSV1: the payload is a permessage-deflate compressed message (data frames).
void append_frame(std::string& out, Opcode op, std::string_view payload, uint32_t mask,
                  bool compressed = false);
// Appends a close frame carrying `code` (2 bytes, no reason).
void append_close(std::string& out, uint16_t code, uint32_t mask);

// Sec-WebSocket-Key: base64 of 16 random bytes from `rng`.
std::string make_key(std::minstd_rand& rng);
// The Sec-WebSocket-Accept a server must answer for `key`: base64(SHA-1(key + RFC GUID)).
std::string accept_for(std::string_view key);

// Whole-buffer UTF-8 check (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s);

// Receives what the decoder finds. A view is valid only during the call. Returning false stops
// the decoding of the current feed() (the bytes after that frame are dropped).
class FrameHandler {
 public:
  virtual ~FrameHandler() = default;
  // A complete data message (fragments joined, inflated when it was compressed); `text` for
  // opcode text (already UTF-8 checked). `wire_size`: its payload bytes as they came (compressed
  // or not).
  virtual bool on_message(bool text, std::string_view payload, std::size_t wire_size) = 0;
  virtual bool on_ping(std::string_view payload) = 0;
  virtual bool on_pong(std::string_view payload) = 0;
  // The peer's close frame: its code (kCloseNoStatus when it had none) and reason.
  virtual bool on_close(uint16_t code, std::string_view reason) = 0;
  // The negotiated permessage-deflate, or nullptr (then RSV1 is a protocol error). Asked only
  // when a frame has RSV1 set; the same answer for the whole session.
  virtual PerMessageDeflate* extension() { return nullptr; }
};

// Incremental decoder of server-to-client frames. Bytes may arrive split anywhere; only a frame or
// fragmented message that spans feeds is copied (into storage freed once it completes).
// Protocol violations stop it for good: failed() becomes true and error_code() is the close code
// to send (1002, 1007, 1009 or 1011) with error_what() saying why.
// `max_message` bounds a message both as it comes and, compressed, once inflated (1009 beyond).
class Decoder {
 public:
  explicit Decoder(uint32_t max_message) : max_message_(max_message) {}

  // Decodes `data`, calling `handler` per complete message/control frame in order. Returns false
  // if a protocol error was found (now or before) or the handler returned false.
  bool feed(std::string_view data, FrameHandler& handler);

  bool failed() const { return error_code_ != 0; }
  uint16_t error_code() const { return error_code_; }
  const char* error_what() const { return error_what_; }
  // Back to the initial state, storage freed (a new connection on the same object).
  void reset();
  // Capacity of the internal storage; std::string().capacity() (no heap) whenever no frame or
  // message spans feeds.
  std::size_t buffered_capacity() const { return message_.capacity(); }

 private:
  bool fail(uint16_t code, const char* what);
  // Header of the frame starting at `p` (of `n` bytes). Returns its size, 0 if incomplete, or -1
  // after fail(). On success sets frame_op_, frame_fin_, frame_rsv1_ and frame_left_ (the payload
  // length). RSV1 is checked against handler.extension().
  int parse_header(const uint8_t* p, std::size_t n, FrameHandler& handler);
  // Starts buffering the frame whose header was just parsed; the payload goes to message_.
  void begin_buffered_frame();
  // The buffered frame's payload is complete: deliver it (control, or the message if FIN).
  bool end_buffered_frame(FrameHandler& handler);
  bool deliver_message(FrameHandler& handler, bool text, bool compressed, std::string_view payload);
  bool deliver_control(FrameHandler& handler, Opcode op, std::string_view payload);
  void release_storage();

  // Data of a message spanning frames or feeds, followed (while one spans feeds) by the payload
  // of a control frame; no heap storage otherwise.
  std::string message_;
  uint64_t frame_left_ = 0;  // payload bytes of the current frame still to come
  const char* error_what_ = "";
  uint32_t max_message_;
  uint16_t error_code_ = 0;
  uint8_t header_[10] = {};  // a frame header spanning feeds (header_len_ bytes of it so far)
  uint8_t header_len_ = 0;
  uint8_t control_len_ = 0;  // payload size of the buffered control frame (at message_'s end)
  Opcode frame_op_ = Opcode::kContinuation;  // opcode of the current frame
  bool frame_fin_ = false;
  bool in_frame_ = false;      // inside the payload of a buffered frame (copied into message_)
  bool in_message_ = false;    // a data message is being buffered (fragmented or spanning feeds)
  bool message_text_ = false;  // that message is text
  // permessage-deflate (one byte: a connection's size is a product figure)
  bool frame_rsv1_ : 1 = false;          // the current frame starts a compressed message
  bool message_compressed_ : 1 = false;  // the buffered message is compressed
};

}  // namespace wsload::agent::ws
