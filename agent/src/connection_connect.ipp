// Connection attempts of WsConnection: connect, TLS, the HTTP upgrade (included by
// connection_impl.hpp only).
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "wsload/shared/jwt.hpp"
#include "wsload/shared/reconnect_backoff.hpp"

namespace wsload::agent {

// The socket-level part of StreamTraits for streams over a Socket; Traits::socket(Stream&) names
// the stream's socket.
template <class Traits>
struct SocketStreamOps {
  // Connects to the first endpoint of `results`; from `source` (with the port chosen per
  // destination, so each source ip gets its own port range) to the first endpoint of its family.
  template <class Stream, class Handler>
  static error_code connect(Stream& stream, const tcp::resolver::results_type& results,
                            const std::optional<net::ip::address>& source, Handler&& handler) {
    Socket& sock = Traits::socket(stream);
    if (!source) {
      net::async_connect(sock, results,
                         [h = std::forward<Handler>(handler)](
                             error_code ec, const tcp::endpoint&) mutable { h(ec); });
      return {};
    }
    std::optional<tcp::endpoint> remote;
    for (const auto& entry : results) {
      if (entry.endpoint().address().is_v4() == source->is_v4()) {
        remote = entry.endpoint();
        break;
      }
    }
    if (!remote) return net::error::address_family_not_supported;
    error_code ec;
    sock.open(remote->protocol(), ec);
    if (!ec) {
      int one = 1;
      ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
      sock.bind(tcp::endpoint(*source, 0), ec);
    }
    if (ec) return ec;
    sock.async_connect(*remote, std::forward<Handler>(handler));
    return {};
  }
  template <class Stream>
  static void set_no_delay(Stream& stream) {
    error_code ignored;
    Traits::socket(stream).set_option(tcp::no_delay(true), ignored);
  }
  template <class Stream>
  static void set_non_blocking(Stream& stream) {
    error_code ignored;
    Traits::socket(stream).non_blocking(true, ignored);
  }
  template <class Stream>
  static void close(Stream& stream) {
    error_code ignored;
    Traits::socket(stream).close(ignored);
  }
  template <class Stream, class Handler>
  static void async_wait_writable(Stream& stream, Handler&& handler) {
    Traits::socket(stream).async_wait(tcp::socket::wait_write, std::forward<Handler>(handler));
  }
};

template <class Ws>
WsConnection<Ws>::WsConnection(WorkerContext& ctx, uint32_t id, uint32_t slot)
    : ctx_(ctx), id_(id), slot_(slot), group_(ctx.cfg.group_of(id)) {}

template <class Ws>
WsConnection<Ws>::~WsConnection() {
  if (raw_fd_ >= 0) ::close(raw_fd_);  // the worker is going away mid-session
}

template <class Ws>
void WsConnection<Ws>::start() {
  attempt();
}

template <class Ws>
void WsConnection<Ws>::attempt() {
  state_ = State::kConnecting;
  attempt_ = {};
  ++counters().connections_attempted;
  Traits::emplace(stream_, ctx_, group_);

  arm(DeadlineKind::kDeadline, ctx_.now() + group_.target.connect_timeout);

  if (const auto& resolved = ctx_.resolved[group_.index]) {
    do_connect(*resolved);
    return;
  }
  attempt_.stage = Stage::kResolve;
  if (!resolver_) resolver_ = std::make_unique<Resolver>(ctx_.ioc);
  ++ctx_.resolving;
  resolver_->async_resolve(
      group_.endpoint.host, group_.endpoint.port,
      [self = this->shared_from_this()](error_code ec, tcp::resolver::results_type results) {
        --self->ctx_.resolving;
        self->on_resolve(ec, std::move(results));
      });
}

// The upgrade request of RFC 6455 §4.1 with the scenario's headers, token and subprotocols.
template <class Ws>
std::string WsConnection<Ws>::make_request(const std::string& key, std::string& offered) const {
  auto clean = [](std::string_view v) {  // a header cannot smuggle in another line
    std::string r(v);
    std::erase_if(r, [](char c) { return c == '\r' || c == '\n'; });
    return r;
  };
  const shared::AuthSpec& auth = group_.target.auth;
  std::string token = make_token();
  std::string target = render_field(group_.target_template, group_.endpoint.target);
  bool token_in_header = auth.in == shared::TokenPlacement::kHeader;
  if (!token.empty() && !token_in_header) {
    target += target.find('?') == std::string::npos ? '?' : '&';
    target += auth.query_param + "=" + percent_encode(token);
  }
  // A scenario header replaces wsload's own header of the same name (the handshake's own headers
  // are refused when the scenario is loaded).
  auto headers = group_.target.headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (group_.header_templates[i]) {
      headers[i].second = render_field(group_.header_templates[i], headers[i].second);
    }
  }
  auto given = [&headers](std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [name](const auto& h) { return beast::iequals(h.first, name); });
  };
  std::string r;
  r.reserve(256);
  r += "GET " + clean(target) + " HTTP/1.1\r\n";
  if (!given("host")) r += "Host: " + clean(group_.endpoint.host_header) + "\r\n";
  r += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
       "\r\nSec-WebSocket-Version: 13\r\n";
  if (!given("user-agent")) r += "User-Agent: wsload/" WSLOAD_VERSION "\r\n";
  if (!token.empty() && token_in_header && !given("authorization")) {
    r += "Authorization: Bearer " + clean(token) + "\r\n";
  }
  if (!group_.subprotocol_header.empty() && !given("sec-websocket-protocol")) {
    r += "Sec-WebSocket-Protocol: " + clean(group_.subprotocol_header) + "\r\n";
  }
  if (group_.target.compression == shared::Compression::kDeflate) {
    r += "Sec-WebSocket-Extensions: ";
    r += ws::kDeflateOffer;
    r += "\r\n";
  }
  offered = group_.subprotocol_header;
  for (const auto& [name, value] : headers) {
    if (beast::iequals(name, "sec-websocket-protocol")) offered = value;
  }
  for (const auto& [name, value] : headers) r += clean(name) + ": " + clean(value) + "\r\n";
  r += "\r\n";
  return r;
}

// A target field with placeholders rendered for this connection ({{conn}}, {{data.F.C}}, ...);
// `plain` when it has none.
template <class Ws>
std::string WsConnection<Ws>::render_field(const std::optional<shared::MessageTemplate>& tmpl,
                                           const std::string& plain) const {
  if (!tmpl) return plain;
  std::vector<const std::vector<std::string>*> rows;
  for (size_t f = 0; f < ctx_.cfg.scenario().data.size(); ++f)
    rows.push_back(ctx_.cfg.data_row(f, id_));
  shared::TemplateContext tc;
  tc.conn = id_;
  tc.agent = ctx_.cfg.assignment.agent_index;
  tc.now_us = shared::unix_us_now();
  tc.rng = &ctx_.rng;
  tc.data_rows = rows;
  std::string out;
  tmpl->render(tc, out);
  return out;
}

template <class Ws>
std::string WsConnection<Ws>::make_token() const {
  const shared::AuthSpec& auth = group_.target.auth;
  if (!auth.jwt || !group_.jwt_subject) return render_field(group_.token_template, auth.token);
  const std::string subject = render_field(group_.jwt_subject, {});
  const int64_t now_s = shared::unix_s_now();
  auto ttl_s = std::chrono::duration_cast<std::chrono::seconds>(auth.jwt->ttl).count();
  return shared::jwt_make_token(auth.jwt->secret, subject, now_s, ttl_s);
}

// The connect deadline may have fired, or the run stopped (stop_attempt), while a successful
// step's completion was already queued: then the attempt is over, whatever that step says.
template <class Ws>
bool WsConnection<Ws>::cancelled() {
  if (state_ != State::kConnecting) return true;  // stopped meanwhile, already counted
  if (!attempt_.timed_out) return false;
  fail_attempt(classify_failure(net::error::operation_aborted));
  return true;
}

template <class Ws>
void WsConnection<Ws>::on_resolve(error_code ec, tcp::resolver::results_type results) {
  if (!ec && cancelled()) return;
  if (ec || results.empty()) {
    fail_attempt(ec ? classify_failure(ec) : FailureReason::kDns, ec);
    return;
  }
  resolver_.reset();
  ctx_.resolved[group_.index] = results;
  do_connect(results);
}

template <class Ws>
void WsConnection<Ws>::do_connect(const tcp::resolver::results_type& results) {
  attempt_.stage = Stage::kConnect;
  attempt_.connect_start = ctx_.now();
  const auto& sources = ctx_.cfg.assignment.source_ips;
  std::optional<net::ip::address> source;
  if (!sources.empty()) {
    error_code ec;
    source = net::ip::make_address(sources[id_ % sources.size()], ec);
    if (ec) {
      fail_attempt(FailureReason::kOther);
      return;
    }
  }
  error_code ec =
      Traits::connect(*stream_, results, source,
                      [self = this->shared_from_this()](error_code e) { self->on_connect(e); });
  if (ec) fail_attempt(FailureReason::kOther);
}

template <class Ws>
void WsConnection<Ws>::on_connect(error_code ec) {
  if (!ec && cancelled()) return;
  if (ec) {
    fail_attempt(classify_failure(ec), ec);
    return;
  }
  Traits::set_no_delay(*stream_);
  if constexpr (kTls) {
    attempt_.stage = Stage::kTls;
    Traits::handshake(*stream_, group_, [self = this->shared_from_this()](error_code e) {
      if (!e && self->cancelled()) return;
      if (e) {
        self->fail_attempt(self->classify_failure(e), e);
        return;
      }
      self->do_upgrade();
    });
  } else {
    do_upgrade();
  }
}

template <class Ws>
void WsConnection<Ws>::do_upgrade() {
  attempt_.stage = Stage::kUpgrade;
  upgrade_ = std::make_unique<Upgrade>();
  upgrade_->key = ws::make_key(ctx_.rng);
  upgrade_->request = make_request(upgrade_->key, upgrade_->offered_protocols);
  upgrade_->parser.header_limit(16 * 1024);
  net::async_write(*stream_, net::buffer(upgrade_->request),
                   [self = this->shared_from_this()](error_code ec, std::size_t) {
                     if (!ec && self->cancelled()) return;
                     if (ec) {
                       self->fail_attempt(self->classify_failure(ec), ec);
                       return;
                     }
                     Upgrade& u = *self->upgrade_;
                     beast::http::async_read_header(
                         *self->stream_, u.buffer, u.parser,
                         [self](error_code e, std::size_t) { self->on_upgrade_response(e); });
                   });
}

// A complete response: a 101 that passes check_upgrade() establishes the session; anything else
// fails the attempt (http_<status>, or check_upgrade's reason).
template <class Ws>
void WsConnection<Ws>::on_upgrade_response(error_code ec) {
  if (!ec && cancelled()) return;
  if (ec) {
    fail_attempt(classify_failure(ec), ec);
    return;
  }
  const auto& res = upgrade_->parser.get();
  if (res.result_int() != 101) {
    fail_attempt(Failure{FailureReason::kHttpStatus, static_cast<uint16_t>(res.result_int())});
    return;
  }
  std::optional<ws::DeflateParams> deflate;
  if (auto reason = check_upgrade(deflate)) {
    fail_attempt(*reason);
    return;
  }
  if (deflate) {
    deflate_ = std::make_unique<ws::PerMessageDeflate>(*deflate, ctx_.deflate_workspace());
  }
  auto early = upgrade_->buffer.data();  // frames the server sent right behind its 101
  std::string early_bytes(static_cast<const char*>(early.data()), early.size());
  upgrade_.reset();
  on_established(early_bytes);
}

// RFC 6455 §4.1 on a 101: Upgrade: websocket and Connection: upgrade, the accept value for our
// key, and neither an extension nor a subprotocol we did not offer. nullopt when valid, else the
// failure reason: kBadAccept for a wrong Sec-WebSocket-Accept, kBadExtension for an extension
// answer that is not a valid acceptance of our permessage-deflate offer (RFC 7692 §7.1),
// kBadUpgrade for the rest (an extension when we offered none among it).
template <class Ws>
std::optional<FailureReason> WsConnection<Ws>::check_upgrade(
    std::optional<ws::DeflateParams>& deflate) const {
  const auto& res = upgrade_->parser.get();
  auto field = [&res](beast::http::field f) {
    auto v = res[f];
    return std::string_view(v.data(), v.size());
  };
  if (!beast::iequals(field(beast::http::field::upgrade), "websocket") ||
      !beast::http::token_list(field(beast::http::field::connection)).exists("upgrade")) {
    return FailureReason::kBadUpgrade;
  }
  if (field(beast::http::field::sec_websocket_accept) != ws::accept_for(upgrade_->key)) {
    return FailureReason::kBadAccept;
  }
  std::string extensions;  // every header line of it, as one list
  const auto [first, last] = res.equal_range(beast::http::field::sec_websocket_extensions);
  for (auto line = first; line != last; ++line) {
    if (!extensions.empty()) extensions += ", ";
    extensions.append(line->value().data(), line->value().size());
  }
  if (group_.target.compression == shared::Compression::kDeflate) {
    auto answer = ws::parse_deflate_response(extensions);
    if (answer.has_error()) {
      if (spdlog::should_log(spdlog::level::debug)) {
        spdlog::debug("connection {}: {}", id_, answer.error());
      }
      return FailureReason::kBadExtension;
    }
    deflate = *answer;
  } else if (!extensions.empty()) {
    return FailureReason::kBadUpgrade;
  }
  std::string_view protocol = field(beast::http::field::sec_websocket_protocol);
  if (!protocol.empty() && !beast::http::token_list(upgrade_->offered_protocols).exists(protocol)) {
    return FailureReason::kBadUpgrade;
  }
  return std::nullopt;
}

// The reason of a failed step (a status is failed by on_upgrade_response). A connect deadline
// that fired is named after the stage it stopped.
template <class Ws>
FailureReason WsConnection<Ws>::classify_failure(error_code ec) const {
  const bool timed_out = attempt_.timed_out;
  switch (attempt_.stage) {
    case Stage::kResolve:
      return FailureReason::kDns;
    case Stage::kConnect:
      if (timed_out || ec == net::error::timed_out) return FailureReason::kConnectTimeout;
      return ec == net::error::connection_refused ? FailureReason::kRefused : FailureReason::kOther;
    case Stage::kTls:
      return timed_out ? FailureReason::kTlsTimeout : FailureReason::kTls;
    case Stage::kUpgrade:
      return timed_out ? FailureReason::kHandshakeTimeout : upgrade_failure(ec);
  }
  return FailureReason::kOther;
}

// Writing the request or reading the response failed: the peer went away before a complete
// response (`closed_during_upgrade`), or sent bytes that are not an HTTP response, or one too
// large (`bad_upgrade`).
template <class Ws>
FailureReason WsConnection<Ws>::upgrade_failure(error_code ec) {
  namespace http = beast::http;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == net::error::eof || ec == net::error::connection_reset ||
      ec == net::error::broken_pipe || ec == net::error::connection_aborted ||
      ec == net::ssl::error::stream_truncated) {
    return FailureReason::kClosedDuringUpgrade;
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return FailureReason::kBadUpgrade;
  }
  return FailureReason::kOther;
}

// A step of the attempt failed (called from its completion: no operation of ours is pending).
// A no-op once the attempt is over (stopped, see stop_attempt).
template <class Ws>
void WsConnection<Ws>::fail_attempt(Failure failure, error_code ec) {
  if (state_ != State::kConnecting) return;
  disarm(DeadlineKind::kDeadline);
  upgrade_.reset();
  cancel_io();  // a declined upgrade must not keep the server's connection for the backoff
  count_failure(failure, ec);
  state_ = State::kIdle;
  if (reconnecting_ && may_reconnect()) {
    schedule_reconnect();
  } else {
    done();
  }
}

// The run stopped (its planned end, stop(), abort) while this attempt was pending: the attempt
// has failed, now, as `stopped_before_established` (or as the timeout that already fired), so
// that attempted == established + failed holds in every report. Operations still pending return
// later with operation_aborted and find the attempt over (cancelled(), fail_attempt); until then
// their handlers keep the connection, its stream and upgrade_ alive.
template <class Ws>
void WsConnection<Ws>::stop_attempt() {
  if (state_ != State::kConnecting) return;
  FailureReason reason = attempt_.timed_out ? classify_failure(net::error::operation_aborted)
                                            : FailureReason::kStoppedBeforeEstablished;
  disarm(DeadlineKind::kDeadline);
  cancel_io();
  count_failure(Failure{reason}, {});
  state_ = State::kIdle;
  done();
}

// Counts a failed attempt and logs it at debug level, at most FailureLogBudget::kPerSecond lines
// per second per worker (the number left out is logged with the next line).
template <class Ws>
void WsConnection<Ws>::count_failure(Failure failure, error_code ec) {
  const std::string reason = to_string(failure);
  ++counters().connections_failed;
  ++counters().failures[reason];
  if (!spdlog::should_log(spdlog::level::debug)) return;
  uint64_t suppressed = 0;
  if (!ctx_.failure_log.take(ctx_.now(), &suppressed)) return;
  if (suppressed > 0) spdlog::debug("{} more failed connection attempts not logged", suppressed);
  static constexpr const char* kStageNames[] = {"resolve", "connect", "tls", "upgrade"};
  spdlog::debug("connection {} failed during {}: {}{}{}", id_,
                kStageNames[static_cast<int>(attempt_.stage)], reason, ec ? ": " : "",
                ec ? ec.message() : std::string());
}

template <class Ws>
void WsConnection<Ws>::cancel_io() {
  if (resolver_) resolver_->cancel();
  if (stream_) Traits::close(*stream_);
}

template <class Ws>
bool WsConnection<Ws>::may_reconnect() const {
  const shared::ReconnectSpec& rc = ctx_.cfg.scenario().reconnect;
  return rc.enabled && reconnect_attempts_ < rc.max_attempts && winding_ == Winding::kRunning &&
         ctx_.now() < ctx_.hold_end;
}

// Waits shared::reconnect_delay before attempt reconnect_attempts_ (1 after the session's end,
// then one more per failed attempt). The first reconnect after a session notes when it ended.
template <class Ws>
void WsConnection<Ws>::schedule_reconnect() {
  const TimePoint now = ctx_.now();
  if (!reconnecting_) ctx_.reconnect_since[slot_] = now;
  ++reconnect_attempts_;
  reconnecting_ = true;
  state_ = State::kIdle;
  const auto delay =
      shared::reconnect_delay(ctx_.cfg.scenario().reconnect, id_, reconnect_attempts_);
  spdlog::trace("connection {} reconnect attempt {} in {} us", id_, reconnect_attempts_,
                std::chrono::duration_cast<std::chrono::microseconds>(delay).count());
  arm(DeadlineKind::kDeadline, now + delay);
}

template <class Ws>
void WsConnection<Ws>::on_deadline(DeadlineKind kind) {
  switch (kind) {
    case DeadlineKind::kSend:
      if (steps_running()) {
        on_steps(session_->runner->on_deadline(ctx_.now(), *session_));
      } else {
        maybe_send();
      }
      return;
    case DeadlineKind::kTimeout:
      on_timeout();
      return;
    case DeadlineKind::kDeadline:
      break;
  }
  switch (state_) {
    case State::kConnecting:  // connect/handshake deadline
      attempt_.timed_out = true;
      cancel_io();
      return;
    case State::kIdle:  // reconnect backoff over
      if (!reconnecting_) return;
      ++counters().reconnects;
      attempt();
      return;
    case State::kClosing:
      // The close bound expired: either the peer never answered our close frame, or the close
      // handshake is complete and it just did not close the TCP connection.
      if (decoder_.failed()) {
        end_session(DisconnectReason::kProtocol);
      } else if (attempt_.close_sent && attempt_.close_received) {
        end_session(DisconnectReason::kPeerClose);
      } else {
        end_session(DisconnectReason::kCloseTimeout);
      }
      return;
    case State::kOpen:  // write-stall bound
      check_write_stall();
      return;
    case State::kEnding:  // waiting for pending I/O; nothing is bounded any more
    case State::kDone:
      return;
  }
}

template <class Ws>
void WsConnection<Ws>::done() {
  if (state_ == State::kDone) return;
  state_ = State::kDone;
  if (reconnecting_) ctx_.reconnect_since.erase(slot_);
  ctx_.deadlines.cancel_all(slot_);
  if (ctx_.on_done) ctx_.on_done(slot_);
}

}  // namespace wsload::agent
