// Plain (ws://) sessions: the explicit instantiations of HttpSession/WsSession over tcp_stream.
#include "http_session.hpp"
#include "session_start.hpp"

namespace wsload::target {

template class WsSession<boost::beast::tcp_stream>;
template class HttpSession<boost::beast::tcp_stream>;

void start_plain_session(boost::asio::ip::tcp::socket socket, Hub& hub, Shard& shard) {
  boost::beast::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) return;
  socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  std::make_shared<HttpSession<boost::beast::tcp_stream>>(hub, shard, remote.address().to_string(),
                                                          std::move(socket))
      ->run();
}

}  // namespace wsload::target
