#include "step_runner.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "reply_matcher.hpp"

namespace wsload::agent {
namespace {

// The top-level scalar fields of a JSON object, as text: a string's contents, and a number,
// true, false or null as written in the message (so 1.50 stays "1.50" and integers beyond 64 bits
// keep every digit). Nested values are skipped; a field whose value is an object or array, or a
// message that is not a JSON object, yields nothing for it.
class TopLevelScalars final : public nlohmann::json_sax<nlohmann::json> {
 public:
  using json = nlohmann::json;
  std::optional<std::string> get(const std::string& field) const {
    auto it = values_.find(field);
    return it == values_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  bool null() override { return scalar("null"); }
  bool boolean(bool v) override { return scalar(v ? "true" : "false"); }
  bool number_integer(json::number_integer_t v) override { return scalar(std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) override { return scalar(std::to_string(v)); }
  bool number_float(json::number_float_t, const json::string_t& raw) override {
    return scalar(raw);
  }
  bool string(json::string_t& v) override { return scalar(v); }
  bool binary(json::binary_t&) override { return scalar({}); }
  bool start_object(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_array() override { return close(); }
  bool key(json::string_t& k) override {
    if (depth_ == 1) key_ = k;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    values_.clear();
    return false;
  }

 private:
  bool scalar(std::string text) {
    if (depth_ == 1 && object_) values_[key_] = std::move(text);
    return true;
  }
  bool open(bool object) {
    if (depth_ == 0) object_ = object;
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  std::map<std::string, std::string> values_;
  std::string key_;
  int depth_ = 0;
  bool object_ = false;
};

TopLevelScalars scalars_of(std::string_view data) {
  TopLevelScalars out;
  nlohmann::json::sax_parse(data, &out);
  return out;
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
    const TopLevelScalars fields = scalars_of(data);
    for (const auto& [field, value] : expect.where) {
      if (fields.get(field) != value) return false;
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
    const TopLevelScalars fields = scalars_of(data);
    for (size_t i = 0; i < s.spec.capture.size(); ++i) {
      auto value = fields.get(s.spec.capture[i].second);
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
