// Established sessions of WsConnection: reads, request schedule, replies, pushes, close
// (included by connection_impl.hpp only).
#include <algorithm>
#include <charconv>

namespace wsload::agent {
namespace session_detail {

inline int64_t micros(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

inline int64_t wall_now_us() {
  return micros(std::chrono::system_clock::now().time_since_epoch());
}

}  // namespace session_detail

template <class Ws>
void WsConnection<Ws>::on_established() {
  TimePoint now = Clock::now();
  disarm(DeadlineKind::kDeadline);
  state_ = State::kOpen;
  reconnect_attempts_ = 0;
  reconnecting_ = false;
  response_.reset();
  std::string().swap(token_);
  std::string().swap(target_);
  ++counters().connections_established;
  ++ctx_.open;
  ctx_.delta.connect_time.record(session_detail::micros(now - connect_start_));
  do_read();
  if (finish_requested_) {
    begin_close(kCloseWait);
    return;
  }
  if (cfg_.scenario().messages) {
    sends_.reset(now, cfg_.scenario().messages->interval);
    maybe_send();
  }
}

template <class Ws>
void WsConnection<Ws>::do_read() {
  // Between messages the pending read targets short_msg_ (no heap); the rest of a longer message
  // is read by the following calls into long_msg_.
  net::mutable_buffer target = long_read_ ? long_msg_.prepare(kLongReadChunk)
                                          : net::mutable_buffer(short_msg_, sizeof(short_msg_));
  ws_->async_read_some(target, [self = this->shared_from_this()](error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

template <class Ws>
void WsConnection<Ws>::on_read(error_code ec, std::size_t n) {
  if (ec) {
    read_ended_ = true;
    read_ec_ = ec;
    maybe_end_session();
    return;
  }
  const bool done = ws_->is_message_done();
  if (long_read_) {
    long_msg_.commit(n);
  } else if (!done) {
    // The message is longer than short_msg_: continue it on the heap.
    long_msg_.commit(net::buffer_copy(long_msg_.prepare(n), net::buffer(short_msg_, n)));
    long_read_ = true;
  }
  if (!done) {
    do_read();
    return;
  }
  std::string_view frame(short_msg_, n);
  if (long_read_) {
    auto data = long_msg_.data();
    frame = std::string_view(static_cast<const char*>(data.data()), data.size());
  }
  ++counters().messages_received;
  counters().bytes_received += frame.size();
  handle_frame(frame, Clock::now());
  if (long_read_) {
    long_msg_ = beast::flat_buffer();  // frees the storage
    long_read_ = false;
  }
  do_read();
}

template <class Ws>
void WsConnection<Ws>::on_control(websocket::frame_type kind, std::string_view payload) {
  if (kind != websocket::frame_type::pong) return;
  ++counters().messages_received;
  counters().bytes_received += payload.size();
  const auto& messages = cfg_.scenario().messages;
  if (!messages || messages->kind != shared::MessageKind::kPing || cfg_.match == MatchMode::kNone) {
    return;
  }
  uint64_t seq = 0;
  auto [ptr, err] = std::from_chars(payload.data(), payload.data() + payload.size(), seq);
  if (err != std::errc() || ptr != payload.data() + payload.size()) {
    ++counters().unmatched;
    return;
  }
  if (match_reply(seq, Clock::now())) return;
  if (in_flight_.take_expired(seq)) {
    ++counters().late_replies;
  } else {
    ++counters().unmatched;
  }
}

template <class Ws>
void WsConnection<Ws>::handle_frame(std::string_view data, TimePoint now) {
  const auto& messages = cfg_.scenario().messages;
  if (messages && messages->kind != shared::MessageKind::kPing) {
    if (cfg_.match == MatchMode::kField) {
      if (auto id = scan_number_field(data, cfg_.match_field)) {
        if (match_reply(*id, now)) return;
        if (in_flight_.take_expired(*id)) {
          ++counters().late_replies;
        } else {
          ++counters().unmatched;
        }
        return;
      }
    } else if (cfg_.match == MatchMode::kNext && !in_flight_.empty()) {
      InFlight request = *in_flight_.take_oldest();
      record_reply(request, now);
      return;
    }
  }
  handle_push(data);
}

template <class Ws>
void WsConnection<Ws>::handle_push(std::string_view data) {
  ++counters().push_received;
  const shared::PushSpec& push = cfg_.scenario().push;
  if (!push.sequence_field.empty()) {
    if (auto seq = scan_number_field(data, push.sequence_field)) {
      PushCounts pc;
      push_.observe(*seq, pc);
      counters().push_gaps += pc.gaps;
      counters().push_duplicates += pc.duplicates;
      counters().push_reordered += pc.reordered;
    }
  }
  if (!push.timestamp_field.empty()) {
    if (auto ts = scan_number_field(data, push.timestamp_field)) {
      int64_t delay = session_detail::wall_now_us() - static_cast<int64_t>(*ts);
      ctx_.delta.push_latency.record(std::max<int64_t>(delay, 0));
    }
  }
}

template <class Ws>
bool WsConnection<Ws>::match_reply(uint64_t seq, TimePoint now) {
  auto request = in_flight_.take(seq);
  if (!request) return false;
  record_reply(*request, now);
  return true;
}

template <class Ws>
void WsConnection<Ws>::record_reply(const InFlight& request, TimePoint now) {
  ++counters().replies;
  --ctx_.in_flight;
  ctx_.delta.latency.record(session_detail::micros(now - request.scheduled));
  ctx_.delta.latency_service.record(session_detail::micros(now - request.sent));
  on_settled();
}

// A request got its reply or timed out.
template <class Ws>
void WsConnection<Ws>::on_settled() {
  if (finish_requested_ && in_flight_.empty() && state_ == State::kOpen) {
    begin_close(kCloseWait);
    return;
  }
  if (sends_.closed_loop()) maybe_send();
}

template <class Ws>
void WsConnection<Ws>::maybe_send() {
  const auto& messages = cfg_.scenario().messages;
  if (!messages || state_ != State::kOpen || sending_stopped_ || write_in_flight_) return;
  TimePoint now = Clock::now();
  if (now >= ctx_.hold_end) return;
  if (sends_.closed_loop()) {
    if (cfg_.match != MatchMode::kNone && !in_flight_.empty()) return;
  } else if (!sends_.due(now)) {
    arm_send(sends_.next_instant());
    return;
  }
  TimePoint scheduled = sends_.take(now);
  send_one(scheduled, now);
  if (!sends_.closed_loop()) arm_send(sends_.next_instant());
}

template <class Ws>
void WsConnection<Ws>::send_one(TimePoint scheduled, TimePoint now) {
  const shared::MessagesSpec& m = *cfg_.scenario().messages;
  uint64_t seq = ++seq_;
  auto lag = now - scheduled;
  if (lag > kScheduleSlack) {
    ++counters().sends_behind_schedule;
    counters().max_schedule_lag_us =
        std::max<uint64_t>(counters().max_schedule_lag_us, session_detail::micros(lag));
  }
  write_in_flight_ = true;
  ++counters().messages_sent;
  if (cfg_.match != MatchMode::kNone) {
    in_flight_.add(seq, scheduled, now);
    ++ctx_.in_flight;
    arm_timeout();
  }
  auto self = this->shared_from_this();
  if (m.kind == shared::MessageKind::kPing) {
    char digits[24];
    auto [end, err] = std::to_chars(digits, digits + sizeof(digits), seq);
    (void)err;
    websocket::ping_data payload;
    payload.assign(digits, static_cast<std::size_t>(end - digits));
    counters().bytes_sent += payload.size();
    ws_->async_ping(payload, [self](error_code ec) { self->on_write(ec); });
    return;
  }
  const std::string* body = &send_buf_;
  if (cfg_.message_template) {
    shared::TemplateContext tc;
    tc.seq = seq;
    tc.conn = id_;
    tc.agent = cfg_.assignment.agent_index;
    tc.now_us = session_detail::wall_now_us();
    tc.rng = &ctx_.rng;
    cfg_.message_template->render(tc, send_buf_);
  } else {
    body = &cfg_.binary_payload;
  }
  counters().bytes_sent += body->size();
  ws_->text(m.kind != shared::MessageKind::kBinary);
  ws_->async_write(net::buffer(*body),
                   [self](error_code ec, std::size_t) { self->on_write(ec); });
}

template <class Ws>
void WsConnection<Ws>::on_write(error_code ec) {
  write_in_flight_ = false;
  if (close_pending_ && state_ == State::kClosing) {
    close_pending_ = false;
    do_close();
    return;
  }
  if (ec) {
    // The read side reports how the session ended; make sure it does.
    if (ec != net::error::operation_aborted && ec != websocket::error::closed) {
      error_code ignored;
      socket().close(ignored);
    }
    return;
  }
  maybe_send();
}

template <class Ws>
void WsConnection<Ws>::arm_send(TimePoint at) {
  arm(DeadlineKind::kSend, at);
}

// At most one timeout deadline per connection, for its oldest request; it stays armed while
// replies arrive and, when it fires, expires what is due and re-arms for the new oldest.
template <class Ws>
void WsConnection<Ws>::arm_timeout() {
  const InFlight* oldest = in_flight_.oldest();
  if (oldest == nullptr || ctx_.deadlines.armed(slot_, DeadlineKind::kTimeout)) return;
  arm(DeadlineKind::kTimeout, oldest->sent + cfg_.scenario().messages->timeout);
}

template <class Ws>
void WsConnection<Ws>::on_timeout() {
  if (state_ != State::kOpen && state_ != State::kClosing) return;
  size_t expired = in_flight_.expire_sent_before(Clock::now() - cfg_.scenario().messages->timeout);
  counters().timeouts += expired;
  ctx_.in_flight -= expired;
  arm_timeout();
  if (expired > 0) on_settled();
}

template <class Ws>
void WsConnection<Ws>::begin_close(std::chrono::milliseconds grace) {
  if (state_ != State::kOpen || close_started_) return;
  state_ = State::kClosing;
  close_started_ = true;
  disarm(DeadlineKind::kSend);
  arm(DeadlineKind::kDeadline, Clock::now() + grace);  // close bound, see on_deadline
  if (write_in_flight_) {
    close_pending_ = true;
    return;
  }
  do_close();
}

template <class Ws>
void WsConnection<Ws>::do_close() {
  close_op_pending_ = true;
  ws_->async_close(websocket::close_code::normal,
                   [self = this->shared_from_this(), gen = generation_](error_code ec) {
                     if (gen != self->generation_) return;
                     self->close_op_pending_ = false;
                     self->close_done_ = true;
                     self->close_ec_ = ec;
                     self->maybe_end_session();
                   });
}

// Beast aborts a pending read once our close frame is out, and the close operation then reads
// the peer's close frame itself: the session is over when both have completed.
template <class Ws>
void WsConnection<Ws>::maybe_end_session() {
  if (!read_ended_ || close_op_pending_) return;
  if (state_ != State::kOpen && state_ != State::kClosing) return;
  error_code ec = read_ec_;
  if (close_done_ && ec == net::error::operation_aborted) {
    ec = close_ec_ ? close_ec_ : error_code(websocket::error::closed);
  }
  on_session_end(ec);
}

template <class Ws>
void WsConnection<Ws>::on_session_end(error_code ec) {
  bool unexpected = !close_started_;
  std::string reason = "error";
  if (close_timed_out_) {
    reason = "close_timeout";  // we closed and the peer did not answer within the bound
  } else if (ec == websocket::error::closed) {
    reason = "close_" + std::to_string(static_cast<unsigned>(ws_->reason().code));
  } else if (ec == net::error::eof || ec == beast::http::error::end_of_stream) {
    reason = "eof";
  } else if (ec == net::error::connection_reset) {
    reason = "reset";
  }
  if (ec.category() == websocket::make_error_code(websocket::error::closed).category() &&
      ec != websocket::error::closed) {
    ++counters().protocol_errors;  // oversize message, bad frame, bad close frame
  }
  ++counters().connections_closed;
  ++counters().disconnects[reason];
  if (unexpected) ++counters().disconnects_unexpected;
  --ctx_.open;

  size_t abandoned = in_flight_.expire_all();
  counters().timeouts += abandoned;
  ctx_.in_flight -= abandoned;
  PushCounts pc;
  push_.finish(pc);
  counters().push_gaps += pc.gaps;
  ctx_.deadlines.cancel_all(slot_);
  long_msg_ = beast::flat_buffer();
  long_read_ = false;
  std::string().swap(send_buf_);
  state_ = State::kIdle;
  if (unexpected && may_reconnect()) {
    schedule_reconnect();
  } else {
    done();
  }
}

template <class Ws>
void WsConnection<Ws>::stop_sending() {
  sending_stopped_ = true;
  disarm(DeadlineKind::kSend);
}

template <class Ws>
void WsConnection<Ws>::finish() {
  finish_requested_ = true;
  sending_stopped_ = true;
  disarm(DeadlineKind::kSend);
  if (state_ == State::kIdle) {
    done();
  } else if (state_ == State::kOpen && in_flight_.empty()) {
    begin_close(kCloseWait);
  }
}

template <class Ws>
void WsConnection<Ws>::abort(std::chrono::milliseconds grace) {
  aborting_ = true;
  finish_requested_ = true;
  sending_stopped_ = true;
  disarm(DeadlineKind::kSend);
  switch (state_) {
    case State::kIdle:
      done();
      break;
    case State::kConnecting:
      cancel_io();
      break;
    case State::kOpen:
      begin_close(grace);
      break;
    case State::kClosing:
    case State::kDone:
      break;
  }
}

}  // namespace wsload::agent
