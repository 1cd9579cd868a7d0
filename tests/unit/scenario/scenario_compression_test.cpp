// `target.compression` (SPEC §3b): none | deflate, in the scenario's target and in a group's
// (inherited unless the group gives its own), and its error at the value's line and column.
#include <gtest/gtest.h>

#include "v2_test_support.hpp"
#include "wsload/scenario/scenario_loader.hpp"

namespace wsload::scenario {

using namespace shared;
using namespace testing;

namespace {

const std::string kHead = "load: { connections: 10 }\n";

TEST(ScenarioCompression, DeflateNoneAndTheDefault) {
  EXPECT_EQ(
      load_v2(kHead + "target: { url: 'ws://h:1/ws', compression: deflate }\n").target.compression,
      Compression::kDeflate);
  EXPECT_EQ(
      load_v2(kHead + "target: { url: 'ws://h:1/ws', compression: none }\n").target.compression,
      Compression::kNone);
  const Scenario plain = load_v2(kHead + "target: { url: 'ws://h:1/ws' }\n");
  EXPECT_EQ(plain.target.compression, Compression::kNone);
  EXPECT_FALSE(plain.offers_compression());
}

TEST(ScenarioCompression, GroupsInheritOrOverrideIt) {
  const Scenario s = load_v2(kHead + R"(target:
  url: ws://a:1/ws
  compression: deflate
groups:
  - name: inherits
  - name: plain
    target: { compression: none }
)");
  ASSERT_EQ(s.groups.size(), 2u);
  EXPECT_EQ(s.groups[0].target.compression, Compression::kDeflate);
  EXPECT_EQ(s.groups[1].target.compression, Compression::kNone);
  EXPECT_TRUE(s.offers_compression());

  const Scenario one = load_v2(kHead + R"(target: { url: ws://a:1/ws }
groups:
  - name: plain
  - name: compressed
    target: { compression: deflate }
)");
  EXPECT_EQ(one.target.compression, Compression::kNone);
  EXPECT_EQ(one.groups[1].target.compression, Compression::kDeflate);
  EXPECT_TRUE(one.offers_compression());
}

TEST(ScenarioCompression, AnythingElseIsAnErrorAtTheValue) {
  expect_problem(kHead + "target:\n  url: ws://h:1/ws\n  compression: gzip\n", 4, 16,
                 "target.compression");
  expect_problem(kHead + "target:\n  url: ws://h:1/ws\n  compression: deflat\n", 4, 16, "deflate");
  expect_problem(kHead +
                     "target: { url: 'ws://h:1/ws' }\ngroups:\n  - name: g\n    target: { "
                     "compression: true }\n",
                 5, 28, "groups[0].target.compression");
}

}  // namespace
}  // namespace wsload::scenario
