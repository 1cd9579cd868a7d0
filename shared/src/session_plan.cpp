#include "wsload/shared/session_plan.hpp"

#include <algorithm>
#include <numeric>

#include "wsload/shared/planner.hpp"

namespace wsload::shared {

std::vector<GroupSpec> effective_groups(const Scenario& scenario) {
  if (scenario.has_sessions()) return scenario.groups;
  GroupSpec group;
  group.target = scenario.target;
  group.push = scenario.push;
  if (scenario.messages) group.streams.push_back(*scenario.messages);
  return {group};
}

std::string group_counts(uint64_t total, std::span<const GroupSpec> groups,
                         std::vector<uint64_t>* counts) {
  std::vector<uint64_t> out(groups.size(), 0);
  uint64_t absolute = 0;
  std::vector<double> weights;
  std::vector<size_t> weighted;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].connections) {
      out[g] = *groups[g].connections;
      absolute += out[g];
    } else {
      weights.push_back(static_cast<double>(groups[g].weight));
      weighted.push_back(g);
    }
  }
  if (absolute > total) {
    return "the groups' absolute connections add up to " + std::to_string(absolute) +
           ", more than the " + std::to_string(total) + " connections of the run";
  }
  if (weighted.empty() && absolute != total) {
    return "the groups' absolute connections add up to " + std::to_string(absolute) + ", not the " +
           std::to_string(total) +
           " connections of the run (give one group a weight to take the rest)";
  }
  if (!weighted.empty()) {
    const std::vector<uint64_t> shares = apportion(total - absolute, weights);
    for (size_t i = 0; i < weighted.size(); ++i) out[weighted[i]] = shares[i];
  }
  *counts = std::move(out);
  return {};
}

GroupMember group_of(std::span<const uint64_t> counts, uint64_t id) {
  // connection_id(counts, g, j) lies within (groups) of (2j + 1) * total / (2 * counts[g]), so
  // the rank j of `id` in its group is within groups + 1 of id * counts[g] / total.
  __extension__ typedef unsigned __int128 u128;
  const uint64_t total = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  const auto span = static_cast<uint64_t>(counts.size()) + 1;
  for (size_t g = 0; g < counts.size(); ++g) {
    if (counts[g] == 0) continue;
    const auto guess = static_cast<uint64_t>(static_cast<u128>(id) * counts[g] / total);
    const uint64_t from = guess > span ? guess - span : 0;
    const uint64_t to = std::min(counts[g], guess + span + 1);
    for (uint64_t j = from; j < to; ++j) {
      const uint64_t at = connection_id(counts, g, j);
      if (at == id) return {static_cast<uint32_t>(g), j};
      if (at > id) break;
    }
  }
  return {};  // unreachable for id < total
}

std::string split_agents(uint64_t total, std::span<const GroupSpec> groups,
                         std::span<const double> weights, AgentSplit* out) {
  AgentSplit split;
  if (auto problem = group_counts(total, groups, &split.group_counts); !problem.empty()) {
    return problem;
  }
  if (groups.size() <= 1) {
    split.shares = apportion(total, weights);
  } else {
    split.shares.assign(weights.size(), 0);
    for (uint64_t count : split.group_counts) {
      split.group_shares.push_back(apportion(count, weights));
      for (size_t k = 0; k < weights.size(); ++k) split.shares[k] += split.group_shares.back()[k];
    }
  }
  *out = std::move(split);
  return {};
}

std::vector<uint32_t> agent_ids(const AgentSplit& split, std::size_t k) {
  if (split.group_shares.empty()) return agent_connection_ids(split.shares, k);
  std::vector<uint32_t> ids;
  ids.reserve(split.shares[k]);
  for (size_t g = 0; g < split.group_shares.size(); ++g) {
    const auto& shares = split.group_shares[g];
    for (uint64_t m = 0; m < shares[k]; ++m) {
      // The agent's m-th member of group g is the group's j-th connection, global id `id`.
      const uint64_t j = connection_id(shares, k, m);
      ids.push_back(static_cast<uint32_t>(connection_id(split.group_counts, g, j)));
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::pair<uint64_t, uint64_t> agent_id_range(const AgentSplit& split, std::size_t k) {
  if (split.group_shares.empty()) {
    return {connection_id(split.shares, k, 0), connection_id(split.shares, k, split.shares[k] - 1)};
  }
  uint64_t first = UINT64_MAX;
  uint64_t last = 0;
  for (size_t g = 0; g < split.group_shares.size(); ++g) {
    const auto& shares = split.group_shares[g];
    if (shares[k] == 0) continue;
    first = std::min(first, connection_id(split.group_counts, g, connection_id(shares, k, 0)));
    last = std::max(last,
                    connection_id(split.group_counts, g, connection_id(shares, k, shares[k] - 1)));
  }
  return {first, last};
}

std::string check_split(const AgentSplit& split) {
  const uint64_t total =
      std::accumulate(split.group_counts.begin(), split.group_counts.end(), uint64_t{0});
  const uint64_t shared = std::accumulate(split.shares.begin(), split.shares.end(), uint64_t{0});
  if (shared != total) {
    return "the shares add up to " + std::to_string(shared) + ", the groups to " +
           std::to_string(total);
  }
  if (split.group_shares.empty()) return {};
  if (split.group_shares.size() != split.group_counts.size()) {
    return "group shares for " + std::to_string(split.group_shares.size()) + " groups, not " +
           std::to_string(split.group_counts.size());
  }
  std::vector<uint64_t> per_agent(split.shares.size(), 0);
  for (size_t g = 0; g < split.group_shares.size(); ++g) {
    const auto& row = split.group_shares[g];
    if (row.size() != split.shares.size()) return "group shares for another number of agents";
    uint64_t sum = 0;
    for (size_t k = 0; k < row.size(); ++k) {
      sum += std::min(row[k], total + 1);
      per_agent[k] += std::min(row[k], total + 1);
    }
    if (sum != split.group_counts[g]) {
      return "group " + std::to_string(g) + "'s shares add up to " + std::to_string(sum) +
             ", not its " + std::to_string(split.group_counts[g]) + " connections";
    }
  }
  if (per_agent != split.shares) return "the group shares do not add up to the agents' shares";
  return {};
}

std::vector<uint64_t> data_rows_for(std::span<const uint32_t> ids, uint64_t row_count) {
  std::vector<uint64_t> rows;
  if (row_count == 0) return rows;
  rows.reserve(std::min<uint64_t>(ids.size(), row_count));
  for (uint32_t id : ids) rows.push_back(data_row_of(id, row_count));
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

DataFeeder data_subset(const DataFeeder& full, std::span<const uint64_t> rows) {
  DataFeeder out;
  out.name = full.name;
  out.file = full.file;
  out.columns = full.columns;
  out.row_count = full.row_count;
  out.rows.reserve(rows.size());
  for (uint64_t r : rows) {
    if (r < full.rows.size()) out.rows.push_back(full.rows[r]);
  }
  return out;
}

PartIndex part_index(std::span<const GroupSpec> groups) {
  PartIndex index;
  for (size_t g = 0; g < groups.size(); ++g) {
    const GroupSpec& group = groups[g];
    index.group_names.push_back(group.name);
    index.first_stream.push_back(static_cast<uint32_t>(index.stream_names.size()));
    for (const MessagesSpec& stream : group.streams) index.stream_names.push_back(stream.name);
    index.first_step.push_back(static_cast<uint32_t>(index.step_names.size()));
    for (int close = 0; close < 2; ++close) {
      for (const StepSpec& step : close == 0 ? group.on_open : group.on_close) {
        index.step_names.push_back(step.name);
        index.step_group.push_back(static_cast<uint32_t>(g));
        index.step_on_close.push_back(close == 1);
      }
    }
  }
  return index;
}

}  // namespace wsload::shared
