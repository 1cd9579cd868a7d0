#pragma once
// The client side of the permessage-deflate negotiation (RFC 7692 §5, §7.1): what the agent offers
// in its upgrade request and the parameters the server's 101 answers with. Pure string work.
//
// The offer is the browsers' one: the extension with `client_max_window_bits` (we accept any
// window the server asks of our compressor) and no limit on the server's window, so a server sees
// the load real clients bring it.
#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsload::agent::ws {

// The Sec-WebSocket-Extensions value of the upgrade request.
inline constexpr std::string_view kDeflateOffer = "permessage-deflate; client_max_window_bits";

// Negotiated parameters. Window bits are LZ77 window sizes as log2 bytes (8..15).
struct DeflateParams {
  // The server compresses each message from a fresh state: we need no inflate state between
  // messages.
  bool server_no_context_takeover = false;
  // We must compress each message from a fresh state: no deflate state between messages.
  bool client_no_context_takeover = false;
  uint8_t server_max_window_bits = 15;  // the server's window: our inflater needs this much
  uint8_t client_max_window_bits = 15;  // the most our compressor may use (9..15, see below)

  bool operator==(const DeflateParams&) const = default;
};

// What the server's Sec-WebSocket-Extensions header (all its lines joined with ", ") says about
// kDeflateOffer: nullopt when it holds no extension (the server declined; the session runs
// uncompressed), the parameters when it accepted, or an error saying what is wrong: another
// extension than the one offered, permessage-deflate twice, an unknown or repeated parameter,
// a value where none is allowed or none where one is required, window bits outside 8..15, or a
// malformed list. `client_max_window_bits=8` is refused as unsupported: zlib cannot compress with
// a 256-byte window (it silently uses 512 bytes, which the server could not inflate).
boost::system::result<std::optional<DeflateParams>, std::string> parse_deflate_response(
    std::string_view header);

}  // namespace wsload::agent::ws
