#include "reply_matcher.hpp"

#include <algorithm>
#include <limits>

namespace wsload::agent {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Parses digits at `pos`; nullopt when there is none or on overflow.
std::optional<uint64_t> parse_digits(std::string_view s, size_t pos) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t value = 0;
  size_t start = pos;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    auto digit = static_cast<uint64_t>(s[pos] - '0');
    if (value > (kMax - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
    ++pos;
  }
  if (pos == start) return std::nullopt;
  return value;
}

}  // namespace

std::optional<uint64_t> scan_number_field(std::string_view frame, std::string_view field) {
  if (field.empty()) return std::nullopt;
  size_t from = 0;
  while (true) {
    size_t at = frame.find(field, from);
    if (at == std::string_view::npos) return std::nullopt;
    from = at + 1;
    size_t end = at + field.size();
    if (at == 0 || frame[at - 1] != '"' || end >= frame.size() || frame[end] != '"') continue;
    size_t pos = end + 1;
    while (pos < frame.size() && is_blank(frame[pos])) ++pos;
    if (pos >= frame.size() || frame[pos] != ':') continue;
    ++pos;
    while (pos < frame.size() && is_blank(frame[pos])) ++pos;
    if (pos < frame.size() && frame[pos] == '"') ++pos;
    return parse_digits(frame, pos);
  }
}

void InFlightTable::add(uint64_t seq, TimePoint scheduled, TimePoint sent, uint16_t stream) {
  slots_.push_back(Slot{InFlight{seq, scheduled, sent, stream}, true});
  ++live_;
}

std::optional<InFlight> InFlightTable::take(uint64_t seq) {
  auto begin = slots_.begin() + static_cast<std::ptrdiff_t>(head_);
  auto it = std::lower_bound(begin, slots_.end(), seq,
                             [](const Slot& s, uint64_t v) { return s.request.seq < v; });
  if (it == slots_.end() || it->request.seq != seq || !it->live) return std::nullopt;
  it->live = false;
  --live_;
  InFlight out = it->request;
  pop_dead_front();
  return out;
}

std::optional<InFlight> InFlightTable::take_oldest() {
  if (live_ == 0) return std::nullopt;
  InFlight out = slots_[head_].request;
  slots_[head_].live = false;
  --live_;
  pop_dead_front();
  return out;
}

const InFlight* InFlightTable::oldest() const {
  return live_ == 0 ? nullptr : &slots_[head_].request;
}

size_t InFlightTable::expire_sent_before(TimePoint cutoff) {
  size_t removed = 0;
  for (size_t i = head_; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (slot.request.sent > cutoff) break;
    if (!slot.live) continue;
    slot.live = false;
    --live_;
    ++removed;
    remember_expired(slot.request.seq);
  }
  pop_dead_front();
  return removed;
}

size_t InFlightTable::expire_all() {
  size_t removed = 0;
  for (size_t i = head_; i < slots_.size(); ++i) {
    if (!slots_[i].live) continue;
    slots_[i].live = false;  // else pop_dead_front keeps them (and their storage) as in flight
    ++removed;
    remember_expired(slots_[i].request.seq);
  }
  live_ = 0;
  pop_dead_front();
  return removed;
}

bool InFlightTable::take_expired(uint64_t seq) {
  if (seq == 0 || !expired_) return false;
  for (uint64_t& s : *expired_) {
    if (s == seq) {
      s = 0;
      return true;
    }
  }
  return false;
}

void InFlightTable::pop_dead_front() {
  while (head_ < slots_.size() && !slots_[head_].live) ++head_;
  if (head_ == slots_.size()) {
    // Nothing in flight: give the storage back, so an idle connection holds none.
    std::vector<Slot>().swap(slots_);
    head_ = 0;
  } else if (head_ >= 32 && head_ * 2 >= slots_.size()) {
    slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

void InFlightTable::remember_expired(uint64_t seq) {
  if (!expired_) expired_ = std::make_unique<std::array<uint64_t, kExpiredMemory>>();
  (*expired_)[expired_next_] = seq;
  expired_next_ = (expired_next_ + 1) % kExpiredMemory;
}

}  // namespace wsload::agent
