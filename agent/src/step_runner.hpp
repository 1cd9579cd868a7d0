#pragma once
// The steps of a session (on_open or on_close) as a pure state machine: no sockets, no clocks.
// The connection feeds it events (start, messages, pongs, its step deadline, the end of the
// session) with the instant they happened; the runner acts through a StepHost (send the step's
// message, arm the step deadline, record an outcome). Steps run in order: send, then expect (the
// reply to the send by `match`, or the first message whose fields equal `where`) and capture from
// it, then wait. A step fails on its expect timeout, on the end of the session, or when a capture
// field is missing; the runner then stops.
// Not thread-safe (one per connection, while its steps run).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "run_config.hpp"
#include "schedule.hpp"

namespace wsload::agent {

enum class StepFailure : uint8_t {
  kTimeout,         // the expected message did not arrive within expect.timeout
  kClosed,          // the session ended first
  kCaptureMissing,  // the expected message lacks a captured field (or it is not a JSON scalar)
};
std::string_view to_string(StepFailure failure);

class StepHost {
 public:
  virtual ~StepHost() = default;
  // Renders and queues the step's message (with the variables captured so far); returns its
  // sequence number, the connection's next {{seq}}.
  virtual uint64_t send_step(const StepRuntime& step) = 0;
  // The runner's single deadline (an expect timeout or the end of a wait), replacing any earlier.
  virtual void arm_step(TimePoint at) = 0;
  // `latency_us`: from the step's start to its expected message; nullopt without expect.
  virtual void step_ok(const StepRuntime& step, std::optional<int64_t> latency_us) = 0;
  virtual void step_failed(const StepRuntime& step, StepFailure failure) = 0;
};

class StepRunner {
 public:
  enum class Status : uint8_t { kRunning, kDone, kFailed };

  // `vars` receives captured values by GroupRuntime::vars index (resized as needed); it outlives
  // the runner (later templates read it).
  StepRunner(std::span<const StepRuntime> steps, std::vector<std::string>* vars)
      : steps_(steps), vars_(vars) {}

  Status start(TimePoint now, StepHost& host);
  // A text or binary message arrived. True when it was the current step's expected message
  // (consumed); false = not the step's (the caller counts it as a push).
  bool on_message(std::string_view data, TimePoint now, StepHost& host, Status* status);
  // A pong with sequence number `seq` arrived (steps that send kind ping). Same contract.
  bool on_pong(uint64_t seq, TimePoint now, StepHost& host, Status* status);
  // The armed deadline is due (a deadline before the awaited instant is ignored).
  Status on_deadline(TimePoint now, StepHost& host);
  // The session ended (or must stop): the current step fails as kClosed.
  Status on_closed(StepHost& host);

  Status status() const { return status_; }
  bool expecting() const { return stage_ == Stage::kExpect; }

  // Longest captured value kept; a longer one fails the step as kCaptureMissing.
  static constexpr size_t kMaxCaptureBytes = 4096;

 private:
  enum class Stage : uint8_t { kIdle, kExpect, kWait, kOver };
  Status advance(TimePoint now, StepHost& host);  // runs steps from the current one
  Status finish_expect(std::string_view data, TimePoint now, StepHost& host);
  Status end_step(TimePoint now, StepHost& host);  // after expect: wait or complete
  Status fail(StepHost& host, StepFailure failure);
  bool matches(std::string_view data) const;
  const StepRuntime& step() const { return steps_[current_]; }

  std::span<const StepRuntime> steps_;
  std::vector<std::string>* vars_;
  size_t current_ = 0;
  Stage stage_ = Stage::kIdle;
  Status status_ = Status::kRunning;
  uint64_t seq_ = 0;  // of the current step's message
  TimePoint started_{};
  TimePoint due_{};  // expect timeout or end of wait
  std::optional<int64_t> latency_us_;
};

}  // namespace wsload::agent
