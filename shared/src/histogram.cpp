#include "wsload/shared/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>

namespace wsload::shared {
namespace {

// HdrHistogram layout for unit 1 us and 3 significant digits: 2 * 10^3 rounded up to a power of two
// gives 2048 sub-buckets; each bucket after the first covers the upper half (1024 slots) of a range
// twice as wide as the previous one.
constexpr int kSubBucketHalfCountMagnitude = 10;
constexpr int64_t kSubBucketHalfCount = int64_t{1} << kSubBucketHalfCountMagnitude;  // 1024
constexpr int64_t kSubBucketCount = kSubBucketHalfCount * 2;                         // 2048
constexpr int64_t kSubBucketMask = kSubBucketCount - 1;
constexpr int kLeadingZeroCountBase = 64 - kSubBucketHalfCountMagnitude - 1;  // unit magnitude 0

constexpr uint8_t kFormatVersion = 1;

__extension__ typedef unsigned __int128 u128;

int bucket_index_of(int64_t value) {
  return kLeadingZeroCountBase - std::countl_zero(static_cast<uint64_t>(value | kSubBucketMask));
}

uint64_t saturating_add(uint64_t a, uint64_t b) {
  uint64_t out = 0;
  return __builtin_add_overflow(a, b, &out) ? std::numeric_limits<uint64_t>::max() : out;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a LEB128 varint of at most 64 bits; false on truncation or overlong/overflowing input.
bool get_varint(std::string_view& in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    const uint64_t bits = byte & 0x7F;
    if (shift == 63 && bits > 1) return false;
    result |= bits << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

// The rank (1-based) of percentile p among `count` samples: ceil(p/100 * count), at least 1.
// p/100*count is snapped to the integer below when it exceeds it only by floating-point noise, so
// that p = 99.9 of 1000 samples is rank 999 and not 1000.
uint64_t rank_for(double p, uint64_t count) {
  if (!(p > 0)) return 1;
  if (p >= 100) return count;
  const double x = p * static_cast<double>(count) / 100.0;
  const double below = std::floor(x);
  uint64_t rank = static_cast<uint64_t>(below);
  if (x - below > x * 4 * DBL_EPSILON) ++rank;
  return std::clamp<uint64_t>(rank, 1, count);
}

}  // namespace

Histogram::Histogram() : counts_(bucket_slots(), 0) {}

size_t Histogram::bucket_slots() { return index_of(kHighest) + 1; }

size_t Histogram::index_of(int64_t value_us) {
  value_us = std::clamp(value_us, int64_t{0}, kHighest);
  const int bucket = bucket_index_of(value_us);
  const int64_t sub_bucket = value_us >> bucket;
  return static_cast<size_t>(((int64_t{bucket} + 1) << kSubBucketHalfCountMagnitude) +
                             (sub_bucket - kSubBucketHalfCount));
}

int64_t Histogram::lowest_at(size_t index) {
  int64_t bucket = (static_cast<int64_t>(index) >> kSubBucketHalfCountMagnitude) - 1;
  int64_t sub_bucket =
      (static_cast<int64_t>(index) & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub_bucket -= kSubBucketHalfCount;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

int64_t Histogram::highest_at(size_t index) {
  const int64_t low = lowest_at(index);
  return low + (int64_t{1} << bucket_index_of(low)) - 1;
}

void Histogram::record(int64_t value_us, uint64_t count) {
  if (count == 0) return;
  if (value_us < kLowest || value_us > kHighest) {
    value_us = std::clamp(value_us, kLowest, kHighest);
    clamped_ = saturating_add(clamped_, count);
  }
  counts_[index_of(value_us)] += count;
  if (count_ == 0) {
    min_ = max_ = value_us;
  } else {
    min_ = std::min(min_, value_us);
    max_ = std::max(max_, value_us);
  }
  count_ += count;
  uint64_t added = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(value_us), count, &added)) {
    added = std::numeric_limits<uint64_t>::max();
  }
  sum_ = saturating_add(sum_, added);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  // Only the slots between other's min and max can be non-empty (record() keeps them exact).
  const size_t last = index_of(other.max_);
  for (size_t i = index_of(other.min_); i <= last; ++i) counts_[i] += other.counts_[i];
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  sum_ = saturating_add(sum_, other.sum_);
  clamped_ = saturating_add(clamped_, other.clamped_);
}

void Histogram::reset() {
  // Only the slots between min and max can be non-empty: clearing them is clearing everything.
  if (count_ != 0) {
    std::fill(counts_.begin() + static_cast<std::ptrdiff_t>(index_of(min_)),
              counts_.begin() + static_cast<std::ptrdiff_t>(index_of(max_)) + 1, 0);
  }
  count_ = sum_ = clamped_ = 0;
  min_ = max_ = 0;
}

int64_t Histogram::min() const { return count_ == 0 ? 0 : min_; }
int64_t Histogram::max() const { return count_ == 0 ? 0 : max_; }

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

int64_t Histogram::value_at_percentile(double p) const {
  if (count_ == 0) return 0;
  const uint64_t rank = rank_for(p, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(highest_at(i), min_, max_);
  }
  return max_;
}

std::string Histogram::serialize() const {
  std::string out;
  out.push_back(static_cast<char>(kFormatVersion));
  put_varint(out, count_);
  put_varint(out, sum_);
  put_varint(out, static_cast<uint64_t>(min()));
  put_varint(out, static_cast<uint64_t>(max()));
  put_varint(out, clamped_);
  size_t next = 0;  // each gap counts the empty slots since the previous non-empty one
  const size_t first = count_ == 0 ? counts_.size() : index_of(min_);
  const size_t end = count_ == 0 ? counts_.size() : index_of(max_) + 1;
  for (size_t i = first; i < end; ++i) {
    if (counts_[i] == 0) continue;
    put_varint(out, i - next);
    put_varint(out, counts_[i]);
    next = i + 1;
  }
  return out;
}

std::optional<Histogram> Histogram::deserialize(std::string_view bytes) {
  Histogram h;
  if (!deserialize_into(bytes, &h)) return std::nullopt;
  return h;
}

bool Histogram::deserialize_into(std::string_view bytes, Histogram* out) {
  Histogram& h = *out;
  h.reset();
  if (bytes.empty() || static_cast<uint8_t>(bytes.front()) != kFormatVersion) return false;
  bytes.remove_prefix(1);
  uint64_t count = 0, sum = 0, min = 0, max = 0, clamped = 0;
  if (!get_varint(bytes, &count) || !get_varint(bytes, &sum) || !get_varint(bytes, &min) ||
      !get_varint(bytes, &max) || !get_varint(bytes, &clamped)) {
    return false;
  }
  const uint64_t slots = h.counts_.size();
  uint64_t next = 0, total = 0;
  size_t first = slots, last = 0;
  // On any error the slots written so far are cleared again: `out` is left empty.
  auto fail = [&]() {
    if (first < slots)
      std::fill(h.counts_.begin() + static_cast<std::ptrdiff_t>(first),
                h.counts_.begin() + static_cast<std::ptrdiff_t>(last) + 1, 0);
    return false;
  };
  while (!bytes.empty()) {
    uint64_t gap = 0, n = 0;
    if (!get_varint(bytes, &gap) || !get_varint(bytes, &n)) return fail();
    if (n == 0 || gap >= slots - next) return fail();
    const size_t index = static_cast<size_t>(next + gap);
    if (__builtin_add_overflow(total, n, &total)) return fail();
    h.counts_[index] = n;
    first = std::min(first, index);
    last = index;
    next = index + 1;
  }
  if (total != count || clamped > count) return fail();
  if (count == 0) return sum == 0 && min == 0 && max == 0;
  const auto lo = static_cast<uint64_t>(kLowest), hi = static_cast<uint64_t>(kHighest);
  if (min < lo || max > hi || min > max) return fail();
  if (index_of(static_cast<int64_t>(min)) != first || index_of(static_cast<int64_t>(max)) != last)
    return fail();
  // sum lies between count*min and count*max unless it saturated.
  const u128 wide_count = count;
  const u128 floor_sum = wide_count * min;
  const u128 ceil_sum = wide_count * max;
  const bool saturated = sum == std::numeric_limits<uint64_t>::max();
  if (!saturated && (sum < floor_sum || sum > ceil_sum)) return fail();
  h.count_ = count;
  h.sum_ = sum;
  h.min_ = static_cast<int64_t>(min);
  h.max_ = static_cast<int64_t>(max);
  h.clamped_ = clamped;
  return true;
}

}  // namespace wsload::shared
