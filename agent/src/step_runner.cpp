#include "step_runner.hpp"

#include <nlohmann/json.hpp>

#include "reply_matcher.hpp"

namespace wsload::agent {
namespace {

// A top-level field of a JSON object as scalar text: a string's contents, a number, true, false
// or null as written; nullopt when absent, not an object, or not a scalar.
std::optional<std::string> scalar_text(const nlohmann::json& doc, const std::string& field) {
  if (!doc.is_object()) return std::nullopt;
  auto it = doc.find(field);
  if (it == doc.end() || it->is_structured()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

int64_t micros(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace

std::string_view to_string(StepFailure failure) {
  switch (failure) {
    case StepFailure::kTimeout:
      return "timeout";
    case StepFailure::kClosed:
      return "closed";
    case StepFailure::kCaptureMissing:
      return "capture_missing";
  }
  return "timeout";
}

StepRunner::Status StepRunner::start(TimePoint now, StepHost& host) {
  current_ = 0;
  return advance(now, host);
}

// Runs steps from current_ until one has to wait for a message or an instant, or none is left.
StepRunner::Status StepRunner::advance(TimePoint now, StepHost& host) {
  while (current_ < steps_.size()) {
    const StepRuntime& s = step();
    started_ = now;
    latency_us_.reset();
    if (s.send) seq_ = host.send_step(s);
    if (s.spec.expect) {
      stage_ = Stage::kExpect;
      due_ = now + s.spec.expect->timeout;
      host.arm_step(due_);
      return status_;
    }
    if (s.spec.wait.count() > 0) {
      stage_ = Stage::kWait;
      due_ = now + s.spec.wait;
      host.arm_step(due_);
      return status_;
    }
    host.step_ok(s, std::nullopt);
    ++current_;
  }
  stage_ = Stage::kOver;
  status_ = Status::kDone;
  return status_;
}

bool StepRunner::matches(std::string_view data) const {
  const shared::ExpectSpec& expect = *step().spec.expect;
  if (!expect.where.empty()) {
    const auto doc = nlohmann::json::parse(data, nullptr, false);
    for (const auto& [field, value] : expect.where) {
      if (scalar_text(doc, field) != value) return false;
    }
    return true;
  }
  if (expect.match.mode == MatchMode::kNext) return true;
  return scan_number_field(data, expect.match.field) == seq_;
}

bool StepRunner::on_message(std::string_view data, TimePoint now, StepHost& host, Status* status) {
  *status = status_;
  if (stage_ != Stage::kExpect) return false;
  // A step that sent a ping awaits its pong, not a data message.
  if (step().send && step().send->kind == shared::MessageKind::kPing &&
      step().spec.expect->where.empty()) {
    return false;
  }
  if (!matches(data)) return false;
  *status = finish_expect(data, now, host);
  return true;
}

bool StepRunner::on_pong(uint64_t seq, TimePoint now, StepHost& host, Status* status) {
  *status = status_;
  if (stage_ != Stage::kExpect || !step().send || step().send->kind != shared::MessageKind::kPing ||
      !step().spec.expect->where.empty() || seq != seq_) {
    return false;
  }
  *status = finish_expect({}, now, host);
  return true;
}

StepRunner::Status StepRunner::finish_expect(std::string_view data, TimePoint now, StepHost& host) {
  const StepRuntime& s = step();
  latency_us_ = micros(now - started_);
  if (!s.spec.capture.empty()) {
    const auto doc = nlohmann::json::parse(data, nullptr, false);
    for (size_t i = 0; i < s.spec.capture.size(); ++i) {
      auto value = scalar_text(doc, s.spec.capture[i].second);
      if (!value || value->size() > kMaxCaptureBytes)
        return fail(host, StepFailure::kCaptureMissing);
      const uint32_t var = s.capture_vars[i];
      if (vars_->size() <= var) vars_->resize(var + 1);
      (*vars_)[var] = std::move(*value);
    }
  }
  return end_step(now, host);
}

StepRunner::Status StepRunner::end_step(TimePoint now, StepHost& host) {
  const StepRuntime& s = step();
  if (stage_ == Stage::kExpect && s.spec.wait.count() > 0) {
    stage_ = Stage::kWait;
    due_ = now + s.spec.wait;
    host.arm_step(due_);
    return status_;
  }
  host.step_ok(s, latency_us_);
  ++current_;
  stage_ = Stage::kIdle;
  return advance(now, host);
}

StepRunner::Status StepRunner::on_deadline(TimePoint now, StepHost& host) {
  if (stage_ != Stage::kExpect && stage_ != Stage::kWait) return status_;
  if (now < due_) {
    host.arm_step(due_);
    return status_;
  }
  if (stage_ == Stage::kExpect) return fail(host, StepFailure::kTimeout);
  host.step_ok(step(), latency_us_);
  ++current_;
  stage_ = Stage::kIdle;
  return advance(now, host);
}

StepRunner::Status StepRunner::on_closed(StepHost& host) {
  if (status_ != Status::kRunning || current_ >= steps_.size()) return status_;
  return fail(host, StepFailure::kClosed);
}

StepRunner::Status StepRunner::fail(StepHost& host, StepFailure failure) {
  host.step_failed(step(), failure);
  stage_ = Stage::kOver;
  status_ = Status::kFailed;
  return status_;
}

}  // namespace wsload::agent
