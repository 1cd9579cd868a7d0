#include "subject_set.hpp"

namespace wsload::target {

void SubjectSet::record(std::string_view subject) {
  std::lock_guard lock(mutex_);
  // Heterogeneous lookup needs C++20 transparent hashing; one string copy per upgrade is cheap.
  std::string key(subject);
  if (subjects_.count(key) != 0) return;
  if (subjects_.size() >= max_subjects_ || bytes_ + key.size() > max_bytes_) {
    overflow_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  bytes_ += key.size();
  subjects_.insert(std::move(key));
  distinct_.store(subjects_.size(), std::memory_order_relaxed);
}

}  // namespace wsload::target
