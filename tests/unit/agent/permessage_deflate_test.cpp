// permessage-deflate (RFC 7692) data path of the agent (agent/src/permessage_deflate.cpp): compress
// and inflate against zlib used directly and the RFC's own vectors, context takeover on and off,
// connections sharing a worker's workspace, the memory each holds, the inflated-size limit (a
// decompression bomb) and bad data. Beast as the oracle: permessage_deflate_beast_test.cpp; the
// decoder's RSV1 rules: ws_codec_deflate_test.cpp.
#include "permessage_deflate.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <memory>
#include <string>
#include <vector>

#include "zlib_peer.hpp"

namespace wsload::agent::ws {
namespace {

using testing::bytes;
using testing::compressible;
using testing::random_bytes;
using testing::ZlibReceiver;
using testing::ZlibSender;

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
    ASSERT_TRUE(r.has_error()) << ::testing::PrintToString(payload);
    EXPECT_EQ(r.error(), PerMessageDeflate::InflateError::kBadData);
  }
}

}  // namespace
}  // namespace wsload::agent::ws
