// Established sessions of WsConnection: request schedule, replies, pushes, close (included by
// connection_impl.hpp only, after connection_io.ipp).
#include <algorithm>
#include <charconv>

namespace wsload::agent {

template <class Ws>
void WsConnection<Ws>::on_established(std::string_view early_bytes) {
  TimePoint now = ctx_.now();
  disarm(DeadlineKind::kDeadline);
  state_ = State::kOpen;
  ++counters().connections_established;
  ++ctx_.open;
  ctx_.delta.connect_time.record(session_detail::micros(now - attempt_.connect_start));
  if (reconnecting_) {
    if (auto since = ctx_.reconnect_since.find(slot_); since != ctx_.reconnect_since.end()) {
      ctx_.delta.reconnect_time.record(session_detail::micros(now - since->second));
      ctx_.reconnect_since.erase(since);
    }
  }
  reconnect_attempts_ = 0;
  reconnecting_ = false;
  if (kRaw) {
    if (!go_raw()) {
      end_session(DisconnectReason::kError);
      return;
    }
  } else {
    Traits::set_non_blocking(*stream_);  // our own reads and writes never wait
    if constexpr (!kTls) io_ = std::make_unique<AsyncIo>();
  }
  if (!early_bytes.empty() && !consume(early_bytes)) return;
  // wss://: then what OpenSSL held of the records that came behind the 101.
  if (kTls && !read_tls({})) return;
  if constexpr (!kRaw) start_read();
  if (ending()) return;
  if (finish_requested()) {
    begin_close(kCloseWait);
    return;
  }
  start_session(now);
}

// The established socket leaves Asio's reactor for the worker's EventLoop: no pending Asio
// operation (~256 bytes), descriptor state (~168 bytes) or read buffer stays with the session, and
// a read happens only when the loop reports input (no failed speculative read per message).
// wss:// takes the TLS session over from Asio's stream first (~70 KB of buffers go with it).
template <class Ws>
bool WsConnection<Ws>::go_raw() {
  if constexpr (kRaw) {
    if (ctx_.loop == nullptr) return false;
    if constexpr (kTls) {
      io_ = TlsSession::adopt(stream_->native_handle());
      if (!io_) return false;
    }
    error_code ec;
    const int fd = Traits::socket(*stream_).release(ec);
    stream_.reset();
    if (ec) return false;
    raw_fd_ = fd;
    ++ctx_.raw_open;
    return !ctx_.loop->add_socket(fd, EventLoop::key_of(slot_, fd));
  }
  return false;
}

template <class Ws>
bool WsConnection<Ws>::on_message(bool, std::string_view payload, std::size_t wire_size) {
  ++counters().messages_received;
  counters().bytes_received += payload.size();
  counters().bytes_received_wire += wire_size;
  handle_frame(payload, ctx_.now());
  return !ending();
}

template <class Ws>
bool WsConnection<Ws>::on_ping(std::string_view payload) {
  if (!attempt_.close_sent) {
    queue_pong(payload);
    flush();
  }
  return !ending();
}

// Only the latest ping needs its pong (RFC 6455 §5.5.3): a pong still queued with none of its
// bytes written is replaced, so a ping flood holds at most one pong (+ one partly written) in out_.
template <class Ws>
void WsConnection<Ws>::queue_pong(std::string_view payload) {
  uint32_t& pong_at = attempt_.pong_at;
  if (pong_at != kNoPong && pong_at >= out_done_) {
    // Client control frame: 2-byte header (payload length <= 125 in its second byte) + mask.
    auto length = static_cast<uint8_t>(out_[pong_at + 1]) & 0x7f;
    out_.erase(pong_at, 2 + 4 + static_cast<std::size_t>(length));
  }
  pong_at = out_.size() < kNoPong ? static_cast<uint32_t>(out_.size()) : kNoPong;
  queue_frame(ws::Opcode::kPong, payload);
}

template <class Ws>
void WsConnection<Ws>::on_pong(std::string_view payload) {
  ++counters().messages_received;
  counters().bytes_received += payload.size();
  counters().bytes_received_wire += payload.size();
  const bool steps = steps_running();
  if (!steps && !group_.ping_replies) return;
  uint64_t seq = 0;
  auto [ptr, err] = std::from_chars(payload.data(), payload.data() + payload.size(), seq);
  const bool numeric = err == std::errc() && ptr == payload.data() + payload.size();
  if (steps) {
    if (numeric) step_pong(seq, ctx_.now());
    return;
  }
  if (!numeric) {
    ++counters().unmatched;
    return;
  }
  if (match_reply(seq, ctx_.now())) return;
  if (in_flight_.take_expired(seq)) {
    ++counters().late_replies;
  } else {
    ++counters().unmatched;
  }
}

// The peer's close frame: answer it (unless ours went first), then wait, bounded, for the server
// to close the TCP connection (RFC 6455 §7.1.1: the server closes first).
template <class Ws>
bool WsConnection<Ws>::on_close(uint16_t code) {
  if (attempt_.close_received) return true;
  attempt_.close_received = true;
  attempt_.peer_close_code = code;
  send_close(code == ws::kCloseNoStatus ? ws::kCloseNormal : code);
  if (state_ == State::kOpen) enter_closing(kCloseWait);
  return false;  // nothing after a close frame counts (consume discards the rest)
}

// A data frame is the reply to a request (by a stream's match field, or `next`), the message a
// step waits for, or a push. While on_open steps run, whatever is not the step's is a push.
template <class Ws>
void WsConnection<Ws>::handle_frame(std::string_view data, TimePoint now) {
  if (steps_running()) {
    if (!step_message(data, now)) handle_push(data);
    return;
  }
  for (const std::string& field : group_.reply_fields) {
    if (auto id = scan_number_field(data, field)) {
      if (match_reply(*id, now)) return;
      if (in_flight_.take_expired(*id)) {
        ++counters().late_replies;
      } else if (!step_reply(*id)) {
        ++counters().unmatched;
      }
      return;
    }
  }
  if (group_.match_next && !in_flight_.empty()) {
    InFlight request = *in_flight_.take_oldest();
    record_reply(request, now);
    return;
  }
  handle_push(data);
}

template <class Ws>
void WsConnection<Ws>::handle_push(std::string_view data) {
  ++counters().push_received;
  const shared::PushSpec& push = group_.push;
  if (!push.sequence_field.empty()) {
    if (auto seq = scan_number_field(data, push.sequence_field)) {
      PushCounts pc;
      if (!push_) push_ = std::make_unique<PushTracker>();
      push_->observe(*seq, pc);
      counters().push_gaps += pc.gaps;
      counters().push_resets += pc.resets;
      counters().push_duplicates += pc.duplicates;
      counters().push_reordered += pc.reordered;
    }
  }
  if (!push.timestamp_field.empty()) {
    if (auto ts = scan_number_field(data, push.timestamp_field)) {
      int64_t delay = shared::unix_us_now() - static_cast<int64_t>(*ts);
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
  // Nothing left to time out: a timeout deadline left armed would cost the worker a wake-up of its
  // own right after the connection's next send (the timeout equals the interval by default).
  // Disarming is free (SlotDeadlines leaves a stale entry); the next request arms it again.
  if (in_flight_.empty()) disarm(DeadlineKind::kTimeout);
  const int64_t latency = session_detail::micros(now - request.scheduled);
  ctx_.delta.latency.record(latency);
  ctx_.delta.latency_service.record(session_detail::micros(now - request.sent));
  if (shared::StreamFigures* figures = stream_figures(request.stream)) {
    ++figures->replies;
    figures->latency.record(latency);
  }
  set_waiting(request.stream, false);
  on_settled();
}

// A request got its reply or timed out.
template <class Ws>
void WsConnection<Ws>::on_settled() {
  if (finish_requested() && in_flight_.empty() && state_ == State::kOpen) {
    close_planned();
    return;
  }
  if (group_.has_closed_loop) maybe_send();
}

// Sends every request that is due, stream by stream (open loop: all overdue ones at once, up to
// kMaxSendBurst, in one write; closed loop: the next one once the previous got its reply), then
// arms the next send. While the output is backlogged nothing is sent; the slots that pass stay due
// (they go out late, their lag counted in the latency) until the backlog clears or sending ends
// (stop_schedule counts them as unsent).
template <class Ws>
void WsConnection<Ws>::maybe_send() {
  if (group_.streams.empty() || state_ != State::kOpen || sending_stopped() || backlogged() ||
      steps_running() || (session_ && !session_->streaming)) {
    return;
  }
  TimePoint now = ctx_.now();
  if (now >= ctx_.hold_end) {
    send_due_before_end();
    stop_schedule(UnsentReason::kStopped);
    return;
  }
  bool sent = false;
  for (size_t stream = 0; stream < group_.streams.size(); ++stream) sent |= send_due(stream, now);
  if (sent) flush();
  if (ending() || backlogged() || !attempt_.sending) return;
  const TimePoint next = next_send_instant(now);
  if (next != TimePoint::max()) arm(DeadlineKind::kSend, next);
}

// Sending ends at hold_end: the slots before it that a busy worker has not reached yet still go
// out now, late (the lag is in their latency, measured from their instants, and in
// sends_behind_schedule, as for any late send); only what cannot go out (output backlogged, more
// than kMaxSendBurst per stream) is left for stop_schedule to count as unsent.
template <class Ws>
void WsConnection<Ws>::send_due_before_end() {
  if (group_.streams.empty() || state_ != State::kOpen || sending_stopped() || !attempt_.sending ||
      backlogged() || steps_running() || (session_ && !session_->streaming)) {
    return;
  }
  const TimePoint now = ctx_.now();
  const TimePoint last = std::min(now, ctx_.hold_end - Clock::duration(1));
  bool sent = false;
  for (size_t stream = 0; stream < group_.streams.size(); ++stream) {
    SendSchedule& sched = schedule(stream);
    if (sched.closed_loop()) continue;
    for (int n = 0; n < kMaxSendBurst && sched.due(last) && !backlogged(); ++n) {
      encode_request(stream, sched.take(now), now);
      sent = true;
    }
  }
  if (sent) flush();
}

// The requests of one stream that are due at `now`; true when any was queued.
template <class Ws>
bool WsConnection<Ws>::send_due(size_t stream, TimePoint now) {
  SendSchedule& sched = schedule(stream);
  if (sched.closed_loop()) {
    if (group_.streams[stream].match != MatchMode::kNone && stream_waiting(stream)) return false;
    encode_request(stream, sched.take(now), now);
    return true;
  }
  int n = 0;
  for (; n < kMaxSendBurst && sched.due(now) && !backlogged(); ++n) {
    encode_request(stream, sched.take(now), now);
  }
  return n > 0;
}

// The earliest next instant of the open-loop streams (now when one is overdue).
template <class Ws>
TimePoint WsConnection<Ws>::next_send_instant(TimePoint now) {
  TimePoint next = TimePoint::max();
  for (size_t stream = 0; stream < group_.streams.size(); ++stream) {
    const SendSchedule& sched = schedule(stream);
    if (sched.closed_loop()) continue;
    next = std::min(next, sched.due(now) ? now : sched.next_instant());
  }
  return next;
}

// Sending ends for this session (hold end, stop, finish, abort, a close handshake or the end of
// the session). Contract of messages.unsent: a slot of the open loop (established + k * interval)
// is *scheduled* when its instant arrives while the session is open and sending, i.e. it is at or
// before the moment sending ends and before hold_end (and before the session's planned close,
// WorkerContext::planned_close, when the run closes it). Every scheduled slot is either sent
// (messages_sent) or counted here, once, as unsent: under `peer_not_reading` when the output is
// backlogged (sends were held back because the peer does not read), else under `reason`.
// Closed loops have no slots: each request is scheduled when it is sent.
template <class Ws>
void WsConnection<Ws>::stop_schedule(UnsentReason reason) {
  if (!attempt_.sending) return;
  attempt_.sending = false;
  disarm(DeadlineKind::kSend);
  const TimePoint now = ctx_.now();
  const TimePoint end = std::min(ctx_.hold_end, ctx_.planned_close);
  const std::string& why = to_string(backlogged() ? UnsentReason::kPeerNotReading : reason);
  for (size_t stream = 0; stream < group_.streams.size(); ++stream) {
    const uint64_t overdue = schedule(stream).overdue(now, end);
    if (overdue == 0) continue;
    counters().unsent[why] += overdue;
    if (shared::StreamFigures* figures = stream_figures(stream)) figures->unsent += overdue;
  }
}

template <class Ws>
void WsConnection<Ws>::encode_request(size_t stream, TimePoint scheduled, TimePoint now) {
  const StreamRuntime& m = group_.streams[stream];
  uint64_t seq = ++seq_;
  auto lag = now - scheduled;
  if (lag > kScheduleSlack) {
    ++counters().sends_behind_schedule;
    counters().max_schedule_lag_us =
        std::max<uint64_t>(counters().max_schedule_lag_us, session_detail::micros(lag));
  }
  ++counters().messages_sent;
  if (shared::StreamFigures* figures = stream_figures(stream)) ++figures->sent;
  if (m.match != MatchMode::kNone) {
    in_flight_.add(seq, scheduled, now, static_cast<uint16_t>(stream));
    ++ctx_.in_flight;
    set_waiting(stream, true);
    arm_timeout();
  }
  if (m.payload.kind == shared::MessageKind::kPing) {
    char digits[24];
    auto [end, err] = std::to_chars(digits, digits + sizeof(digits), seq);
    (void)err;
    std::string_view payload(digits, static_cast<std::size_t>(end - digits));
    counters().bytes_sent += payload.size();
    counters().bytes_sent_wire += queue_frame(ws::Opcode::kPing, payload);
    return;
  }
  const std::string* body = render(m.payload, seq);
  counters().bytes_sent += body->size();
  counters().bytes_sent_wire += queue_frame(
      m.payload.kind == shared::MessageKind::kBinary ? ws::Opcode::kBinary : ws::Opcode::kText,
      *body);
}

// At most one timeout deadline per connection, for its oldest request; it stays armed while
// replies arrive with requests still in flight (disarmed when none is left, see record_reply)
// and, when it fires, expires what is due and re-arms for the new oldest.
// With streams whose timeouts differ, the earliest deadline of any request in flight.
template <class Ws>
void WsConnection<Ws>::arm_timeout() {
  const InFlight* oldest = in_flight_.oldest();
  if (oldest == nullptr || ctx_.deadlines.armed(slot_, DeadlineKind::kTimeout)) return;
  auto deadline = [this](const InFlight& r) {
    return r.sent + group_.streams[r.stream].spec.timeout;
  };
  TimePoint at = deadline(*oldest);
  if (!group_.uniform_timeouts) {
    in_flight_.for_each([&](const InFlight& r) { at = std::min(at, deadline(r)); });
  }
  arm(DeadlineKind::kTimeout, at);
}

template <class Ws>
void WsConnection<Ws>::on_timeout() {
  if (state_ != State::kOpen && state_ != State::kClosing) return;
  const TimePoint now = ctx_.now();
  size_t expired = in_flight_.expire_where(
      [&](const InFlight& r) { return r.sent + group_.streams[r.stream].spec.timeout <= now; },
      [&](const InFlight& r) {
        if (shared::StreamFigures* figures = stream_figures(r.stream)) ++figures->timeouts;
        set_waiting(r.stream, false);
      });
  counters().timeouts += expired;
  ctx_.in_flight -= expired;
  arm_timeout();
  if (expired > 0) on_settled();
}

// Our close frame (1000) goes out after anything queued; the peer's answer and its TCP close are
// awaited for at most `grace`.
template <class Ws>
void WsConnection<Ws>::begin_close(std::chrono::milliseconds grace) {
  if (state_ != State::kOpen || attempt_.close_initiated) return;
  attempt_.close_initiated = true;
  enter_closing(grace);
  send_close(ws::kCloseNormal);
}

// Our close frame, once per session, after anything already queued.
template <class Ws>
void WsConnection<Ws>::send_close(uint16_t code) {
  if (attempt_.close_sent) return;
  attempt_.close_sent = true;
  ws::append_close(out_, code, next_mask());
  flush();
}

// No more requests; the session ends within `bound` (see on_deadline, State::kClosing).
template <class Ws>
void WsConnection<Ws>::enter_closing(std::chrono::milliseconds bound) {
  stop_schedule(UnsentReason::kClosed);
  state_ = State::kClosing;
  disarm(DeadlineKind::kSend);
  arm(DeadlineKind::kDeadline, ctx_.now() + bound);
}

template <class Ws>
void WsConnection<Ws>::on_session_end() {
  bool unexpected = !attempt_.close_initiated;
  const std::string reason = to_string(attempt_.end_cause, attempt_.peer_close_code);
  ++counters().connections_closed;
  ++counters().disconnects[reason];
  if (unexpected) ++counters().disconnects_unexpected;
  --ctx_.open;

  size_t abandoned = in_flight_.expire_all([&](const InFlight& r) {
    if (shared::StreamFigures* figures = stream_figures(r.stream)) ++figures->timeouts;
  });
  counters().timeouts += abandoned;
  ctx_.in_flight -= abandoned;
  if (push_) {
    PushCounts pc;
    push_->finish(pc);
    counters().push_gaps += pc.gaps;
    counters().push_resets += pc.resets;
    push_.reset();
  }
  ctx_.deadlines.cancel_all(slot_);
  decoder_.reset();
  deflate_.reset();
  std::string().swap(out_);
  out_done_ = 0;
  attempt_.pong_at = kNoPong;
  attempt_.write_blocked = false;
  io_.reset();
  if (session_ && session_->runner) session_->runner->on_closed(*session_);
  session_.reset();
  state_ = State::kIdle;
  if (unexpected && may_reconnect()) {
    schedule_reconnect();
  } else {
    done();
  }
}

template <class Ws>
void WsConnection<Ws>::stop_sending() {
  send_due_before_end();
  stop_schedule(UnsentReason::kStopped);
  wind_to(Winding::kHoldEnded);
  disarm(DeadlineKind::kSend);
}

// The connection's planned end. A reconnect waiting in its backoff has not been attempted (it is
// not in connections_attempted) and simply ends; an attempt in progress fails as
// stopped_before_established.
template <class Ws>
void WsConnection<Ws>::finish() {
  stop_schedule(UnsentReason::kStopped);
  wind_to(Winding::kFinishing);
  disarm(DeadlineKind::kSend);
  if (state_ == State::kIdle) {
    done();
  } else if (state_ == State::kConnecting) {
    stop_attempt();
  } else if (state_ == State::kOpen && in_flight_.empty()) {
    close_planned();
  }
}

template <class Ws>
void WsConnection<Ws>::abort(std::chrono::milliseconds grace) {
  stop_schedule(UnsentReason::kStopped);
  wind_to(Winding::kAborting);
  disarm(DeadlineKind::kSend);
  switch (state_) {
    case State::kIdle:
      done();
      break;
    case State::kConnecting:
      stop_attempt();
      break;
    case State::kOpen:
      begin_close(grace);
      break;
    case State::kClosing:
    case State::kEnding:
    case State::kDone:
      break;
  }
}

}  // namespace wsload::agent
