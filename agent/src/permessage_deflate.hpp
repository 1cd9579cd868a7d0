#pragma once
// permessage-deflate (RFC 7692) data path of one connection: compresses the messages it sends and
// inflates the compressed messages it receives, with the inflated size bounded (a decompression
// bomb is refused at the bound, having allocated no more than it). zlib stays in the .cpp.
//
// Memory: zlib state exists only where the negotiated parameters make it outlive a message.
// - Context takeover (the default) in a direction: the connection owns that direction's stream,
//   created at its first message in that direction. Our compressor: raw deflate with a window of at
//   most kDeflateWindowBits and memLevel kDeflateMemLevel (~38 KiB); our inflater: the server's
//   window (32 KiB at 15 bits) plus ~7 KiB of state.
// - No context takeover in a direction: the worker's DeflateWorkspace stream is reset and used for
//   each message; the connection holds nothing for it.
// The buffers messages are compressed and inflated into are the workspace's (one per worker).
// Everything here runs on one worker thread; nothing is thread-safe.
#include <array>
#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "deflate_params.hpp"

struct z_stream_s;

namespace wsload::agent::ws {

// Our compressor's settings (python3-websockets' defaults): a 4 KiB window keeps the last few
// messages for back-references; memLevel 5 keeps its hash tables at 16 KiB.
inline constexpr int kDeflateWindowBits = 12;
inline constexpr int kDeflateMemLevel = 5;

namespace deflate_detail {
// Ends a zlib stream (deflateEnd or inflateEnd) and frees it.
struct EndDeflate {
  void operator()(z_stream_s* z) const;
};
struct EndInflate {
  void operator()(z_stream_s* z) const;
};
using Deflater = std::unique_ptr<z_stream_s, EndDeflate>;
using Inflater = std::unique_ptr<z_stream_s, EndInflate>;
// A growable byte buffer that never zero-fills (zlib writes it).
struct Buffer {
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;
  void grow_to(std::size_t n, std::size_t keep);  // capacity >= n, the first `keep` bytes kept
};
}  // namespace deflate_detail

// What the connections of one worker share: the streams of the directions without context takeover
// and the output buffers. Created when the worker's first connection negotiates the extension.
class DeflateWorkspace {
 public:
  DeflateWorkspace();
  ~DeflateWorkspace();
  DeflateWorkspace(const DeflateWorkspace&) = delete;
  DeflateWorkspace& operator=(const DeflateWorkspace&) = delete;

  // Heap bytes zlib holds for the shared streams, and the output buffers' capacity.
  std::size_t zlib_bytes() const { return zlib_bytes_; }
  std::size_t buffer_bytes() const { return compressed_.capacity + inflated_.capacity; }

 private:
  friend class PerMessageDeflate;
  std::size_t zlib_bytes_ = 0;                          // first: the streams' deleters update it
  std::array<deflate_detail::Deflater, 16> deflaters_;  // by window bits (9..kDeflateWindowBits)
  deflate_detail::Inflater inflater_;                   // 15-bit window: inflates any server's
  deflate_detail::Buffer compressed_;
  deflate_detail::Buffer inflated_;
};

class PerMessageDeflate {
 public:
  enum class InflateError : uint8_t {
    kTooBig,   // the inflated message exceeds the limit (close 1009)
    kBadData,  // not a valid deflate stream (close 1007)
    kNoMemory,
  };

  // `workspace` must outlive this object.
  PerMessageDeflate(const DeflateParams& params, DeflateWorkspace& workspace);
  ~PerMessageDeflate();
  PerMessageDeflate(const PerMessageDeflate&) = delete;
  PerMessageDeflate& operator=(const PerMessageDeflate&) = delete;

  // The frame payload of `message` compressed (RFC 7692 §7.2.1: deflate, sync flush, the trailing
  // 00 00 ff ff removed); a view into the workspace valid until its next compress(). nullopt when
  // zlib failed (no memory): the message then goes out uncompressed, and our compressor starts
  // afresh (which any inflater with context takeover follows).
  std::optional<std::string_view> compress(std::string_view message);

  // The message whose frame payloads (joined) are `payload`, inflated (RFC 7692 §7.2.2); a view
  // into the workspace valid until its next inflate(). Never more than `limit` bytes: beyond, the
  // inflating stops with kTooBig having written at most limit + 1 bytes. An empty payload is the
  // empty message. After an error this connection's inflate state is undefined (the session ends).
  boost::system::result<std::string_view, InflateError> inflate(std::string_view payload,
                                                                std::size_t limit);

  const DeflateParams& params() const { return params_; }
  // Our compressor's window bits: the negotiated maximum, at most kDeflateWindowBits.
  int deflate_window_bits() const;
  // Heap bytes zlib holds for this connection's own streams (context takeover only).
  std::size_t zlib_bytes() const { return zlib_bytes_; }

 private:
  z_stream_s* deflater();
  z_stream_s* inflater();

  DeflateParams params_;
  DeflateWorkspace& workspace_;
  std::size_t zlib_bytes_ = 0;         // before the streams: their deleters update it
  deflate_detail::Deflater deflater_;  // context takeover only, from the first message sent
  deflate_detail::Inflater inflater_;  // context takeover only, from the first message received
};

}  // namespace wsload::agent::ws
