// ws:// connections: WsConnection over a plain TCP socket.
#include "connection_impl.hpp"

namespace wsload::agent {

template <>
struct StreamTraits<Socket> : SocketStreamOps<StreamTraits<Socket>> {
  static constexpr bool kTls = false;
  static constexpr bool kRaw = true;  // established sessions are served by the EventLoop
  static void emplace(std::optional<Socket>& s, WorkerContext& ctx, const GroupRuntime&) {
    s.emplace(ctx.ioc);
  }
  static Socket& socket(Socket& s) { return s; }
};

template class WsConnection<Socket>;
// Memory per connection is a product figure (MACHINE.md: agent bytes per idle connection); it must
// not grow unnoticed (504 bytes before the per-attempt state became one value, 496 since, 504 with
// the format-v2 session pointer; the group reference took the place of the run config's; 384 since
// sessions are raw and the 128-byte read array left the connection).
static_assert(sizeof(WsConnection<Socket>) <= 384);

std::shared_ptr<Connection> make_plain_connection(WorkerContext& ctx, uint32_t id, uint32_t slot) {
  return std::make_shared<WsConnection<Socket>>(ctx, id, slot);
}

}  // namespace wsload::agent
