#pragma once
// Pure planning: scenario connections + agent weights -> exact per-agent shares of the
// single-machine ramp schedule. No I/O. Connection ids are global (0..total-1); connection `id`
// opens at scheduled_open(id, ...) after the synchronized start wherever it runs.
#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace wsload::shared {

// Connection ids are 32-bit: a run has at most this many connections.
inline constexpr uint64_t kMaxConnections = uint64_t{1} << 32;

// floor(id * ramp_up / total): the single-machine ramp schedule. 0 when total == 0.
std::chrono::nanoseconds scheduled_open(uint64_t id, uint64_t total,
                                        std::chrono::nanoseconds ramp_up);

// How many of `total` connections each agent gets for the given positive weights: largest-remainder
// apportionment, so the counts sum to `total` exactly and differ from total*w/sum(w) by less
// than 1. Ties go to the lower agent index.
std::vector<uint64_t> apportion(uint64_t total, std::span<const double> weights);

// The global id of agent k's j-th connection (j < shares[k]) in split_connections' interleave, for
// shares = apportion(total, weights): O(agents) time and no memory, so that neither the controller
// nor an agent ever lists every connection of a run. Agents compute their own ids with it.
uint64_t connection_id(std::span<const uint64_t> shares, std::size_t k, uint64_t j);

// Agent k's ids in increasing order (connection_id for j = 0 .. shares[k]-1).
std::vector<uint32_t> agent_connection_ids(std::span<const uint64_t> shares, std::size_t k);

// Assigns every global connection id to exactly one agent so that agent k receives apportion()[k]
// ids and each agent's ids are spread evenly over the schedule (smooth weighted interleave).
// Returns, per agent, its ids in increasing order.
std::vector<std::vector<uint32_t>> split_connections(uint64_t total,
                                                     std::span<const double> weights);

}  // namespace wsload::shared
