#pragma once
// Pure planning of format-v2 sessions (SPEC §3a): which group and which data row each global
// connection id gets, and how the parts (groups, streams, steps) are indexed in PartsDelta. No I/O.
// Group membership interleaves the groups over the id range exactly like agents (planner.hpp), so
// every agent and every moment of the ramp gets the same mix.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "wsload/shared/scenario.hpp"

namespace wsload::shared {

// The scenario's groups; a v1 scenario (no `groups`) yields one group "default" made of its
// target, push and its `messages` as the one stream "default" (none for idle connections).
std::vector<GroupSpec> effective_groups(const Scenario& scenario);

// How many of `total` connections each group gets: absolute `connections` first, the rest by
// weight (largest remainder, ties to the lower index). Empty string on success; otherwise *counts
// is untouched and the text says what does not fit (absolute counts above the total).
std::string group_counts(uint64_t total, std::span<const GroupSpec> groups,
                         std::vector<uint64_t>* counts);

struct GroupMember {
  uint32_t group = 0;  // index into the groups
  uint64_t index = 0;  // the connection's rank within its group, from 0
};

// The group of global connection id `id` < sum(counts): the inverse of
// connection_id(counts, group, index). O(groups^2) time, no memory.
GroupMember group_of(std::span<const uint64_t> counts, uint64_t id);

// How a run's connections are split over agents. With several groups, each group's connections
// are apportioned over the agents on their own (largest remainder, by the agents' weights), so
// every agent runs the same mix of groups, within one connection per group, whatever the number
// of agents; each agent's members of a group are interleaved over the group's members, so they
// spread over the whole ramp too. With one group it is planner.hpp's split: apportion(total).
struct AgentSplit {
  std::vector<uint64_t> shares;        // per agent: its connections (the sum over groups)
  std::vector<uint64_t> group_counts;  // per group: its connections (group_counts)
  // [group][agent]: agent's connections of the group; empty with one group.
  std::vector<std::vector<uint64_t>> group_shares;
};

// Empty string on success; otherwise the text of group_counts' refusal and *out untouched.
std::string split_agents(uint64_t total, std::span<const GroupSpec> groups,
                         std::span<const double> weights, AgentSplit* out);
// Agent k's global connection ids in increasing order.
std::vector<uint32_t> agent_ids(const AgentSplit& split, std::size_t k);
// Agent k's lowest and highest global id (shares[k] > 0), without listing its ids: O(groups *
// agents) whatever the share.
std::pair<uint64_t, uint64_t> agent_id_range(const AgentSplit& split, std::size_t k);
// Checks a split received from elsewhere (an agent's assignment): sizes, and the group shares
// adding up to the group counts and to the shares. Empty string when consistent.
std::string check_split(const AgentSplit& split);

// The data row of connection `id` in a feeder of `row_count` rows (id modulo the row count).
inline uint64_t data_row_of(uint64_t id, uint64_t row_count) {
  return row_count == 0 ? 0 : id % row_count;
}

// The rows the given connection ids use, increasing and unique.
std::vector<uint64_t> data_rows_for(std::span<const uint32_t> ids, uint64_t row_count);

// The feeder keeping only `rows` (increasing indices) of `full` (which holds every row).
DataFeeder data_subset(const DataFeeder& full, std::span<const uint64_t> rows);

// Where each group's parts sit in PartsDelta: streams and steps are numbered over all groups in
// order, a group's on_open steps before its on_close steps.
struct PartIndex {
  std::vector<uint32_t> first_stream;     // per group
  std::vector<uint32_t> first_step;       // per group: its first on_open step
  std::vector<std::string> group_names;   // by group index
  std::vector<std::string> stream_names;  // by stream index
  std::vector<std::string> step_names;    // by step index
  std::vector<uint32_t> step_group;       // by step index: the group it belongs to
  std::vector<bool> step_on_close;        // by step index
};
PartIndex part_index(std::span<const GroupSpec> groups);

}  // namespace wsload::shared
