// ws:// connections: WsConnection over a plain TCP socket.
#include "connection_impl.hpp"

namespace wsload::agent {

using PlainWs = websocket::stream<Socket, false>;  // no permessage-deflate

template <>
struct StreamTraits<PlainWs> {
  static constexpr bool kTls = false;
  static void emplace(std::optional<PlainWs>& ws, WorkerContext& ctx) { ws.emplace(ctx.ioc); }
};

template class WsConnection<PlainWs>;

std::shared_ptr<Connection> make_plain_connection(WorkerContext& ctx, uint32_t id, uint32_t slot) {
  return std::make_shared<WsConnection<PlainWs>>(ctx, id, slot);
}

}  // namespace wsload::agent
