// permessage-deflate (RFC 7692) of the agent: the negotiation answer, compress/inflate against
// zlib used directly (the reference implementation every server builds on) and the RFC's own
// vectors, context takeover on and off, the inflated-size limit (a decompression bomb), and the
// decoder's RSV1 rules with compressed messages. Beast's permessage-deflate as an oracle is in
// permessage_deflate_beast_test.cpp.
#include "permessage_deflate.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include "ws_codec.hpp"

namespace wsload::agent::ws {
namespace {

std::string bytes(std::initializer_list<int> list) {
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

std::string compressible(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  static const char* const kWords[] = {
      "{\"type\":\"ping\",",     "\"id\":", "\"user\":\"alice\",", "\"ts\":1700000000,",
      "\"payload\":\"abcdef\"}", " "};
  std::string s;
  while (s.size() < n) s += kWords[rng() % 6];
  s.resize(n);
  return s;
}

std::string random_bytes(std::size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string inflated(PerMessageDeflate& pmd, std::string_view payload,
                     std::size_t limit = 1 << 20) {
  auto r = pmd.inflate(payload, limit);
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? std::string(*r) : std::string("<error>");
}

std::string compressed(PerMessageDeflate& pmd, std::string_view message) {
  auto r = pmd.compress(message);
  EXPECT_TRUE(r.has_value());
  return r ? std::string(*r) : std::string();
}

// ---- negotiation -----------------------------------------------------------------------------

TEST(DeflateNegotiation, OfferIsTheBrowsersOne) {
  EXPECT_EQ(kDeflateOffer, "permessage-deflate; client_max_window_bits");
}

TEST(DeflateNegotiation, AcceptedAnswers) {
  struct Case {
    std::string header;
    DeflateParams params;
  };
  const DeflateParams d;
  auto with = [](auto f) {
    DeflateParams p;
    f(p);
    return p;
  };
  const std::vector<Case> cases = {
      {"permessage-deflate", d},
      {"permessage-deflate; client_max_window_bits=10",
       with([](DeflateParams& p) { p.client_max_window_bits = 10; })},
      {"permessage-deflate;server_max_window_bits=8", with([](DeflateParams& p) {
         p.server_max_window_bits = 8;  // only our inflater's window: zlib inflates with 8 bits
       })},
      {"permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
       "server_max_window_bits=15; client_max_window_bits=9",
       with([](DeflateParams& p) {
         p.server_no_context_takeover = p.client_no_context_takeover = true;
         p.client_max_window_bits = 9;
       })},
      {"Permessage-Deflate; SERVER_NO_CONTEXT_TAKEOVER",
       with([](DeflateParams& p) { p.server_no_context_takeover = true; })},
      {"permessage-deflate; client_max_window_bits=\"12\"",
       with([](DeflateParams& p) { p.client_max_window_bits = 12; })},
      {" , permessage-deflate \t;\tclient_no_context_takeover ,, ",
       with([](DeflateParams& p) { p.client_no_context_takeover = true; })},
  };
  for (const Case& c : cases) {
    auto r = parse_deflate_response(c.header);
    ASSERT_TRUE(r.has_value()) << c.header << ": " << r.error();
    ASSERT_TRUE(r->has_value()) << c.header;
    EXPECT_EQ(**r, c.params) << c.header;
  }
}

TEST(DeflateNegotiation, NoExtensionMeansDeclined) {
  for (const char* header : {"", "  ", ", ,"}) {
    auto r = parse_deflate_response(header);
    ASSERT_TRUE(r.has_value()) << header;
    EXPECT_FALSE(r->has_value()) << header;
  }
}

TEST(DeflateNegotiation, InvalidOrUnsupportedAnswersSayWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"x-webkit-deflate-frame", "only permessage-deflate was offered"},
      {"permessage-deflate, permessage-deflate", "2 extensions"},
      {"permessage-deflate, foo", "2 extensions"},
      {"permessage-deflate; foo", "unknown permessage-deflate parameter 'foo'"},
      {"permessage-deflate; server_no_context_takeover=1", "takes no value"},
      {"permessage-deflate; client_no_context_takeover; client_no_context_takeover", "repeated"},
      {"permessage-deflate; client_max_window_bits=9; CLIENT_MAX_WINDOW_BITS=10", "repeated"},
      {"permessage-deflate; server_max_window_bits", "needs a value"},
      {"permessage-deflate; client_max_window_bits", "needs a value"},
      {"permessage-deflate; server_max_window_bits=16", "not a window size"},
      {"permessage-deflate; server_max_window_bits=7", "not a window size"},
      {"permessage-deflate; client_max_window_bits=08", "not a window size"},
      {"permessage-deflate; client_max_window_bits=1x", "not a window size"},
      {"permessage-deflate; client_max_window_bits=\"\"", "not a window size"},
      {"permessage-deflate; client_max_window_bits=8", "not supported"},
      {"permessage-deflate;; server_no_context_takeover", "malformed"},
      {"permessage-deflate; =3", "malformed"},
      {"permessage-deflate; client_max_window_bits=\"10", "malformed"},
      {"permessage-deflate x", "malformed"},
      {"permessage-deflate; client_max_window_bits=", "malformed"},
      {"\"permessage-deflate\"", "malformed"},
  };
  for (const auto& [header, why] : cases) {
    auto r = parse_deflate_response(header);
    ASSERT_TRUE(r.has_error()) << header;
    EXPECT_NE(r.error().find(why), std::string::npos) << header << ": " << r.error();
  }
}

// ---- inflate and compress against zlib and the RFC's vectors ----------------------------------

TEST(PerMessageDeflate, InflatesTheRfcExamples) {
  DeflateWorkspace ws;
  {
    PerMessageDeflate pmd({}, ws);
    // §7.2.3.1 and §7.2.3.2: "Hello", then "Hello" again referring to the first (takeover).
    EXPECT_EQ(inflated(pmd, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
    EXPECT_EQ(inflated(pmd, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");
  }
  for (const std::string& vector : {
           // §7.2.3.3: a stored (uncompressed) block.
           bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}),
           // §7.2.3.4: a block with BFINAL set.
           bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}),
           // §7.2.3.5: two blocks in one message.
           bytes({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}),
       }) {
    PerMessageDeflate pmd({}, ws);
    EXPECT_EQ(inflated(pmd, vector), "Hello");
  }
}

TEST(PerMessageDeflate, CompressesTheRfcExamplesExactly) {
  DeflateWorkspace ws;
  PerMessageDeflate pmd({}, ws);
  EXPECT_EQ(compressed(pmd, "Hello"), bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  EXPECT_EQ(compressed(pmd, "Hello"), bytes({0xf2, 0x00, 0x11, 0x00, 0x00}));
  PerMessageDeflate each({.client_no_context_takeover = true}, ws);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(compressed(each, "Hello"), bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  }
  // The empty message: one byte (an empty block's first bits), which inflates to nothing; also
  // right after another message with context takeover.
  EXPECT_EQ(compressed(each, ""), bytes({0x00}));
  EXPECT_EQ(compressed(pmd, ""), bytes({0x00}));
  EXPECT_EQ(compressed(pmd, ""), bytes({0x00}));
  // ... which an inflater with context takeover follows.
  ZlibReceiver server;
  EXPECT_EQ(server.message(bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})), "Hello");
  EXPECT_EQ(server.message(bytes({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");
  EXPECT_EQ(server.message(bytes({0x00})), "");
  EXPECT_EQ(server.message(bytes({0x00})), "");
  EXPECT_EQ(server.message(compressed(pmd, "Hello")), "Hello");
  PerMessageDeflate receiver({}, ws);
  EXPECT_EQ(inflated(receiver, bytes({0x00})), "");
  EXPECT_EQ(inflated(receiver, ""), "");
}

struct Flavour {
  const char* name;
  bool takeover;
  int window_bits;  // the zlib sender's (the server's window)
  int level;
  int mem_level;
};
const Flavour kFlavours[] = {
    {"takeover w15", true, 15, Z_DEFAULT_COMPRESSION, 8},
    {"takeover w9 level 9", true, 9, 9, 9},
    {"takeover w12 level 1 mem 1", true, 12, 1, 1},
    {"fresh w15", false, 15, Z_DEFAULT_COMPRESSION, 8},
    {"fresh w10 stored", false, 10, 0, 8},
};

std::vector<std::string> messages(uint32_t seed) {
  std::vector<std::string> m = {"",
                                "a",
                                compressible(100, seed),
                                compressible(100, seed),
                                compressible(5000, seed + 1),
                                random_bytes(300, seed),
                                compressible(70000, seed + 2),
                                std::string(200000, 'x')};
  m.push_back(m[4]);  // a repeat: back-references into the previous messages with takeover
  return m;
}

TEST(PerMessageDeflate, InflatesWhatZlibCompressed) {
  for (const Flavour& f : kFlavours) {
    SCOPED_TRACE(f.name);
    DeflateWorkspace ws;
    DeflateParams params;
    params.server_no_context_takeover = !f.takeover;
    params.server_max_window_bits = static_cast<uint8_t>(f.window_bits);
    PerMessageDeflate pmd(params, ws);
    ZlibSender server(f.window_bits, f.level, f.mem_level, !f.takeover);
    for (const std::string& m : messages(7)) EXPECT_EQ(inflated(pmd, server.message(m)), m);
  }
}

TEST(PerMessageDeflate, ZlibInflatesWhatWeCompressed) {
  for (int bits : {9, 10, 12, 15}) {
    for (bool takeover : {true, false}) {
      SCOPED_TRACE(std::to_string(bits) + (takeover ? " takeover" : " fresh"));
      DeflateWorkspace ws;
      DeflateParams params;
      params.client_no_context_takeover = !takeover;
      params.client_max_window_bits = static_cast<uint8_t>(bits);
      PerMessageDeflate pmd(params, ws);
      EXPECT_EQ(pmd.deflate_window_bits(), std::min(bits, kDeflateWindowBits));
      // The server inflates with exactly the window it allowed us: a farther reference fails.
      ZlibReceiver server(bits);
      for (const std::string& m : messages(11)) {
        const std::string payload = compressed(pmd, m);
        if (takeover) {
          EXPECT_EQ(server.message(payload), m);
        } else {
          ZlibReceiver fresh(bits);  // each message on its own
          EXPECT_EQ(fresh.message(payload), m);
        }
      }
    }
  }
}

TEST(PerMessageDeflate, ContextTakeoverShrinksRepeatsAndFreshStateDoesNot) {
  DeflateWorkspace ws;
  PerMessageDeflate takeover({}, ws);
  PerMessageDeflate fresh({.client_no_context_takeover = true}, ws);
  const std::string m = compressible(2000, 3);
  const std::size_t first = compressed(takeover, m).size();
  const std::size_t second = compressed(takeover, m).size();
  EXPECT_LT(second * 5, first) << first << " then " << second;  // a few back-references
  const std::string a = compressed(fresh, m);
  EXPECT_EQ(compressed(fresh, m), a);  // the same bytes each time: nothing carried over
  EXPECT_EQ(a.size(), first);
}

TEST(PerMessageDeflate, FinalBlockKeepsTheWindowWithTakeover) {
  // A server that ends a message with BFINAL (RFC 7692 §7.2.3.4) and, with context takeover,
  // refers back into it in the next message (its compressor restarted with the window as
  // dictionary).
  const std::string first = compressible(3000, 5);
  const std::string second = first.substr(1000, 1500) + "tail";
  std::string payload1(8192, '\0');
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(first.data()));
  z.avail_in = static_cast<uInt>(first.size());
  z.next_out = reinterpret_cast<Bytef*>(payload1.data());
  z.avail_out = static_cast<uInt>(payload1.size());
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  payload1.resize(payload1.size() - z.avail_out);
  ASSERT_EQ(deflateReset(&z), Z_OK);
  ASSERT_EQ(deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(first.data()),
                                 static_cast<uInt>(first.size())),
            Z_OK);
  std::string payload2(8192, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(second.data()));
  z.avail_in = static_cast<uInt>(second.size());
  z.next_out = reinterpret_cast<Bytef*>(payload2.data());
  z.avail_out = static_cast<uInt>(payload2.size());
  ASSERT_EQ(deflate(&z, Z_SYNC_FLUSH), Z_OK);
  payload2.resize(payload2.size() - z.avail_out - 4);
  deflateEnd(&z);
  ASSERT_LT(payload2.size(), 100u);  // it did refer back

  DeflateWorkspace ws;
  PerMessageDeflate pmd({}, ws);
  EXPECT_EQ(inflated(pmd, payload1), first);
  EXPECT_EQ(inflated(pmd, payload2), second);
}

TEST(PerMessageDeflate, ConnectionsSharingAWorkspaceInterleave) {
  DeflateWorkspace ws;
  std::vector<std::unique_ptr<PerMessageDeflate>> conns;
  std::vector<std::unique_ptr<ZlibSender>> servers;
  std::vector<std::unique_ptr<ZlibReceiver>> receivers;
  for (int i = 0; i < 4; ++i) {
    DeflateParams p;
    p.server_no_context_takeover = p.client_no_context_takeover = i % 2 == 1;
    conns.push_back(std::make_unique<PerMessageDeflate>(p, ws));
    servers.push_back(std::make_unique<ZlibSender>(15, 6, 8, i % 2 == 1));
    receivers.push_back(std::make_unique<ZlibReceiver>(15));
  }
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 4; ++i) {
      const std::string m = compressible(300 + 50 * i, static_cast<uint32_t>(round % 3));
      EXPECT_EQ(inflated(*conns[i], servers[i]->message(m)), m) << round << " " << i;
      const std::string payload = compressed(*conns[i], m);
      if (i % 2 == 1) {
        ZlibReceiver fresh(15);
        EXPECT_EQ(fresh.message(payload), m);
      } else {
        EXPECT_EQ(receivers[i]->message(payload), m);
      }
    }
  }
}

// ---- memory ------------------------------------------------------------------------------------

TEST(PerMessageDeflate, ZlibStateOnlyWhereContextIsTakenOver) {
  DeflateWorkspace ws;
  ZlibSender server;
  const std::string m = compressible(1000, 1);
  PerMessageDeflate takeover({}, ws);
  EXPECT_EQ(takeover.zlib_bytes(), 0u);  // nothing before the first message
  compressed(takeover, m);
  const std::size_t deflate_bytes = takeover.zlib_bytes();
  inflated(takeover, server.message(m));
  const std::size_t inflate_bytes = takeover.zlib_bytes() - deflate_bytes;
  // Deflate with a 4 KiB window and memLevel 5: 2 * 4 KiB window + 2 * 4 KiB chain + 8 KiB hash +
  // 8 KiB pending + ~6 KiB of state; inflate: the server's 32 KiB window + ~7 KiB of state.
  EXPECT_GT(deflate_bytes, 32u * 1024);
  EXPECT_LT(deflate_bytes, 48u * 1024);
  EXPECT_GT(inflate_bytes, 32u * 1024);
  EXPECT_LT(inflate_bytes, 44u * 1024);

  const std::size_t shared_before = ws.zlib_bytes();
  ZlibSender fresh_server(15, 6, 8, true);
  for (int i = 0; i < 10; ++i) {
    PerMessageDeflate fresh(
        {.server_no_context_takeover = true, .client_no_context_takeover = true}, ws);
    compressed(fresh, m);
    inflated(fresh, fresh_server.message(m));
    EXPECT_EQ(fresh.zlib_bytes(), 0u);
  }
  // The worker's shared streams: one deflater (our window) and one inflater, made once.
  EXPECT_GT(ws.zlib_bytes(), shared_before);
  EXPECT_LT(ws.zlib_bytes(), shared_before + 48u * 1024 + 44u * 1024);
}

TEST(PerMessageDeflate, SmallerServerWindowSmallerInflater) {
  DeflateWorkspace ws;
  DeflateParams p;
  p.server_max_window_bits = 10;
  PerMessageDeflate pmd(p, ws);
  ZlibSender server(10);
  const std::string m = compressible(3000, 2);
  EXPECT_EQ(inflated(pmd, server.message(m)), m);
  EXPECT_LT(pmd.zlib_bytes(), 12u * 1024);  // 1 KiB window + ~7 KiB state
}

// ---- limits and bad data
// -------------------------------------------------------------------------

TEST(PerMessageDeflate, BombStopsAtTheLimitHavingAllocatedNoMore) {
  // 10 MiB of zeros: about 10 KiB on the wire.
  ZlibSender server(15, 9, 9);
  const std::string bomb = server.message(std::string(10 << 20, '\0'));
  ASSERT_LT(bomb.size(), 16u * 1024);
  DeflateWorkspace ws;
  PerMessageDeflate pmd({}, ws);
  auto r = pmd.inflate(bomb, 1 << 20);
  ASSERT_TRUE(r.has_error());
  EXPECT_EQ(r.error(), PerMessageDeflate::InflateError::kTooBig);
  EXPECT_LE(ws.buffer_bytes(), (1u << 20) + 1);  // the output buffer, capped at the limit + 1
  EXPECT_LT(pmd.zlib_bytes(), 44u * 1024);

  // A message of exactly the limit passes; one byte more does not.
  DeflateWorkspace ws2;
  PerMessageDeflate exact({.server_no_context_takeover = true}, ws2);
  ZlibSender fresh(15, 6, 8, true);
  const std::string at_limit(1 << 20, 'z');
  EXPECT_EQ(inflated(exact, fresh.message(at_limit), 1 << 20).size(), 1u << 20);
  auto over = exact.inflate(fresh.message(at_limit + "z"), 1 << 20);
  ASSERT_TRUE(over.has_error());
  EXPECT_EQ(over.error(), PerMessageDeflate::InflateError::kTooBig);
  // The shared inflater is reset for the next message of any connection.
  EXPECT_EQ(inflated(exact, fresh.message("after")), "after");
}

TEST(PerMessageDeflate, BadDataIsRefused) {
  for (const std::string& payload : {
           bytes({0xff, 0xff, 0xff, 0xff}),             // reserved block type
           bytes({0x00, 0x05, 0x00, 0x00, 0x00, 'H'}),  // stored block, LEN != ~NLEN
           bytes({0xf2, 0x00, 0x11, 0x00, 0x00}),       // refers back into an empty window
       }) {
    DeflateWorkspace ws;
    PerMessageDeflate pmd({}, ws);
    auto r = pmd.inflate(payload, 1 << 20);
    ASSERT_TRUE(r.has_error()) << testing::PrintToString(payload);
    EXPECT_EQ(r.error(), PerMessageDeflate::InflateError::kBadData);
  }
}

// ---- the decoder with the extension ----------------------------------------------------------

class DeflateRecorder : public FrameHandler {
 public:
  explicit DeflateRecorder(PerMessageDeflate* pmd) : pmd_(pmd) {}
  std::vector<std::string> events;
  std::vector<std::size_t> wire_sizes;

  bool on_message(bool text, std::string_view p, std::size_t wire_size) override {
    events.push_back((text ? "text:" : "binary:") + std::string(p));
    wire_sizes.push_back(wire_size);
    return true;
  }
  bool on_ping(std::string_view p) override {
    events.push_back("ping:" + std::string(p));
    return true;
  }
  bool on_pong(std::string_view p) override {
    events.push_back("pong:" + std::string(p));
    return true;
  }
  bool on_close(uint16_t code, std::string_view) override {
    events.push_back("close:" + std::to_string(code));
    return true;
  }
  PerMessageDeflate* extension() override { return pmd_; }

 private:
  PerMessageDeflate* pmd_;
};

// An unmasked server frame; b0 carries FIN, RSV1 and the opcode.
std::string server_frame(uint8_t b0, std::string_view payload) {
  std::string f(1, static_cast<char>(b0));
  const uint64_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(n);
  } else if (n < 65536) {
    f += '\x7E';
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  } else {
    f += '\x7F';
    for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  return f + std::string(payload);
}

TEST(DeflateDecoder, CompressedMessagesWholeFragmentedAndByteByByte) {
  ZlibSender server;
  const std::string big = compressible(70000, 4);
  const std::string one = server.message("Hello, compressed");
  const std::string two = server.message(big);
  ASSERT_GT(two.size(), 30u);
  std::string wire = server_frame(0xC1, one);  // FIN + RSV1 + text
  // Fragmented: RSV1 on the first frame only, control frames between fragments.
  wire += server_frame(0x42, two.substr(0, 10));  // RSV1 + binary, not FIN
  wire += server_frame(0x89, "mid");
  wire += server_frame(0x00, two.substr(10, 20));
  wire += server_frame(0x80, two.substr(30));
  wire += server_frame(0x81, "plain");  // uncompressed messages stay allowed
  const std::vector<std::string> expected = {"text:Hello, compressed", "ping:mid", "binary:" + big,
                                             "text:plain"};
  for (std::size_t piece : {wire.size(), std::size_t{1}, std::size_t{7}}) {
    DeflateWorkspace ws;
    PerMessageDeflate pmd({}, ws);
    DeflateRecorder recorder(&pmd);
    Decoder decoder(1 << 20);
    for (std::size_t at = 0; at < wire.size(); at += piece) {
      ASSERT_TRUE(decoder.feed(std::string_view(wire).substr(at, piece), recorder))
          << decoder.error_what() << " at " << at;
    }
    EXPECT_EQ(recorder.events, expected) << piece;
    EXPECT_EQ(recorder.wire_sizes, (std::vector<std::size_t>{one.size(), two.size(), 5}));
    EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());
  }
}

TEST(DeflateDecoder, Rsv1RulesAndLimits) {
  ZlibSender zeros(15, 9, 9);
  const std::string bomb = zeros.message(std::string(10 << 20, '\0'));
  ZlibSender other;
  const std::string bad_utf8 = other.message("ok \xC0\x80");
  struct Case {
    const char* name;
    std::string wire;
    bool extension;
    uint16_t code;
  };
  const std::vector<Case> cases = {
      {"rsv1 without the extension", server_frame(0xC1, bytes({0xf2, 0x48})), false, 1002},
      {"rsv1 on a ping", server_frame(0xC9, ""), true, 1002},
      {"rsv1 on a close", server_frame(0xC8, bytes({0x03, 0xE8})), true, 1002},
      {"rsv1 on a continuation",
       server_frame(0x41, bytes({0xf2, 0x48})) + server_frame(0xC0, bytes({0xcd})), true, 1002},
      {"rsv2", server_frame(0xA1, "x"), true, 1002},
      {"rsv3", server_frame(0x91, "x"), true, 1002},
      {"bomb", server_frame(0xC2, bomb), true, 1009},
      {"fragmented bomb",
       server_frame(0x42, bomb.substr(0, 100)) + server_frame(0x80, bomb.substr(100)), true, 1009},
      {"not deflate", server_frame(0xC2, bytes({0xff, 0xff, 0xff})), true, 1007},
      {"inflated text not utf8", server_frame(0xC1, bad_utf8), true, 1007},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DeflateWorkspace ws;
    PerMessageDeflate pmd({}, ws);
    DeflateRecorder recorder(c.extension ? &pmd : nullptr);
    Decoder decoder(1 << 20);
    EXPECT_FALSE(decoder.feed(c.wire, recorder));
    EXPECT_TRUE(decoder.failed());
    EXPECT_EQ(decoder.error_code(), c.code) << decoder.error_what();
    EXPECT_TRUE(recorder.events.empty());
    EXPECT_EQ(decoder.buffered_capacity(), std::string().capacity());
    if (std::string_view(c.name).find("bomb") != std::string_view::npos) {
      EXPECT_LE(ws.buffer_bytes(), (2u << 20));  // the limit, not the 10 MiB
    }
  }
}

}  // namespace
}  // namespace wsload::agent::ws
