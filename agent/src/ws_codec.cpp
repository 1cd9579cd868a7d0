#include "ws_codec.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "permessage_deflate.hpp"

namespace wsload::agent::ws {
namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr uint64_t kReserveMax = 1 << 20;

// XORs `n` bytes at `p` with the 4-byte key `key`, key byte i%4 on byte i.
void apply_mask(char* p, std::size_t n, const uint8_t key[4]) {
  uint8_t key8[8];
  std::memcpy(key8, key, 4);
  std::memcpy(key8 + 4, key, 4);
  uint64_t word_key;
  std::memcpy(&word_key, key8, 8);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    w ^= word_key;
    std::memcpy(p + i, &w, 8);
  }
  for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ key[i & 3]);
}

std::string base64(const unsigned char* data, int n) {
  std::string out(static_cast<std::size_t>(4 * ((n + 2) / 3)) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, n);
  out.resize(static_cast<std::size_t>(written));
  return out;
}

// RFC 6455 §7.4 plus the IANA-registered 1012 (service restart), 1013 (try again later) and
// 1014 (bad gateway) that real servers send.
bool valid_close_code(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

}  // namespace

void append_frame(std::string& out, Opcode op, std::string_view payload, uint32_t mask,
                  bool compressed) {
  const std::size_t n = payload.size();
  uint8_t header[14];
  std::size_t size = 2;
  header[0] = static_cast<uint8_t>((compressed ? 0xC0 : 0x80) | static_cast<uint8_t>(op));
  if (n < 126) {
    header[1] = static_cast<uint8_t>(0x80 | n);
  } else if (n <= 0xFFFF) {
    header[1] = 0x80 | 126;
    header[2] = static_cast<uint8_t>(n >> 8);
    header[3] = static_cast<uint8_t>(n);
    size = 4;
  } else {
    header[1] = 0x80 | 127;
    for (int i = 0; i < 8; ++i) header[2 + i] = static_cast<uint8_t>(uint64_t{n} >> (56 - 8 * i));
    size = 10;
  }
  uint8_t* key = header + size;
  key[0] = static_cast<uint8_t>(mask >> 24);
  key[1] = static_cast<uint8_t>(mask >> 16);
  key[2] = static_cast<uint8_t>(mask >> 8);
  key[3] = static_cast<uint8_t>(mask);
  size += 4;
  const std::size_t start = out.size() + size;
  out.append(reinterpret_cast<const char*>(header), size);
  out.append(payload);
  apply_mask(out.data() + start, n, key);
}

void append_close(std::string& out, uint16_t code, uint32_t mask) {
  const char body[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  append_frame(out, Opcode::kClose, std::string_view(body, 2), mask);
}

std::string make_key(std::minstd_rand& rng) {
  std::uniform_int_distribution<int> byte(0, 255);
  unsigned char raw[16];
  for (unsigned char& b : raw) b = static_cast<unsigned char>(byte(rng));
  return base64(raw, sizeof raw);
}

std::string accept_for(std::string_view key) {
  std::string input;
  input.reserve(key.size() + kAcceptGuid.size());
  input.append(key).append(kAcceptGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha1(), nullptr) != 1) {
    return {};  // never matches a server's answer: the handshake fails
  }
  return base64(digest, static_cast<int>(digest_len));
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t* const end = p + s.size();
  while (p < end) {
    // ASCII fast path, 8 bytes at a time.
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ULL) break;
      p += 8;
    }
    if (p == end) break;
    const uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    // RFC 3629 §4: the range of the second byte depends on the first; the rest are 80..BF.
    int tail;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      tail = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      tail = 2;
      if (c == 0xE0)
        lo = 0xA0;  // overlong
      else if (c == 0xED)
        hi = 0x9F;  // surrogates D800..DFFF
    } else if (c >= 0xF0 && c <= 0xF4) {
      tail = 3;
      if (c == 0xF0)
        lo = 0x90;  // overlong
      else if (c == 0xF4)
        hi = 0x8F;  // above U+10FFFF
    } else {
      return false;  // continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (end - p <= tail) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= tail; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
    }
    p += tail + 1;
  }
  return true;
}

bool Decoder::fail(uint16_t code, const char* what) {
  error_code_ = code;
  error_what_ = what;
  release_storage();
  return false;
}

void Decoder::release_storage() { std::string().swap(message_); }

void Decoder::reset() {
  release_storage();
  frame_left_ = 0;
  error_what_ = "";
  error_code_ = 0;
  header_len_ = 0;
  control_len_ = 0;
  frame_op_ = Opcode::kContinuation;
  frame_fin_ = false;
  frame_rsv1_ = false;
  in_frame_ = false;
  in_message_ = false;
  message_text_ = false;
  message_compressed_ = false;
}

int Decoder::parse_header(const uint8_t* p, std::size_t n, FrameHandler& handler) {
  if (n < 2) return 0;
  const uint8_t b0 = p[0];
  const uint8_t b1 = p[1];
  if (b0 & 0x30) return fail(kCloseProtocolError, "RSV2 or RSV3 bit set"), -1;
  const bool rsv1 = (b0 & 0x40) != 0;
  const uint8_t code = b0 & 0x0F;
  if ((code >= 0x3 && code <= 0x7) || code >= 0xB) {
    return fail(kCloseProtocolError, "unknown opcode"), -1;
  }
  const auto op = static_cast<Opcode>(code);
  const bool fin = (b0 & 0x80) != 0;
  if (b1 & 0x80) return fail(kCloseProtocolError, "masked server frame"), -1;
  const uint8_t len7 = b1 & 0x7F;
  if (is_control(op)) {
    if (!fin) return fail(kCloseProtocolError, "fragmented control frame"), -1;
    if (len7 > 125) return fail(kCloseProtocolError, "control frame payload over 125 bytes"), -1;
  } else if (op == Opcode::kContinuation) {
    if (!in_message_) return fail(kCloseProtocolError, "continuation without a message"), -1;
  } else if (in_message_) {
    return fail(kCloseProtocolError, "new message inside a fragmented message"), -1;
  }
  // RFC 7692 §6.1: RSV1 marks a compressed message, on its first frame only.
  if (rsv1) {
    if (is_control(op)) return fail(kCloseProtocolError, "RSV1 set on a control frame"), -1;
    if (op == Opcode::kContinuation) {
      return fail(kCloseProtocolError, "RSV1 set on a continuation frame"), -1;
    }
    if (handler.extension() == nullptr) {
      return fail(kCloseProtocolError, "RSV1 set without permessage-deflate"), -1;
    }
  }
  const std::size_t size = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
  if (n < size) return 0;
  uint64_t len = len7;
  if (len7 == 126) {
    len = (uint64_t{p[2]} << 8) | p[3];
    if (len < 126) return fail(kCloseProtocolError, "non-minimal 16-bit length"), -1;
  } else if (len7 == 127) {
    len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | p[i];
    if (len >> 63) return fail(kCloseProtocolError, "64-bit length with the top bit set"), -1;
    if (len < 0x10000) return fail(kCloseProtocolError, "non-minimal 64-bit length"), -1;
  }
  if (!is_control(op)) {
    const uint64_t before = op == Opcode::kContinuation ? message_.size() : 0;
    if (len > max_message_ || before > max_message_ - len) {
      return fail(kCloseTooBig, "message larger than the maximum"), -1;
    }
  }
  frame_op_ = op;
  frame_fin_ = fin;
  frame_rsv1_ = rsv1;
  frame_left_ = len;
  return static_cast<int>(size);
}

void Decoder::begin_buffered_frame() {
  in_frame_ = true;
  if (is_control(frame_op_)) {
    control_len_ = static_cast<uint8_t>(frame_left_);
    return;
  }
  if (frame_op_ != Opcode::kContinuation) {
    in_message_ = true;
    message_text_ = frame_op_ == Opcode::kText;
    message_compressed_ = frame_rsv1_;
    // Bounded, so a header alone cannot make the decoder allocate up to max_message.
    message_.reserve(static_cast<std::size_t>(std::min<uint64_t>(frame_left_, kReserveMax)));
  }
}

bool Decoder::end_buffered_frame(FrameHandler& handler) {
  in_frame_ = false;
  if (is_control(frame_op_)) {
    const std::size_t start = message_.size() - control_len_;
    const bool ok = deliver_control(handler, frame_op_, std::string_view(message_).substr(start));
    if (failed()) return false;
    message_.resize(start);
    if (!in_message_) release_storage();
    return ok;
  }
  if (!frame_fin_) return true;
  in_message_ = false;
  const bool ok = deliver_message(handler, message_text_, message_compressed_, message_);
  release_storage();
  return ok;
}

bool Decoder::deliver_message(FrameHandler& handler, bool text, bool compressed,
                              std::string_view payload) {
  const std::size_t wire_size = payload.size();
  if (compressed) {
    // parse_header made sure the extension is there.
    auto inflated = handler.extension()->inflate(payload, max_message_);
    if (inflated.has_error()) {
      switch (inflated.error()) {
        case PerMessageDeflate::InflateError::kTooBig:
          return fail(kCloseTooBig, "inflated message larger than the maximum");
        case PerMessageDeflate::InflateError::kBadData:
          return fail(kCloseInvalidPayload, "compressed message not valid deflate data");
        case PerMessageDeflate::InflateError::kNoMemory:
          break;
      }
      return fail(kCloseInternalError, "no memory to inflate a message");
    }
    payload = *inflated;
  }
  if (text && !valid_utf8(payload)) return fail(kCloseInvalidPayload, "text message not UTF-8");
  return handler.on_message(text, payload, wire_size);
}

bool Decoder::deliver_control(FrameHandler& handler, Opcode op, std::string_view payload) {
  if (op == Opcode::kPing) return handler.on_ping(payload);
  if (op == Opcode::kPong) return handler.on_pong(payload);
  if (payload.empty()) return handler.on_close(kCloseNoStatus, {});
  if (payload.size() == 1) return fail(kCloseProtocolError, "close frame payload of 1 byte");
  const auto code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                          static_cast<uint8_t>(payload[1]));
  if (!valid_close_code(code)) return fail(kCloseProtocolError, "invalid close code");
  const std::string_view reason = payload.substr(2);
  if (!valid_utf8(reason)) return fail(kCloseInvalidPayload, "close reason not UTF-8");
  return handler.on_close(code, reason);
}

bool Decoder::feed(std::string_view data, FrameHandler& handler) {
  if (failed()) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  std::size_t n = data.size();
  for (;;) {
    if (in_frame_) {
      const auto take = static_cast<std::size_t>(std::min<uint64_t>(frame_left_, n));
      message_.append(reinterpret_cast<const char*>(p), take);
      p += take;
      n -= take;
      frame_left_ -= take;
      if (frame_left_ > 0) return true;
      if (!end_buffered_frame(handler)) return false;
      continue;
    }
    if (n == 0) return true;
    int size;
    if (header_len_ == 0) {
      size = parse_header(p, n, handler);
      if (size < 0) return false;
      if (size == 0) {  // at most 9 bytes: the rest of the header comes with the next feed
        std::memcpy(header_, p, n);
        header_len_ = static_cast<uint8_t>(n);
        return true;
      }
    } else {
      // Complete the stashed header: 2 bytes tell how long it is.
      std::size_t want = 2;
      if (header_len_ >= 2) {
        const uint8_t len7 = header_[1] & 0x7F;
        want = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
      }
      const std::size_t take = std::min(want - header_len_, n);
      std::memcpy(header_ + header_len_, p, take);
      header_len_ = static_cast<uint8_t>(header_len_ + take);
      p += take;
      n -= take;
      size = parse_header(header_, header_len_, handler);
      if (size < 0) return false;
      if (size == 0) continue;  // needs the 2nd byte to know the length, or more bytes
      header_len_ = 0;
      size = 0;  // already consumed from `data`
    }
    p += size;
    n -= static_cast<std::size_t>(size);
    // Zero-copy: a whole control frame or unfragmented message is handed out from `data`.
    const bool single = is_control(frame_op_) || (frame_fin_ && frame_op_ != Opcode::kContinuation);
    if (single && frame_left_ <= n) {
      const std::string_view payload(reinterpret_cast<const char*>(p), frame_left_);
      p += frame_left_;
      n -= frame_left_;
      const bool ok = is_control(frame_op_) ? deliver_control(handler, frame_op_, payload)
                                            : deliver_message(handler, frame_op_ == Opcode::kText,
                                                              frame_rsv1_, payload);
      if (!ok) return false;
      continue;
    }
    begin_buffered_frame();
  }
}

}  // namespace wsload::agent::ws
