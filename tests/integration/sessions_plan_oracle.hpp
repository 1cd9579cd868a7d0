#pragma once
// An oracle of the format-v2 plan for the sessions integration tests, written apart from
// shared/src/planner.cpp and session_plan.cpp: the group split by largest remainder, and the
// interleave of global connection ids (used for groups over ids and for agents over ids alike).
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

namespace wsload::test {

// `total` split by `weights`: floor of each exact quota, then one more to the largest remainders
// (ties to the lower index).
inline std::vector<uint64_t> largest_remainder(uint64_t total,
                                               const std::vector<uint64_t>& weights) {
  const uint64_t sum = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
  std::vector<uint64_t> counts(weights.size());
  std::vector<uint64_t> remainders(weights.size());
  uint64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    counts[i] = total * weights[i] / sum;
    remainders[i] = total * weights[i] % sum;
    given += counts[i];
  }
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t i = 0; given < total; ++i, ++given) ++counts[order[i]];
  return counts;
}

// Owner of every global id 0..sum(counts)-1: owner m's i-th id sits at the ideal position
// (i + 1/2) / counts[m] of the range, ids handed out in that order, ties to the lower owner.
inline std::vector<size_t> interleave(const std::vector<uint64_t>& counts) {
  struct Slot {
    size_t owner;
    uint64_t i;
  };
  std::vector<Slot> slots;
  for (size_t m = 0; m < counts.size(); ++m) {
    for (uint64_t i = 0; i < counts[m]; ++i) slots.push_back({m, i});
  }
  std::stable_sort(slots.begin(), slots.end(), [&](const Slot& a, const Slot& b) {
    const uint64_t ka = (2 * a.i + 1) * counts[b.owner];
    const uint64_t kb = (2 * b.i + 1) * counts[a.owner];
    return ka != kb ? ka < kb : a.owner < b.owner;
  });
  std::vector<size_t> owner_of(slots.size());
  for (size_t id = 0; id < slots.size(); ++id) owner_of[id] = slots[id].owner;
  return owner_of;
}

inline std::string v2_scenario(const std::string& name) {
  return (std::filesystem::path(WSLOAD_TEST_DATA_DIR) / "scenarios" / "v2" / name).string();
}

// The rows of tests/data/scenarios/v2/sessions_users.csv (columns name, token).
struct UserRow {
  std::string name;
  std::string token;
};
inline std::vector<UserRow> read_users_csv() {
  std::ifstream in(v2_scenario("sessions_users.csv"));
  std::vector<UserRow> rows;
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    if (comma != std::string::npos) rows.push_back({line.substr(0, comma), line.substr(comma + 1)});
  }
  return rows;
}

}  // namespace wsload::test
