#include "run/json_fields.hpp"

#include <gtest/gtest.h>

namespace wsload::controller {
namespace {

TEST(JsonFields, FlattensNumericObjectMembers) {
  const auto r = numeric_json_fields(
      R"({"connections_open": 12, "memory": {"rss": 1024.5, "name": "x"}, "ok": true, "list": [1, {"a": 2}]})");
  ASSERT_TRUE(r.parsed);
  ASSERT_EQ(r.fields.size(), 3u);
  EXPECT_DOUBLE_EQ(r.fields.at("connections_open"), 12);
  EXPECT_DOUBLE_EQ(r.fields.at("memory.rss"), 1024.5);
  EXPECT_DOUBLE_EQ(r.fields.at("ok"), 1);
  EXPECT_EQ(r.dropped, 0u);
  EXPECT_EQ(r.note(), "");
}

TEST(JsonFields, NotJsonIsNotParsed) {
  EXPECT_FALSE(numeric_json_fields("not json").parsed);
  EXPECT_FALSE(numeric_json_fields(R"({"a": 1)").parsed);
  EXPECT_TRUE(numeric_json_fields(R"({"a": 1)").fields.empty());
}

// The hostile monitor of issue 11: 50,000 nested objects used to exhaust memory (quadratic key
// strings) and the stack (recursive flattening).
TEST(JsonFields, DeepNestingIsBoundedAndReported) {
  constexpr int kDepth = 50'000;
  std::string text;
  for (int i = 0; i < kDepth; ++i) text += R"({"a":)";
  text += "1";
  text.append(kDepth, '}');
  const JsonFieldLimits limits;
  const auto r = numeric_json_fields(text, limits);
  ASSERT_TRUE(r.parsed);
  EXPECT_TRUE(r.fields.empty());
  EXPECT_EQ(r.too_deep, 1u);
  EXPECT_NE(r.note(limits).find("nested deeper than 8 levels"), std::string::npos)
      << r.note(limits);
}

TEST(JsonFields, KeepsExactlyTheDepthLimit) {
  JsonFieldLimits limits;
  limits.max_depth = 3;
  const auto r = numeric_json_fields(R"({"a": {"b": {"c": 1, "d": {"e": 2}}}, "f": 3})", limits);
  EXPECT_EQ(r.fields.size(), 2u);
  EXPECT_DOUBLE_EQ(r.fields.at("a.b.c"), 1);
  EXPECT_DOUBLE_EQ(r.fields.at("f"), 3);
  EXPECT_EQ(r.too_deep, 1u);
}

TEST(JsonFields, FieldCountIsBoundedAndReported) {
  std::string text = "{";
  for (int i = 0; i < 100'000; ++i)
    text += (i ? ",\"f" : "\"f") + std::to_string(i) + "\":" + std::to_string(i);
  text += "}";
  const JsonFieldLimits limits;
  const auto r = numeric_json_fields(text, limits);
  ASSERT_TRUE(r.parsed);
  EXPECT_EQ(r.fields.size(), limits.max_fields);
  EXPECT_EQ(r.too_many, 100'000u - limits.max_fields);
  EXPECT_EQ(r.dropped, r.too_many);
  EXPECT_NE(r.note(limits).find("99744 beyond the first 256 fields"), std::string::npos)
      << r.note(limits);
}

TEST(JsonFields, LongKeysAndOversizeDocumentsAreDropped) {
  JsonFieldLimits limits;
  limits.max_key = 10;
  const auto r = numeric_json_fields(
      R"({"short": 1, "a_very_long_name_indeed": 2, "x": {"yyyyyyyyyy": 3}})", limits);
  EXPECT_EQ(r.fields.size(), 1u);
  EXPECT_EQ(r.key_too_long, 2u);
  limits.max_bytes = 8;
  EXPECT_FALSE(numeric_json_fields(R"({"a": 12345})", limits).parsed);
}

TEST(JsonFields, DeepArraysCostLinearTime) {
  // Numbers inside arrays are skipped without walking the nesting for each one.
  std::string text(300'000, '[');
  for (int i = 0; i < 100'000; ++i) text += "1,";
  text += "1";
  text.append(300'000, ']');
  const auto r = numeric_json_fields(text);
  EXPECT_TRUE(r.parsed);
  EXPECT_TRUE(r.fields.empty());
}

}  // namespace
}  // namespace wsload::controller
