#include "permessage_deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace wsload::agent::ws {
namespace deflate_detail {
namespace {

// zlib's allocations, counted into the size_t its stream's opaque points to (the owner's figure).
constexpr std::size_t kAllocHeader = 16;  // keeps malloc's 16-byte alignment

voidpf counted_alloc(voidpf opaque, uInt items, uInt size) {
  const std::size_t n = std::size_t{items} * size;
  auto* p = static_cast<char*>(std::malloc(n + kAllocHeader));
  if (p == nullptr) return Z_NULL;
  std::memcpy(p, &n, sizeof n);
  *static_cast<std::size_t*>(opaque) += n;
  return p + kAllocHeader;
}

void counted_free(voidpf opaque, voidpf address) {
  char* p = static_cast<char*>(address) - kAllocHeader;
  std::size_t n;
  std::memcpy(&n, p, sizeof n);
  *static_cast<std::size_t*>(opaque) -= n;
  std::free(p);
}

z_stream* new_stream(std::size_t* counter) {
  auto* z = new z_stream{};
  z->zalloc = counted_alloc;
  z->zfree = counted_free;
  z->opaque = counter;
  *counter += sizeof(z_stream);
  return z;
}

void delete_stream(z_stream* z) {
  *static_cast<std::size_t*>(z->opaque) -= sizeof(z_stream);
  delete z;
}

}  // namespace

void EndDeflate::operator()(z_stream_s* z) const {
  deflateEnd(z);
  delete_stream(z);
}

void EndInflate::operator()(z_stream_s* z) const {
  inflateEnd(z);
  delete_stream(z);
}

void Buffer::grow_to(std::size_t n, std::size_t keep) {
  if (n <= capacity) return;
  auto bigger = std::make_unique_for_overwrite<char[]>(n);
  if (keep > 0) std::memcpy(bigger.get(), data.get(), keep);
  data = std::move(bigger);
  capacity = n;
}

namespace {

// Raw deflate (no zlib header), as RFC 7692 §7.2.1 asks. nullptr when zlib fails.
Deflater make_deflater(int window_bits, std::size_t* counter) {
  z_stream* z = new_stream(counter);
  if (deflateInit2(z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits, kDeflateMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    delete_stream(z);
    return nullptr;
  }
  return Deflater(z);
}

Inflater make_inflater(int window_bits, std::size_t* counter) {
  z_stream* z = new_stream(counter);
  if (inflateInit2(z, -window_bits) != Z_OK) {
    delete_stream(z);
    return nullptr;
  }
  return Inflater(z);
}

// The sync-flush marker: the end of every compressed message on the wire is cut off by the sender
// and appended again by the receiver (RFC 7692 §7.2.1, §7.2.2).
constexpr unsigned char kTail[4] = {0x00, 0x00, 0xff, 0xff};

// First size of an empty output buffer.
constexpr std::size_t kFirstBuffer = 4096;

// After a final (BFINAL) block the stream has ended; with context takeover the next message may
// still refer back into this one, so the window survives the reset as a preset dictionary.
bool restart_keeping_window(z_stream* z) {
  uInt length = 0;
  if (inflateGetDictionary(z, nullptr, &length) != Z_OK) return false;
  auto window = std::make_unique_for_overwrite<Bytef[]>(std::max<uInt>(length, 1));
  if (inflateGetDictionary(z, window.get(), &length) != Z_OK) return false;
  return inflateReset(z) == Z_OK && inflateSetDictionary(z, window.get(), length) == Z_OK;
}

}  // namespace
}  // namespace deflate_detail

using namespace deflate_detail;

DeflateWorkspace::DeflateWorkspace() = default;
DeflateWorkspace::~DeflateWorkspace() = default;

PerMessageDeflate::PerMessageDeflate(const DeflateParams& params, DeflateWorkspace& workspace)
    : params_(params), workspace_(workspace) {}

PerMessageDeflate::~PerMessageDeflate() = default;

int PerMessageDeflate::deflate_window_bits() const {
  // parse_deflate_response refuses 8 (see there); 9 is zlib's smallest raw window.
  return std::clamp<int>(params_.client_max_window_bits, 9, kDeflateWindowBits);
}

z_stream_s* PerMessageDeflate::deflater() {
  const int bits = deflate_window_bits();
  if (params_.client_no_context_takeover) {
    Deflater& shared = workspace_.deflaters_[static_cast<std::size_t>(bits)];
    if (!shared) {
      shared = make_deflater(bits, &workspace_.zlib_bytes_);
    } else if (deflateReset(shared.get()) != Z_OK) {
      return nullptr;
    }
    return shared.get();
  }
  if (!deflater_) deflater_ = make_deflater(bits, &zlib_bytes_);
  return deflater_.get();
}

z_stream_s* PerMessageDeflate::inflater() {
  if (params_.server_no_context_takeover) {
    Inflater& shared = workspace_.inflater_;
    if (!shared) {
      shared = make_inflater(15, &workspace_.zlib_bytes_);
    } else if (inflateReset(shared.get()) != Z_OK) {
      return nullptr;
    }
    return shared.get();
  }
  // At least 9 bits: a zlib-based server asked for 8 compresses with 9 (deflateInit2's note).
  if (!inflater_) {
    inflater_ = make_inflater(std::max<int>(params_.server_max_window_bits, 9), &zlib_bytes_);
  }
  return inflater_.get();
}

std::optional<std::string_view> PerMessageDeflate::compress(std::string_view message) {
  // The empty message: an empty stored block's first byte, which leaves our compressor as it is
  // (zlib would refuse a second sync flush with no input in between).
  if (message.empty()) return std::string_view("\x00", 1);
  z_stream* z = deflater();
  if (z == nullptr) return std::nullopt;
  Buffer& out = workspace_.compressed_;
  out.grow_to(std::max<std::size_t>(deflateBound(z, message.size()) + 16, kFirstBuffer), 0);
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  z->avail_in = static_cast<uInt>(message.size());
  z->next_out = reinterpret_cast<Bytef*>(out.data.get());
  z->avail_out = static_cast<uInt>(out.capacity);
  std::size_t produced = 0;
  for (;;) {
    const int ret = deflate(z, Z_SYNC_FLUSH);
    produced = out.capacity - z->avail_out;
    if (ret != Z_OK && ret != Z_BUF_ERROR) break;
    // Room left after a sync flush: every input byte is in the output, flushed to a byte boundary.
    if (z->avail_out != 0) {
      if (produced >= 4 && std::memcmp(out.data.get() + produced - 4, kTail, 4) == 0) {
        return std::string_view(out.data.get(), produced - 4);
      }
      break;
    }
    out.grow_to(out.capacity * 2, produced);
    z->next_out = reinterpret_cast<Bytef*>(out.data.get() + produced);
    z->avail_out = static_cast<uInt>(out.capacity - produced);
  }
  // zlib failed: the next message starts from a fresh state, which the peer's inflater follows.
  if (deflater_) deflateReset(deflater_.get());
  return std::nullopt;
}

boost::system::result<std::string_view, PerMessageDeflate::InflateError> PerMessageDeflate::inflate(
    std::string_view payload, std::size_t limit) {
  // Nothing to inflate; feeding the bare marker would leave the inflater inside a stored block.
  if (payload.empty()) return std::string_view();
  z_stream* z = inflater();
  if (z == nullptr) return InflateError::kNoMemory;
  Buffer& out = workspace_.inflated_;
  const std::size_t most = limit + 1;  // one byte beyond the limit tells it was exceeded
  if (out.capacity == 0) out.grow_to(std::min(most, std::max(kFirstBuffer, 4 * payload.size())), 0);
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
  z->avail_in = static_cast<uInt>(payload.size());
  z->next_out = reinterpret_cast<Bytef*>(out.data.get());
  z->avail_out = static_cast<uInt>(std::min(out.capacity, most));
  bool tail_fed = false;
  for (;;) {
    const int ret = ::inflate(z, Z_SYNC_FLUSH);
    const auto produced =
        static_cast<std::size_t>(reinterpret_cast<char*>(z->next_out) - out.data.get());
    if (produced > limit) return InflateError::kTooBig;
    if (ret == Z_STREAM_END) {
      // A final block (RFC 7692 §7.2.3.4): what follows it is ignored, as every decompressor does
      // (the RFC's own example has a byte after it).
      if (inflater_ && !restart_keeping_window(z)) return InflateError::kNoMemory;
      return std::string_view(out.data.get(), produced);
    }
    if (ret == Z_MEM_ERROR) return InflateError::kNoMemory;
    if (ret != Z_OK && ret != Z_BUF_ERROR) return InflateError::kBadData;
    if (z->avail_out == 0) {
      // Bounded: `most` bytes at the very most, so a bomb stops at the limit.
      const std::size_t size = std::min(most, std::max(out.capacity * 2, kFirstBuffer));
      out.grow_to(size, produced);
      z->next_out = reinterpret_cast<Bytef*>(out.data.get() + produced);
      z->avail_out = static_cast<uInt>(std::min(out.capacity, most) - produced);
      continue;
    }
    if (z->avail_in > 0) return InflateError::kBadData;  // stuck with input and room left
    if (tail_fed) return std::string_view(out.data.get(), produced);
    tail_fed = true;
    z->next_in = const_cast<Bytef*>(kTail);
    z->avail_in = sizeof kTail;
  }
}

}  // namespace wsload::agent::ws
