// Session planning (SPEC §3a): group split, group membership against the exact connection_id
// oracle, data rows, v1 groups and part numbering.
#include "wsload/shared/session_plan.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "wsload/shared/planner.hpp"

namespace wsload::shared {
namespace {

// __extension__ keeps -Wpedantic quiet about the 128-bit integer type.
__extension__ typedef __int128 i128;

GroupSpec weighted(std::string name, uint64_t weight) {
  GroupSpec g;
  g.name = std::move(name);
  g.weight = weight;
  return g;
}

GroupSpec absolute(std::string name, uint64_t connections) {
  GroupSpec g;
  g.name = std::move(name);
  g.connections = connections;
  return g;
}

std::vector<uint64_t> counts_of(uint64_t total, const std::vector<GroupSpec>& groups) {
  std::vector<uint64_t> counts;
  const std::string error = group_counts(total, groups, &counts);
  EXPECT_EQ(error, "");
  return counts;
}

TEST(GroupCounts, WeightsSplitByLargestRemainder) {
  const std::vector<GroupSpec> nine_one = {weighted("listeners", 9), weighted("publishers", 1)};
  EXPECT_EQ(counts_of(1000, nine_one), (std::vector<uint64_t>{900, 100}));
  EXPECT_EQ(counts_of(7, nine_one), (std::vector<uint64_t>{6, 1}));  // 6.3 / 0.7
  EXPECT_EQ(counts_of(4, nine_one), (std::vector<uint64_t>{4, 0}));  // 3.6 / 0.4
  EXPECT_EQ(counts_of(0, nine_one), (std::vector<uint64_t>{0, 0}));
  // Ties go to the lower index.
  EXPECT_EQ(counts_of(3, {weighted("a", 1), weighted("b", 1)}), (std::vector<uint64_t>{2, 1}));
  EXPECT_EQ(counts_of(10, {weighted("a", 1), weighted("b", 1), weighted("c", 1)}),
            (std::vector<uint64_t>{4, 3, 3}));
  // 100 * (3, 7, 11) / 21 = 14.29, 33.33, 52.38: the one left over goes to the largest remainder.
  EXPECT_EQ(counts_of(100, {weighted("a", 3), weighted("b", 7), weighted("c", 11)}),
            (std::vector<uint64_t>{14, 33, 53}));
}

TEST(GroupCounts, AbsoluteFirstThenWeightsShareTheRest) {
  const std::vector<GroupSpec> groups = {weighted("a", 1), absolute("fixed", 5), weighted("b", 2)};
  EXPECT_EQ(counts_of(20, groups), (std::vector<uint64_t>{5, 5, 10}));
  EXPECT_EQ(counts_of(21, groups), (std::vector<uint64_t>{5, 5, 11}));  // 16: 5.33 / 10.67
  EXPECT_EQ(counts_of(5, groups), (std::vector<uint64_t>{0, 5, 0}));
  // Absolute groups that add up to the total need no weighted group.
  EXPECT_EQ(counts_of(12, {absolute("x", 5), absolute("y", 7)}), (std::vector<uint64_t>{5, 7}));
}

TEST(GroupCounts, AbsoluteAboveTheTotalIsAnErrorAndLeavesCountsAlone) {
  const std::vector<GroupSpec> groups = {absolute("x", 6), absolute("y", 5), weighted("w", 1)};
  std::vector<uint64_t> counts = {42};
  const std::string error = group_counts(10, groups, &counts);
  EXPECT_NE(error.find("add up to 11"), std::string::npos) << error;
  EXPECT_NE(error.find("more than the 10"), std::string::npos) << error;
  EXPECT_EQ(counts, (std::vector<uint64_t>{42}));
}

TEST(GroupCounts, OnlyAbsoluteGroupsMustAddUpToTheTotal) {
  const std::vector<GroupSpec> groups = {absolute("x", 3), absolute("y", 4)};
  std::vector<uint64_t> counts = {42};
  const std::string error = group_counts(10, groups, &counts);
  EXPECT_NE(error.find("add up to 7"), std::string::npos) << error;
  EXPECT_NE(error.find("not the 10"), std::string::npos) << error;
  EXPECT_EQ(counts, (std::vector<uint64_t>{42}));
}

// The oracle: connection_id for every (group, rank) lists every id once; group_of inverts it.
void expect_group_of_inverts_connection_id(const std::vector<uint64_t>& counts) {
  const uint64_t total = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  std::vector<GroupMember> owner(total, GroupMember{UINT32_MAX, 0});
  for (size_t g = 0; g < counts.size(); ++g) {
    for (uint64_t j = 0; j < counts[g]; ++j) {
      const uint64_t id = connection_id(counts, g, j);
      ASSERT_LT(id, total);
      ASSERT_EQ(owner[id].group, UINT32_MAX) << "id " << id << " listed twice";
      owner[id] = GroupMember{static_cast<uint32_t>(g), j};
    }
  }
  for (uint64_t id = 0; id < total; ++id) {
    const GroupMember m = group_of(counts, id);
    if (m.group != owner[id].group || m.index != owner[id].index) {
      ADD_FAILURE() << "counts[0]=" << counts[0] << " groups=" << counts.size() << " id " << id
                    << ": group_of gives (" << m.group << ", " << m.index << "), expected ("
                    << owner[id].group << ", " << owner[id].index << ")";
      return;
    }
  }
}

// Every prefix [0, k) of the ids holds each group's share of k within the number of groups.
void expect_every_prefix_has_the_mix(const std::vector<uint64_t>& counts) {
  const uint64_t total = std::accumulate(counts.begin(), counts.end(), uint64_t{0});
  const auto groups = static_cast<int64_t>(counts.size());
  std::vector<uint64_t> seen(counts.size(), 0);
  for (uint64_t k = 1; k <= total; ++k) {
    ++seen[group_of(counts, k - 1).group];
    for (size_t g = 0; g < counts.size(); ++g) {
      // |seen * total - k * count| <= groups * total, exactly in integers.
      const i128 diff = static_cast<i128>(seen[g]) * total - static_cast<i128>(k) * counts[g];
      const i128 bound = static_cast<i128>(groups) * total;
      if (diff > bound || -diff > bound) {
        ADD_FAILURE() << "prefix " << k << " has " << seen[g] << " of group " << g << " (count "
                      << counts[g] << " of " << total << ")";
        return;
      }
    }
  }
}

TEST(GroupOf, InvertsConnectionIdForSmallMixes) {
  for (uint64_t n = 1; n <= 200; ++n) {
    const std::vector<uint64_t> counts = {9 * n, n};
    expect_group_of_inverts_connection_id(counts);
    expect_every_prefix_has_the_mix(counts);
  }
  for (const std::vector<uint64_t>& counts :
       std::vector<std::vector<uint64_t>>{{1},
                                          {5},
                                          {1, 1, 1},
                                          {0, 5, 0, 7},
                                          {1, 0},
                                          {0, 1},
                                          {1, 999},
                                          {999, 1},
                                          {2, 3, 5, 7, 11},
                                          {1, 1, 1, 1, 1, 1, 1, 1, 1, 100}}) {
    expect_group_of_inverts_connection_id(counts);
    expect_every_prefix_has_the_mix(counts);
  }
}

TEST(GroupOf, InvertsConnectionIdForGroupCountsOfOddWeights) {
  const std::vector<GroupSpec> groups = {weighted("a", 3), weighted("b", 7), weighted("c", 11)};
  const std::vector<GroupSpec> with_absolute = {weighted("a", 3), absolute("fixed", 13),
                                                weighted("c", 11)};
  for (uint64_t total = 1; total <= 500; ++total) {
    const std::vector<uint64_t> counts = counts_of(total, groups);
    expect_group_of_inverts_connection_id(counts);
    expect_every_prefix_has_the_mix(counts);
    if (total >= 13) {
      const std::vector<uint64_t> mixed = counts_of(total, with_absolute);
      expect_group_of_inverts_connection_id(mixed);
      expect_every_prefix_has_the_mix(mixed);
    }
  }
}

TEST(GroupOf, InvertsConnectionIdForAMillion) {
  const std::vector<uint64_t> counts = {900000, 100000};
  expect_group_of_inverts_connection_id(counts);
  expect_every_prefix_has_the_mix(counts);
}

// What every agent computes on its own ids adds up to the single-machine split.
TEST(GroupOf, AgentsTogetherHoldEveryGroupsCountOnce) {
  const std::vector<GroupSpec> groups = {weighted("listeners", 9), weighted("publishers", 1),
                                         absolute("admins", 3)};
  for (const uint64_t total : {uint64_t{13}, uint64_t{100}, uint64_t{997}, uint64_t{10000}}) {
    const std::vector<uint64_t> counts = counts_of(total, groups);
    for (const size_t agents : {size_t{1}, size_t{3}, size_t{7}}) {
      std::vector<double> weights(agents);
      for (size_t k = 0; k < agents; ++k) weights[k] = static_cast<double>(k + 1);
      const std::vector<uint64_t> shares = apportion(total, weights);
      std::vector<uint64_t> per_group(counts.size(), 0);
      std::vector<int> covered(total, 0);
      for (size_t k = 0; k < agents; ++k) {
        const std::vector<uint32_t> ids = agent_connection_ids(shares, k);
        EXPECT_EQ(ids.size(), shares[k]);
        for (const uint32_t id : ids) {
          ASSERT_LT(id, total);
          ++covered[id];
          ++per_group[group_of(counts, id).group];
        }
      }
      EXPECT_EQ(per_group, counts) << total << " connections over " << agents << " agents";
      for (uint64_t id = 0; id < total; ++id) {
        ASSERT_EQ(covered[id], 1) << "id " << id << " of " << total << ", " << agents << " agents";
      }
    }
  }
}

TEST(DataRows, RowsOfIdsModuloTheRowCountUniqueAndSorted) {
  const std::vector<uint32_t> ids = {13, 0, 5, 10, 3, 8};
  EXPECT_EQ(data_rows_for(ids, 5), (std::vector<uint64_t>{0, 3}));
  EXPECT_EQ(data_rows_for(ids, 100), (std::vector<uint64_t>{0, 3, 5, 8, 10, 13}));
  EXPECT_EQ(data_rows_for(ids, 1), (std::vector<uint64_t>{0}));
  EXPECT_TRUE(data_rows_for(ids, 0).empty());
  EXPECT_TRUE(data_rows_for({}, 5).empty());
  EXPECT_EQ(data_row_of(13, 5), 3u);
  EXPECT_EQ(data_row_of(13, 0), 0u);
}

TEST(DataRows, SubsetKeepsOnlyTheGivenRowsAndTheFeedersShape) {
  DataFeeder full;
  full.name = "users";
  full.file = "users.csv";
  full.columns = {"id", "token"};
  full.row_count = 5;
  for (uint64_t r = 0; r < 5; ++r) {
    full.rows.push_back(DataRow{r, {"u" + std::to_string(r), "t" + std::to_string(r)}});
  }
  const std::vector<uint64_t> rows = {1, 3, 9};  // 9: no such row
  const DataFeeder subset = data_subset(full, rows);
  EXPECT_EQ(subset.name, "users");
  EXPECT_EQ(subset.file, "users.csv");
  EXPECT_EQ(subset.columns, full.columns);
  EXPECT_EQ(subset.row_count, 5u);  // the file's, so that id % row_count still picks the row
  ASSERT_EQ(subset.rows.size(), 2u);
  EXPECT_EQ(subset.rows[0].index, 1u);
  EXPECT_EQ(subset.rows[0].values, (std::vector<std::string>{"u1", "t1"}));
  EXPECT_EQ(subset.rows[1].index, 3u);
  EXPECT_EQ(subset.rows[1].values, (std::vector<std::string>{"u3", "t3"}));
  EXPECT_TRUE(data_subset(full, {}).rows.empty());
}

Scenario v1_scenario() {
  Scenario s;
  s.target.url = "wss://example.test/ws";
  s.target.headers = {{"X-Client", "wsload"}};
  s.target.auth.token = "secret";
  s.push = PushSpec{"seq", "ts"};
  MessagesSpec m;
  m.interval = 250ms;
  m.kind = MessageKind::kText;
  m.payload_template = "hi {{seq}}";
  m.match = Match::next();
  m.timeout = 2s;
  s.messages = m;
  return s;
}

TEST(EffectiveGroups, V1IsOneDefaultGroupWithOneDefaultStream) {
  const Scenario s = v1_scenario();
  const std::vector<GroupSpec> groups = effective_groups(s);
  ASSERT_EQ(groups.size(), 1u);
  const GroupSpec& g = groups[0];
  EXPECT_EQ(g.name, "default");
  EXPECT_EQ(g.weight, 1u);
  EXPECT_FALSE(g.connections.has_value());
  EXPECT_EQ(g.target.url, "wss://example.test/ws");
  EXPECT_EQ(g.target.headers, s.target.headers);
  EXPECT_EQ(g.target.auth.token, "secret");
  EXPECT_EQ(g.push.sequence_field, "seq");
  EXPECT_EQ(g.push.timestamp_field, "ts");
  EXPECT_TRUE(g.on_open.empty());
  EXPECT_TRUE(g.on_close.empty());
  ASSERT_EQ(g.streams.size(), 1u);
  EXPECT_EQ(g.streams[0].name, "default");
  EXPECT_EQ(g.streams[0].interval, 250ms);
  EXPECT_EQ(g.streams[0].kind, MessageKind::kText);
  EXPECT_EQ(g.streams[0].payload_template, "hi {{seq}}");
  EXPECT_EQ(g.streams[0].match, Match::next());
  EXPECT_EQ(g.streams[0].timeout, 2s);
  EXPECT_EQ(counts_of(10, groups), (std::vector<uint64_t>{10}));
}

TEST(EffectiveGroups, IdleV1HasNoStream) {
  Scenario s = v1_scenario();
  s.messages.reset();
  const std::vector<GroupSpec> groups = effective_groups(s);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "default");
  EXPECT_TRUE(groups[0].streams.empty());
}

TEST(EffectiveGroups, V2IsItsGroups) {
  Scenario s = v1_scenario();
  s.groups = {weighted("a", 2), absolute("b", 4)};
  const std::vector<GroupSpec> groups = effective_groups(s);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "a");
  EXPECT_EQ(groups[1].name, "b");
  EXPECT_TRUE(groups[0].streams.empty());  // `messages` is unused with groups
}

StepSpec step(std::string name) {
  StepSpec s;
  s.name = std::move(name);
  return s;
}

MessagesSpec stream(std::string name) {
  MessagesSpec m;
  m.name = std::move(name);
  return m;
}

TEST(PartIndex, NumbersStreamsAndStepsOverGroupsInOrder) {
  GroupSpec a = weighted("a", 1);
  a.streams = {stream("s1"), stream("s2")};
  a.on_close = {step("c1")};  // listed before on_open: numbered after it anyway
  a.on_open = {step("o1"), step("o2")};
  GroupSpec b = weighted("b", 1);
  b.streams = {stream("s3")};
  b.on_close = {step("c2")};
  GroupSpec c = weighted("c", 1);
  GroupSpec d = weighted("d", 1);
  d.on_open = {step("o3")};
  const std::vector<GroupSpec> groups = {a, b, c, d};

  const PartIndex index = part_index(groups);
  EXPECT_EQ(index.group_names, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(index.first_stream, (std::vector<uint32_t>{0, 2, 3, 3}));
  EXPECT_EQ(index.stream_names, (std::vector<std::string>{"s1", "s2", "s3"}));
  EXPECT_EQ(index.first_step, (std::vector<uint32_t>{0, 3, 4, 4}));
  EXPECT_EQ(index.step_names, (std::vector<std::string>{"o1", "o2", "c1", "c2", "o3"}));
  EXPECT_EQ(index.step_group, (std::vector<uint32_t>{0, 0, 0, 1, 3}));
  EXPECT_EQ(index.step_on_close, (std::vector<bool>{false, false, true, true, false}));
}

TEST(PartIndex, V1HasOneGroupAndOneStream) {
  const PartIndex index = part_index(effective_groups(v1_scenario()));
  EXPECT_EQ(index.group_names, (std::vector<std::string>{"default"}));
  EXPECT_EQ(index.stream_names, (std::vector<std::string>{"default"}));
  EXPECT_TRUE(index.step_names.empty());
}

// Each group is split over the agents on its own: every agent runs the group mix within one
// connection per group, the agents' ids are disjoint and cover the run, and each agent's members
// of a group are spread over the group's (so over the whole ramp).
TEST(SplitAgents, EveryAgentRunsTheMixAndTogetherTheyRunEveryIdOnce) {
  const std::vector<std::vector<GroupSpec>> group_sets = {
      {weighted("listeners", 9), weighted("publishers", 1)},
      {weighted("a", 2), weighted("b", 1)},
      {weighted("a", 3), weighted("b", 7), weighted("c", 11)}};
  for (const auto& groups : group_sets) {
    for (const uint64_t total : {uint64_t{100}, uint64_t{300}, uint64_t{997}}) {
      for (const size_t agents : {size_t{1}, size_t{2}, size_t{3}, size_t{10}}) {
        std::vector<double> weights(agents, 1.0);
        weights[0] = 2.0;  // one heavier agent
        AgentSplit split;
        ASSERT_EQ(split_agents(total, groups, weights, &split), "");
        EXPECT_EQ(check_split(split), "");
        std::vector<int> seen(total, 0);
        for (size_t k = 0; k < agents; ++k) {
          const auto ids = agent_ids(split, k);
          ASSERT_EQ(ids.size(), split.shares[k]);
          std::vector<uint64_t> per_group(groups.size(), 0);
          for (uint32_t id : ids) {
            ++seen[id];
            ++per_group[group_of(split.group_counts, id).group];
          }
          for (size_t g = 0; g < groups.size(); ++g) {
            EXPECT_EQ(per_group[g], split.group_shares[g][k]);
            const double ideal = static_cast<double>(split.group_counts[g]) *
                                 static_cast<double>(split.shares[k]) / static_cast<double>(total);
            EXPECT_NEAR(static_cast<double>(per_group[g]), ideal,
                        static_cast<double>(groups.size()))
                << total << " connections, agent " << k << " of " << agents << ", group " << g;
          }
        }
        for (uint64_t id = 0; id < total; ++id) ASSERT_EQ(seen[id], 1) << "id " << id;
      }
    }
  }
}

TEST(SplitAgents, OneGroupIsThePlannersSplit) {
  AgentSplit split;
  const std::vector<double> weights = {1, 2, 3};
  ASSERT_EQ(split_agents(100, std::vector<GroupSpec>{weighted("default", 1)}, weights, &split), "");
  EXPECT_EQ(split.shares, apportion(100, weights));
  EXPECT_TRUE(split.group_shares.empty());
  for (size_t k = 0; k < 3; ++k)
    EXPECT_EQ(agent_ids(split, k), agent_connection_ids(split.shares, k));
}

TEST(SplitAgents, AnInconsistentSplitIsRefused) {
  AgentSplit split;
  ASSERT_EQ(split_agents(10, std::vector<GroupSpec>{weighted("a", 1), weighted("b", 1)},
                         std::vector<double>{1, 1}, &split),
            "");
  AgentSplit bad = split;
  bad.group_shares[0][0] += 1;
  EXPECT_NE(check_split(bad), "");
  bad = split;
  bad.shares[1] += 1;
  EXPECT_NE(check_split(bad), "");
  bad = split;
  bad.group_shares.pop_back();
  EXPECT_NE(check_split(bad), "");
}

}  // namespace
}  // namespace wsload::shared

namespace wsload::shared {
namespace {

TEST(SplitAgents, IdRangeIsTheFirstAndLastIdWithoutListingThem) {
  for (const auto& groups : std::vector<std::vector<GroupSpec>>{
           {weighted("default", 1)},
           {weighted("a", 9), weighted("b", 1)},
           {weighted("a", 3), weighted("b", 7), weighted("c", 11)}}) {
    AgentSplit split;
    ASSERT_EQ(split_agents(997, groups, std::vector<double>{1, 2, 3}, &split), "");
    for (size_t k = 0; k < 3; ++k) {
      const auto ids = agent_ids(split, k);
      EXPECT_EQ(agent_id_range(split, k),
                std::make_pair(uint64_t{ids.front()}, uint64_t{ids.back()}));
    }
  }
  AgentSplit huge;  // 2^32 - 1 connections: instant, no list
  ASSERT_EQ(split_agents(4294967295u, std::vector<GroupSpec>{weighted("default", 1)},
                         std::vector<double>{1, 2}, &huge),
            "");
  EXPECT_EQ(agent_id_range(huge, 1).second, 4294967294u);
}

}  // namespace
}  // namespace wsload::shared
