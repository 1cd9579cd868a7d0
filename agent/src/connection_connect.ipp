// Connection attempts of WsConnection (included by connection_impl.hpp only).
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>

#include "wsload/shared/jwt.hpp"

namespace wsload::agent {

template <class Ws>
WsConnection<Ws>::WsConnection(WorkerContext& ctx, uint32_t id, uint32_t slot)
    : ctx_(ctx),
      cfg_(ctx.cfg),
      id_(id),
      slot_(slot) {}

template <class Ws>
void WsConnection<Ws>::start() {
  attempt();
}

template <class Ws>
void WsConnection<Ws>::attempt() {
  state_ = State::kConnecting;
  ++generation_;
  timed_out_ = false;
  close_started_ = false;
  close_pending_ = false;
  write_in_flight_ = false;
  read_ended_ = false;
  close_op_pending_ = false;
  close_done_ = false;
  close_timed_out_ = false;
  ++counters().connections_attempted;
  prepare_stream();

  arm(DeadlineKind::kDeadline, Clock::now() + cfg_.scenario().target.connect_timeout);

  if (ctx_.resolved) {
    do_connect(*ctx_.resolved);
    return;
  }
  stage_ = Stage::kResolve;
  if (!resolver_) resolver_ = std::make_unique<Resolver>(ctx_.ioc);
  resolver_->async_resolve(
      cfg_.endpoint.host, cfg_.endpoint.port,
      [self = this->shared_from_this()](error_code ec, tcp::resolver::results_type results) {
        self->on_resolve(ec, std::move(results));
      });
}

template <class Ws>
void WsConnection<Ws>::prepare_stream() {
  StreamTraits<Ws>::emplace(ws_, ctx_);
  ws_->read_message_max(kReadMessageMax);
  ws_->auto_fragment(false);
  // Deadlines are ours (connect_timeout, close wait); Beast's own timers stay off.
  ws_->set_option(websocket::stream_base::timeout{websocket::stream_base::none(),
                                                  websocket::stream_base::none(), false});
  token_ = make_token();
  target_ = cfg_.endpoint.target;
  const shared::AuthSpec& auth = cfg_.scenario().target.auth;
  bool token_in_header = auth.in == shared::TokenPlacement::kHeader;
  if (!token_.empty() && !token_in_header) {
    target_ += target_.find('?') == std::string::npos ? '?' : '&';
    target_ += auth.query_param + "=" + percent_encode(token_);
  }
  ws_->set_option(websocket::stream_base::decorator(
      [this, token_in_header](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, "wsload/" WSLOAD_VERSION);
        for (const auto& [name, value] : cfg_.scenario().target.headers) req.set(name, value);
        if (!token_.empty() && token_in_header) {
          req.set(beast::http::field::authorization, "Bearer " + token_);
        }
        if (!cfg_.subprotocol_header.empty()) {
          req.set(beast::http::field::sec_websocket_protocol, cfg_.subprotocol_header);
        }
      }));
  ws_->control_callback([this](websocket::frame_type kind, beast::string_view payload) {
    on_control(kind, std::string_view(payload.data(), payload.size()));
  });
}

template <class Ws>
std::string WsConnection<Ws>::make_token() const {
  const shared::AuthSpec& auth = cfg_.scenario().target.auth;
  if (!auth.jwt || !cfg_.jwt_subject) return auth.token;
  shared::TemplateContext tc;
  tc.conn = id_;
  tc.agent = cfg_.assignment.agent_index;
  std::string subject;
  cfg_.jwt_subject->render(tc, subject);
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  auto ttl_s = std::chrono::duration_cast<std::chrono::seconds>(auth.jwt->ttl).count();
  return shared::jwt_make_token(auth.jwt->secret, subject, now_s, ttl_s);
}

template <class Ws>
void WsConnection<Ws>::on_resolve(error_code ec, tcp::resolver::results_type results) {
  if (ec || results.empty()) {
    fail_attempt(ec ? classify_failure(ec) : "dns");
    return;
  }
  resolver_.reset();
  ctx_.resolved = results;
  do_connect(results);
}

template <class Ws>
void WsConnection<Ws>::do_connect(const tcp::resolver::results_type& results) {
  stage_ = Stage::kConnect;
  connect_start_ = Clock::now();
  const auto& sources = cfg_.assignment.source_ips;
  if (sources.empty()) {
    net::async_connect(socket(), results,
                       [self = this->shared_from_this()](error_code ec, const tcp::endpoint&) {
                         self->on_connect(ec);
                       });
    return;
  }
  error_code ec;
  auto source = net::ip::make_address(sources[id_ % sources.size()], ec);
  if (ec) {
    fail_attempt("other");
    return;
  }
  std::optional<tcp::endpoint> remote;
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4() == source.is_v4()) {
      remote = entry.endpoint();
      break;
    }
  }
  if (!remote) {
    fail_attempt("other");
    return;
  }
  auto& sock = socket();
  sock.open(remote->protocol(), ec);
  if (!ec) {
    // Let connect() pick the port per destination, so each source ip gets its own port range.
    int one = 1;
    ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    sock.bind(tcp::endpoint(source, 0), ec);
  }
  if (ec) {
    fail_attempt("other");
    return;
  }
  sock.async_connect(*remote, [self = this->shared_from_this()](error_code e) {
    self->on_connect(e);
  });
}

template <class Ws>
void WsConnection<Ws>::on_connect(error_code ec) {
  if (ec) {
    fail_attempt(classify_failure(ec));
    return;
  }
  error_code ignored;
  socket().set_option(tcp::no_delay(true), ignored);
  if constexpr (StreamTraits<Ws>::kTls) {
    stage_ = Stage::kTls;
    StreamTraits<Ws>::handshake(*ws_, cfg_, [self = this->shared_from_this()](error_code e) {
      self->on_tls(e);
    });
  } else {
    do_upgrade();
  }
}

template <class Ws>
void WsConnection<Ws>::on_tls(error_code ec) {
  if (ec) {
    fail_attempt(classify_failure(ec));
    return;
  }
  do_upgrade();
}

template <class Ws>
void WsConnection<Ws>::do_upgrade() {
  stage_ = Stage::kUpgrade;
  response_ = std::make_unique<websocket::response_type>();
  ws_->async_handshake(*response_, cfg_.endpoint.host_header, target_,
                       [self = this->shared_from_this()](error_code ec) { self->on_upgrade(ec); });
}

template <class Ws>
void WsConnection<Ws>::on_upgrade(error_code ec) {
  if (ec) {
    fail_attempt(classify_failure(ec));
    return;
  }
  on_established();
}

template <class Ws>
std::string WsConnection<Ws>::classify_failure(error_code ec) const {
  if (timed_out_) {
    if (stage_ == Stage::kResolve) return "dns";
    return stage_ == Stage::kUpgrade ? "handshake_timeout" : "connect_timeout";
  }
  switch (stage_) {
    case Stage::kResolve:
      return "dns";
    case Stage::kConnect:
      if (ec == net::error::connection_refused) return "refused";
      if (ec == net::error::timed_out) return "connect_timeout";
      return "other";
    case Stage::kTls:
      return "tls";
    case Stage::kUpgrade: {
      // Beast pre-fills the response (500) before anything arrives, so its status means something
      // only when the server really answered and declined the upgrade; a reset or EOF during the
      // upgrade is "other", never a made-up http_500.
      if (ec != websocket::error::upgrade_declined) return "other";
      unsigned status = response_ ? response_->result_int() : 0;
      if (status != 0 && status != 101) return "http_" + std::to_string(status);
      return "other";
    }
  }
  return "other";
}

template <class Ws>
void WsConnection<Ws>::fail_attempt(const std::string& reason) {
  disarm(DeadlineKind::kDeadline);
  response_.reset();
  if (aborting_) {
    done();
    return;
  }
  ++counters().connections_failed;
  ++counters().failures[reason];
  state_ = State::kIdle;
  if (reconnecting_ && may_reconnect()) {
    schedule_reconnect();
  } else {
    done();
  }
}

template <class Ws>
void WsConnection<Ws>::cancel_io() {
  error_code ignored;
  if (resolver_) resolver_->cancel();
  if (ws_) {
    socket().close(ignored);
  }
}

template <class Ws>
bool WsConnection<Ws>::may_reconnect() const {
  const shared::ReconnectSpec& rc = cfg_.scenario().reconnect;
  return rc.enabled && reconnect_attempts_ < rc.max_attempts && !sending_stopped_ &&
         !finish_requested_ && !aborting_ && Clock::now() < ctx_.hold_end;
}

template <class Ws>
void WsConnection<Ws>::schedule_reconnect() {
  ++reconnect_attempts_;
  reconnecting_ = true;
  state_ = State::kIdle;
  ++generation_;
  arm(DeadlineKind::kDeadline, Clock::now() + cfg_.scenario().reconnect.backoff);
}

template <class Ws>
void WsConnection<Ws>::on_deadline(DeadlineKind kind) {
  switch (kind) {
    case DeadlineKind::kSend:
      maybe_send();
      return;
    case DeadlineKind::kTimeout:
      on_timeout();
      return;
    case DeadlineKind::kDeadline:
      break;
  }
  switch (state_) {
    case State::kConnecting:  // connect/handshake deadline
      timed_out_ = true;
      cancel_io();
      return;
    case State::kIdle:  // reconnect backoff over
      if (!reconnecting_) return;
      ++counters().reconnects;
      attempt();
      return;
    case State::kClosing: {
      // The peer did not finish the close handshake in time: drop the connection.
      close_timed_out_ = true;
      error_code ignored;
      socket().close(ignored);
      return;
    }
    case State::kOpen:
    case State::kDone:
      return;
  }
}

template <class Ws>
void WsConnection<Ws>::done() {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  ++generation_;
  ctx_.deadlines.cancel_all(slot_);
  if (ctx_.on_done) ctx_.on_done(slot_);
}

}  // namespace wsload::agent
