#include "slot_deadlines.hpp"

#include <algorithm>

namespace wsload::agent {
namespace {

// std heap functions build a max-heap; this makes the earliest instant the top.
struct Later {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.at > b.at;
  }
};

}  // namespace

void SlotDeadlines::reset(size_t slots) {
  heap_.clear();
  current_.assign(slots * kKinds, 0);
  live_ = 0;
}

void SlotDeadlines::arm(uint32_t slot, DeadlineKind kind, TimePoint at) {
  uint64_t& cur = current_[index(slot, kind)];
  if (cur == 0) ++live_;
  cur = ++next_token_;
  heap_.push_back(Entry{at, cur, slot, kind});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
  if (heap_.size() > 64 && heap_.size() > 4 * live_) compact();
}

void SlotDeadlines::cancel(uint32_t slot, DeadlineKind kind) {
  uint64_t& cur = current_[index(slot, kind)];
  if (cur == 0) return;
  cur = 0;
  --live_;
}

void SlotDeadlines::cancel_all(uint32_t slot) {
  cancel(slot, DeadlineKind::kSend);
  cancel(slot, DeadlineKind::kTimeout);
  cancel(slot, DeadlineKind::kDeadline);
}

bool SlotDeadlines::armed(uint32_t slot, DeadlineKind kind) const {
  return current_[index(slot, kind)] != 0;
}

std::optional<TimePoint> SlotDeadlines::earliest() {
  drop_stale_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().at;
}

std::optional<SlotDeadlines::Due> SlotDeadlines::next() {
  drop_stale_top();
  if (heap_.empty()) return std::nullopt;
  const Entry& e = heap_.front();
  return Due{e.slot, e.kind, e.at};
}

std::optional<SlotDeadlines::Due> SlotDeadlines::pop_due(TimePoint now) {
  drop_stale_top();
  if (heap_.empty() || heap_.front().at > now) return std::nullopt;
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  Entry e = heap_.back();
  heap_.pop_back();
  current_[index(e.slot, e.kind)] = 0;
  --live_;
  return Due{e.slot, e.kind, e.at};
}

void SlotDeadlines::drop_stale_top() {
  while (!heap_.empty() && !is_live(heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
  }
  if (heap_.empty() && heap_.capacity() > 1024) std::vector<Entry>().swap(heap_);
}

void SlotDeadlines::compact() {
  auto stale = [this](const Entry& e) { return !is_live(e); };
  heap_.erase(std::remove_if(heap_.begin(), heap_.end(), stale), heap_.end());
  std::make_heap(heap_.begin(), heap_.end(), Later{});
}

}  // namespace wsload::agent
