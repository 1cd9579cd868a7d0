// ws:// connections: WsConnection over a plain TCP socket.
#include "connection_impl.hpp"

namespace wsload::agent {

template <>
struct StreamTraits<Socket> {
  static constexpr bool kTls = false;
  static void emplace(std::optional<Socket>& s, WorkerContext& ctx) { s.emplace(ctx.ioc); }
  static Socket& socket(Socket& s) { return s; }
};

template class WsConnection<Socket>;

std::shared_ptr<Connection> make_plain_connection(WorkerContext& ctx, uint32_t id, uint32_t slot) {
  return std::make_shared<WsConnection<Socket>>(ctx, id, slot);
}

}  // namespace wsload::agent
