#pragma once
// The push message shape shared by the built-in broadcaster, the NATS relay and the publisher:
//   {"type":"data","seq":N,"ts":MICROS,"payload":"..."}
#include <cstdint>
#include <string>
#include <string_view>

namespace wsload::target {

// `payload` is escaped as a JSON string.
std::string make_data_message(uint64_t seq, int64_t ts_us, std::string_view payload);

// A printable payload of exactly `size` bytes (no characters that need escaping).
std::string make_payload(std::size_t size);

}  // namespace wsload::target
