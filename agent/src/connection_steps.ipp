// Format v2 sessions of WsConnection: on_open and on_close steps, several streams, captured
// values and data rows (included by connection_impl.hpp only, after connection_session.ipp).
// A connection of a group without steps and with at most one stream never allocates a Session
// and runs exactly as a v1 connection.

namespace wsload::agent {

template <class Ws>
struct WsConnection<Ws>::Session final : StepHost {
  explicit Session(Self& c) : conn(c) {}

  uint64_t send_step(const StepRuntime& step) override { return conn.send_step(step); }
  void arm_step(TimePoint at) override { conn.arm(DeadlineKind::kSend, at); }
  void step_ok(const StepRuntime& step, std::optional<int64_t> latency_us) override {
    conn.record_step(step, latency_us, std::nullopt);
  }
  void step_failed(const StepRuntime& step, StepFailure failure) override {
    conn.record_step(step, std::nullopt, failure);
  }

  Self& conn;
  std::vector<std::string> vars;         // captured values, by GroupRuntime::vars index
  std::vector<SendSchedule> more_sends;  // streams 1.. of the group (stream 0: sends_)
  uint32_t closed_waiting = 0;           // bit i: closed-loop stream i awaits its reply
  // Sequence numbers of step messages sent without an expect: a reply carrying one is the
  // step's (an acknowledgement nobody waits for), not an unmatched reply. Bounded by the steps.
  std::vector<uint64_t> unawaited_steps;
  std::optional<StepRunner> runner;  // while on_open or on_close steps run
  bool streaming = false;            // on_open is over: the streams run
  bool closing_steps = false;        // on_close steps started
};

// After the 101: the on_open steps, then the streams.
template <class Ws>
void WsConnection<Ws>::start_session(TimePoint now) {
  if (!group_.needs_session()) {
    start_streams(now);
    return;
  }
  session_ = std::make_unique<Session>(*this);
  session_->more_sends.resize(group_.streams.empty() ? 0 : group_.streams.size() - 1);
  if (group_.on_open.empty()) {
    start_streams(now);
    return;
  }
  session_->runner.emplace(group_.on_open, &session_->vars);
  on_steps(session_->runner->start(now, *session_));
}

template <class Ws>
void WsConnection<Ws>::start_streams(TimePoint now) {
  if (session_) session_->streaming = true;
  bool open_loop = false;
  for (size_t stream = 0; stream < group_.streams.size(); ++stream) {
    const auto& spec = group_.streams[stream].spec;
    schedule(stream).reset(now, spec.interval, ctx_.t0 + spec.start);
    open_loop = open_loop || !schedule(stream).closed_loop();
  }
  attempt_.sending = open_loop && !sending_stopped() && now < ctx_.hold_end;
  maybe_send();
}

template <class Ws>
bool WsConnection<Ws>::steps_running() const {
  return session_ && session_->runner && session_->runner->status() == StepRunner::Status::kRunning;
}

// What the runner's last event left: on_open done starts the streams, a failure closes the
// session (1000); on_close done closes it.
template <class Ws>
void WsConnection<Ws>::on_steps(StepRunner::Status status) {
  if (status == StepRunner::Status::kRunning || ending()) return;
  const bool closing = session_->closing_steps;
  session_->runner.reset();
  if (status == StepRunner::Status::kFailed || closing) {
    begin_close(kCloseWait);
    return;
  }
  start_streams(ctx_.now());
}

template <class Ws>
bool WsConnection<Ws>::step_message(std::string_view data, TimePoint now) {
  StepRunner::Status status{};
  if (!session_->runner->on_message(data, now, *session_, &status)) return false;
  on_steps(status);
  return true;
}

template <class Ws>
bool WsConnection<Ws>::step_pong(uint64_t seq, TimePoint now) {
  StepRunner::Status status{};
  if (!session_->runner->on_pong(seq, now, *session_, &status)) return false;
  on_steps(status);
  return true;
}

// A step's frame: not a stream request (not in messages.sent or in flight), but on the wire.
template <class Ws>
uint64_t WsConnection<Ws>::send_step(const StepRuntime& step) {
  const uint64_t seq = ++seq_;
  if (step.send->kind == shared::MessageKind::kPing) {
    const std::string digits = std::to_string(seq);
    counters().bytes_sent += digits.size();
    counters().bytes_sent_wire += queue_frame(ws::Opcode::kPing, digits);
  } else {
    const std::string* body = render(*step.send, seq);
    counters().bytes_sent += body->size();
    counters().bytes_sent_wire += queue_frame(
        step.send->kind == shared::MessageKind::kBinary ? ws::Opcode::kBinary : ws::Opcode::kText,
        *body);
  }
  flush();
  if (!step.spec.expect) session_->unawaited_steps.push_back(seq);
  return seq;
}

// True (and forgets it) when `seq` is a step message's that nothing waited for.
template <class Ws>
bool WsConnection<Ws>::step_reply(uint64_t seq) {
  if (!session_) return false;
  auto& seqs = session_->unawaited_steps;
  auto it = std::find(seqs.begin(), seqs.end(), seq);
  if (it == seqs.end()) return false;
  seqs.erase(it);
  return true;
}

template <class Ws>
void WsConnection<Ws>::record_step(const StepRuntime& step, std::optional<int64_t> latency_us,
                                   std::optional<StepFailure> failure) {
  shared::StepFigures* figures = ctx_.cfg.sessions && step.part < ctx_.delta.parts.steps.size()
                                     ? &ctx_.delta.parts.steps[step.part]
                                     : nullptr;
  if (failure) {
    if (!session_->closing_steps) ++counters().sessions_failed;
    if (figures) {
      ++figures->failed;
      ++figures->failures[std::string(to_string(*failure))];
    }
    return;
  }
  if (!figures) return;
  ++figures->ok;
  if (latency_us) figures->latency.record(*latency_us);
}

// A planned close: a session still in its on_open steps fails them (closed); one that streamed
// runs its on_close steps first.
template <class Ws>
void WsConnection<Ws>::close_planned() {
  if (steps_running() && !session_->closing_steps) {
    session_->runner->on_closed(*session_);
    session_->runner.reset();
  } else if (session_ && session_->streaming && !session_->closing_steps &&
             !group_.on_close.empty()) {
    session_->closing_steps = true;
    session_->runner.emplace(group_.on_close, &session_->vars);
    const StepRunner::Status status = session_->runner->start(ctx_.now(), *session_);
    if (status == StepRunner::Status::kRunning) return;  // a wait: the close follows it
    session_->runner.reset();
  } else if (steps_running()) {
    return;  // on_close steps are still running
  }
  begin_close(kCloseWait);
}

template <class Ws>
SendSchedule& WsConnection<Ws>::schedule(size_t stream) {
  return stream == 0 ? sends_ : session_->more_sends[stream - 1];
}

// A closed-loop stream sends its next request once its previous one is settled.
template <class Ws>
bool WsConnection<Ws>::stream_waiting(size_t stream) const {
  if (!session_) return !in_flight_.empty();
  return (session_->closed_waiting >> stream) & 1u;
}

template <class Ws>
void WsConnection<Ws>::set_waiting(size_t stream, bool waiting) {
  if (!session_) return;
  const uint32_t bit = 1u << stream;
  session_->closed_waiting =
      waiting ? session_->closed_waiting | bit : session_->closed_waiting & ~bit;
}

// The payload of a request or step, rendered into the worker's scratch buffer when templated.
template <class Ws>
const std::string* WsConnection<Ws>::render(const Payload& payload, uint64_t seq) {
  if (!payload.text) return &payload.binary;
  shared::TemplateContext tc;
  tc.seq = seq;
  tc.conn = id_;
  tc.agent = ctx_.cfg.assignment.agent_index;
  tc.now_us = shared::unix_us_now();
  tc.rng = &ctx_.rng;
  if (session_) tc.vars = session_->vars;
  if (payload.text->uses_data()) tc.data_rows = data_rows();
  payload.text->render(tc, ctx_.scratch);
  return &ctx_.scratch;
}

template <class Ws>
std::span<const std::vector<std::string>* const> WsConnection<Ws>::data_rows() {
  auto& rows = ctx_.data_rows;
  rows.clear();
  for (size_t f = 0; f < ctx_.cfg.scenario().data.size(); ++f)
    rows.push_back(ctx_.cfg.data_row(f, id_));
  return rows;
}

template <class Ws>
shared::StreamFigures* WsConnection<Ws>::stream_figures(size_t stream) {
  if (!ctx_.cfg.sessions) return nullptr;
  const uint32_t part = group_.streams[stream].part;
  return part < ctx_.delta.parts.streams.size() ? &ctx_.delta.parts.streams[part] : nullptr;
}

}  // namespace wsload::agent
