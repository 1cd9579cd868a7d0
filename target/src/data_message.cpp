#include "wsload/target/data_message.hpp"

#include "wsload/target/ping_rewrite.hpp"

namespace wsload::target {

std::string make_data_message(uint64_t seq, int64_t ts_us, std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 80);
  out += "{\"type\":\"data\",\"seq\":";
  out += std::to_string(seq);
  out += ",\"ts\":";
  out += std::to_string(ts_us);
  out += ",\"payload\":\"";
  append_json_escaped(out, payload);
  out += "\"}";
  return out;
}

std::string make_payload(std::size_t size) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(size, 'x');
  for (std::size_t i = 0; i < size; ++i) out[i] = kAlphabet[i % kAlphabet.size()];
  return out;
}

}  // namespace wsload::target
