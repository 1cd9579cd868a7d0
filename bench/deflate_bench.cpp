// permessage-deflate costs of the agent (agent/src/permessage_deflate.cpp), printed:
// - per message: compressing what a connection sends and inflating what it receives (from a zlib
//   server with its default settings: 32 KiB window, level 6), with and without context takeover,
//   by message size, next to the cost of framing the same message without compression;
// - per connection: the heap zlib holds (exact, counted by its allocator) and the resident memory
//   it adds (RSS growth over many connections), with and without context takeover, and the cost
//   of a connection's first message each way (its zlib streams are made then).
//   usage: deflate_bench [messages=20000] [connections=2000]
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "permessage_deflate.hpp"
#include "ws_codec.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace ws = wsload::agent::ws;

double ns_since(Clock::time_point t0, long n) {
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() /
         static_cast<double>(n);
}

// `count` distinct JSON messages of about `size` bytes (ids and a timestamp change).
std::vector<std::string> messages(std::size_t size, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string m = "{\"type\":\"ping\",\"id\":" + std::to_string(1000 + i) +
                    ",\"ts\":" + std::to_string(1'700'000'000'000'000LL + 977LL * i) +
                    ",\"user\":\"user-" + std::to_string(i % 97) + "\",\"text\":\"";
    while (m.size() + 2 < size)
      m += "the quick brown fox jumps over the lazy dog " + std::to_string(i % 13);
    m.resize(size - 2);
    m += "\"}";
    out.push_back(std::move(m));
  }
  return out;
}

// A zlib server's compressed payloads of `in`, in order (tail cut off).
std::vector<std::string> server_payloads(const std::vector<std::string>& in, bool takeover) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::vector<std::string> out;
  for (const std::string& m : in) {
    if (!takeover) deflateReset(&z);
    std::string o(deflateBound(&z, m.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(m.data()));
    z.avail_in = static_cast<uInt>(m.size());
    z.next_out = reinterpret_cast<Bytef*>(o.data());
    z.avail_out = static_cast<uInt>(o.size());
    deflate(&z, Z_SYNC_FLUSH);
    o.resize(o.size() - z.avail_out - 4);
    out.push_back(std::move(o));
  }
  deflateEnd(&z);
  return out;
}

struct Discard : ws::FrameHandler {
  bool on_message(bool, std::string_view p, std::size_t) override {
    bytes += p.size();
    return true;
  }
  bool on_ping(std::string_view) override { return true; }
  bool on_pong(std::string_view) override { return true; }
  bool on_close(uint16_t, std::string_view) override { return true; }
  std::size_t bytes = 0;
};

void per_message(std::size_t size, long n) {
  const auto ms = messages(size, 512);
  // Framing alone: encode a client frame and decode a server frame of the same size.
  {
    std::string out;
    std::string frame;
    ws::append_frame(frame, ws::Opcode::kText, ms[0], 0);
    frame[1] = static_cast<char>(frame[1] & 0x7f);  // as a server frame: unmasked
    frame.erase(frame[1] == 126 ? 4 : frame[1] == 127 ? 10 : 2, 4);
    ws::Decoder decoder(1 << 20);
    Discard sink;
    auto t0 = Clock::now();
    for (long i = 0; i < n; ++i) {
      out.clear();
      ws::append_frame(out, ws::Opcode::kText, ms[static_cast<std::size_t>(i) & 511], 0x1234);
      decoder.feed(frame, sink);
    }
    std::printf("  %6zu B  framing only (encode + decode)      %8.0f ns/msg\n", size,
                ns_since(t0, n));
  }
  for (bool takeover : {true, false}) {
    ws::DeflateWorkspace workspace;
    ws::DeflateParams params;
    params.client_no_context_takeover = params.server_no_context_takeover = !takeover;
    ws::PerMessageDeflate pmd(params, workspace);
    std::size_t wire = 0, payload = 0;
    auto t0 = Clock::now();
    for (long i = 0; i < n; ++i) {
      const std::string& m = ms[static_cast<std::size_t>(i) & 511];
      auto z = pmd.compress(m);
      wire += z ? z->size() : m.size();
      payload += m.size();
    }
    const double compress_ns = ns_since(t0, n);
    const auto from_server = server_payloads(ms, takeover);
    std::size_t server_wire = 0;
    for (const auto& p : from_server) server_wire += p.size();
    ws::PerMessageDeflate receiver(params, workspace);
    const long rounds = std::max<long>(1, n / 512);
    t0 = Clock::now();
    for (long r = 0; r < rounds; ++r) {
      // The same stream again needs a fresh inflater with takeover (it refers back in order).
      ws::PerMessageDeflate fresh(params, workspace);
      for (const auto& p : from_server) (void)fresh.inflate(p, 1 << 20);
    }
    const double inflate_ns = ns_since(t0, rounds * 512);
    std::printf(
        "  %6zu B  %-20s compress %7.0f ns/msg (wire %4.1f%%)  inflate %7.0f ns/msg (wire "
        "%4.1f%%)\n",
        size, takeover ? "context takeover" : "no context takeover", compress_ns,
        100.0 * static_cast<double>(wire) / static_cast<double>(payload), inflate_ns,
        100.0 * static_cast<double>(server_wire) / static_cast<double>(ms.size() * size));
  }
}

long rss_kib() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

void per_connection(int connections) {
  const auto ms = messages(256, 8);
  for (bool takeover : {true, false}) {
    ws::DeflateWorkspace workspace;
    ws::DeflateParams params;
    params.client_no_context_takeover = params.server_no_context_takeover = !takeover;
    const auto from_server = server_payloads(ms, takeover);
    std::vector<std::unique_ptr<ws::PerMessageDeflate>> conns;
    conns.reserve(static_cast<std::size_t>(connections));
    const long rss_before = rss_kib();
    auto t0 = Clock::now();
    for (int c = 0; c < connections; ++c) {
      conns.push_back(std::make_unique<ws::PerMessageDeflate>(params, workspace));
      (void)conns.back()->compress(ms[0]);
      (void)conns.back()->inflate(from_server[0], 1 << 20);
    }
    const double first_ns = ns_since(t0, connections);
    // A few more messages each way: the windows fill, resident memory grows towards the heap.
    for (std::size_t i = 1; i < ms.size(); ++i) {
      for (auto& conn : conns) {
        (void)conn->compress(ms[i]);
        (void)conn->inflate(from_server[i], 1 << 20);
      }
    }
    const long rss_after = rss_kib();
    std::size_t zlib = 0;
    for (const auto& conn : conns) zlib += conn->zlib_bytes();
    std::printf(
        "  %-20s zlib heap %6.1f KiB/connection (+ %zu B object), resident %6.1f KiB/connection; "
        "worker-shared: %.1f KiB zlib + %.1f KiB buffers; first message each way %.1f us\n",
        takeover ? "context takeover" : "no context takeover",
        static_cast<double>(zlib) / connections / 1024.0, sizeof(ws::PerMessageDeflate),
        static_cast<double>(rss_after - rss_before) / connections,
        static_cast<double>(workspace.zlib_bytes()) / 1024.0,
        static_cast<double>(workspace.buffer_bytes()) / 1024.0, first_ns / 1000.0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 20'000;
  const int connections = argc > 2 ? std::atoi(argv[2]) : 2'000;
  std::printf(
      "deflate_bench: per message (JSON text; our compressor: %d-bit window, memLevel %d; "
      "the server: zlib defaults)\n",
      ws::kDeflateWindowBits, ws::kDeflateMemLevel);
  for (std::size_t size : {64, 256, 1024, 4096, 65536}) {
    per_message(size, size >= 65536 ? n / 20 : n);
  }
  std::printf(
      "deflate_bench: per connection (%d connections, 8 messages of 256 B each way; the "
      "server's window 32 KiB)\n",
      connections);
  per_connection(connections);
  return 0;
}
