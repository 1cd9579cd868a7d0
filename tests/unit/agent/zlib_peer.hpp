#pragma once
// The other end of permessage-deflate for the agent's tests: zlib used directly, as every server
// builds on it (raw deflate, sync flush, the 00 00 ff ff tail cut off and appended again; RFC 7692
// §7.2), and message generators. Header-only (test executables glob *_test.cpp only).
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace wsload::agent::ws::testing {

inline std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s += static_cast<char>(b);
  return s;
}

// Independent sender: raw deflate (zlib), each message ended by a sync flush whose 00 00 ff ff is
// cut off (RFC 7692 §7.2.1). reset_each: no context takeover.
class ZlibSender {
 public:
  explicit ZlibSender(int window_bits = 15, int level = Z_DEFAULT_COMPRESSION, int mem_level = 8,
                      bool reset_each = false)
      : reset_each_(reset_each) {
    EXPECT_EQ(deflateInit2(&z_, level, Z_DEFLATED, -window_bits, mem_level, Z_DEFAULT_STRATEGY),
              Z_OK);
  }
  ~ZlibSender() { deflateEnd(&z_); }
  ZlibSender(const ZlibSender&) = delete;
  ZlibSender& operator=(const ZlibSender&) = delete;

  std::string message(std::string_view in) {
    if (reset_each_) deflateReset(&z_);
    std::string out(deflateBound(&z_, in.size()) + 64, '\0');
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z_, Z_SYNC_FLUSH), Z_OK);
    EXPECT_GT(z_.avail_out, 0u);
    out.resize(out.size() - z_.avail_out);
    EXPECT_EQ(out.substr(out.size() - 4), bytes({0, 0, 0xff, 0xff}));
    out.resize(out.size() - 4);
    return out;
  }

 private:
  z_stream z_{};
  bool reset_each_;
};

// Independent receiver: raw inflate of payload + 00 00 ff ff (RFC 7692 §7.2.2).
class ZlibReceiver {
 public:
  explicit ZlibReceiver(int window_bits = 15) { EXPECT_EQ(inflateInit2(&z_, -window_bits), Z_OK); }
  ~ZlibReceiver() { inflateEnd(&z_); }
  ZlibReceiver(const ZlibReceiver&) = delete;
  ZlibReceiver& operator=(const ZlibReceiver&) = delete;

  std::string message(std::string_view payload) {
    const std::string in = std::string(payload) + bytes({0, 0, 0xff, 0xff});
    std::string out;
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    char chunk[4096];
    do {
      z_.next_out = reinterpret_cast<Bytef*>(chunk);
      z_.avail_out = sizeof chunk;
      const int ret = inflate(&z_, Z_SYNC_FLUSH);
      EXPECT_TRUE(ret == Z_OK || ret == Z_BUF_ERROR) << ret << " " << (z_.msg ? z_.msg : "");
      if (ret != Z_OK && ret != Z_BUF_ERROR) break;
      out.append(chunk, sizeof chunk - z_.avail_out);
    } while (z_.avail_in > 0 || z_.avail_out == 0);
    return out;
  }

 private:
  z_stream z_{};
};

inline std::string compressible(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  static const char* const kWords[] = {
      "{\"type\":\"ping\",",     "\"id\":", "\"user\":\"alice\",", "\"ts\":1700000000,",
      "\"payload\":\"abcdef\"}", " "};
  std::string s;
  while (s.size() < n) s += kWords[rng() % 6];
  s.resize(n);
  return s;
}

inline std::string random_bytes(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

}  // namespace wsload::agent::ws::testing
