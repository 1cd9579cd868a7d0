// The match mode as a type end to end: scenario -> wire (proto) -> agent RunConfig.
#include "run_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "wsload/proto/convert.hpp"

namespace wsload::agent {
namespace {

Assignment with_messages(shared::MessageKind kind, shared::Match match) {
  Assignment a;
  a.scenario.target.url = "ws://127.0.0.1:3001/ws";
  shared::MessagesSpec m;
  m.kind = kind;
  m.match = std::move(match);
  a.scenario.messages = m;
  return a;
}

// The scenario as the agent sees it: through its wire form.
Assignment over_the_wire(Assignment a) {
  a.scenario = proto::from_wire(proto::to_wire(a.scenario, ""), nullptr);
  return a;
}

std::shared_ptr<const RunConfig> config_of(Assignment a) {
  auto made = make_run_config(std::move(a));
  if (auto* error = std::get_if<std::string>(&made)) ADD_FAILURE() << *error;
  auto* cfg = std::get_if<std::shared_ptr<const RunConfig>>(&made);
  return cfg != nullptr ? *cfg : nullptr;
}

TEST(RunConfigMatch, EveryModeSurvivesTheWireAndReachesTheConfig) {
  using shared::Match;
  using shared::MessageKind;
  for (const Match& match : {Match::by_field("req.id"), Match::next(), Match::none()}) {
    const Assignment a = over_the_wire(with_messages(MessageKind::kJson, match));
    ASSERT_TRUE(a.scenario.messages.has_value());
    EXPECT_EQ(a.scenario.messages->match, match) << match.to_string();
    const auto cfg = config_of(a);
    ASSERT_NE(cfg, nullptr);
    EXPECT_EQ(cfg->groups[0].streams[0].match, match.mode) << match.to_string();
    EXPECT_EQ(cfg->groups[0].streams[0].match_field,
              match.mode == Match::Mode::kField ? "req.id" : "");
  }
}

TEST(RunConfigMatch, WireCarriesAnEnumAndTheFieldOnlyInFieldMode) {
  const auto spec =
      proto::to_wire(with_messages(shared::MessageKind::kJson, shared::Match::next()).scenario, "");
  EXPECT_EQ(spec.messages().match_mode(), v1::MessagesSpec::MATCH_MODE_NEXT);
  EXPECT_EQ(spec.messages().match_field(), "");
  const auto by_id = proto::to_wire(
      with_messages(shared::MessageKind::kJson, shared::Match::by_field("id")).scenario, "");
  EXPECT_EQ(by_id.messages().match_mode(), v1::MessagesSpec::MATCH_MODE_FIELD);
  EXPECT_EQ(by_id.messages().match_field(), "id");
}

TEST(RunConfigMatch, FieldModeWithoutAFieldIsRefused) {
  auto made =
      make_run_config(with_messages(shared::MessageKind::kJson, shared::Match::by_field("")));
  ASSERT_TRUE(std::holds_alternative<std::string>(made));
  EXPECT_NE(std::get<std::string>(made).find("messages.match"), std::string::npos);
}

// Pongs pair by the sequence number in their payload whatever the mode but none: the field is
// irrelevant, so an empty one is not an error for kind ping.
TEST(RunConfigMatch, PingKeepsTheModeAndNeedsNoField) {
  const auto cfg =
      config_of(with_messages(shared::MessageKind::kPing, shared::Match::by_field("")));
  ASSERT_NE(cfg, nullptr);
  EXPECT_EQ(cfg->groups[0].streams[0].match, MatchMode::kField);
  EXPECT_EQ(config_of(with_messages(shared::MessageKind::kPing, shared::Match::none()))
                ->groups[0]
                .streams[0]
                .match,
            MatchMode::kNone);
}

}  // namespace
}  // namespace wsload::agent
