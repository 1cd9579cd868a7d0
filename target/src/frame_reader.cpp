#include "frame_reader.hpp"

#include <algorithm>

namespace wsload::target {
namespace {

constexpr uint8_t kFin = 0x80;
constexpr uint8_t kReservedBits = 0x70;
constexpr uint8_t kMaskBit = 0x80;
constexpr std::size_t kMaxControlPayload = 125;
constexpr uint64_t kReserveAhead = 64 * 1024;

bool is_control(Opcode op) { return static_cast<uint8_t>(op) >= 8; }

bool known_opcode(uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

// Beast's rule (websocket::detail::is_valid_close_code), so both servers refuse the same codes.
bool valid_close_code(uint16_t code) {
  if (code <= 999) return false;
  if (code >= 1004 && code <= 1006) return false;
  if (code >= 1014 && code <= 2999) return false;
  return true;
}

uint64_t read_be(const uint8_t* p, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | p[i];
  return value;
}

}  // namespace

bool valid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::size_t encode_frame_header(std::array<uint8_t, 10>& out, Opcode opcode,
                                std::size_t payload_size) {
  out[0] = kFin | static_cast<uint8_t>(opcode);
  if (payload_size < 126) {
    out[1] = static_cast<uint8_t>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<uint8_t>(payload_size >> 8);
    out[3] = static_cast<uint8_t>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<uint8_t>(static_cast<uint64_t>(payload_size) >> (56 - 8 * i));
  return 10;
}

FrameError FrameReader::fail(FrameError error) {
  error_ = error;
  // A refused stream holds nothing any more.
  std::string().swap(message_);
  std::string().swap(control_);
  return error;
}

std::size_t FrameReader::header_size() const {
  const uint8_t len7 = header_[1] & 0x7F;
  const std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  return 2 + extended + 4;  // client frames always carry a 4-byte mask key
}

FrameError FrameReader::feed(std::span<uint8_t> bytes, FrameSink& sink) {
  std::size_t i = 0;
  while (i < bytes.size() && !done()) {
    if (!in_payload_) {
      // The first two bytes say how long the header is; the mask bit is checked as soon as seen.
      const std::size_t want = header_have_ < 2 ? 2 : header_size();
      const std::size_t take = std::min(want - header_have_, bytes.size() - i);
      std::copy_n(bytes.data() + i, take, header_.data() + header_have_);
      header_have_ += static_cast<uint8_t>(take);
      i += take;
      if (header_have_ == 2 && !(header_[1] & kMaskBit)) return fail(FrameError::kProtocol);
      if (header_have_ < 2 || header_have_ < header_size()) continue;
      if (const FrameError e = start_frame(); e != FrameError::kNone) return fail(e);
      if (remaining_ == 0)
        if (const FrameError e = end_frame(sink); e != FrameError::kNone) return fail(e);
      continue;
    }
    const std::size_t take =
        static_cast<std::size_t>(std::min<uint64_t>(remaining_, bytes.size() - i));
    const uint8_t* mask = header_.data() + header_size() - 4;
    uint8_t* p = bytes.data() + i;
    for (std::size_t k = 0; k < take; ++k) p[k] ^= mask[(mask_offset_ + k) & 3];
    mask_offset_ = static_cast<uint8_t>((mask_offset_ + take) & 3);
    (is_control(opcode_) ? control_ : message_).append(reinterpret_cast<const char*>(p), take);
    remaining_ -= take;
    i += take;
    if (remaining_ == 0)
      if (const FrameError e = end_frame(sink); e != FrameError::kNone) return fail(e);
  }
  return error_;
}

// Checks a complete header against the rules in the file comment and sets up its payload.
FrameError FrameReader::start_frame() {
  const uint8_t b0 = header_[0];
  if (b0 & kReservedBits) return FrameError::kProtocol;
  if (!known_opcode(b0 & 0x0F)) return FrameError::kProtocol;
  opcode_ = static_cast<Opcode>(b0 & 0x0F);
  fin_ = (b0 & kFin) != 0;
  const uint8_t len7 = header_[1] & 0x7F;
  uint64_t len = len7;
  if (len7 == 126) {
    len = read_be(header_.data() + 2, 2);
    if (len < 126) return FrameError::kProtocol;
  } else if (len7 == 127) {
    len = read_be(header_.data() + 2, 8);
    if (len < 65536 || (len >> 63) != 0) return FrameError::kProtocol;
  }
  if (is_control(opcode_)) {
    if (!fin_ || len > kMaxControlPayload) return FrameError::kProtocol;
  } else {
    const bool continuation = opcode_ == Opcode::kContinuation;
    if (continuation != (message_opcode_ != Opcode::kContinuation)) return FrameError::kProtocol;
    if (max_message_ != 0 && (len > max_message_ || message_.size() > max_message_ - len))
      return FrameError::kTooBig;
    if (!continuation) message_opcode_ = opcode_;
    // Reserved ahead at most kReserveAhead: a header alone must not make the session allocate.
    message_.reserve(message_.size() + static_cast<std::size_t>(std::min(len, kReserveAhead)));
  }
  remaining_ = len;
  mask_offset_ = 0;
  in_payload_ = true;
  return FrameError::kNone;
}

FrameError FrameReader::end_frame(FrameSink& sink) {
  in_payload_ = false;
  header_have_ = 0;
  if (is_control(opcode_)) return end_control(sink);
  if (!fin_) return FrameError::kNone;
  const bool binary = message_opcode_ == Opcode::kBinary;
  message_opcode_ = Opcode::kContinuation;
  if (!binary && !valid_utf8(message_)) return FrameError::kBadData;
  sink.on_message(binary, message_);
  // Whatever the sink left behind is released: an idle session holds no message buffer.
  std::string().swap(message_);
  return FrameError::kNone;
}

FrameError FrameReader::end_control(FrameSink& sink) {
  const std::string payload = std::move(control_);
  control_.clear();
  switch (opcode_) {
    case Opcode::kPing:
      sink.on_ping(payload);
      return FrameError::kNone;
    case Opcode::kClose: {
      if (payload.size() == 1) return FrameError::kProtocol;
      uint16_t code = 0;
      std::string_view reason;
      if (payload.size() >= 2) {
        code = static_cast<uint16_t>(read_be(reinterpret_cast<const uint8_t*>(payload.data()), 2));
        reason = std::string_view(payload).substr(2);
        if (!valid_close_code(code) || !valid_utf8(reason)) return FrameError::kProtocol;
      }
      done_ = true;
      sink.on_close(code, reason);
      return FrameError::kNone;
    }
    default:  // pong: nothing to do
      return FrameError::kNone;
  }
}

}  // namespace wsload::target
