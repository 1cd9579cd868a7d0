#include "wsload/shared/planner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <queue>
#include <stdexcept>

namespace wsload::shared {
namespace {

// __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit integer types.
__extension__ typedef unsigned __int128 u128;

void validate_weights(std::span<const double> weights) {
  if (weights.empty()) throw std::invalid_argument("no agents to split the connections over");
  for (double w : weights) {
    if (!std::isfinite(w) || !(w > 0)) {
      throw std::invalid_argument("agent weights must be positive finite numbers");
    }
  }
}

// Scales the weights by one common power of two so that every weight becomes an integer below 2^63,
// which keeps total * weight below 2^127. nullopt when the weights' binary exponents are too far
// apart for that.
std::optional<std::vector<uint64_t>> exact_integer_weights(std::span<const double> weights) {
  int scale = std::numeric_limits<int>::min();  // fractional bits needed by the finest weight
  for (double w : weights) {
    int exponent = 0;
    double mantissa = std::frexp(w, &exponent);  // w = mantissa * 2^exponent, mantissa in [0.5, 1)
    auto bits = static_cast<uint64_t>(std::ldexp(mantissa, 53));
    int fraction_bits = 53 - exponent;
    while (fraction_bits > 0 && (bits & 1) == 0) {
      bits >>= 1;
      --fraction_bits;
    }
    scale = std::max(scale, fraction_bits);
  }
  std::vector<uint64_t> scaled;
  scaled.reserve(weights.size());
  for (double w : weights) {
    int exponent = 0;
    std::frexp(w, &exponent);
    if (exponent + scale > 63) return std::nullopt;
    scaled.push_back(static_cast<uint64_t>(std::ldexp(w, scale)));
  }
  return scaled;
}

// Largest remainder given floors and comparable remainders; ties go to the lower index.
template <typename Remainder>
void distribute_rest(uint64_t total, std::vector<uint64_t>& counts,
                     const std::vector<Remainder>& remainders) {
  const uint64_t assigned = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  if (assigned >= total) return;
  std::vector<size_t> order(counts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  uint64_t left = total - assigned;
  for (size_t i = 0; left > 0; i = (i + 1) % order.size(), --left) ++counts[order[i]];
}

}  // namespace

std::chrono::nanoseconds scheduled_open(uint64_t id, uint64_t total,
                                        std::chrono::nanoseconds ramp_up) {
  if (total == 0 || ramp_up.count() <= 0) return std::chrono::nanoseconds{0};
  const u128 at = static_cast<u128>(id) * static_cast<uint64_t>(ramp_up.count()) / total;
  const u128 cap = static_cast<u128>(std::numeric_limits<int64_t>::max());
  return std::chrono::nanoseconds{static_cast<int64_t>(std::min(at, cap))};
}

std::vector<uint64_t> apportion(uint64_t total, std::span<const double> weights) {
  validate_weights(weights);
  std::vector<uint64_t> counts(weights.size(), 0);
  if (const auto scaled = exact_integer_weights(weights)) {
    u128 sum = 0;
    for (uint64_t w : *scaled) sum += w;
    std::vector<u128> remainders(weights.size());
    for (size_t k = 0; k < weights.size(); ++k) {
      const u128 quota = static_cast<u128>(total) * (*scaled)[k];
      counts[k] = static_cast<uint64_t>(quota / sum);
      remainders[k] = quota % sum;
    }
    distribute_rest(total, counts, remainders);
    return counts;
  }
  // Weights too far apart in magnitude for exact scaling: double quotas, then force the sum.
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> remainders(weights.size());
  uint64_t assigned = 0;
  for (size_t k = 0; k < weights.size(); ++k) {
    const double quota = static_cast<double>(total) * (weights[k] / sum);
    const double floor = std::floor(quota);
    counts[k] = std::min<uint64_t>(static_cast<uint64_t>(floor), total - assigned);
    assigned += counts[k];
    remainders[k] = quota - floor;
  }
  distribute_rest(total, counts, remainders);
  return counts;
}

uint64_t connection_id(std::span<const uint64_t> shares, std::size_t k, uint64_t j) {
  // split_connections hands out ids in the order of the keys (2i + 1) / shares[m] (agent m's i-th
  // connection), ties to the lower agent index. The id of (k, j) is the number of pairs before it.
  const u128 sk = shares[k];
  uint64_t before = j;
  for (std::size_t m = 0; m < shares.size(); ++m) {
    if (m == k || shares[m] == 0) continue;
    // Pairs (m, i) with (2i + 1) * sk < x: the odd numbers below x / sk, at most shares[m] of them.
    const u128 x = static_cast<u128>(2 * j + 1) * shares[m];
    const u128 ceil_ratio = (x + sk - 1) / sk;
    before += static_cast<uint64_t>(std::min<u128>(ceil_ratio / 2, shares[m]));
    // A pair with an equal key comes first when its agent index is lower.
    const bool tie = x % sk == 0 && (x / sk) % 2 == 1 && (x / sk - 1) / 2 < shares[m];
    if (tie && m < k) ++before;
  }
  return before;
}

std::vector<uint32_t> agent_connection_ids(std::span<const uint64_t> shares, std::size_t k) {
  std::vector<uint32_t> ids;
  ids.reserve(shares[k]);
  for (uint64_t j = 0; j < shares[k]; ++j)
    ids.push_back(static_cast<uint32_t>(connection_id(shares, k, j)));
  return ids;
}

std::vector<std::vector<uint32_t>> split_connections(uint64_t total,
                                                     std::span<const double> weights) {
  if (total > uint64_t{std::numeric_limits<uint32_t>::max()} + 1) {
    throw std::invalid_argument("too many connections for 32-bit connection ids");
  }
  const std::vector<uint64_t> shares = apportion(total, weights);
  std::vector<std::vector<uint32_t>> ids(shares.size());
  for (size_t k = 0; k < shares.size(); ++k) ids[k].reserve(shares[k]);
  // Agent k's j-th id ideally sits at (j + 1/2) * total / shares[k]. Ids are handed out in the
  // order of those ideal positions (ties to the lower agent index), so between two consecutive ids
  // of agent k there are at most floor(shares[m] / shares[k]) + 1 ids of each other agent m: the
  // gap is at most total / shares[k] + (agents with a non-zero share) - 1.
  const auto later = [&](size_t a, size_t b) {
    const u128 key_a = static_cast<u128>(2 * ids[a].size() + 1) * shares[b];
    const u128 key_b = static_cast<u128>(2 * ids[b].size() + 1) * shares[a];
    return key_a != key_b ? key_a > key_b : a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> next(later);
  for (size_t k = 0; k < shares.size(); ++k) {
    if (shares[k] > 0) next.push(k);
  }
  for (uint64_t i = 0; i < total; ++i) {
    const size_t k = next.top();
    next.pop();
    ids[k].push_back(static_cast<uint32_t>(i));
    if (ids[k].size() < shares[k]) next.push(k);
  }
  return ids;
}

}  // namespace wsload::shared
