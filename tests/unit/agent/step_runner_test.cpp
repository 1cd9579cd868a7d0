// StepRunner as a pure state machine: a fake StepHost records what the runner asks for (sends,
// deadlines, outcomes) and the test drives it with messages, pongs, deadlines and closes at
// instants of its choosing.
#include "step_runner.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace wsload::agent {
namespace {

using namespace std::chrono_literals;
using Status = StepRunner::Status;

const TimePoint t0 = TimePoint(1h);

struct FakeHost : StepHost {
  struct Sent {
    std::string step;
    uint64_t seq = 0;
    std::vector<std::string> vars;  // the captured values visible when the step was sent
  };
  struct Outcome {
    std::string step;
    bool ok = false;
    std::optional<int64_t> latency_us;
    std::optional<StepFailure> failure;
  };

  explicit FakeHost(const std::vector<std::string>* vars, uint64_t first_seq = 1)
      : vars_(vars), next_seq_(first_seq) {}

  uint64_t send_step(const StepRuntime& step) override {
    sent.push_back({step.spec.name, next_seq_, *vars_});
    return next_seq_++;
  }
  void arm_step(TimePoint at) override { armed.push_back(at); }
  void step_ok(const StepRuntime& step, std::optional<int64_t> latency_us) override {
    outcomes.push_back({step.spec.name, true, latency_us, std::nullopt});
  }
  void step_failed(const StepRuntime& step, StepFailure failure) override {
    outcomes.push_back({step.spec.name, false, std::nullopt, failure});
  }

  std::vector<Sent> sent;
  std::vector<TimePoint> armed;
  std::vector<Outcome> outcomes;

 private:
  const std::vector<std::string>* vars_;
  uint64_t next_seq_;
};

StepRuntime named(std::string name) {
  StepRuntime step;
  step.spec.name = std::move(name);
  return step;
}

StepRuntime& with_send(StepRuntime& step, shared::MessageKind kind = shared::MessageKind::kJson) {
  step.spec.send = shared::SendSpec{kind, kind == shared::MessageKind::kPing ? "" : "{}", 0};
  step.send = Payload{kind, std::nullopt, {}};
  return step;
}

StepRuntime& with_expect(StepRuntime& step, shared::Match match,
                         std::chrono::nanoseconds timeout = 5s) {
  shared::ExpectSpec expect;
  expect.match = std::move(match);
  expect.timeout = timeout;
  step.spec.expect = expect;
  return step;
}

StepRuntime& with_where(StepRuntime& step, std::vector<std::pair<std::string, std::string>> where,
                        std::chrono::nanoseconds timeout = 5s) {
  shared::ExpectSpec expect;
  expect.where = std::move(where);
  expect.timeout = timeout;
  step.spec.expect = expect;
  return step;
}

StepRuntime& with_capture(StepRuntime& step, std::string var, std::string field, uint32_t index) {
  step.spec.capture.emplace_back(std::move(var), std::move(field));
  step.capture_vars.push_back(index);
  return step;
}

// A step that sends JSON and expects the reply holding its seq in "id".
StepRuntime request(std::string name, std::chrono::nanoseconds timeout = 5s) {
  StepRuntime step = named(std::move(name));
  with_send(step);
  with_expect(step, shared::Match::by_field("id"), timeout);
  return step;
}

StepRuntime send_only(std::string name) {
  StepRuntime step = named(std::move(name));
  with_send(step);
  return step;
}

TEST(StepRunner, ReplyMatchedByIdCompletesWithLatencyFromTheStart) {
  const std::vector<StepRuntime> steps = {request("subscribe")};
  std::vector<std::string> vars;
  FakeHost host(&vars, 7);
  StepRunner runner(steps, &vars);

  EXPECT_EQ(runner.start(t0, host), Status::kRunning);
  ASSERT_EQ(host.sent.size(), 1u);
  EXPECT_EQ(host.sent[0].step, "subscribe");
  EXPECT_EQ(host.sent[0].seq, 7u);
  ASSERT_EQ(host.armed.size(), 1u);
  EXPECT_EQ(host.armed[0], t0 + 5s);
  EXPECT_TRUE(runner.expecting());

  Status status = Status::kDone;
  // Another request's reply (and a frame without the field) is not the step's.
  EXPECT_FALSE(runner.on_message(R"({"type":"ack","id":8})", t0 + 1ms, host, &status));
  EXPECT_EQ(status, Status::kRunning);
  EXPECT_FALSE(runner.on_message(R"({"type":"tick"})", t0 + 1ms, host, &status));
  EXPECT_TRUE(host.outcomes.empty());

  EXPECT_TRUE(runner.on_message(R"({"type":"ack","id":7})", t0 + 1500us, host, &status));
  EXPECT_EQ(status, Status::kDone);
  EXPECT_EQ(runner.status(), Status::kDone);
  EXPECT_FALSE(runner.expecting());
  ASSERT_EQ(host.outcomes.size(), 1u);
  EXPECT_TRUE(host.outcomes[0].ok);
  EXPECT_EQ(host.outcomes[0].latency_us, 1500);

  // Once done, messages are pushes.
  EXPECT_FALSE(runner.on_message(R"({"id":7})", t0 + 2ms, host, &status));
  EXPECT_EQ(status, Status::kDone);
  EXPECT_EQ(host.outcomes.size(), 1u);
}

TEST(StepRunner, WhereNeedsEveryFieldEqualAsScalarText) {
  StepRuntime step = named("welcome");
  with_where(step, {{"type", "subscribed"}, {"n", "3"}, {"ok", "true"}});
  const std::vector<StepRuntime> steps = {step};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);

  EXPECT_EQ(runner.start(t0, host), Status::kRunning);
  EXPECT_TRUE(host.sent.empty());  // nothing to send: it only waits
  Status status = Status::kDone;
  for (const char* other : {
           R"({"type":"pong","n":3,"ok":true})",        // another type
           R"({"type":"subscribed","ok":true})",        // a field missing
           R"({"type":"subscribed","n":4,"ok":true})",  // another number
           R"({"type":"subscribed","n":3,"ok":false})",
           R"({"type":{"v":"subscribed"},"n":3,"ok":true})",  // not a scalar
           R"(["subscribed",3,true])",                        // not an object
           "subscribed 3 true",                               // not JSON
       }) {
    EXPECT_FALSE(runner.on_message(other, t0 + 1ms, host, &status)) << other;
    EXPECT_EQ(status, Status::kRunning) << other;
  }
  EXPECT_TRUE(host.outcomes.empty());

  // A number and a string holding the same text are the same scalar text; order and extra fields
  // do not matter.
  EXPECT_TRUE(runner.on_message(R"({"ok":true,"extra":[1],"n":"3","type":"subscribed"})", t0 + 2ms,
                                host, &status));
  EXPECT_EQ(status, Status::kDone);
  ASSERT_EQ(host.outcomes.size(), 1u);
  EXPECT_EQ(host.outcomes[0].latency_us, 2000);
}

TEST(StepRunner, WhereOnAStringMatchesOnlyThatString) {
  StepRuntime step = named("subscribed");
  with_send(step);
  with_where(step, {{"type", "subscribed"}});
  const std::vector<StepRuntime> steps = {step};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  Status status = Status::kRunning;
  EXPECT_FALSE(runner.on_message(R"({"type":"pong","id":1})", t0 + 1ms, host, &status));
  // `where` ignores the send's seq: the reply need not carry it.
  EXPECT_TRUE(runner.on_message(R"({"type":"subscribed"})", t0 + 1ms, host, &status));
  EXPECT_EQ(status, Status::kDone);
}

TEST(StepRunner, MatchNextConsumesTheFirstMessage) {
  StepRuntime step = named("hello");
  with_send(step, shared::MessageKind::kText);
  with_expect(step, shared::Match::next());
  const std::vector<StepRuntime> steps = {step};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  Status status = Status::kRunning;
  EXPECT_TRUE(runner.on_message("not json at all", t0 + 3ms, host, &status));
  EXPECT_EQ(status, Status::kDone);
  ASSERT_EQ(host.outcomes.size(), 1u);
  EXPECT_EQ(host.outcomes[0].latency_us, 3000);
  EXPECT_FALSE(runner.on_message("second", t0 + 4ms, host, &status));
}

TEST(StepRunner, CaptureStoresValuesForLaterSteps) {
  StepRuntime subscribe = request("subscribe");
  with_capture(subscribe, "sub", "subscription", 0);
  with_capture(subscribe, "n", "count", 2);
  with_capture(subscribe, "flag", "admin", 1);
  const std::vector<StepRuntime> steps = {subscribe, send_only("chat")};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  ASSERT_EQ(host.sent.size(), 1u);
  EXPECT_TRUE(host.sent[0].vars.empty());

  Status status = Status::kRunning;
  EXPECT_TRUE(runner.on_message(R"({"id":1,"subscription":"abc \"q\"","count":42,"admin":false})",
                                t0 + 1ms, host, &status));
  EXPECT_EQ(status, Status::kDone);
  // Strings by their contents (unescaped), other scalars as JSON text.
  EXPECT_EQ(vars, (std::vector<std::string>{"abc \"q\"", "false", "42"}));
  ASSERT_EQ(host.sent.size(), 2u);
  EXPECT_EQ(host.sent[1].step, "chat");
  EXPECT_EQ(host.sent[1].vars, vars);  // the later step's template sees them
  ASSERT_EQ(host.outcomes.size(), 2u);
  EXPECT_TRUE(host.outcomes[0].ok && host.outcomes[1].ok);
  EXPECT_EQ(host.outcomes[1].latency_us, std::nullopt);
}

// SPEC / ExpectSpec: a number is captured as written. Integers are exact, including beyond 2^53.
TEST(StepRunner, CaptureKeepsIntegersExactly) {
  StepRuntime subscribe = request("subscribe");
  with_capture(subscribe, "big", "big", 0);
  with_capture(subscribe, "neg", "neg", 1);
  const std::vector<StepRuntime> steps = {subscribe};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  Status status = Status::kRunning;
  EXPECT_TRUE(runner.on_message(R"({"id":1,"big":18446744073709551615,"neg":-9007199254740993})",
                                t0, host, &status));
  EXPECT_EQ(status, Status::kDone);
  EXPECT_EQ(vars, (std::vector<std::string>{"18446744073709551615", "-9007199254740993"}));
}

TEST(StepRunner, MissingCaptureFailsAndStopsTheSteps) {
  for (const char* reply :
       {R"({"id":1})", R"({"id":1,"subscription":{"a":1}})", R"({"id":1,"subscription":[1]})"}) {
    StepRuntime subscribe = request("subscribe");
    with_capture(subscribe, "sub", "subscription", 0);
    const std::vector<StepRuntime> steps = {subscribe, send_only("chat")};
    std::vector<std::string> vars;
    FakeHost host(&vars);
    StepRunner runner(steps, &vars);
    runner.start(t0, host);
    Status status = Status::kRunning;
    EXPECT_TRUE(runner.on_message(reply, t0 + 1ms, host, &status)) << reply;
    EXPECT_EQ(status, Status::kFailed) << reply;
    ASSERT_EQ(host.outcomes.size(), 1u) << reply;
    EXPECT_FALSE(host.outcomes[0].ok);
    EXPECT_EQ(host.outcomes[0].failure, StepFailure::kCaptureMissing);
    EXPECT_EQ(host.sent.size(), 1u) << reply;  // "chat" never sent
    // Nothing more happens once failed.
    EXPECT_EQ(runner.on_deadline(t0 + 10s, host), Status::kFailed);
    EXPECT_EQ(runner.on_closed(host), Status::kFailed);
    EXPECT_EQ(host.outcomes.size(), 1u);
  }
}

TEST(StepRunner, CaptureLongerThanTheLimitFails) {
  const std::string longest(StepRunner::kMaxCaptureBytes, 'x');
  for (const bool over : {false, true}) {
    StepRuntime subscribe = request("subscribe");
    with_capture(subscribe, "sub", "subscription", 0);
    const std::vector<StepRuntime> steps = {subscribe};
    std::vector<std::string> vars;
    FakeHost host(&vars);
    StepRunner runner(steps, &vars);
    runner.start(t0, host);
    const std::string value = over ? longest + "y" : longest;
    Status status = Status::kRunning;
    EXPECT_TRUE(
        runner.on_message(R"({"id":1,"subscription":")" + value + R"("})", t0, host, &status));
    ASSERT_EQ(host.outcomes.size(), 1u);
    if (over) {
      EXPECT_EQ(status, Status::kFailed);
      EXPECT_EQ(host.outcomes[0].failure, StepFailure::kCaptureMissing);
    } else {
      EXPECT_EQ(status, Status::kDone);
      ASSERT_EQ(vars.size(), 1u);
      EXPECT_EQ(vars[0], longest);
    }
  }
}

TEST(StepRunner, ExpectTimesOutAtItsDeadlineNotBefore) {
  const std::vector<StepRuntime> steps = {request("subscribe", 2s), send_only("after")};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  ASSERT_EQ(host.armed, (std::vector<TimePoint>{t0 + 2s}));

  // An early wake-up re-arms the same deadline and changes nothing else.
  EXPECT_EQ(runner.on_deadline(t0 + 1999ms, host), Status::kRunning);
  EXPECT_EQ(host.armed, (std::vector<TimePoint>{t0 + 2s, t0 + 2s}));
  EXPECT_TRUE(host.outcomes.empty());
  EXPECT_TRUE(runner.expecting());

  EXPECT_EQ(runner.on_deadline(t0 + 2s, host), Status::kFailed);
  ASSERT_EQ(host.outcomes.size(), 1u);
  EXPECT_EQ(host.outcomes[0].step, "subscribe");
  EXPECT_EQ(host.outcomes[0].failure, StepFailure::kTimeout);
  EXPECT_EQ(host.sent.size(), 1u);  // "after" never sent
  Status status = Status::kRunning;
  EXPECT_FALSE(runner.on_message(R"({"id":1})", t0 + 3s, host, &status));  // a late reply
  EXPECT_EQ(status, Status::kFailed);
}

TEST(StepRunner, ExpectTimesOutWhenTheDeadlineIsHandledLate) {
  const std::vector<StepRuntime> steps = {request("subscribe", 2s)};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  EXPECT_EQ(runner.on_deadline(t0 + 7s, host), Status::kFailed);
  ASSERT_EQ(host.outcomes.size(), 1u);
  EXPECT_EQ(host.outcomes[0].failure, StepFailure::kTimeout);
}

TEST(StepRunner, WaitStepCompletesAtItsDeadline) {
  StepRuntime settle = named("settle");
  settle.spec.wait = 500ms;
  const std::vector<StepRuntime> steps = {settle, send_only("after")};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);

  EXPECT_EQ(runner.start(t0, host), Status::kRunning);
  EXPECT_TRUE(host.sent.empty());
  EXPECT_EQ(host.armed, (std::vector<TimePoint>{t0 + 500ms}));
  EXPECT_FALSE(runner.expecting());
  Status status = Status::kDone;
  EXPECT_FALSE(runner.on_message(R"({"id":1})", t0 + 1ms, host, &status));  // a push
  EXPECT_EQ(status, Status::kRunning);

  EXPECT_EQ(runner.on_deadline(t0 + 499ms, host), Status::kRunning);
  EXPECT_TRUE(host.outcomes.empty());
  EXPECT_EQ(host.armed.back(), t0 + 500ms);

  EXPECT_EQ(runner.on_deadline(t0 + 500ms, host), Status::kDone);
  ASSERT_EQ(host.outcomes.size(), 2u);
  EXPECT_EQ(host.outcomes[0].step, "settle");
  EXPECT_TRUE(host.outcomes[0].ok);
  EXPECT_EQ(host.outcomes[0].latency_us, std::nullopt);
  ASSERT_EQ(host.sent.size(), 1u);
  EXPECT_EQ(host.sent[0].step, "after");
}

TEST(StepRunner, SendOnlyStepsCompleteAtOnceInOrder) {
  const std::vector<StepRuntime> steps = {send_only("first"), send_only("second")};
  std::vector<std::string> vars;
  FakeHost host(&vars, 11);
  StepRunner runner(steps, &vars);
  EXPECT_EQ(runner.start(t0, host), Status::kDone);
  ASSERT_EQ(host.sent.size(), 2u);
  EXPECT_EQ(host.sent[0].step, "first");
  EXPECT_EQ(host.sent[0].seq, 11u);
  EXPECT_EQ(host.sent[1].step, "second");
  EXPECT_EQ(host.sent[1].seq, 12u);
  ASSERT_EQ(host.outcomes.size(), 2u);
  EXPECT_EQ(host.outcomes[0].step, "first");
  EXPECT_EQ(host.outcomes[1].step, "second");
  EXPECT_TRUE(host.outcomes[0].ok && host.outcomes[1].ok);
  EXPECT_TRUE(host.armed.empty());
}

TEST(StepRunner, NoStepsIsDoneAtStart) {
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner({}, &vars);
  EXPECT_EQ(runner.start(t0, host), Status::kDone);
  EXPECT_EQ(runner.on_closed(host), Status::kDone);
  EXPECT_TRUE(host.outcomes.empty());
}

TEST(StepRunner, ExpectThenWaitRecordsTheExpectLatencyAfterTheWait) {
  StepRuntime subscribe = request("subscribe");
  subscribe.spec.wait = 200ms;
  const std::vector<StepRuntime> steps = {subscribe, send_only("after")};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);

  Status status = Status::kRunning;
  EXPECT_TRUE(runner.on_message(R"({"id":1})", t0 + 3ms, host, &status));
  EXPECT_EQ(status, Status::kRunning);
  EXPECT_TRUE(host.outcomes.empty());  // not before the wait
  EXPECT_EQ(host.sent.size(), 1u);
  EXPECT_EQ(host.armed.back(), t0 + 203ms);
  EXPECT_FALSE(runner.expecting());
  // A second copy of the reply during the wait is not the step's any more.
  EXPECT_FALSE(runner.on_message(R"({"id":1})", t0 + 4ms, host, &status));

  EXPECT_EQ(runner.on_deadline(t0 + 202ms, host), Status::kRunning);
  EXPECT_TRUE(host.outcomes.empty());
  EXPECT_EQ(runner.on_deadline(t0 + 203ms, host), Status::kDone);
  ASSERT_EQ(host.outcomes.size(), 2u);
  EXPECT_EQ(host.outcomes[0].step, "subscribe");
  EXPECT_EQ(host.outcomes[0].latency_us, 3000);
  ASSERT_EQ(host.sent.size(), 2u);
  EXPECT_EQ(host.sent[1].step, "after");
}

TEST(StepRunner, CloseWhileRunningFailsTheCurrentStep) {
  StepRuntime settle = named("settle");
  settle.spec.wait = 1s;
  const std::vector<StepRuntime> steps = {send_only("hello"), request("subscribe"), settle};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  EXPECT_EQ(runner.on_closed(host), Status::kFailed);
  ASSERT_EQ(host.outcomes.size(), 2u);
  EXPECT_TRUE(host.outcomes[0].ok);
  EXPECT_EQ(host.outcomes[1].step, "subscribe");
  EXPECT_EQ(host.outcomes[1].failure, StepFailure::kClosed);
  EXPECT_EQ(runner.status(), Status::kFailed);
  // Nothing after the failure: no deadline handling, no second failure.
  EXPECT_EQ(runner.on_deadline(t0 + 10s, host), Status::kFailed);
  EXPECT_EQ(runner.on_closed(host), Status::kFailed);
  EXPECT_EQ(host.outcomes.size(), 2u);
  EXPECT_EQ(host.sent.size(), 2u);
}

TEST(StepRunner, CloseDuringAWaitFailsTheWaitingStep) {
  StepRuntime settle = named("settle");
  settle.spec.wait = 1s;
  const std::vector<StepRuntime> steps = {settle};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  EXPECT_EQ(runner.on_closed(host), Status::kFailed);
  ASSERT_EQ(host.outcomes.size(), 1u);
  EXPECT_EQ(host.outcomes[0].failure, StepFailure::kClosed);
}

TEST(StepRunner, CloseAfterDoneChangesNothing) {
  const std::vector<StepRuntime> steps = {request("subscribe")};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  Status status = Status::kRunning;
  ASSERT_TRUE(runner.on_message(R"({"id":1})", t0 + 1ms, host, &status));
  ASSERT_EQ(status, Status::kDone);
  EXPECT_EQ(runner.on_closed(host), Status::kDone);
  EXPECT_EQ(runner.status(), Status::kDone);
  ASSERT_EQ(host.outcomes.size(), 1u);
  EXPECT_TRUE(host.outcomes[0].ok);
}

TEST(StepRunner, PingStepCompletesOnItsPongOnly) {
  StepRuntime ping = named("ping");
  with_send(ping, shared::MessageKind::kPing);
  with_expect(ping, shared::Match::next());
  const std::vector<StepRuntime> steps = {ping};
  std::vector<std::string> vars;
  FakeHost host(&vars, 3);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);

  Status status = Status::kDone;
  EXPECT_FALSE(runner.on_message(R"({"id":3})", t0 + 1ms, host, &status));  // data: a push
  EXPECT_EQ(status, Status::kRunning);
  EXPECT_FALSE(runner.on_pong(2, t0 + 1ms, host, &status));  // another pong
  EXPECT_EQ(status, Status::kRunning);
  EXPECT_TRUE(host.outcomes.empty());

  EXPECT_TRUE(runner.on_pong(3, t0 + 4ms, host, &status));
  EXPECT_EQ(status, Status::kDone);
  ASSERT_EQ(host.outcomes.size(), 1u);
  EXPECT_EQ(host.outcomes[0].latency_us, 4000);
  EXPECT_FALSE(runner.on_pong(3, t0 + 5ms, host, &status));
}

TEST(StepRunner, PongDoesNotCompleteADataStep) {
  const std::vector<StepRuntime> steps = {request("subscribe")};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  Status status = Status::kDone;
  EXPECT_FALSE(runner.on_pong(1, t0 + 1ms, host, &status));
  EXPECT_EQ(status, Status::kRunning);
  EXPECT_TRUE(host.outcomes.empty());
}

TEST(StepRunner, FailureNamesAreStable) {
  EXPECT_EQ(to_string(StepFailure::kTimeout), "timeout");
  EXPECT_EQ(to_string(StepFailure::kClosed), "closed");
  EXPECT_EQ(to_string(StepFailure::kCaptureMissing), "capture_missing");
}

// Numbers that are not 64-bit integers are kept as written (not re-printed by a JSON library).
TEST(StepRunner, CaptureKeepsOtherNumbersAsWritten) {
  StepRuntime subscribe = request("subscribe");
  with_capture(subscribe, "price", "price", 0);
  with_capture(subscribe, "huge", "huge", 1);
  with_capture(subscribe, "exp", "exp", 2);
  const std::vector<StepRuntime> steps = {subscribe};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  Status status = Status::kRunning;
  EXPECT_TRUE(
      runner.on_message(R"({"id":1,"price":1.50,"huge":123456789012345678901234567890,"exp":1e3})",
                        t0, host, &status));
  EXPECT_EQ(vars, (std::vector<std::string>{"1.50", "123456789012345678901234567890", "1e3"}));
}

TEST(StepRunner, WhereMatchesADecimalAsWritten) {
  StepRuntime step = named("price");
  with_where(step, {{"price", "1.50"}});
  const std::vector<StepRuntime> steps = {step};
  std::vector<std::string> vars;
  FakeHost host(&vars);
  StepRunner runner(steps, &vars);
  runner.start(t0, host);
  Status status = Status::kRunning;
  EXPECT_TRUE(runner.on_message(R"({"price":1.50})", t0, host, &status));
}

}  // namespace
}  // namespace wsload::agent
