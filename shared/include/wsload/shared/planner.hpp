#pragma once
// Pure planning: scenario connections + agent weights -> exact per-agent shares of the single-machine
// ramp schedule. No I/O. Connection ids are global (0..total-1); connection `id` opens at
// scheduled_open(id, ...) after the synchronized start wherever it runs.
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace wsload::shared {

// floor(id * ramp_up / total): the single-machine ramp schedule. 0 when total == 0.
std::chrono::nanoseconds scheduled_open(uint64_t id, uint64_t total, std::chrono::nanoseconds ramp_up);

// How many of `total` connections each agent gets for the given positive weights: largest-remainder
// apportionment, so the counts sum to `total` exactly and differ from total*w/sum(w) by less than 1.
// Ties go to the lower agent index.
std::vector<uint64_t> apportion(uint64_t total, std::span<const double> weights);

// Assigns every global connection id to exactly one agent so that agent k receives apportion()[k]
// ids and each agent's ids are spread evenly over the schedule (smooth weighted interleave).
// Returns, per agent, its ids in increasing order.
std::vector<std::vector<uint32_t>> split_connections(uint64_t total, std::span<const double> weights);

}  // namespace wsload::shared
