#pragma once
// Mergeable log-linear histogram (HdrHistogram layout): values in microseconds from 1 us to 1 h
// with 3 significant digits. Merging is exact: merge(a, b) holds the same counts as one histogram
// that recorded all samples of a and b. Not thread-safe; keep one per thread and merge copies.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsload::shared {

class Histogram {
 public:
  static constexpr int64_t kLowest = 1;               // microseconds
  static constexpr int64_t kHighest = 3'600'000'000;  // 1 h in microseconds
  static constexpr int kSignificantDigits = 3;

  Histogram();

  // Records a value in microseconds. Values below kLowest are recorded as kLowest and values above
  // kHighest as kHighest; both are counted in clamped(). sum() holds the value as recorded.
  void record(int64_t value_us, uint64_t count = 1);
  void merge(const Histogram& other);
  void reset();  // clears only the occupied range [min, max]

  uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  int64_t min() const;                   // exact smallest recorded value; 0 when empty
  int64_t max() const;                   // exact largest recorded value; 0 when empty
  uint64_t sum() const { return sum_; }  // exact sum of recorded values (us)
  double mean() const;                   // sum / count; 0 when empty
  uint64_t clamped() const { return clamped_; }

  // The value at percentile p (0..100]: the highest value equivalent (within 3 significant digits)
  // to the sample of rank ceil(p/100 * count) in sorted order, clamped to [min(), max()].
  // 0 when empty.
  int64_t value_at_percentile(double p) const;

  // Bucket iteration for reports: calls fn(lowest_us, highest_us, count) for non-empty buckets in
  // increasing order.
  template <typename Fn>
  void for_each_bucket(Fn&& fn) const {
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] != 0) fn(lowest_at(i), highest_at(i), counts_[i]);
    }
  }

  // Compact, versioned binary form (varint run-length of the non-empty buckets plus exact
  // min/max/sum). deserialize returns nullopt on any malformed input.
  std::string serialize() const;
  static std::optional<Histogram> deserialize(std::string_view bytes);
  // The same into an existing histogram, reusing its storage (no allocation; cost proportional to
  // the occupied range). Returns false on malformed input and then leaves `out` empty.
  static bool deserialize_into(std::string_view bytes, Histogram* out);

  bool operator==(const Histogram& other) const = default;

  // Index helpers, exposed for tests.
  static size_t index_of(int64_t value_us);
  static int64_t lowest_at(size_t index);
  static int64_t highest_at(size_t index);
  static size_t bucket_slots();

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t clamped_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
};

}  // namespace wsload::shared
